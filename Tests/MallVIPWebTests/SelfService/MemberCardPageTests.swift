import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor

@Suite("Member self-service: card")
struct MemberCardPageTests {
    @Test("signed out, /m/card sends the member to sign in")
    func signedOut() async throws {
        try await withTestApp { t in
            let r = try await t.send(.GET, "/m/card", authorized: false)
            #expect(r.status == .seeOther || r.status == .found || r.status == .temporaryRedirect)
        }
    }

    @Test("the card page shows the card as Code 128 and QR, tier, points and the next tier in words")
    func card() async throws {
        try await withTestApp { t in
            let (card, id) = try await t.selfServiceMember("13900000001")
            let member = try #require(try await t.store.member(id: id))
            let (_, programme) = try await t.store.programme()
            let progress = try #require(programme.progress(from: member.earnedTier, spend: try await t.store.rollingSpend(memberId: id)))
            let zh = try await t.signedInMember(id).page("/m/card")
            #expect(zh.contains(#"class="barcode""#) && zh.contains(#"aria-label="Code 128 \#(card)""#))
            #expect(zh.contains(QRCode.svg(card, pixelsPerModule: 6, label: "会员卡二维码 \(card)")))
            #expect(zh.contains(programme.tier(member.earnedTier)!.name.zh))
            #expect(zh.contains(">\(member.pointsBalance)<"))
            let name = programme.tier(progress.nextTier)!.name
            #expect(zh.contains("还差 \(Money.yuanCeil(progress.shortfallFen)) 元 升级\(name.zh)"))
            #expect(!zh.contains("/console"), "never the staff navigation")

            let en = try await t.signedInMember(id, lang: "en").page("/m/card")
            #expect(en.contains("\(Money.yuanCeil(progress.shortfallFen)) yuan more within \(progress.months) months to reach \(name.en)"))
            #expect(en.contains("Show this to the cashier to scan"))
        }
    }

    @Test("a lost card is not offered for scanning")
    func lostCard() async throws {
        try await withTestApp { t in
            let (card, id) = try await t.selfServiceMember("13900000002")
            try await t.store.sql.raw("UPDATE cards SET state = 'lost' WHERE card_no = \(bind: card)").run()
            let html = try await t.signedInMember(id).page("/m/card")
            #expect(html.contains(card))
            #expect(!html.contains(#"class="barcode""#) && !html.contains("qrcode"))
            #expect(html.contains("暂不能使用"))
        }
    }
}
