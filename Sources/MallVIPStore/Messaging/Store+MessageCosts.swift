import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Messages that went out and what they cost, for one key (journey code, campaign id, month "2026-11").
public struct MessageCostLine: Sendable, Equatable {
    public var key: String
    public var messages: Int
    public var costFen: Int64
    public init(key: String, messages: Int, costFen: Int64) {
        self.key = key
        self.messages = messages
        self.costFen = costFen
    }
}

public struct MessageCostReport: Sendable, Equatable {
    /// The month reported ("2026-11").
    public var month: String
    /// Within the month, by source code ("birthday", "campaign:12", "manual:3").
    public var bySource: [MessageCostLine]
    /// Within the month, by campaign id.
    public var byCampaign: [MessageCostLine]
    /// The month and the ones before it, oldest first.
    public var byMonth: [MessageCostLine]
    public var totalFen: Int64 { bySource.reduce(0) { $0 + $1.costFen } }
}

extension Store {
    /// Costs of messages sent (SMS and e-mail) or delivered (calls done), by the local month they went out in.
    /// `month`: any day of the month reported; `history`: how many months `byMonth` covers, ending with it.
    public func messageCosts(month: LocalDate, history: Int = 12) async throws -> MessageCostReport {
        let tz = try await programme().1.timeZone
        let first = LocalDate(year: month.year, month: month.month, day: 1)
        func range(_ d: LocalDate) -> (Int64, Int64) {
            (epochMillis(d.start(in: tz)), epochMillis(d.adding(months: 1).start(in: tz)))
        }
        func key(_ d: LocalDate) -> String { String(d.description.prefix(7)) }
        let (from, to) = range(first)
        let sent = "status IN ('sent', 'delivered') AND sent_at_ms >= "
        func lines(_ column: String) async throws -> [MessageCostLine] {
            try await sql.rows("""
                SELECT \(unsafeRaw: column) AS k, COUNT(*) AS n, CAST(SUM(cost_fen) AS BIGINT) AS c FROM outbox_messages
                WHERE \(unsafeRaw: sent)\(bind: from) AND sent_at_ms < \(bind: to) AND \(unsafeRaw: column) IS NOT NULL
                GROUP BY \(unsafeRaw: column) ORDER BY \(unsafeRaw: column)
                """).map {
                let k = column == "campaign_id" ? String(try $0.int64("k")) : try $0.string("k")
                return MessageCostLine(key: k, messages: try $0.int("n"), costFen: try $0.optInt64("c") ?? 0)
            }
        }
        var byMonth: [MessageCostLine] = []
        for back in stride(from: max(history, 1) - 1, through: 0, by: -1) {
            let d = first.adding(months: -back)
            let (a, b) = range(d)
            let r = try await sql.row("""
                SELECT COUNT(*) AS n, CAST(SUM(cost_fen) AS BIGINT) AS c FROM outbox_messages
                WHERE \(unsafeRaw: sent)\(bind: a) AND sent_at_ms < \(bind: b)
                """)
            byMonth.append(MessageCostLine(key: key(d), messages: try r?.int("n") ?? 0, costFen: try r?.optInt64("c") ?? 0))
        }
        return MessageCostReport(month: key(first), bySource: try await lines("source_code"),
                                 byCampaign: try await lines("campaign_id"), byMonth: byMonth)
    }
}
