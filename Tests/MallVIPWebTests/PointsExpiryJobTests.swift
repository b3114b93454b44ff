import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

private func day(_ iso: String) -> LocalDate { LocalDate(iso)! }

extension TestContext {
    /// A ledger row as another writer (redemption, its void) makes it: the row and the balance in one transaction.
    func writeLedger(_ memberId: Int64, kind: String, points: Int64) async throws {
        let nowMs = epochMillis(clock.now)
        try await store.write { tx in
            let balance = try await tx.sql.raw("SELECT points_balance FROM members WHERE id = \(bind: memberId)").first()!
                .decode(column: "points_balance", as: Int64.self) + points
            try await tx.sql.raw("UPDATE members SET points_balance = \(bind: balance) WHERE id = \(bind: memberId)").run()
            try await tx.sql.raw("""
                INSERT INTO points_ledger (member_id, kind, points, balance_after, note, actor, at_ms)
                VALUES (\(bind: memberId), \(bind: kind), \(bind: points), \(bind: balance), 'test', 'test', \(bind: nowMs))
                """).run()
        }
    }

    func expireRows(_ memberId: Int64) async throws -> [Int64] {
        try await ledgerRows(memberId).filter { $0.kind == "expire" }.map(\.points)
    }
}

/// The points expiry job (programme pointsExpiry: calendar year, kept one more year), its queries and pages.
@Suite("Points expiry job") struct PointsExpiryJobTests {
    /// A: 60 (enrolment) + 100 earned in June 2025, 30 of them refunded in 2026, 50 earned and 40 redeemed in 2026.
    /// B: 60 earned and 60 redeemed in 2025. C: enrolled in 2026 only. Returns their ids; the clock ends in 2026-07.
    func scenario(_ t: TestContext) async throws -> (a: Int64, b: Int64, c: Int64) {
        t.clock.set(shanghai(2025, 6, 10, 11))
        let cardA = try await t.enrolMember(phone: "13800000001")
        let cardB = try await t.enrolMember(phone: "13800000002")
        let a = try await t.memberId(card: cardA), b = try await t.memberId(card: cardB)
        #expect(try await t.purchase("A-1", fen: 100_000, card: cardA).status == .created)
        try await t.writeLedger(b, kind: "redeem", points: -60)
        t.clock.set(shanghai(2026, 7, 1, 11))
        #expect(try await t.refund("F-1", receipt: "A-1", fen: 30_000).status == .created)
        #expect(try await t.purchase("A-2", fen: 50_000, card: cardA).status == .created)
        try await t.writeLedger(a, kind: "redeem", points: -40)
        let cardC = try await t.enrolMember(phone: "13800000003")
        let c = try await t.memberId(card: cardC)
        #expect(try await t.balance(a) == 140)
        return (a, b, c)
    }

    @Test("on 2027-01-01 what is left of 2025 expires, oldest first, net of refunds and redemptions")
    func expiresLapsedYear() async throws {
        try await withTestApp { t in
            let (a, b, c) = try await scenario(t)
            t.clock.set(shanghai(2027, 1, 1, 2))
            let s = try await t.store.runPointsExpiry(on: day("2027-01-01"))
            #expect(s == PointsExpirySummary(lapsedYear: 2025, members: 1, points: 90, alreadyRan: false))
            // 2025: 160 earned − 30 refunded = 130; the 40 redeemed came out of them: 90 lapse, 2026's 50 stay.
            #expect(try await t.expireRows(a) == [-90])
            #expect(try await t.balance(a) == 50)
            #expect(try await t.expireRows(b).isEmpty)
            #expect(try await t.balance(b) == 0)
            #expect(try await t.expireRows(c).isEmpty)
            #expect(try await t.balance(c) == 60)
            #expect(try await t.count("points_expiries") == 1)
            let last = try #require(try await t.ledgerRows(a).last)
            #expect(last.balanceAfter == 50)
            try await t.expectVerifyClean()
        }
    }

