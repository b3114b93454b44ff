import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb

/// `mallvip partitions list|ensure|detach` (docs/scaling.md "Partitioned history"): the monthly partitions of
/// purchases, purchase_lines and points_ledger on PostgreSQL. Exit codes: 0 done; 2 a bad argument (--before not
/// YYYY-MM, the current month or later, or the store is SQLite), with the rule; 1 refused (a month to detach is not
/// closed by `mallvip finance close`).
struct PartitionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partitions", abstract: "Monthly partitions of the purchase and points history (PostgreSQL).",
        discussion: "Exit codes: 0 done; 2 bad argument (--before must be YYYY-MM and before the current month; SQLite has no partitions to detach); 1 refused (a month to detach is not closed by `mallvip finance close`).",
        subcommands: [List.self, Ensure.self, Detach.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every partition: table, partition, month, attached or detached, rows (estimate).")
        func run() async throws {
            let parts = try await withApplication { app in try await app.store.historyPartitions() }
            if parts.isEmpty { print("no partitions (SQLite, or PostgreSQL before migration 046)"); return }
            print("table,partition,month,state,rows")
            for p in parts {
                print("\(p.table),\(p.name),\(p.month?.description ?? "default"),\(p.attached ? "attached" : "detached"),\(p.rows)")
            }
        }
    }

    struct Ensure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create this month's partitions and the months ahead now (the daily jobs do it too); rows already in the default partition move in.")
        @ArgumentParser.Option(help: "Months ahead of the current one, 1–24 (default MALLVIP_PARTITION_MONTHS_AHEAD or 3).") var monthsAhead: Int?
        func run() async throws {
            if let n = monthsAhead, !(1...24).contains(n) {
                print("--months-ahead: 应为 1–24 / must be 1–24 (rule partitions.months_ahead.range), got \(n)")
                throw ExitCode(2)
            }
            let ahead = monthsAhead ?? Store.partitionMonthsAhead
            let created = try await withApplication { app in
                let (_, programme) = try await app.store.programme()
                return try await app.store.ensureHistoryPartitions(on: LocalDate.of(Date(), in: programme.timeZone), monthsAhead: ahead)
            }
            print(created.isEmpty ? "partitions: none missing" : "partitions created: \(created.joined(separator: ", "))")
        }
    }

    struct Detach: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Detach every month partition before --before (after `mallvip finance close` of those months); then archive each with pg_dump -t and drop it.",
            discussion: "Detached months disappear from every report, export and member history. Exit codes: 0 detached (or nothing to detach); 2 bad argument; 1 a month is not closed.")
        @ArgumentParser.Option(help: "Detach the months before this one, YYYY-MM.") var before: String
        @ArgumentParser.Option(help: "Who detaches, for the audit log.") var actor: String = "cli"

        func run() async throws {
            guard let m = FinanceMonth(before) else {
                print("--before: 月份格式应为 YYYY-MM / must be YYYY-MM (rule partitions.month.format), got \"\(before)\"")
                throw ExitCode(2)
            }
            let who = actor
            do {
                let detached = try await withApplication { app in try await app.store.detachHistoryPartitions(before: m, actor: who) }
                if detached.isEmpty { print("nothing to detach before \(m)") }
                else {
                    print("detached: \(detached.joined(separator: ", "))")
                    print("archive each: pg_dump -t <name> -Fc -f <name>.dump \"$DATABASE_URL\", then DROP TABLE <name>")
                }
            } catch let e as DomainError {
                print("--before: \(e.zh) / \(e.en) (rule \(e.rule))")
                throw ExitCode(e.kind == .invalid ? 2 : 1)
            }
        }
    }
}
