import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

/// One purchase, one earning across channels (issue 19, Store+ChannelPurchase.swift): exact keys, the claim of a
/// non-member receipt, the counter/amount/time match flagged for review, the till's copy flagged by the sweep, the
/// review (confirm reverses once, dismiss keeps), two channels at once, and the points-by-channel report.
@Suite("Channel purchases") struct ChannelPurchaseTests {
    static func request(_ receipt: String, _ channel: PurchaseChannel, ref: String?, at: Date, card: String? = nil, phone: String? = nil,
                        fen: Int64 = 100_000, counter: String = "C0001") -> PurchaseRequest {
        PurchaseRequest(receiptNo: receipt, occurredAt: at, card: card, phone: phone,
                        lines: [PurchaseLineRequest(counter: counter, amountFen: fen)], channel: channel, channelRef: ref)
    }

    static func purchaseId(_ t: TestContext, _ receipt: String) async throws -> Int64 {
        try #require(try await t.store.sql.raw("SELECT id FROM purchases WHERE receipt_no = \(bind: receipt)").first()?
            .decode(column: "id", as: Int64.self))
    }

    static func earnRows(_ t: TestContext, purchaseId: Int64) async throws -> Int64 {
        try await t.store.sql.raw("""
            SELECT COUNT(*) AS n FROM points_ledger WHERE purchase_id = \(bind: purchaseId) AND kind = 'earn'
            """).first()!.decode(column: "n", as: Int64.self)
    }

    @Test("the programme's channels section: default 30 minutes, bounds 1–1440")
    func policy() throws {
        let decoded = try JSONDecoder().decode(ChannelPolicy.self, from: Data("{}".utf8))
        #expect(decoded.matchWindowMinutes == 30)
        #expect(decoded.matchWindowMs == 1_800_000)
        #expect(ChannelPolicy(matchWindowMinutes: 1440).validationErrors(path: "channels").isEmpty)
        #expect(ChannelPolicy(matchWindowMinutes: 0).validationErrors(path: "channels").map(\.0) == ["channels.matchWindowMinutes"])
        #expect(!ChannelPolicy(matchWindowMinutes: 1441).validationErrors(path: "channels").isEmpty)
    }

    @Test("(a) the same channel key again replays the first answer, even under another receipt number")
    func channelRefReplay() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            let before = try await t.balance(id)
            let at = t.clock.now.addingTimeInterval(-600)
            let first = try await t.store.postFromChannel(Self.request("WXT100", .wechatPay, ref: "T100", at: at, card: card), actor: "wechatpay")
            #expect(first.result == .posted)
            let earned = try #require(first.outcome?.pointsEarned)
            #expect(earned > 0)
            let again = try await t.store.postFromChannel(Self.request("WXT100", .wechatPay, ref: "T100", at: at, card: card), actor: "wechatpay")
            #expect(again.result == .replay)
            #expect(again.outcome == first.outcome)
            let renamed = try await t.store.postFromChannel(Self.request("OTHER-1", .wechatPay, ref: "T100", at: at, card: card), actor: "wechatpay")
            #expect(renamed.result == .replay && renamed.rule == "channelRef")
            #expect(try await t.balance(id) == before + earned)
            #expect(try await t.count("purchases") == 2)
            let stored = try await t.store.sql.raw("SELECT channel, channel_ref FROM purchases WHERE receipt_no = 'WXT100'").first()!
            #expect(try stored.decode(column: "channel", as: String.self) == "wechat_pay")
            #expect(try stored.decode(column: "channel_ref", as: String.self) == "T100")
            try await t.expectVerifyClean()
        }
    }

    @Test("(b) a photo of a receipt the till recorded is a duplicate: nothing more earned, one finding however often retried")
    func receiptDuplicate() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            #expect(try await t.purchase("R-200", fen: 100_000, card: card).status == .created)
            let after = try await t.balance(id)
            let tillId = try await Self.purchaseId(t, "R-200")
            // The member typed another time: a different body under the same receipt number.
            let photo = Self.request("R-200", .photo, ref: "P200", at: t.clock.now.addingTimeInterval(-3_600), card: card)
            let preview = try #require(try await t.store.channelDuplicateCheck(photo))
            #expect(preview.result == .duplicate && preview.duplicateOf == tillId)
            for _ in 0..<2 {
                let r = try await t.store.postFromChannel(photo, actor: "desk1")
                #expect(r.result == .duplicate)
                #expect(r.duplicateOf == tillId)
                #expect(r.rule == "receipt")
                #expect(r.outcome == nil)
            }
            #expect(try await t.balance(id) == after)
            #expect(try await t.count("purchases") == 2)
            let caught = try await t.store.channelDuplicates(mallIds: nil, states: ["caught"])
            #expect(caught.count == 1)
            #expect(caught.first?.rule == "receipt" && caught.first?.first.id == tillId && caught.first?.channelRef == "P200")
            try await t.expectVerifyClean()
        }
    }

    @Test("(b) a non-member receipt claimed by the member a photo names earns once, through the ledger")
    func claim() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            #expect(try await t.purchase("R-300", fen: 50_000).status == .created)   // no card: a non-member purchase
            let pid = try await Self.purchaseId(t, "R-300")
            let before = try await t.balance(id)
            let photo = Self.request("R-300", .photo, ref: "P300", at: t.clock.now, card: card, fen: 50_000)
            let r = try await t.store.postFromChannel(photo, actor: "desk1")
            #expect(r.result == .posted && r.claimed && r.rule == "claim" && r.duplicateOf == pid)
            let points = try #require(r.outcome?.pointsEarned)
            #expect(points == 50)
            #expect(r.outcome?.pointsBalance == before + 50)
            #expect(try await t.balance(id) == before + 50)
            #expect(try await Self.earnRows(t, purchaseId: pid) == 1)
            // Again, or by another member: the receipt has a member now — a duplicate, nothing more.
            #expect(try await t.store.postFromChannel(photo, actor: "desk1").result == .duplicate)
            let other = try await t.enrolMember(phone: "13800000002")
            let second = try await t.store.postFromChannel(Self.request("R-300", .photo, ref: "P301", at: t.clock.now, card: other, fen: 50_000),
                                                           actor: "desk1")
            #expect(second.result == .duplicate)
            #expect(try await t.balance(id) == before + 50)
            #expect(try await Self.earnRows(t, purchaseId: pid) == 1)
            // One claim; the two later copies refused as duplicates of the (now member) receipt.
            #expect(try await t.store.channelDuplicates(mallIds: nil, states: ["caught"]).map(\.rule).sorted() == ["claim", "receipt", "receipt"])
            try await t.expectVerifyClean()
        }
    }

    @Test("(c) another channel's purchase at the same counter for the same amount within the window is flagged; outside it is not")
    func matchFlagged() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let at = t.clock.now.addingTimeInterval(-3_600)
            let wx = try await t.store.postFromChannel(Self.request("WXT400", .wechatPay, ref: "T400", at: at, card: card), actor: "wechatpay")
            #expect(wx.result == .posted && !wx.flaggedForReview)
            let wxId = try await Self.purchaseId(t, "WXT400")
            let photo = Self.request("R-400", .photo, ref: "P400", at: at.addingTimeInterval(600), card: card)
            #expect(try await t.store.channelDuplicateCheck(photo)?.flaggedForReview == true)
            let p = try await t.store.postFromChannel(photo, actor: "desk1")
            #expect(p.result == .posted && p.flaggedForReview && p.rule == "match" && p.duplicateOf == wxId)
            #expect((p.outcome?.pointsEarned ?? 0) > 0)   // posted: both earn until a reviewer decides
            // 40 minutes apart (window 30), another amount, another counter: not flagged.
            try await t.saveCounter(code: "C0002", participates: true)
            for (n, req) in [Self.request("R-401", .photo, ref: "P401", at: at.addingTimeInterval(2_400), card: card),
                             Self.request("R-402", .photo, ref: "P402", at: at, card: card, fen: 100_100),
                             Self.request("R-403", .photo, ref: "P403", at: at, card: card, counter: "C0002")].enumerated() {
                #expect(try await t.store.postFromChannel(req, actor: "desk1").flaggedForReview == false, "case \(n)")
            }
            let open = try await t.store.channelDuplicates(mallIds: nil)
            #expect(open.count == 1)
            #expect(open.first?.first.id == wxId && open.first?.second?.receiptNo == "R-400" && open.first?.state == "open")
        }
    }

    @Test("a till's post of a receipt a WeChat payment covers is accepted; the sweep flags it once; confirming reverses it once")
    func tillAfterWechatSweepAndConfirm() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            let at = t.clock.now.addingTimeInterval(-1_200)
            _ = try await t.store.postFromChannel(Self.request("WXT500", .wechatPay, ref: "T500", at: at, card: card), actor: "wechatpay")
            let afterWechat = try await t.balance(id)
            let till = try await t.purchase("R-500", fen: 100_000, at: at.addingTimeInterval(120), card: card)
            #expect(till.status == .created)   // the POS contract: accepted
            let tillPoints = Int64(try #require(till.int("pointsEarned")))
            #expect(try await t.balance(id) == afterWechat + tillPoints)
            #expect(try await t.store.channelDuplicates(mallIds: nil).isEmpty)   // nothing on the hot path
            #expect(try await t.store.sweepChannelMatches() == 1)
            #expect(try await t.store.sweepChannelMatches() == 0)
            let flag = try #require(try await t.store.channelDuplicates(mallIds: nil).first)
            #expect(flag.second?.receiptNo == "R-500" && flag.first.receiptNo == "WXT500")
            // Confirm twice (a double click): reversed once, as a refund DUP<id> with a `reverse` ledger row.
            let confirmed = try await t.store.confirmChannelDuplicate(id: flag.id, actor: "mgr1", note: "同一笔")
            _ = try await t.store.confirmChannelDuplicate(id: flag.id, actor: "mgr1")
            #expect(confirmed.state == "confirmed" && confirmed.refundNo == "DUP\(flag.id)")
            #expect(try await t.balance(id) == afterWechat)
            let reversals = try await t.ledgerRows(id).filter { $0.kind == "reverse" }
            #expect(reversals.map(\.points) == [-tillPoints])
            #expect(try await t.count("refunds") == 1)
            // A confirmed flag cannot be dismissed; the sweep does not flag the reversed pair again.
            await #expect(throws: DomainError.self) { try await t.store.dismissChannelDuplicate(id: flag.id, actor: "mgr1") }
            #expect(try await t.store.sweepChannelMatches() == 0)
            try await t.expectVerifyClean()
        }
    }

    @Test("dismissing keeps both purchases' points; a dismissed flag cannot be confirmed")
    func dismiss() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            let at = t.clock.now.addingTimeInterval(-1_200)
            _ = try await t.store.postFromChannel(Self.request("WXT600", .wechatPay, ref: "T600", at: at, card: card), actor: "wechatpay")
            #expect(try await t.purchase("R-600", fen: 100_000, at: at, card: card).status == .created)
            #expect(try await t.store.sweepChannelMatches() == 1)
            let balance = try await t.balance(id)
            let flag = try #require(try await t.store.channelDuplicates(mallIds: nil).first)
            try await t.store.dismissChannelDuplicate(id: flag.id, actor: "mgr1", note: "两笔")
            try await t.store.dismissChannelDuplicate(id: flag.id, actor: "mgr1")
            #expect(try await t.store.channelDuplicate(id: flag.id)?.state == "dismissed")
            await #expect(throws: DomainError.self) { try await t.store.confirmChannelDuplicate(id: flag.id, actor: "mgr1") }
            #expect(try await t.balance(id) == balance)
            #expect(try await t.count("refunds") == 0)
        }
    }

    @Test("two channels posting the same purchase at once earn once")
    func concurrent() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let id = try await t.memberId(card: card)
            let store = t.store
            let at = t.clock.now.addingTimeInterval(-900)
            let before = try await t.balance(id)
            // Till and photo on one receipt number (the photo's time typed differently), eight receipts at once.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        _ = try await store.postPurchase(PurchaseRequest(receiptNo: "RC-\(i)", occurredAt: at, card: card,
                                                                         lines: [PurchaseLineRequest(counter: "C0001", amountFen: 20_000)]))
                    }
                    group.addTask {
                        let r = try await store.postFromChannel(Self.request("RC-\(i)", .photo, ref: "PC\(i)", at: at.addingTimeInterval(60),
                                                                             card: card, fen: 20_000), actor: "desk1")
                        #expect(r.result == .posted || r.result == .duplicate)
                    }
                }
                try await group.waitForAll()
            }
            // Two photos of one receipt and one WeChat transaction five times, at once.
            let results = try await withThrowingTaskGroup(of: ChannelPosting.self) { group in
                for n in 0..<2 {
                    group.addTask { try await store.postFromChannel(Self.request("RD-1", .photo, ref: "PD\(n)", at: at, card: card, fen: 30_000), actor: "desk1") }
                }
                for _ in 0..<5 {
                    group.addTask { try await store.postFromChannel(Self.request("WXTE1", .wechatPay, ref: "TE1", at: at, card: card, fen: 40_000), actor: "wechatpay") }
                }
                return try await group.reduce(into: [ChannelPosting]()) { $0.append($1) }
            }
            #expect(results.filter { $0.result == .posted }.count == 2)   // one photo, one WeChat post
            #expect(try await t.count("purchases") == 1 + 8 + 2)
            for receipt in (0..<8).map({ "RC-\($0)" }) + ["RD-1", "WXTE1"] {
                #expect(try await Self.earnRows(t, purchaseId: try await Self.purchaseId(t, receipt)) == 1, "\(receipt)")
            }
            #expect(try await t.balance(id) == before + 8 * 20 + 30 + 40)
            try await t.expectVerifyClean()
        }
    }

    @Test("points by channel add up to the purchases' totals; the duplicates caught are counted by rule and state")
    func report() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let at = t.clock.now.addingTimeInterval(-1_200)
            _ = try await t.store.postFromChannel(Self.request("WXT700", .wechatPay, ref: "T700", at: at, card: card), actor: "wechatpay")
            _ = try await t.purchase("R-700", fen: 100_000, at: at, card: card)
            _ = try await t.purchase("R-701", fen: 33_300, card: card)
            _ = try await t.purchase("R-702", fen: 12_300)
            _ = try await t.store.postFromChannel(Self.request("R-701", .photo, ref: "P701", at: at, card: card, fen: 33_300), actor: "desk1")
            _ = try await t.store.postFromChannel(Self.request("R-703", .photo, ref: "P703", at: at, card: card, fen: 45_600), actor: "desk1")
            _ = try await t.store.sweepChannelMatches()
            let flag = try #require(try await t.store.channelDuplicates(mallIds: nil).first)
            try await t.store.confirmChannelDuplicate(id: flag.id, actor: "mgr1")
            let day = LocalDate.of(t.clock.now, in: TimeZone(identifier: "Asia/Shanghai")!)
            let r = try await t.store.channelReport(from: day.adding(days: -30), through: day, mallIds: nil)
            let totals = try await t.store.sql.raw("""
                SELECT COUNT(*) AS n, CAST(SUM(total_fen - refunded_fen) AS BIGINT) AS s, CAST(SUM(points_earned - points_reversed) AS BIGINT) AS p
                FROM purchases
                """).first()!
            #expect(r.total.purchases == Int64(try totals.decode(column: "n", as: Int.self)))
            #expect(r.total.salesFen == (try totals.decode(column: "s", as: Int64.self)))
            #expect(r.total.points == (try totals.decode(column: "p", as: Int64.self)))
            #expect(Set(r.lines.map(\.channel)) == ["pos", "photo", "wechat_pay"])
            let photo = try #require(r.lines.first(where: { $0.channel == "photo" }))
            #expect(photo.purchases == 1)
            let pos = try #require(r.lines.first(where: { $0.channel == "pos" }))
            let expectedPosSales: Int64 = 60_000 + 33_300 + 12_300   // R-700 reversed in full
            #expect(pos.salesFen == expectedPosSales)
            #expect(r.count(rule: "receipt") == 1)
            #expect(r.count(rule: "match", state: "confirmed") == 1)
            #expect(r.duplicates.first { $0.state == "confirmed" }?.pointsReversed == 100)
            // Another mall only: nothing of this mall.
            #expect(try await t.store.channelReport(from: day, through: day, mallIds: [999_999]).lines.isEmpty)
        }
    }
}