    @Test("a programme that keeps points for ever expires nothing and warns of nothing")
    func neverExpire() async throws {
        let yaml = programmeYAML(replacing: [("pointsExpiry:\n  mode: calendarYear", "pointsExpiry:\n  mode: none")])
        try await withTestApp(programme: yaml) { t in
            let (a, _, _) = try await scenario(t)
            t.clock.set(shanghai(2030, 1, 1, 2))
            let s = try await t.store.runPointsExpiry(on: day("2030-01-01"))
            #expect(s == PointsExpirySummary(lapsedYear: nil, members: 0, points: 0, alreadyRan: false))
            #expect(try await t.expireRows(a).isEmpty)
            #expect(try await t.store.pointsExpiring(withinDays: 3000, on: day("2030-01-01")).isEmpty)
            #expect(try await t.store.pointsLiability(on: day("2030-01-01")).expiringThisYear == 0)
        }
    }

    @Test("before 2027-01-01 nothing expires")
    func beforeTheDate() async throws {
        try await withTestApp { t in
            let (a, _, _) = try await scenario(t)
            t.clock.set(shanghai(2026, 12, 31, 23))
            let s = try await t.store.runPointsExpiry(on: day("2026-12-31"))
            #expect(s.lapsedYear == 2024)
            #expect(s.members == 0)
            #expect(try await t.expireRows(a).isEmpty)
            #expect(try await t.balance(a) == 140)
            #expect(try await t.count("points_expiries") == 0)
        }
    }

    @Test("run twice the same day, then the next day: one expire row per member")
    func runTwice() async throws {
        try await withTestApp { t in
            let (a, _, _) = try await scenario(t)
            t.clock.set(shanghai(2027, 1, 1, 2))
            _ = try await t.store.runPointsExpiry(on: day("2027-01-01"))
            let again = try await t.store.runPointsExpiry(on: day("2027-01-01"))
            #expect(again.alreadyRan)
            t.clock.set(shanghai(2027, 1, 2, 2))
            let next = try await t.store.runPointsExpiry(on: day("2027-01-02"))
            #expect(!next.alreadyRan)
            #expect(next.members == 0)
            #expect(try await t.expireRows(a) == [-90])
            #expect(try await t.balance(a) == 50)
        }
    }

    @Test("killed halfway: members done before the crash are not expired again, the rest are")
    func killedHalfway() async throws {
        try await withTestApp { t in
            let (a, _, _) = try await scenario(t)
            t.clock.set(shanghai(2025, 8, 5, 11))
            let cardD = try await t.enrolMember(phone: "13800000004", at: shanghai(2025, 8, 5, 11))
            let d = try await t.memberId(card: cardD)
            t.clock.set(shanghai(2027, 1, 1, 2))
            // The first run got as far as member A, then died before recording the run.
            #expect(try await t.store.expireMemberPoints(memberId: a, on: day("2027-01-01")) == 90)
            let s = try await t.store.runPointsExpiry(on: day("2027-01-01"))
            #expect(s.members == 1)
            #expect(s.points == 60)
            #expect(try await t.expireRows(a) == [-90])
            #expect(try await t.expireRows(d) == [-60])
            #expect(try await t.balance(d) == 0)
            #expect(try await t.count("points_expiries") == 2)
            try await t.expectVerifyClean()
        }
    }

    @Test("two runs at once expire each member once")
    func concurrentRuns() async throws {
        try await withTestApp { t in
            let (a, _, _) = try await scenario(t)
            var ids = [a]
            t.clock.set(shanghai(2025, 9, 9, 11))
            for i in 0..<6 {
                ids.append(try await t.memberId(card: try await t.enrolMember(phone: "1390000000\(i)")))
            }
            t.clock.set(shanghai(2027, 1, 1, 2))
            let store = t.store
            let runs = try await withThrowingTaskGroup(of: PointsExpirySummary.self) { group in
                for _ in 0..<3 { group.addTask { try await store.runPointsExpiry(on: day("2027-01-01")) } }
                return try await group.reduce(into: [PointsExpirySummary]()) { $0.append($1) }
            }
            #expect(runs.reduce(0) { $0 + $1.points } == 90 + 6 * 60)
            #expect(try await t.expireRows(a) == [-90])
            for id in ids.dropFirst() {
                #expect(try await t.expireRows(id) == [-60])
                #expect(try await t.balance(id) == 0)
            }
            #expect(try await t.count("points_expiries") == 7)
            try await t.expectVerifyClean()
        }
    }

