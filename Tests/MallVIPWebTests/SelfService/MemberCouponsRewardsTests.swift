import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

@Suite("Member self-service: coupons, rewards, referral")
struct MemberCouponsRewardsTests {
    @Test("coupons: own codes with validity; the coupon page has Code 128 and QR; another member's code is 404")
    func couponsScoped() async throws {
        try await withTestApp { t in
            let (_, a) = try await t.selfServiceMember("13900000021", name: "甲")
            let (_, b) = try await t.selfServiceMember("13900000022", name: "乙")
            let mine = try await t.issueCoupon(member: a, face: 5_000, minSpend: 30_000)
            let theirs = try await t.issueCoupon(member: b, face: 2_000)
            let bearer = try await t.issueCoupon(member: nil)

            let m = try await t.signedInMember(a)
            let list = try await m.page("/m/coupons")
            #expect(list.contains(mine.code) && !list.contains(theirs.code) && !list.contains(bearer.code))
            #expect(list.contains("满 300.00 元可用"))
            // The list links to the coupon page (as rendered, percent-encoded or not).
            let href = try #require(ConsolePage.firstMatch(#"href="(/m/coupons/[^"]+)""#, in: list))
            let detail = try await m.page(href)
            #expect(try await m.page("/m/coupons/\(mine.code.lowercased())").contains(mine.code))
            #expect(detail.contains(#"aria-label="Code 128 \#(mine.code)""#))
            #expect(detail.contains(#"class="qrcode""#) && detail.contains(#"data-code="\#(mine.code)""#))

            #expect(try await m.get("/m/coupons/\(theirs.code)").status == .notFound)
            #expect(try await m.get("/m/coupons/\(bearer.code)").status == .notFound)
            #expect(try await m.get("/m/coupons/NOPE").status == .notFound)
            #expect(try await t.store.memberCoupon(memberId: a, code: theirs.code) == nil)
            #expect(try await t.store.memberCoupon(memberId: b, code: theirs.code)?.code == theirs.code)
        }
    }

    @Test("a used coupon is listed but not offered for scanning")
    func usedCoupon() async throws {
        try await withTestApp { t in
            let (card, a) = try await t.selfServiceMember("13900000023")
            let c = try await t.issueCoupon(member: a, face: 1_000)
            let used = try await t.redeemCoupon(c.code, receipt: "USE-1", fen: 20_000, card: card)
            #expect(used.status == .ok || used.status == .created, "\(used.text)")
            let m = try await t.signedInMember(a)
            #expect(try await m.page("/m/coupons").contains("已使用"))
            let detail = try await m.page("/m/coupons/\(c.code)")
            #expect(detail.contains("已使用") && !detail.contains("qrcode"))
        }
    }

    @Test("rewards: what the member can redeem now, and for the rest the reasons why not")
    func rewards() async throws {
        try await withTestApp { t in
            let (_, a) = try await t.selfServiceMember("13900000024")
            let balance = try await t.balance(a)
            _ = try await t.store.saveRewardItem(RewardItem(code: "TEA", name: .init(zh: "茶礼", en: "Tea"), points: max(1, balance)), actor: "t")
            _ = try await t.store.saveRewardItem(RewardItem(code: "TV", name: .init(zh: "电视机", en: "Television"), points: balance + 1_000_000), actor: "t")
            let items = try await t.store.redeemables(memberId: a)
            let tv = try #require(items.first { $0.item.code == "TV" })
            #expect(!tv.assessment.eligible)
            let html = try await t.signedInMember(a).page("/m/rewards")
            let ready = try #require(html.range(of: "现在可兑换")), notYet = try #require(html.range(of: "暂不可兑换"))
            let tea = try #require(html.range(of: "茶礼")), tvAt = try #require(html.range(of: "电视机"))
            #expect(ready.lowerBound < tea.lowerBound && tea.lowerBound < notYet.lowerBound && notYet.lowerBound < tvAt.lowerBound)
            for reason in tv.assessment.reasons { #expect(html.contains(reason.zh)) }
            #expect(!html.components(separatedBy: "<main>").last!.contains("<form"), "no redeeming online")
            let en = try await t.signedInMember(a, lang: "en").page("/m/rewards")
            for reason in tv.assessment.reasons { #expect(en.contains(reason.en)) }
        }
    }

    @Test("referral: the member's own code and QR, friends by masked name with their reward; nobody else's")
    func referral() async throws {
        try await withTestApp { t in
            let (cardA, a) = try await t.selfServiceMember("13900000031", name: "王小明")
            let code = try await t.referralCode(card: cardA)
            let cardB = try await t.enrolReferred(phone: "13900000032", code: code, name: "李四海")
            let b = try await t.memberId(card: cardB)
            let html = try await t.signedInMember(a).page("/m/referral")
            #expect(html.contains(code) && html.contains(#"data-code="\#(code)""#))
            #expect(html.contains(Identity.maskName("李四海")) && !html.contains("李四海"))
            let other = try await t.signedInMember(b).page("/m/referral")
            #expect(!other.contains(code) && other.contains("还没有推荐好友"))
        }
    }
}
