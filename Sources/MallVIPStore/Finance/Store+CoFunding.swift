import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// One counter's line of a month's co-funding statement (docs/finance.md "Tenant co-funding").
public struct CoFundingLine: Sendable, Equatable {
    /// nil: points of purchases with no line to apportion them to (shown to group-wide users only).
    public var counter: Counter?
    public var figures: CoFunding.Row
    /// True when the programme names this counter in `coFunding.counters`.
    public var overridden: Bool
}

/// A month's co-funding statement: one line per counter that issued points or supplied a redemption in the month.
public struct CoFundingStatement: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var fenPerThousandPoints: Int64
    public var defaultSharePermille: Int
    public var lines: [CoFundingLine]
    /// Override codes in the programme that name no counter / partner.
    public var unknownCounterCodes: [String]
    public var unknownPartnerCodes: [String]

    public var label: String { "\(year)-" + (month < 10 ? "0\(month)" : "\(month)") }
    public var total: CoFunding.Row {
        var t = CoFunding.Row(counterId: nil)
        for l in lines {
            t.pointsEarned += l.figures.pointsEarned
            t.pointsReversed += l.figures.pointsReversed
            t.costFen += l.figures.costFen
            t.fundingFen += l.figures.fundingFen
            t.redemptions += l.figures.redemptions
            t.suppliedFen += l.figures.suppliedFen
        }
        return t
    }
}

extension Store {
    /// The co-funding statement of `year`-`month` for the counters of `scope`'s malls.
    ///
    /// Which month a movement belongs to: a ledger row (`earn`, `reverse`) by the local date of its `at_ms` in the
    /// programme's time zone — the month the points were credited or taken back, as the points liability counts
    /// them —; a redemption by its business day (as the gift settlement). Purchases are apportioned over all their
    /// lines (also lines at counters outside the scope), then only the scope's counters are shown.
    public func coFundingStatement(year: Int, month: Int, scope: MallScope) async throws -> CoFundingStatement {
        let (_, programme) = try await self.programme()
        let policy = programme.coFunding
        let value = programme.finance.fenPerThousandPoints(programme)
        let first = LocalDate(year: year, month: month, day: 1)
        let next = first.adding(months: 1)
        let fromMs = epochMillis(first.start(in: programme.timeZone))
        let toMs = epochMillis(next.start(in: programme.timeZone))

        // Earned and reversed points per purchase in the month; a row without a purchase (none is written today)
        // falls under purchase 0, which has no lines, and stays unattributed.
        let movements = try await sql.rows("""
            SELECT COALESCE(purchase_id, 0) AS pid,
                   CAST(SUM(CASE WHEN kind = \(bind: LedgerKind.earn.rawValue) THEN points ELSE 0 END) AS BIGINT) AS earned,
                   CAST(SUM(CASE WHEN kind = \(bind: LedgerKind.reverse.rawValue) THEN -points ELSE 0 END) AS BIGINT) AS reversed
            FROM points_ledger WHERE kind IN (\(bind: LedgerKind.earn.rawValue), \(bind: LedgerKind.reverse.rawValue)) AND at_ms >= \(bind: fromMs) AND at_ms < \(bind: toMs)
            GROUP BY COALESCE(purchase_id, 0)
            """).map {
            CoFunding.PurchasePoints(purchaseId: try $0.int64("pid"), earned: try $0.int64("earned"), reversed: try $0.int64("reversed"))
        }
        let lines = try await sql.rows("""
            SELECT pl.purchase_id, pl.counter_id,
                   CAST(SUM(CASE WHEN pl.earns_points THEN pl.amount_fen ELSE 0 END) AS BIGINT) AS eligible,
                   CAST(SUM(CASE WHEN pl.earns_points THEN pl.refunded_fen ELSE 0 END) AS BIGINT) AS refunded
            FROM purchase_lines pl
            WHERE pl.purchase_id IN (SELECT l.purchase_id FROM points_ledger l WHERE l.kind IN (\(bind: LedgerKind.earn.rawValue), \(bind: LedgerKind.reverse.rawValue))
                                     AND l.at_ms >= \(bind: fromMs) AND l.at_ms < \(bind: toMs) AND l.purchase_id IS NOT NULL)
            GROUP BY pl.purchase_id, pl.counter_id
            """).map {
            CoFunding.LineFacts(purchaseId: try $0.int64("purchase_id"), counterId: try $0.int64("counter_id"),
                                eligibleFen: try $0.int64("eligible"), refundedEligibleFen: try $0.int64("refunded"))
        }
        let last = LocalDate(year: year, month: month, day: LocalDate.daysIn(year: year, month: month))
        var supplied: [Int64: (count: Int, costFen: Int64)] = [:]
        for r in try await sql.rows("""
            SELECT supplier_counter_id, COUNT(*) AS n, CAST(SUM(cost_fen) AS BIGINT) AS cost FROM redemptions
            WHERE status = 'done' AND supplier_counter_id IS NOT NULL
              AND business_day >= \(bind: first.dayNumber) AND business_day <= \(bind: last.dayNumber)
            GROUP BY supplier_counter_id
            """) {
            supplied[try r.int64("supplier_counter_id")] = (try r.int("n"), try r.int64("cost"))
        }

        let counters = try await counterList()
        let byId = Dictionary(counters.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = CoFunding.statement(movements: movements, lines: lines, supplied: supplied, fenPerThousand: value,
                                       rounding: programme.finance.rounding,
                                       share: { id in byId[id].map { policy.share(counter: $0.code) } ?? policy.defaultSharePermille })
        let shown: [CoFundingLine] = rows.compactMap { row in
            guard let id = row.counterId else { return scope.isGroupWide ? CoFundingLine(counter: nil, figures: row, overridden: false) : nil }
            guard let c = byId[id], scope.contains(mall: c.mallId) else { return nil }
            return CoFundingLine(counter: c, figures: row, overridden: policy.counters[c.code] != nil)
        }
        let unknown = policy.unknownCodes(counterCodes: Set(counters.map(\.code)),
                                          partnerCodes: Set(try await partners().map(\.code)))
        return CoFundingStatement(year: year, month: month, fenPerThousandPoints: value, defaultSharePermille: policy.defaultSharePermille,
                                  lines: shown.sorted { a, b in
                                      switch (a.counter, b.counter) {
                                      case let (x?, y?): (x.mallCode, x.code) < (y.mallCode, y.code)
                                      case (.some, nil): true
                                      default: false
                                      }
                                  },
                                  unknownCounterCodes: unknown.counters, unknownPartnerCodes: unknown.partners)
    }
}
