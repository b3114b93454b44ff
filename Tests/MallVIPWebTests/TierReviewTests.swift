import Foundation
import MallVIPCore
import MallVIPStore
import Testing
@testable import MallVIPWeb

@Suite("Yearly tier review") struct TierReviewTests {
    static let downgradeProgramme = Programme.defaultYAML().replacingOccurrences(of: "downgrade: false", with: "downgrade: true")

    @Test func anniversaryReviewDowngradesWhenSpendNoLongerQualifies() async throws {
        try await withTestApp(now: shanghai(2025, 3, 10), programme: Self.downgradeProgramme) { t in
            let card = try await t.enrolMember(phone: "13800000011")
            let (s, body) = try await t.post("/api/v1/purchases", """
                {"receiptNo":"R-SILVER","occurredAt":"\(iso(t.clock.now))","card":"\(card)","lines":[{"counter":"C0001","amountFen":300000}]}
                """)
            #expect(s == .created)
            #expect(body["tier"] as? String == "silver")

            // Eleven months on: not due yet.
            t.clock.set(shanghai(2026, 2, 10))
            var summary = try await t.store.runTierReview(on: LocalDate(year: 2026, month: 2, day: 10))
            #expect(summary.reviewed == 0)

            // A year after the upgrade, with nothing bought since: 12-month spend is 0, so silver is not kept.
            t.clock.set(shanghai(2026, 3, 11))
            summary = try await t.store.runTierReview(on: LocalDate(year: 2026, month: 3, day: 11))
            #expect(summary.reviewed == 1)
            #expect(summary.downgraded == 1)
            let (_, lookup) = try await t.get("/api/v1/members/lookup?card=\(card)")
            #expect((lookup as? [String: Any])?["tier"] as? String == "regular")

            // Run twice the same day: nothing more happens.
            summary = try await t.store.runTierReview(on: LocalDate(year: 2026, month: 3, day: 11))
            #expect(summary.alreadyRan)
            let changes = try await t.store.tierChanges(memberId: 1)
            #expect(changes.filter { $0.kind == "review" }.count == 1)
        }
    }

    @Test func reviewKeepsTierWhenDowngradeIsOff() async throws {
        try await withTestApp(now: shanghai(2025, 3, 10)) { t in
            let card = try await t.enrolMember(phone: "13800000012")
            _ = try await t.post("/api/v1/purchases", """
                {"receiptNo":"R-S2","occurredAt":"\(iso(t.clock.now))","card":"\(card)","lines":[{"counter":"C0001","amountFen":300000}]}
                """)
            t.clock.set(shanghai(2026, 3, 11))
            let summary = try await t.store.runTierReview(on: LocalDate(year: 2026, month: 3, day: 11))
            #expect(summary.reviewed == 1)
            #expect(summary.downgraded == 0)
            let (_, lookup) = try await t.get("/api/v1/members/lookup?card=\(card)")
            #expect((lookup as? [String: Any])?["tier"] as? String == "silver")
        }
    }

    @Test func expiredManualTierEndsWithAHistoryRow() async throws {
        try await withTestApp(now: shanghai(2026, 1, 5)) { t in
            let card = try await t.enrolMember(phone: "13800000013")
            try await t.store.setManualTier(memberId: 1, tier: "diamond", until: LocalDate(year: 2026, month: 1, day: 31),
                                            reason: "荣誉钻石卡", actor: "test")
            var (_, lookup) = try await t.get("/api/v1/members/lookup?card=\(card)")
            #expect((lookup as? [String: Any])?["tier"] as? String == "diamond")
            t.clock.set(shanghai(2026, 2, 1))
            (_, lookup) = try await t.get("/api/v1/members/lookup?card=\(card)")
            #expect((lookup as? [String: Any])?["tier"] as? String == "regular")
            let summary = try await t.store.runTierReview(on: LocalDate(year: 2026, month: 2, day: 1))
            #expect(summary.manualEnded == 1)
            #expect(try await t.store.tierChanges(memberId: 1).first?.kind == "manualEnd")
        }
    }
}
