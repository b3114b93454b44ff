import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "Daily jobs.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run today's daily jobs (yearly tier review, end of manual tiers, points expiry, service tasks, account-manager and conversion awards, message journeys), start due campaigns, then deliver the messages and webhooks due. Safe to run twice: each job runs once per business day.")
        @ArgumentParser.Option(help: "Business day to run for (YYYY-MM-DD); default today.") var day: String?

        func run() async throws {
            let jobs = try await withApplication { app in
                let (_, programme) = try await app.store.programme()
                let date: LocalDate
                if let day {
                    guard let d = LocalDate(day) else { throw ValidationError("--day must be YYYY-MM-DD") }
                    date = d
                } else {
                    date = LocalDate.of(Date(), in: programme.timeZone)
                }
                return try await app.store.runDailyJobs(on: date, now: Date())
            }
            let (summary, referrals, expiry, journeys, tasks) = (jobs.review, jobs.referrals, jobs.expiry, jobs.journeys, jobs.tasks)
            if summary.alreadyRan { print("tier review already ran for this day") }
            else { print("tier review: \(summary.reviewed) reviewed, \(summary.downgraded) down, \(summary.upgraded) up, \(summary.manualEnded) manual tiers ended") }
            if referrals.alreadyRan { print("referral sweep already ran for this day") }
            else { print("referral sweep: \(referrals.settled) settled, \(referrals.reversed) reversed") }
            if expiry.alreadyRan { print("points expiry already ran for this day") }
            else { print("points expiry: \(expiry.points) points of \(expiry.members) members expired (credit years up to \(expiry.lapsedYear.map(String.init) ?? "none"))") }
            for j in journeys.journeys where j.enabled {
                if j.alreadyRan { print("journey \(j.kind.rawValue) already ran for this day") }
                else if let e = j.error { print("journey \(j.kind.rawValue) not run: \(e)") }
                else { print("journey \(j.kind.rawValue): \(j.due) due, \(j.queued) queued, \(j.refused) refused, \(j.holdout) holdout") }
            }
            print(tasks.alreadyRan ? "service tasks already ran for this day" : tasks.line)
            if let award = jobs.managerAward { print("account manager award \(award.month): \(award.staffName), \(award.purchases) purchases / \(award.members) members") }
            print("conversion awards: \(jobs.conversionAwards) recorded for last week")
            print(jobs.gifts.line)   // issue 18: gift entitlements issued and expired
            let reminders = try await withApplication { app in try await app.sendEventReminders() }
            print("event reminders: \(reminders.queued) queued, \(reminders.refused) refused")
            // After the journeys, so that today's messages go out now (SMS in quiet hours waits for their end).
            let campaigns = try await withApplication { app in try await app.store.runDueCampaigns(now: Date()) }
            print("campaigns: \(campaigns.campaigns) sent, \(campaigns.cancelled) cancelled, \(campaigns.outbox.queued) queued, \(campaigns.outbox.holdout) holdout, \(campaigns.outbox.refused) refused")
            let (channels, delivered) = try await withApplication { app in (app.messagingChannelsLine, try await app.deliverDueMessages()) }
            print(channels)
            print(delivered.line)
            // Webhooks for the changes the jobs made (tier review, expiry, referrals) and anything else due.
            let hooks = try await withApplication { app in try await app.deliverDueWebhooks() }
            print(hooks.line)
        }
    }
}
