import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// The import's bulk writer against live posting: a file spanning upgrades up to an approval request, the off-season
/// multipliers (Wednesdays, the first N member purchases of a day, a birthday), a counter that earns no points,
/// members by card and by phone and non-members, imported in one batch and in small ones, must leave every table the
/// same as posting the receipts live through the POS API at their own times.
@Suite("Import purchases in bulk") struct ImportBulkTests {
    private static let cards = (1...5).map { CardNumber.make(prefix: "77", serial: Int64(20 + $0)) }
    private static let phones = (1...6).map { "1390000010\($0)" }

    /// Five members with cards, a sixth found by phone only; the second has a birthday on 4 March.
    private static let membersCSV = "会员卡号,手机号,姓名,生日\n"
        + (0..<5).map { "\(cards[$0]),\(phones[$0]),会员\($0),\($0 == 1 ? "1990-03-04" : "")\n" }.joined()
        + ",\(phones[5]),会员5,\n"

    struct Receipt {
        var no: String
        var at: Date
        var card: String?
        var phone: String?
        var lines: [(counter: String, fen: Int64)]
    }

    /// 8 receipts on each of 12 days, February (Wednesday 4th, 25th) to August: big amounts so tiers climb to
    /// diamond and past purple's threshold (which needs approval).
    private static let receipts: [Receipt] = {
        let days = [(2, 3), (2, 4), (2, 25), (3, 4), (3, 10), (4, 1), (4, 15), (5, 6), (6, 1), (7, 1), (7, 15), (8, 3)]
        var out: [Receipt] = []
        var n = 0
        for (m, d) in days {
            for k in 0..<8 {
                n += 1
                let who = n % 8
                let card = who < 5 ? cards[who] : nil
                let phone = who == 5 ? phones[5] : who == 6 ? phones[0] : nil   // 6: a member's phone, no card
                var lines: [(String, Int64)] = [("C0001", Int64(150_000 + (n * 7_919) % 600_000))]
                if n % 3 == 0 { lines.append(("C0002", Int64(20_000 + n * 100))) }
                if n % 5 == 0 { lines.append(("C0001", 5_050)) }
                out.append(Receipt(no: "BK\(String(format: "%03d", n))", at: shanghai(2026, m, d, 10 + k, (n * 13) % 60),
                                   card: card, phone: phone, lines: lines))
            }
        }
        return out
    }()