    @Test("a void after the expiry date returns points that lapse at the next run; the balance never goes below zero")
    func voidAndNegative() async throws {
        try await withTestApp { t in
            let (_, b, _) = try await scenario(t)
            // B's 2025 points were all redeemed; the redemption is voided in 2027: they lapsed long ago.
            t.clock.set(shanghai(2027, 3, 1, 10))
            try await t.writeLedger(b, kind: "redeemVoid", points: 60)
            #expect(try await t.store.runPointsExpiry(on: day("2027-03-01")).points == 90 + 60)   // A's 2025 rest and B's
            #expect(try await t.expireRows(b) == [-60])
            #expect(try await t.balance(b) == 0)
            // A negative balance (refunds no longer make one, but an adjustment or older data can): nothing expires,
            // it is not made worse.
            t.clock.set(shanghai(2027, 3, 2, 10))
            let cardE = try await t.enrolMember(phone: "13800000005")
            let e = try await t.memberId(card: cardE)
            try await t.writeLedger(e, kind: "redeem", points: -60)
            try await t.writeLedger(e, kind: "adjust", points: -60)
            let before = try await t.balance(e)
            #expect(before < 0)
            t.clock.set(shanghai(2029, 1, 1, 2))
            #expect(try await t.store.runPointsExpiry(on: day("2029-01-01")).members == 2)   // A's and C's 2026 points
            #expect(try await t.balance(e) == before)
            #expect(try await t.expireRows(e).isEmpty)
            #expect(try await t.store.member(id: e)!.pointsBalance == before)
        }
    }

    @Test("expiring within N days per member, and the liability in fen")
    func queries() async throws {
        try await withTestApp { t in
            let (a, b, c) = try await scenario(t)
            t.clock.set(shanghai(2026, 10, 15, 10))
            let soon = try await t.store.pointsExpiring(withinDays: 90, on: day("2026-10-15"))
            #expect(soon == [ExpiringPoints(memberId: a, points: 90, earnYear: 2025, expiresOn: day("2026-12-31"))])
            #expect(try await t.store.pointsExpiring(withinDays: 76, on: day("2026-10-15")).isEmpty)
            #expect(try await t.store.pointsExpiring(withinDays: 77, on: day("2026-10-15")).count == 1)
            let later = try await t.store.pointsExpiring(withinDays: 500, on: day("2026-10-15"))
            #expect(later.map(\.memberId) == [a, a, c])
            #expect(later.map(\.points) == [90, 50, 60])
            #expect(try await t.store.pointsExpiring(withinDays: 500, on: day("2026-10-15"), memberId: b).isEmpty)

            let l = try await t.store.pointsLiability(on: day("2026-10-15"))
            #expect(l.members == 2)
            #expect(l.outstandingPoints == 200)
            #expect(l.fenPerThousandPoints == 1_000)   // 10 yuan per 1,000 points
            #expect(l.valueFen == 200)
            #expect(l.expiringThisYear == 90)
            #expect(l.expiringThisYearValueFen == 90)
            #expect(l.yearEnd == day("2026-12-31"))
        }
    }

    @Test("the member page warns of points lapsing within 90 days; finance sees the liability, the desk may not")
    func pages() async throws {
        try await withTestApp { t in
            let (a, _, c) = try await scenario(t)
            t.clock.set(shanghai(2026, 10, 15, 10))
            let desk = try await t.console(as: "desk", .desk)
            let page = try await desk.get("/console/members/\(a)")
            #expect(page.status == .ok)
            #expect(page.contains("90 积分将于 2026-12-31 到期"))
            #expect(!(try await desk.get("/console/members/\(c)")).contains("积分将于"))
            #expect(try await desk.get("/console/finance/points").status == .forbidden)

            let manager = try await t.console(as: "boss", .manager)
            let finance = try await manager.get("/console/finance/points")
            #expect(finance.status == .ok)
            #expect(finance.contains("积分负债"))
            #expect(finance.contains("<b>200</b>"))     // outstanding points
            #expect(finance.contains("<b>2.00</b>"))    // their value in yuan
            #expect(finance.contains("/console/members/\(a)"))
            #expect(finance.contains("2026-12-31"))
            let wide = try await manager.get("/console/finance/points?days=500")
            #expect(wide.contains("/console/members/\(c)"))
            #expect(try await manager.get("/console/finance/points?days=-1").status == .unprocessableEntity)
        }
    }
}
