import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

/// `store.verify()` (what `mallvip verify` runs): balance = ledger sum and rolling spend = purchases, for every
/// member. Clean after real traffic; it finds each kind of damage.
@Suite("Ledger verify") struct VerifyTests {
    /// Enrolment, member and non-member purchases, a multiplier day, refunds and an adjustment.
    func traffic(_ t: TestContext) async throws -> (card: String, id: Int64) {
        let card = try await t.enrolMember(phone: "13800000001", birthday: "1990-11-25")
        let id = try await t.memberId(card: card)
        _ = try await t.purchase("R-1", fen: 200_000, card: card)
        _ = try await t.purchase("R-2", fen: 99_999, at: shanghai(2026, 3, 4), card: card)
        _ = try await t.purchase("R-3", fen: 30_000)
        _ = try await t.refund("F-1", receipt: "R-1", fen: 50_000)
        _ = try await t.refund("F-2", receipt: "R-3", fen: 30_000)
        _ = try await t.store.adjustPoints(memberId: id, points: -5, reason: "更正", actor: "manager1")
        return (card, id)
    }

    @Test("clean after enrolment, purchases, refunds and an adjustment")
    func cleanAfterTraffic() async throws {
        try await withTestApp { t in
            let (_, id) = try await traffic(t)
            let report = try await t.store.verify()
            #expect(report.ok, "\(report.mismatches)")
            #expect(report.membersChecked == 1)
            let rows = try await t.ledgerRows(id)
            #expect(Set(rows.map(\.kind)) == ["earn", "reverse", "adjust"])
            #expect(rows.last?.balanceAfter == (try await t.balance(id)))
        }
    }

    @Test("a balance that differs from the ledger is reported")
    func balanceMismatch() async throws {
        try await withTestApp { t in
            let (_, id) = try await traffic(t)
            try await t.store.sql.raw("UPDATE members SET points_balance = points_balance + 7 WHERE id = \(bind: id)").run()
            let report = try await t.store.verify()
            #expect(!report.ok)
            #expect(report.mismatches.count == 1)
            #expect(report.mismatches.first?.contains("member \(id)") == true)
            #expect(report.mismatches.first?.contains("ledger") == true)
        }
    }

    @Test("a lost ledger row is reported")
    func ledgerRowMissing() async throws {
        try await withTestApp { t in
            let (_, id) = try await traffic(t)
            try await t.store.sql.raw("DELETE FROM points_ledger WHERE id = (SELECT MAX(id) FROM points_ledger)").run()
            let report = try await t.store.verify()
            #expect(report.mismatches.contains { $0.contains("member \(id)") })
        }
    }

    @Test("rolling spend that differs from the purchases is reported")
    func spendMismatch() async throws {
        try await withTestApp { t in
            let (_, id) = try await traffic(t)
            try await t.store.sql.raw("UPDATE member_daily_spend SET spend_fen = spend_fen - 1 WHERE member_id = \(bind: id) AND day = \(bind: LocalDate(year: 2026, month: 3, day: 4).dayNumber)").run()
            let report = try await t.store.verify()
            #expect(report.mismatches.count == 1)
            #expect(report.mismatches.first?.contains("rolling spend") == true)
        }
    }
}
