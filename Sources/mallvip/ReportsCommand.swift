import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb

/// `mallvip reports rebuild` and `mallvip reports bench`: the report aggregates rebuilt from the raw rows, and the
/// time of each report query and of the nightly jobs on the database DATABASE_URL points at.
struct ReportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reports", abstract: "Report aggregates and their speed.",
                                                    subcommands: [Rebuild.self, Bench.self])

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the report aggregates (sales per counter and day, price bands, members per month) from purchases and refunds.")
        @ArgumentParser.Option(help: "Only the business days from the first of this date's month (YYYY-MM-DD); default everything.")
        var from: String?

        func run() async throws {
            let start: LocalDate?
            if let from {
                guard let d = LocalDate(from) else { throw ValidationError("--from must be YYYY-MM-DD") }
                start = d
            } else { start = nil }
            let took = try await withApplication { app in try await app.store.rebuildReportAggregates(from: start) }
            print("report aggregates rebuilt\(start.map { " from \($0)" } ?? "") in \(ReportsCommand.seconds(took)) s")
        }
    }

    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time each report query (the trailing year, this year and this month) and the nightly jobs on this database.")
        @ArgumentParser.Option(help: "Runs of each query; the best and the median are printed.") var runs: Int = 3
        @ArgumentParser.Flag(help: "Also time a full rebuild of the report aggregates.") var fullRebuild = false
        @ArgumentParser.Flag(help: "Build the member-period snapshots and daily points first (timed), so that the queries read them.")
        var snapshotsFirst = false
        @ArgumentParser.Flag(help: "Empty the cached report figures before every run: the member figures come from the snapshots (or the aggregates), as after a purchase today.")
        var cold = false

        func run() async throws {
            let runs = max(1, self.runs), full = fullRebuild, first = snapshotsFirst, cold = self.cold
            try await withApplication { app in
                let store = app.store
                let (_, programme) = try await store.programme()
                let today = LocalDate.of(store.env.now(), in: programme.timeZone)
                let counts = try await store.benchCounts()
                print("mallvip reports bench · \(counts) · today \(today)")
                if first {
                    let built = try await store.buildReportSnapshots(on: today)
                    print("member-period snapshots and daily points built: \(built.rows) rows in \(ReportsCommand.seconds(built.took)) s")
                }
                let periods: [ReportPeriod] = [.last12(endingOn: today.adding(days: -1)), .containing(today, kind: .year), .containing(today, kind: .month)]
                var worst: (String, Duration) = ("", .zero)
                for period in periods {
                    let range = period.through(today) ?? period.range
                    let scope = ReportScope(range: range, mallId: nil)
                    let previous = period.previous.range
                    print("\n\(period.key) (\(range.from) … \(range.to))")
                    let queries: [(String, @Sendable () async throws -> Void)] = [
                        ("sales total", { _ = try await store.reportSales(scope, by: .total) }),
                        ("sales by month/day", { _ = try await store.reportSales(scope, by: range.days > 62 ? .month : .day) }),
                        ("sales by department", { _ = try await store.reportSales(scope, by: .department) }),
                        ("sales by floor", { _ = try await store.reportSales(scope, by: .floor) }),
                        ("sales by counter", { _ = try await store.reportSales(scope, by: .counter) }),
                        ("price bands", { _ = try await store.reportPriceBands(scope) }),
                        ("members, active, repurchase", { _ = try await store.reportMembers(scope, previous: previous) }),
                        ("churn", { _ = try await store.reportChurn(scope) }),
                        ("tiers and migration", { _ = try await store.reportTiers(scope) }),
                        ("RFM grid", { _ = try await store.reportRFM(scope) }),
                        ("ABC", { _ = try await store.reportABC(scope) }),
                        ("segments", { _ = try await store.reportSegments(scope) }),
                        ("age and gender", { _ = try await store.reportDemographics(scope) }),
                        ("top N", { _ = try await store.reportTop(scope, previous: previous, lastYear: range.lastYear) }),
                        ("points", { _ = try await store.reportPoints(range) }),
                    ]
                    for (name, q) in queries {
                        var times: [Duration] = []
                        for _ in 0..<runs {
                            if cold { try await store.dropReportFigureCache() }
                            let t0 = ContinuousClock.now
                            try await q()
                            times.append(ContinuousClock.now - t0)
                        }
                        times.sort()
                        if times[times.count / 2] > worst.1 { worst = ("\(period.key) \(name)", times[times.count / 2]) }
                        print("  \(name.padding(toLength: 30, withPad: " ", startingAt: 0)) best \(ReportsCommand.ms(times[0])) ms  median \(ReportsCommand.ms(times[times.count / 2])) ms")
                    }
                }
                print("\nslowest query (median): \(worst.0) \(ReportsCommand.ms(worst.1)) ms")
                print("\nnightly jobs")
                let nightly = try await store.rebuildReportAggregates(from: today.adding(months: -1))
                print("  report aggregates, last two months  \(ReportsCommand.seconds(nightly)) s")
                let snapshots = try await store.buildReportSnapshots(on: today)
                print("  member-period snapshots, points     \(ReportsCommand.seconds(snapshots.took)) s (\(snapshots.rows) rows)")
                let t0 = ContinuousClock.now
                let jobs = try await store.runDailyJobs(on: today, now: Date())
                print("  all daily jobs (mallvip jobs run)   \(ReportsCommand.seconds(ContinuousClock.now - t0)) s\(jobs.review.alreadyRan ? " (most had already run today)" : "")")
                if full {
                    print("  full rebuild of the aggregates      \(ReportsCommand.seconds(try await store.rebuildReportAggregates())) s")
                }
            }
        }
    }

    static func ms(_ d: Duration) -> String { String(format: "%.1f", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15) }
    static func seconds(_ d: Duration) -> String { String(format: "%.2f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) }
}
