import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

/// Tiers moving through purchases (docs/domain.md §3.1): rolling windows ending on the purchase's business date,
/// upgrades on the purchase that crosses a threshold, 紫金 by approval, manual tiers that end on their date.
@Suite("Tiers through purchases") struct TierTests {
    @Test("2,999.99 within 6 months stays regular; the purchase reaching 3,000.00 makes silver, with the reason stored")
    func silverBoundary() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")          // 600.00 today
            let id = try await t.memberId(card: card)
            // 2,399.99 two months ago: 2,999.99 in the 6-month window.
            let under = try await t.purchase("R-1", fen: 239_999, at: shanghai(2026, 9, 25), card: card)
            #expect(under.status == .created)
            #expect(under.string("tier") == "regular")
            #expect(under.bool("tierChanged") == false)
            let later = try await t.purchase("R-2", fen: 1, card: card)
            #expect(later.string("tier") == "silver")
            #expect(later.string("previousTier") == "regular")
            #expect(later.bool("tierChanged") == true)
            #expect(try await t.lookup(card: card).string("tier") == "silver")

            let changes = try await t.store.tierChanges(memberId: id)
            let upgrade = try #require(changes.first { $0.kind == "upgrade" })
            #expect(upgrade.fromTier == "regular" && upgrade.toTier == "silver")
            #expect(upgrade.reason == TierReason(months: 6, spendFen: 300_000, thresholdFen: 300_000))
            #expect(upgrade.actor == "pos")
            // The next purchase is no change.
            let again = try await t.purchase("R-3", fen: 10_000, card: card)
            #expect(again.string("tier") == "silver" && again.bool("tierChanged") == false)
            #expect(try await t.store.tierChanges(memberId: id).filter { $0.kind == "upgrade" }.count == 1)
            try await t.expectVerifyClean()
        }
    }

    @Test("exactly 3,000.00 on one receipt is silver")
    func silverExactlyOnOneReceipt() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001", amountFen: 50_000)
            let r = try await t.purchase("R-1", fen: 250_000, card: card)
            #expect(r.string("tier") == "silver")
            #expect(r.bool("tierChanged") == true)
        }
    }

    @Test("gold and diamond by rolling spend; the highest tier reached wins")
    func goldAndDiamond() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let gold = try await t.purchase("R-G", fen: 440_000, card: card)   // 5,000 in 6 months
            #expect(gold.string("tier") == "gold")
            #expect(gold.string("previousTier") == "regular")
            let diamond = try await t.purchase("R-D", fen: 1_500_000, card: card)   // 20,000 in 12 months
            #expect(diamond.string("tier") == "diamond")
            #expect(diamond.string("previousTier") == "gold")
            let id = try await t.memberId(card: card)
            let reasons = try await t.store.tierChanges(memberId: id).filter { $0.kind == "upgrade" }.map(\.toTier)
            #expect(Set(reasons) == ["gold", "diamond"])
        }
    }

    @Test("spend older than the window does not count (backdated purchases); the window's first day does")
    func windowBoundaryBackdated() async throws {
        try await withTestApp { t in
            // The 6-month window ending 2026-11-25 starts on 2026-05-26.
            let a = try await t.enrolMember(phone: "13800000001", amountFen: 50_000)   // 500.00 on 2026-11-25
            let old = try await t.purchase("R-A-OLD", fen: 249_999, at: shanghai(2026, 5, 25, 20), card: a)
            #expect(old.status == .created, "\(old.text)")
            #expect(old.string("tier") == "regular")
            let nowA = try await t.purchase("R-A-NOW", fen: 1, card: a)
            #expect(nowA.string("tier") == "regular", "spend of 2026-05-25 must be outside the 6-month window (3,000.00 if it counted)")

            let b = try await t.enrolMember(phone: "13800000002", amountFen: 50_000)
            let first = try await t.purchase("R-B-FIRST", fen: 249_999, at: shanghai(2026, 5, 26, 10), card: b)
            #expect(first.string("tier") == "regular")
            let nowB = try await t.purchase("R-B-NOW", fen: 1, card: b)
            #expect(nowB.string("tier") == "silver", "500.00 + 2,499.99 + 0.01 = 3,000.00 in the window ending today")
            #expect(nowB.bool("tierChanged") == true)
            try await t.expectVerifyClean()
        }
    }

    @Test("moving the clock: spend from seven months ago has left the 6-month window; the 12-month rule still sees it")
    func windowMovesWithClock() async throws {
        try await withTestApp(now: shanghai(2026, 4, 20, 10)) { t in
            let card = try await t.enrolMember(phone: "13800000001")                   // 600 on 2026-04-20
            let r = try await t.purchase("R-APR", fen: 230_000, card: card)             // 2,900 in total
            #expect(r.string("tier") == "regular")
            t.clock.set(shanghai(2026, 11, 25, 10))
            let nov = try await t.purchase("R-NOV", fen: 20_000, card: card)
            #expect(nov.string("tier") == "regular", "6 months: 200; 12 months: 3,100 < 5,000")
            let id = try await t.memberId(card: card)
            let spend = try await t.store.rollingSpend(memberId: id)
            #expect(spend.spend(months: 6) == 20_000)
            #expect(spend.spend(months: 12) == 310_000)
            // 5,000 within 12 months: silver by the 12-month rule.
            let twelve = try await t.purchase("R-NOV2", fen: 190_000, card: card)
            #expect(twelve.string("tier") == "silver")
            let upgrade = try #require(try await t.store.tierChanges(memberId: id).first { $0.kind == "upgrade" })
            #expect(upgrade.reason?.months == 12)
            #expect(upgrade.reason?.spendFen == 500_000)
        }
    }

    @Test("紫金 only files a request; a manager's approval sets the tier")
    func purpleNeedsApproval() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let r = try await t.purchase("R-BIG", fen: 3_940_000, card: card)   // 40,000 in 12 months
            #expect(r.string("tier") == "diamond")
            #expect(r.string("tierApprovalRequested") == "purple")
            let id = try await t.memberId(card: card)
            var pending = try await t.store.tierRequests()
            #expect(pending.count == 1)
            let request = try #require(pending.first)
            #expect(request.memberId == id && request.tier == "purple")
            #expect(request.reason?.months == 12 && request.reason?.spendFen == 4_000_000)
            // Another purchase does not file a second request while one is pending.
            let more = try await t.purchase("R-MORE", fen: 10_000, card: card)
            #expect(more.json["tierApprovalRequested"] == nil || more.json["tierApprovalRequested"] is NSNull)
            pending = try await t.store.tierRequests()
            #expect(pending.count == 1)
            #expect(try await t.lookup(card: card).string("tier") == "diamond")

            try await t.store.decideTierRequest(id: request.id, approve: true, note: "信用良好", actor: "manager1")
            #expect(try await t.lookup(card: card).string("tier") == "purple")
            #expect(try await t.store.tierRequests().isEmpty)
            #expect(try await t.store.tierRequests(status: "approved").count == 1)
            let approval = try #require(try await t.store.tierChanges(memberId: id).first { $0.kind == "approval" })
            #expect(approval.fromTier == "diamond" && approval.toTier == "purple" && approval.actor == "manager1")
            let next = try await t.purchase("R-AFTER", fen: 10_000, card: card)
            #expect(next.string("tier") == "purple")
        }
    }

    @Test("a rejected 紫金 request leaves the tier")
    func purpleRejected() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            _ = try await t.purchase("R-BIG", fen: 3_940_000, card: card)
            let request = try #require(try await t.store.tierRequests().first)
            try await t.store.decideTierRequest(id: request.id, approve: false, note: "资料不全", actor: "manager1")
            #expect(try await t.lookup(card: card).string("tier") == "diamond")
            #expect(try await t.store.tierRequests(status: "rejected").count == 1)
        }
    }

    @Test("a manual tier shows until its end date, then the earned tier shows again")
    func manualTierEnds() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            try await t.store.setManualTier(memberId: id, tier: "diamond", until: LocalDate(year: 2026, month: 12, day: 31),
                                            reason: "荣誉钻石卡", actor: "manager1")
            #expect(try await t.lookup(card: card).string("tier") == "diamond")
            let during = try await t.purchase("R-1", fen: 10_000, card: card)
            #expect(during.string("tier") == "diamond")
            #expect(during.bool("tierChanged") == false)
            let manual = try #require(try await t.store.tierChanges(memberId: id).first { $0.kind == "manual" })
            #expect(manual.toTier == "diamond" && manual.actor == "manager1")

            // The last day still shows it.
            t.clock.set(shanghai(2026, 12, 31, 21))
            #expect(try await t.lookup(card: card).string("tier") == "diamond")
            // The day after: the earned tier, not a floor.
            t.clock.set(shanghai(2027, 1, 1, 10))
            #expect(try await t.lookup(card: card).string("tier") == "regular")
            let after = try await t.purchase("R-2", fen: 10_000, card: card)
            #expect(after.string("tier") == "regular")
            let member = try #require(try await t.store.member(id: id))
            #expect(member.earnedTier == "regular")
        }
    }
}
