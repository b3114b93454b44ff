import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb

/// `mallvip reports rebuild` and `mallvip reports bench`: the report aggregates rebuilt from the raw rows, and the
/// time of every report figure, cold and warm (ReportBench.swift), and of the nightly jobs on a database.
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
            abstract: "Time every report figure cold and warm (p50/p95 in one table), then the nightly jobs, on this database.",
            discussion: """
                Figures: the dashboard; each table of the report pack for this month, quarter, half, year and the last 12 months; \
                segment preview counts; the member page; the churn and account-manager lists. Cold: the cached report figures \
                emptied before the call (as after the day's first purchase); warm: after one unmeasured call. With \
                DATABASE_REPLICA_URL set the figures read from the replica, as the console's do.
                """)
        @ArgumentParser.Option(help: "The database (sqlite:PATH or postgres://…); default DATABASE_URL.") var database: String?
        @ArgumentParser.Option(help: "Cold and warm runs of each figure (p50 and p95 of them are printed).") var runs: Int = 5
        @ArgumentParser.Flag(help: "Also time a full rebuild of the report aggregates.") var fullRebuild = false
        @ArgumentParser.Flag(help: "Build the member-period snapshots and daily points first (timed), so that the queries read them.")
        var snapshotsFirst = false
        @ArgumentParser.Flag(help: "Kept for older scripts: every figure is timed both cold and warm now.")
        var cold = false
        @ArgumentParser.Flag(help: "Leave out the nightly jobs (they write: aggregates, snapshots, tier review …).")
        var skipNightly = false

        func validate() throws {
            guard (1...1000).contains(runs) else { throw ValidationError("--runs must be from 1 to 1000") }
            if let database { _ = try StoreLocation(url: database) }
        }

        func run() async throws {
            let runs = self.runs, full = fullRebuild, first = snapshotsFirst, nightly = !skipNightly
            if let database { setenv("DATABASE_URL", database, 1) }
            try await withApplication { app in
                let store = app.store
                let (_, programme) = try await store.programme()
                let today = LocalDate.of(store.env.now(), in: programme.timeZone)
                let counts = try await store.benchCounts()
                let reads = await store.readReplica().source
                print("mallvip reports bench · \(counts) · today \(today) · \(runs) cold and \(runs) warm runs · reads from "
                      + (reads.fromReplica ? "the replica (\(ReportBench.ms(.milliseconds(Int64((reads.replica?.lagSeconds ?? 0) * 1000)))) ms behind)"
                         : reads.fellBack ? "the primary (replica \(reads.replica?.state.rawValue ?? ""))" : "the primary"))
                if first {
                    let built = try await store.buildReportSnapshots(on: today)
                    print("member-period snapshots and daily points built: \(built.rows) rows in \(ReportsCommand.seconds(built.took)) s")
                }
                print("")
                print(ReportBench.header)
                var worst: ReportBench.Row?
                let rows = try await ReportBench.run(store, today: today, runs: runs) { row in
                    print(ReportBench.line(row))
                    fflush(nil)   // a row as soon as it is timed, also through a pipe
                }
                for r in rows where r.coldP95 > (worst?.coldP95 ?? .zero) { worst = r }
                if let worst {
                    print("\n\(rows.count) figures; slowest (cold p95): \(worst.name) \(worst.period) \(ReportBench.ms(worst.coldP95)) ms")
                }
                guard nightly else { return }
                print("\nnightly jobs")
                let aggregates = try await store.rebuildReportAggregates(from: today.adding(months: -1))
                print("  report aggregates, last two months  \(ReportsCommand.seconds(aggregates)) s")
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
