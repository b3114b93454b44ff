import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// The points liability roll-forward as the console and the CLI show it (docs/finance.md): closed months as frozen,
/// open months computed from the ledger, the first open month taking whatever was posted into closed months later.
public struct PointsRollForward: Sendable, Equatable {
    public struct Closure: Sendable, Equatable {
        public var by: String
        public var atMs: Int64
    }

    /// Each month's rows, malls by id then the group (`LiabilityRollForward.group`).
    public var months: [FinanceMonth: [LiabilityRow]]
    /// The months shown, earliest first (from the first ledger month, or the first closed one).
    public var order: [FinanceMonth]
    public var closed: [FinanceMonth: Closure]
    /// The month `mallvip finance close` takes next (nil: nothing to close yet).
    public var nextToClose: FinanceMonth?
    public var parameters: LiabilityParameters

    public func rows(_ month: FinanceMonth) -> [LiabilityRow] { months[month] ?? [] }
    public func group(_ month: FinanceMonth) -> LiabilityRow? { months[month]?.last { $0.isGroup } }
}

extension Store {
    /// The closed months' frozen rows and who closed them.
    public func financeClosedMonths() async throws -> (rows: [FinanceMonth: [LiabilityRow]], closed: [FinanceMonth: PointsRollForward.Closure]) {
        var rows: [FinanceMonth: [LiabilityRow]] = [:]
        var closed: [FinanceMonth: PointsRollForward.Closure] = [:]
        let decoder = JSONDecoder()
        for r in try await sql.rows("SELECT month, mall_id, figures_json, closed_by, closed_at_ms FROM finance_closed_months ORDER BY month, mall_id") {
            guard let month = FinanceMonth(key: try r.int("month")) else { continue }
            let row = try decoder.decode(LiabilityRow.self, from: Data(try r.string("figures_json").utf8))
            rows[month, default: []].append(row)
            closed[month] = .init(by: try r.string("closed_by"), atMs: try r.int64("closed_at_ms"))
        }
        // Malls by id, the group (−1) last.
        for (m, list) in rows { rows[m] = list.filter { !$0.isGroup } + list.filter(\.isGroup) }
        return (rows, closed)
    }

    /// The roll-forward from the first month through `through` (default: this month). Closed months come from
    /// `finance_closed_months` unchanged; the first open month opens from the last closed one's state and takes, per
    /// mall, what the ledger now holds for the closed months less what was frozen (late postings and backdated rows).
    public func pointsRollForward(through: FinanceMonth? = nil) async throws -> PointsRollForward {
        let (_, programme) = try await self.programme()
        let params = LiabilityParameters(programme)
        let today = LocalDate.of(now, in: programme.timeZone)
        let last = through ?? FinanceMonth(today)
        let (frozen, closed) = try await financeClosedMonths()
        let lastClosed = frozen.keys.max()
        let firstLedger = try await financeFirstMonth()
        let first = [frozen.keys.min(), firstLedger].compactMap { $0 }.min()
        var result = PointsRollForward(months: [:], order: [], closed: closed, nextToClose: nil, parameters: params)
        guard let first else { return result }
        let firstOpen = lastClosed?.next ?? first
        result.nextToClose = firstOpen
        for (m, rows) in frozen where m <= last { result.months[m] = rows }
        if firstOpen <= last {
            var raw = try await financeMovements(from: first, through: last)
            // Late activity: ledger rows dated in closed months beyond what was frozen go to the first open month.
            if let lastClosed {
                var late: [Int64: PointsMovements] = [:]
                for m in first.through(lastClosed) {
                    for (mall, x) in raw[m] ?? [:] { late[mall, default: PointsMovements()] += x }
                    for row in frozen[m] ?? [] where !row.isGroup { late[row.mallId, default: PointsMovements()] = late[row.mallId, default: PointsMovements()] - row.movements }
                    raw[m] = nil
                }
                for (mall, x) in late where !x.isZero { raw[firstOpen, default: [:]][mall, default: PointsMovements()] += x }
            }
            var start: [Int64: LiabilityState] = [:]
            var priorGroup: [FinanceMonth: PointsMovements] = [:]
            for (m, rows) in frozen {
                for row in rows where row.isGroup { priorGroup[m] = row.movements }
            }
            if let lastClosed { for row in frozen[lastClosed] ?? [] where !row.isGroup { start[row.mallId] = row.state } }
            let computed = LiabilityRollForward.run(months: firstOpen.through(last), movements: raw, start: start, priorGroup: priorGroup, params)
            for (m, rows) in computed { result.months[m] = rows }
        }
        result.order = result.months.keys.sorted()
        return result
    }

    /// Freezes `month` (`mallvip finance close --month YYYY-MM`, docs/finance.md "Closing a month"): its rows are
    /// written to `finance_closed_months` as computed now and read from there ever after. Refused: a month that has
    /// not ended (invalid, `finance.month.ended`), a month already closed or with an earlier month still open
    /// (conflict, `finance.month.closed` / `finance.month.order`).
    @discardableResult
    public func closeFinanceMonth(_ month: FinanceMonth, actor: String) async throws -> [LiabilityRow] {
        let (_, programme) = try await self.programme()
        let today = LocalDate.of(now, in: programme.timeZone)
        guard month.lastDay < today else {
            throw DomainError.invalid("month", "finance.month.ended", zh: "只能结账已经结束的月份（\(month) 尚未结束）",
                                      en: "month must have ended before it is closed (\(month) has not)")
        }
        let before = try await pointsRollForward(through: month)
        if before.closed[month] != nil {
            throw DomainError(.conflict, field: "month", rule: "finance.month.closed", zh: "\(month) 已经结账", en: "\(month) is already closed")
        }
        if let next = before.nextToClose, next < month {
            throw DomainError(.conflict, field: "month", rule: "finance.month.order",
                              zh: "请先结账 \(next)（按月份顺序结账）", en: "close \(next) first: months close in order")
        }
        var rows = before.rows(month)
        if rows.isEmpty {   // nothing posted yet: the month closes with zeros
            rows = [LiabilityRollForward.groupRow([], month: month, rate: (before.parameters.fixedPermille, false), before.parameters)]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let nowMs = epochMillis(now)
        let frozen = rows
        do {
            try await write { tx in
                for row in frozen {
                    let json = String(decoding: try encoder.encode(row), as: UTF8.self)
                    try await tx.sql.exec("""
                        INSERT INTO finance_closed_months (month, mall_id, figures_json, closed_by, closed_at_ms)
                        VALUES (\(bind: month.key), \(bind: row.mallId), \(bind: json), \(bind: actor), \(bind: nowMs))
                        """)
                }
                try await self.audit(tx, actor: actor, action: "finance.close", subject: "month:\(month)",
                                     detail: "deferred=\(frozen.last?.deferredClosingFen ?? 0) points=\(frozen.last?.closingPoints ?? 0)")
            }
        } catch where isUniqueViolation(error) {
            throw DomainError(.conflict, field: "month", rule: "finance.month.closed", zh: "\(month) 已经结账", en: "\(month) is already closed")
        }
        return rows
    }
}