    /// The receipts as a file, newest first (the import sorts them).
    private static var purchasesCSV: String {
        let tz = TimeZone(identifier: "Asia/Shanghai")!
        var text = "小票号,交易时间,会员卡号,手机号,店柜编码,实收金额\n"
        for r in receipts.reversed() {
            let day = LocalDate.of(r.at, in: tz)
            let secs = (Int(r.at.timeIntervalSince1970) + 8 * 3600) % 86_400
            let time = "\(day) " + String(format: "%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60)
            for l in r.lines {
                text += "\(r.no),\(time),\(r.card ?? ""),\(r.phone ?? ""),\(l.counter),\(Money.yuan(l.fen, grouping: false))\n"
            }
        }
        return text
    }

    /// The first three member purchases of a day count double in February to April (the shipped rule says 100).
    private static let programme = programmeYAML(replacing: [("firstMemberPurchasesOfDay: 100}", "firstMemberPurchasesOfDay: 3}")])

    private static func setUp(_ t: TestContext) async throws {
        try await t.saveCounter(code: "C0002", participates: true, earnsPoints: false)
        let r = try await t.importText(.members, membersCSV)
        #expect(r.rejected == 0, "\(r.rejects)")
    }

    /// Every table an import writes, members by phone and purchases by receipt number (ids differ between databases,
    /// their order does not).
    private static let queries = [
        "SELECT phone, points_balance, earned_tier, tier_since_day FROM members ORDER BY phone",
        """
        SELECT m.phone, l.kind, l.points, l.balance_after, p.receipt_no, l.note, l.actor, l.at_ms FROM points_ledger l
        JOIN members m ON m.id = l.member_id LEFT JOIN purchases p ON p.id = l.purchase_id ORDER BY l.id
        """,
        "SELECT m.phone, d.day, d.spend_fen, d.purchases FROM member_daily_spend d JOIN members m ON m.id = d.member_id ORDER BY m.phone, d.day",
        """
        SELECT m.phone, c.from_tier, c.to_tier, c.kind, c.reason, p.receipt_no, c.actor, c.at_ms FROM tier_changes c
        JOIN members m ON m.id = c.member_id LEFT JOIN purchases p ON p.id = c.purchase_id ORDER BY c.id
        """,
        "SELECT m.phone, r.tier, r.reason, r.status, r.created_at_ms FROM tier_requests r JOIN members m ON m.id = r.member_id ORDER BY r.id",
        """
        SELECT receipt_no, card_no, phone, occurred_at_ms, business_day, total_fen, eligible_fen, points_earned, factor_permille,
          programme_version, request_hash, response_json FROM purchases ORDER BY id
        """,
        """
        SELECT p.receipt_no, l.line_no, c.code, m.phone, l.amount_fen, CASE WHEN l.special_price THEN 1 ELSE 0 END AS special,
          CASE WHEN l.earns_points THEN 1 ELSE 0 END AS earns, l.refunded_fen
        FROM purchase_lines l JOIN purchases p ON p.id = l.purchase_id JOIN counters c ON c.id = l.counter_id
        LEFT JOIN members m ON m.id = l.member_id ORDER BY l.id
        """,
        "SELECT mall_id, day, member_purchases FROM mall_day_counts ORDER BY mall_id, day",
        // Summed over shards (migration 031): live posts add to their lane's rows, an import to shard 0.
        """
        SELECT c.code, s.day, CAST(SUM(s.sales_fen) AS BIGINT) AS sales_fen, CAST(SUM(s.member_sales_fen) AS BIGINT) AS member_sales_fen,
          CAST(SUM(s.lines) AS BIGINT) AS lines, CAST(SUM(s.member_lines) AS BIGINT) AS member_lines, CAST(SUM(s.receipts) AS BIGINT) AS receipts,
          CAST(SUM(s.member_receipts) AS BIGINT) AS member_receipts, CAST(SUM(s.lead_receipts) AS BIGINT) AS lead_receipts,
          CAST(SUM(s.member_lead_receipts) AS BIGINT) AS member_lead_receipts, CAST(SUM(s.refunded_fen) AS BIGINT) AS refunded_fen,
          CAST(SUM(s.member_refunded_fen) AS BIGINT) AS member_refunded_fen FROM counter_day_sales s JOIN counters c ON c.id = s.counter_id
        GROUP BY c.code, s.day ORDER BY c.code, s.day
        """,
        """
        SELECT mall_id, day, band_fen, CAST(SUM(lines) AS BIGINT) AS lines, CAST(SUM(sales_fen) AS BIGINT) AS sales_fen,
          CAST(SUM(member_lines) AS BIGINT) AS member_lines, CAST(SUM(member_sales_fen) AS BIGINT) AS member_sales_fen
        FROM price_band_day_sales GROUP BY mall_id, day, band_fen ORDER BY mall_id, day, band_fen
        """,
        """
        SELECT m.phone, s.mall_id, s.month, s.spend_fen, s.purchases, s.days_mask, s.last_day FROM member_month_stats s
        JOIN members m ON m.id = s.member_id ORDER BY m.phone, s.month
        """,
        // purchase.posted is dated by created_at_ms, the import's time for an import: compared by count.
        """
        SELECT event_type, subject_table, status, COUNT(*) AS n FROM webhook_deliveries GROUP BY event_type, subject_table, status
        ORDER BY event_type
        """,
    ]

    private static func dumps(_ t: TestContext) async throws -> [[String]] {
        var out: [[String]] = []
        for q in queries { out.append(try await t.dump(q)) }
        return out
    }

    /// A subscriber to the events purchases cause, so the comparison covers the webhook deliveries too.
    private static func subscribe(_ t: TestContext) async throws {
        _ = try await t.store.createWebhook(url: "https://example.com/hook", events: [.purchasePosted, .pointsChanged, .tierChanged],
                                            actor: "test")
    }

    @Test("One batch or many, with or without a webhook subscriber: the same rows as posting live, and importing again changes nothing",
          arguments: [(1_000, false), (5, false), (1_000, true)])
    func sameAsLive(batch: Int, webhooks: Bool) async throws {
        let live = try await withTestApp(programme: Self.programme) { t in
            try await Self.setUp(t)
            if webhooks { try await Self.subscribe(t) }
            let now = t.clock.now
            for r in Self.receipts {
                t.clock.set(r.at)
                let res = try await t.purchase(r.no, at: r.at, card: r.card, phone: r.phone,
                                               lines: r.lines.map { Line($0.fen, counter: $0.counter) })
                #expect(res.status == .created, "\(r.no): \(res.text)")
            }
            t.clock.set(now)
            try await t.expectVerifyClean()
            return try await Self.dumps(t)
        }
        try await withTestApp(programme: Self.programme) { t in
            try await Self.setUp(t)
            if webhooks { try await Self.subscribe(t) }
            let bytes = Array(Self.purchasesCSV.utf8)
            func run(dryRun: Bool) async throws -> ImportReport {
                try await t.store.importFile(.bytes(bytes), ImportOptions(kind: .purchases, dryRun: dryRun, actor: "test",
                                                                          fileName: "bulk.csv", batchSize: batch))
            }
            let before = try await t.importCounts()
            let dry = try await run(dryRun: true)
            #expect(try await t.importCounts() == before)
            let rows = Self.receipts.reduce(0) { $0 + $1.lines.count }
            #expect((dry.imported, dry.rejected) == (rows, 0))

            let r = try await run(dryRun: false)
            #expect((r.imported, r.skipped, r.rejected) == (rows, 0, 0), "\(r.rejects)")
            #expect(r.receipts?.imported == Self.receipts.count)
            let imported = try await Self.dumps(t)
            for (i, q) in Self.queries.enumerated() {
                #expect(imported[i] == live[i], "\(q)")
            }
            // The point of the comparison: these cases happened.
            #expect(imported[3].count >= 8, "tier changes")
            #expect(!imported[4].isEmpty, "tier requests (purple needs approval)")
            #expect(imported[5].contains { $0.contains("factor_permille=2000") })
            #expect(imported[5].contains { $0.contains("factor_permille=1000") && $0.contains("business_day=\(LocalDate(year: 2026, month: 3, day: 10).dayNumber)") && $0.contains("card_no=7") })
            #expect(imported[11].isEmpty != webhooks)
            try await t.expectVerifyClean()

            let counts = try await t.importCounts()
            let deliveries = try await t.count("webhook_deliveries")
            let again = try await run(dryRun: false)
            #expect((again.imported, again.skipped, again.rejected) == (0, rows, 0))
            var after = try await t.importCounts()
            after["import_runs"] = counts["import_runs"]
            #expect(after == counts)
            #expect(try await t.count("webhook_deliveries") == deliveries)
            #expect(try await Self.dumps(t) == imported)
        }
    }
}
