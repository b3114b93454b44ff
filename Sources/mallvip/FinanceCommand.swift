import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb

/// `mallvip finance close --month YYYY-MM` and `mallvip finance rollforward`: the points liability roll-forward
/// (docs/finance.md). Exit codes of `close`: 0 closed; 2 a bad argument (not YYYY-MM, or a month that has not ended),
/// with the rule; 1 the month is already closed or an earlier month is still open.
struct FinanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "finance", abstract: "Points liability: the monthly roll-forward and closing a month.",
                                                    subcommands: [Close.self, RollForward.self])

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Freeze a month of the points liability roll-forward: its figures never change again; later activity goes to the next open month.",
            discussion: "Exit codes: 0 closed; 2 bad argument (--month must be YYYY-MM and a month that has ended); 1 already closed, or an earlier month is still open (months close in order).")
        @ArgumentParser.Option(help: "The month to close, YYYY-MM.") var month: String
        @ArgumentParser.Option(help: "Who closes it, for the audit log.") var actor: String = "cli"

        func run() async throws {
            guard let m = FinanceMonth(month) else {
                print("--month: 月份格式应为 YYYY-MM / must be YYYY-MM (rule finance.month.format), got \"\(month)\"")
                throw ExitCode(2)
            }
            let who = actor
            do {
                let rows = try await withApplication { app in try await app.store.closeFinanceMonth(m, actor: who) }
                let g = rows.last { $0.isGroup }
                print("\(m) closed: closing points \(g?.closingPoints ?? 0), value \(LiabilityCSV.yuan(g?.closingValueFen ?? 0)) yuan, "
                      + "deferred revenue \(LiabilityCSV.yuan(g?.deferredClosingFen ?? 0)) yuan (\(rows.count - 1) malls)")
            } catch let e as DomainError {
                print("--month: \(e.zh) / \(e.en) (rule \(e.rule))")
                throw ExitCode(e.kind == .invalid ? 2 : 1)
            }
        }
    }

    struct RollForward: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rollforward",
            abstract: "Print the roll-forward as CSV (the console's download), from the first month through --through (default this month).")
        @ArgumentParser.Option(help: "The last month, YYYY-MM.") var through: String?

        func run() async throws {
            var last: FinanceMonth?
            if let through {
                guard let m = FinanceMonth(through) else {
                    print("--through: 月份格式应为 YYYY-MM / must be YYYY-MM (rule finance.month.format)")
                    throw ExitCode(2)
                }
                last = m
            }
            let text = try await withApplication { app in
                let rf = try await app.store.pointsRollForward(through: last)
                let names = Dictionary(uniqueKeysWithValues: try await app.store.malls().map { ($0.id, $0.name) })
                return LiabilityCSV.render(rf.order.flatMap { rf.rows($0) }, mallName: { FinanceMallName.name($0, names) },
                                           closed: { rf.closed[$0] != nil })
            }
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
