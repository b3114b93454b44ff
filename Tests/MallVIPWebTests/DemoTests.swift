import Crypto
import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
@testable import MallVIPWeb

/// `mallvip demo` at a small scale: calibrated to the Chengdu figures, consistent by `verify`, written as the live
/// path would have written it (replays, refunds and new members work on top of it), reproducible by seed.
@Suite("Demo data") struct DemoTests {
    static let scale = 0.02

    @Test("calibrated to the Chengdu 2013 figures, clean by verify, usable by the live path")
    func calibratedAndConsistent() async throws {
        try await withTestApp { t in
            let plan = DemoPlan(seed: 7, scale: Self.scale)
            let f = try await t.store.generateDemo(plan, staffPasswordHash: "locked")

            // The year ends yesterday (the test clock is 2026-11-25 10:00 Shanghai).
            #expect(f.lastDay == LocalDate(year: 2026, month: 11, day: 24))
            #expect(f.days == 365)
            // Chengdu 2013 × scale: 12,118 members, 9,915 active cards, 27 new cards a day, 3,414 yuan per active
            // card, VIP share 26.2%.
            #expect(abs(f.members - 242) <= 2, "members \(f.members)")
            #expect(abs(f.activeCards - 198) <= 3, "active cards \(f.activeCards)")
            #expect(abs(f.newCardsPerDay - 27 * Self.scale) < 0.03, "new cards a day \(f.newCardsPerDay)")
            #expect(abs(Double(f.averageSpendPerActiveCardFen) / 341_400 - 1) < 0.05, "average spend \(f.averageSpendPerActiveCardFen)")
            #expect(abs(f.vipShare - 0.262) < 0.01, "VIP share \(f.vipShare)")
            #expect(f.purchases > f.memberPurchases * 2, "non-member purchases make up most receipts")
            #expect(f.counters >= 40)
            // VIP share by department: 四课 highest, 一课 and 二课 below the store's.
            let share = Dictionary(uniqueKeysWithValues: f.departments.map { ($0.name, $0.vipShare) })
            #expect(f.departments.map(\.name) == ["一课", "二课", "三课", "四课"])
            #expect(share["四课"]! == share.values.max()!, "\(share)")
            #expect(share["一课"]! < f.vipShare && share["二课"]! < f.vipShare, "\(share)")

            let report = try await t.store.verify()
            #expect(report.ok, "\(report.mismatches.prefix(5))")
            #expect(report.membersChecked == f.members)

            try await checkRows(t)
            try await checkLivePath(t)

            await #expect(throws: DemoRefused.self) {
                _ = try await t.store.generateDemo(plan, staffPasswordHash: "locked")
            }
        }
    }

    @Test("the same seed gives the same data; another seed other data")
    func reproducible() async throws {
        let a = try await run(seed: 42)
        let b = try await run(seed: 42)
        let c = try await run(seed: 43)
        #expect(a.figures == b.figures)
        #expect(a.digest == b.digest)
        #expect(a.figures != c.figures)
        #expect(a.digest != c.digest)
    }

    @Test("follows another programme: 南亞 entry tiers, calendar-year review with downgrades")
    func otherProgramme() async throws {
        let yaml = Programme.defaultYAML()
            .replacingOccurrences(of: "  entryTiers: []", with: "  entryTiers: [{tier: gold, rule: {name: 当日满300, kind: sameDay, minSpend: 300}}]")
            .replacingOccurrences(of: "  mode: anniversary", with: "  mode: calendarYear")
            .replacingOccurrences(of: "  downgrade: false", with: "  downgrade: true")
        let programme = try Programme.parse(yaml: yaml)
        #expect(programme.review.downgrade && programme.enrolment.entryTiers.count == 1)
        try await withTestApp(programme: yaml) { t in
            let f = try await t.store.generateDemo(DemoPlan(seed: 11, scale: Self.scale), staffPasswordHash: "locked")
            #expect(abs(f.vipShare - 0.262) < 0.01)
            let report = try await t.store.verify()
            #expect(report.ok, "\(report.mismatches.prefix(5))")
            let sql = t.store.sql
            // Receipt enrolments start gold; the 1 January review ran and moved some tiers down.
            let enrolGold = try await sql.raw("SELECT COUNT(*) AS n FROM tier_changes WHERE kind = 'enrol' AND to_tier = 'gold'").first()!
                .decode(column: "n", as: Int.self)
            #expect(enrolGold > 0)
            let reviews = try await sql.raw("SELECT COUNT(*) AS n FROM tier_changes WHERE kind = 'review'").first()!.decode(column: "n", as: Int.self)
            #expect(reviews > 0)
            let reviewed = try await sql.raw("SELECT COUNT(*) AS n FROM members WHERE last_review_day = \(bind: LocalDate(year: 2026, month: 1, day: 1).dayNumber)")
                .first()!.decode(column: "n", as: Int.self)
            #expect(reviewed > 0)
            try await checkRows(t)
        }
    }

    // MARK: helpers

    func run(seed: UInt64) async throws -> (figures: DemoFigures, digest: String) {
        try await withTestApp { t in
            let f = try await t.store.generateDemo(DemoPlan(seed: seed, scale: Self.scale), staffPasswordHash: "locked")
            return (f, try await digest(t))
        }
    }

    /// Everything the seed decides (not the ciphertexts, which are randomised by design).
    func digest(_ t: TestContext) async throws -> String {
        var h = SHA256()
        for r in try await t.store.sql.raw("""
            SELECT id, receipt_no, member_id, card_no, phone, occurred_at_ms, total_fen, points_earned, request_hash, response_json
            FROM purchases ORDER BY id
            """).all() {
            h.update(data: Data("\(try r.decode(column: "id", as: Int64.self))|\(try r.decode(column: "receipt_no", as: String.self))|\(try r.decode(column: "member_id", as: Int64?.self) ?? 0)|\(try r.decode(column: "card_no", as: String?.self) ?? "")|\(try r.decode(column: "phone", as: String?.self) ?? "")|\(try r.decode(column: "occurred_at_ms", as: Int64.self))|\(try r.decode(column: "total_fen", as: Int64.self))|\(try r.decode(column: "points_earned", as: Int64.self))|\(try r.decode(column: "request_hash", as: String.self))|\(try r.decode(column: "response_json", as: String.self))\n".utf8))
        }
        for r in try await t.store.sql.raw("""
            SELECT id, name, phone, birthday, earned_tier, points_balance, enrolled_at_ms, enrol_rule, enrol_receipts, id_masked FROM members ORDER BY id
            """).all() {
            h.update(data: Data("\(try r.decode(column: "id", as: Int64.self))|\(try r.decode(column: "name", as: String.self))|\(try r.decode(column: "phone", as: String.self))|\(try r.decode(column: "birthday", as: String?.self) ?? "")|\(try r.decode(column: "earned_tier", as: String.self))|\(try r.decode(column: "points_balance", as: Int64.self))|\(try r.decode(column: "enrolled_at_ms", as: Int64.self))|\(try r.decode(column: "enrol_rule", as: String.self))|\(try r.decode(column: "enrol_receipts", as: String.self))|\(try r.decode(column: "id_masked", as: String?.self) ?? "")\n".utf8))
        }
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Phones, card numbers, ID numbers, tiers and stored answers look like the live path's.
    func checkRows(_ t: TestContext) async throws {
        let sql = t.store.sql
        let phones = try await sql.raw("SELECT phone FROM members").all().map { try $0.decode(column: "phone", as: String.self) }
        #expect(phones.allSatisfy(Identity.isValidPhone))
        #expect(Set(phones).count == phones.count)
        let cards = try await sql.raw("SELECT card_no, state, member_id FROM cards").all()
        #expect(try cards.allSatisfy { CardNumber.isValid(try $0.decode(column: "card_no", as: String.self)) })
        #expect(try cards.contains { try $0.decode(column: "state", as: String.self) == "inactive" && $0.decode(column: "member_id", as: Int64?.self) == nil })
        let withoutCard = try await sql.raw("""
            SELECT COUNT(*) AS n FROM members m WHERE NOT EXISTS (SELECT 1 FROM cards c WHERE c.member_id = m.id AND c.state = 'active')
            """).first()!.decode(column: "n", as: Int.self)
        #expect(withoutCard == 0)
        // National ID numbers: stored encrypted, decrypting to a valid number.
        let ids = try await sql.raw("SELECT id FROM members WHERE id_cipher IS NOT NULL").all().map { try $0.decode(column: "id", as: Int64.self) }
        #expect(!ids.isEmpty)
        if let first = ids.first {
            let number = try await t.store.revealNationalID(memberId: first, actor: "test")
            #expect(number.map(Identity.isValidNationalID) == true)
        }
        // Every member's tier is the one its last tier change (other than a manual tier) left it in.
        let last = try await sql.raw("""
            SELECT m.id, m.earned_tier, (SELECT tc.to_tier FROM tier_changes tc WHERE tc.member_id = m.id AND tc.kind NOT IN ('manual', 'manualEnd')
                                         ORDER BY tc.id DESC LIMIT 1) AS last_to
            FROM members m
            """).all()
        for r in last {
            let (member, tier, lastTo) = (try r.decode(column: "id", as: Int64.self), try r.decode(column: "earned_tier", as: String.self),
                                          try r.decode(column: "last_to", as: String?.self))
            #expect(tier == lastTo, "member \(member)")
        }
        // Enrolments name the rule and, for receipt rules, receipts that exist and belong to the member.
        let enrolled = try await sql.raw("""
            SELECT id, enrol_rule, enrol_receipts FROM members WHERE enrol_receipts <> '' AND enrolled_day >= \(bind: LocalDate(year: 2025, month: 11, day: 25).dayNumber)
            """).all()
        #expect(!enrolled.isEmpty)
        for r in enrolled.prefix(20) {
            let id = try r.decode(column: "id", as: Int64.self)
            for receipt in try r.decode(column: "enrol_receipts", as: String.self).split(separator: ",") {
                let owner = try await sql.raw("SELECT member_id FROM purchases WHERE receipt_no = \(bind: String(receipt))").first()?
                    .decode(column: "member_id", as: Int64?.self)
                #expect(owner == id, "receipt \(receipt) of member \(id)")
            }
        }
        // The stored answers are what the live path's encoder writes.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for r in try await sql.raw("SELECT response_json FROM purchases ORDER BY id LIMIT 300").all() {
            let text = try r.decode(column: "response_json", as: String.self)
            let outcome = try JSONDecoder().decode(PurchaseOutcome.self, from: Data(text.utf8))
            #expect(String(decoding: try encoder.encode(outcome), as: UTF8.self) == text)
        }
    }

    /// Replays of demo receipts return their stored answers; a refund and a new member on top keep verify clean
    /// (on PostgreSQL this also proves the id sequences moved past the demo's ids).
    func checkLivePath(_ t: TestContext) async throws {
        let sql = t.store.sql
        for filter in ["p.member_id IS NOT NULL AND p.phone IS NULL AND p.response_json LIKE '%\"member\":true%'",
                       "p.member_id IS NOT NULL AND p.phone IS NOT NULL AND p.response_json LIKE '%\"member\":true%'",
                       "p.member_id IS NULL"] {
            let p = try await sql.raw("""
                SELECT p.id, p.receipt_no, p.occurred_at_ms, p.card_no, p.phone, p.response_json FROM purchases p
                WHERE \(unsafeRaw: filter) ORDER BY p.id DESC LIMIT 1
                """).first()!
            let id = try p.decode(column: "id", as: Int64.self)
            let lines = try await sql.raw("""
                SELECT c.code, l.amount_fen, l.special_price FROM purchase_lines l JOIN counters c ON c.id = l.counter_id
                WHERE l.purchase_id = \(bind: id) ORDER BY l.line_no
                """).all().map {
                PurchaseLineRequest(counter: try $0.decode(column: "code", as: String.self), amountFen: try $0.decode(column: "amount_fen", as: Int64.self),
                                    specialPrice: try $0.decode(column: "special_price", as: Bool.self))
            }
            let phone = try p.decode(column: "phone", as: String?.self)
            let request = PurchaseRequest(
                receiptNo: try p.decode(column: "receipt_no", as: String.self),
                occurredAt: Date(timeIntervalSince1970: Double(try p.decode(column: "occurred_at_ms", as: Int64.self)) / 1000),
                card: phone == nil ? try p.decode(column: "card_no", as: String?.self) : nil, phone: phone, lines: lines)
            let posted = try await t.store.postPurchase(request)
            #expect(posted.isReplay, "\(filter)")
            let stored = try JSONDecoder().decode(PurchaseOutcome.self, from: Data(try p.decode(column: "response_json", as: String.self).utf8))
            #expect(posted.value == stored)
        }

        // Refund half of a member's line.
        let p = try await sql.raw("""
            SELECT p.receipt_no, c.code, l.amount_fen FROM purchases p JOIN purchase_lines l ON l.purchase_id = p.id JOIN counters c ON c.id = l.counter_id
            WHERE p.member_id IS NOT NULL AND p.points_earned > 0 AND c.earns_points = \(true) ORDER BY p.id DESC LIMIT 1
            """).first()!
        let refund = try await t.store.postRefund(RefundRequest(
            refundNo: "DEMO-F1", receiptNo: try p.decode(column: "receipt_no", as: String.self),
            lines: [RefundLineRequest(counter: try p.decode(column: "code", as: String.self), amountFen: try p.decode(column: "amount_fen", as: Int64.self) / 2)]))
        #expect(refund.value.pointsReversed > 0)

        // A new member and a purchase by card.
        let card = try await t.enrolMember(phone: "13900000077")
        #expect(CardNumber.isValid(card))
        let (status, body) = try await t.post("/api/v1/purchases", """
            {"receiptNo":"DEMO-LIVE-1","occurredAt":"\(iso(t.clock.now))","card":"\(card)","lines":[{"counter":"CD404","amountFen":128000}]}
            """)
        #expect(status == .created, "\(body)")
        let report = try await t.store.verify()
        #expect(report.ok, "\(report.mismatches.prefix(5))")
    }
}
