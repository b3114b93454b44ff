import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// The nightly tier matrices (migration 050, issue 21): the tiers-and-migration table read from them, with the
/// members changed since folded in, equals the recompute from the raw tier history — right after the build, after
/// enrolments, upgrades, a manual tier and a change dated after the period's end were written, and after the next
/// nights' builds carried the matrices forward (or, with that future-dated change, computed them again).
@Suite("Reports: nightly tier matrices") struct ReportTierMatrixTests {
    @Test("tiers and migration from the nightly matrices equal the recompute, before and after today's changes")
    func exactThroughChanges() async throws {
        try await withTestApp { t in
            _ = try await t.store.generateDemo(DemoPlan(seed: 7, scale: 0.05), staffPasswordHash: "locked")
            let sql = t.store.sql
            let (_, programme) = try await t.store.programme()
            let mallId = try await t.store.malls().first { $0.code == DemoCatalogue.mallCode }!.id
            var today = LocalDate(year: 2026, month: 11, day: 25)

            func check(_ stage: String) async throws {
                let raw = try await Raw.load(sql)
                var served = 0
                for range in ReportTierMatrix.standardRanges(on: today) {
                    for mall in [nil, mallId] {
                        let scope = ReportScope(range: range, mallId: mall)
                        let got = try await t.store.reportTiers(scope), want = raw.tiers(scope, zone: programme.timeZone)
                        #expect(got == want, "\(stage): \(range) mall \(mall.map(String.init) ?? "all"): \(got.matrix) ≠ \(want.matrix)")
                        let (s, e) = ReportTierMatrix.instants(range, zone: programme.timeZone)
                        if try await sql.raw("SELECT id FROM report_tier_builds WHERE from_ms = \(bind: s) AND to_ms = \(bind: e)").first() != nil { served += 1 }
                    }
                }
                // Every standard range is read from a build (the all-malls one; a single mall's scope reads live).
                #expect(served == 2 * ReportTierMatrix.standardRanges(on: today).count, "\(stage)")
            }
            func lastChangeId() async throws -> Int64 {
                try await sql.raw("SELECT COALESCE(MAX(id), 0) AS id FROM tier_changes").first()!.decode(column: "id", as: Int64.self)
            }

            let first = try await t.store.buildReportTierMatrices(on: today)
            #expect(first.full == ReportTierMatrix.standardRanges(on: today).count && first.carried == 0)
            try await check("built")
            let builtUpTo = try await lastChangeId()

            // Today's changes: an enrolment, an upgrade by a large purchase, a manual tier, and a change dated next
            // month (as an import of a future review could write it).
            _ = try await t.enrolMember(phone: "13700000091", amountFen: 3_000_000)
            let card = try await sql.raw("SELECT card_no FROM cards WHERE state = 'active' ORDER BY id LIMIT 1").first()!.decode(column: "card_no", as: String.self)
            let big = try await t.postRaw("/api/v1/purchases", t.purchaseJSON("TM-1", card: card, lines: [Line(5_000_000, counter: "C0001")]))
            #expect(big.status == .created, "\(big.text)")
            let member = try await sql.raw("SELECT id, earned_tier FROM members ORDER BY id DESC LIMIT 1").first()!
            let earned = try member.decode(column: "earned_tier", as: String.self)
            let otherTier = programme.tiers.map(\.code).first { $0 != earned }!
            try await t.store.setManualTier(memberId: try member.decode(column: "id", as: Int64.self), tier: otherTier, until: today.adding(days: 30),
                                            reason: "测试", actor: "test")
            let someone = try await sql.raw("SELECT member_id, to_tier FROM tier_changes ORDER BY id LIMIT 1").first()!
            let futureMs = epochMillis(LocalDate(year: 2026, month: 12, day: 3).start(in: programme.timeZone))
            try await sql.raw("""
                INSERT INTO tier_changes (member_id, from_tier, to_tier, kind, reason, actor, at_ms)
                VALUES (\(bind: try someone.decode(column: "member_id", as: Int64.self)), \(bind: try someone.decode(column: "to_tier", as: String.self)),
                        \(bind: otherTier), 'manual', 'future', 'test', \(bind: futureMs))
                """).run()
            #expect(try await lastChangeId() > builtUpTo + 2)
            try await check("after today's changes")

            // The next night: the periods that keep their start are carried forward, except where the future-dated
            // change now lies inside the stored history after their end (this month's: computed again the night after).
            today = today.adding(days: 1)
            t.clock.advance(86_400)
            let second = try await t.store.buildReportTierMatrices(on: today)
            #expect(second.carried > 0)
            try await check("carried forward")
            _ = try await t.enrolMember(phone: "13700000092", amountFen: 2_000_000)
            try await check("carried forward, then an enrolment")
            today = today.adding(days: 1)
            t.clock.advance(86_400)
            let third = try await t.store.buildReportTierMatrices(on: today)
            // The change dated 3 December lies after every to-date period's end now: each is computed again.
            #expect(third.full == ReportTierMatrix.standardRanges(on: today).count && third.carried == 0, "\(third)")
            try await check("third night")
        }
    }

    @Test("the single grouping of the tier history equals the two groupings it replaced")
    func sameAsTwoGroupings() async throws {
        try await withTestApp { t in
            _ = try await t.store.generateDemo(DemoPlan(seed: 11, scale: 0.03), staffPasswordHash: "locked")
            let (_, programme) = try await t.store.programme()
            let mallId = try await t.store.malls().first { $0.code == DemoCatalogue.mallCode }!.id
            for range in ReportTierMatrix.standardRanges(on: LocalDate(year: 2026, month: 11, day: 25)) {
                for mall in [nil, mallId] {
                    let (s, e) = ReportTierMatrix.instants(range, zone: programme.timeZone)
                    let filter: SQLQueryString = mall.map { " AND m.enrolled_mall_id = \(bind: $0)" } ?? ""
                    let old = try await ReportTierMatrix.read(t.store.sql, """
                        SELECT COALESCE(st.tier, '') AS from_tier, en.tier AS to_tier, COUNT(*) AS n
                        FROM \(ReportSQL.tiersAsOf(beforeMs: e)) en JOIN members m ON m.id = en.member_id
                        LEFT JOIN \(ReportSQL.tiersAsOf(beforeMs: s)) st ON st.member_id = en.member_id
                        WHERE 1 = 1\(filter) GROUP BY 1, 2
                        """)
                    let new = try await ReportTierMatrix.read(t.store.sql, ReportTierMatrix.query(startMs: s, endMs: e, mallId: mall))
                    #expect(!new.isEmpty)
                    #expect(new == old, "\(range) mall \(mall.map(String.init) ?? "all")")
                }
            }
        }
    }
}
