import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "Daily jobs.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run today's daily jobs (yearly tier review, end of manual tiers, points expiry). Safe to run twice: each job runs once per business day.")
        @ArgumentParser.Option(help: "Business day to run for (YYYY-MM-DD); default today.") var day: String?

        func run() async throws {
            let (summary, referrals, expiry) = try await withApplication { app in
                let (_, programme) = try await app.store.programme()
                let date: LocalDate
                if let day {
                    guard let d = LocalDate(day) else { throw ValidationError("--day must be YYYY-MM-DD") }
                    date = d
                } else {
                    date = LocalDate.of(Date(), in: programme.timeZone)
                }
                return (try await app.store.runTierReview(on: date), try await app.store.runReferralSweep(on: date),
                        try await app.store.runPointsExpiry(on: date))
            }
            if summary.alreadyRan { print("tier review already ran for this day") }
            else { print("tier review: \(summary.reviewed) reviewed, \(summary.downgraded) down, \(summary.upgraded) up, \(summary.manualEnded) manual tiers ended") }
            if referrals.alreadyRan { print("referral sweep already ran for this day") }
            else { print("referral sweep: \(referrals.settled) settled, \(referrals.reversed) reversed") }
            if expiry.alreadyRan { print("points expiry already ran for this day") }
            else { print("points expiry: \(expiry.points) points of \(expiry.members) members expired (credit years up to \(expiry.lapsedYear.map(String.init) ?? "none"))") }
        }
    }
}
