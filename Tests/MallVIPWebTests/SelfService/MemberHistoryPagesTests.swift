import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

@Suite("Member self-service: points and purchases")
struct MemberHistoryPagesTests {
    @Test("points history pages by 20, newest first, with next and previous links")
    func pointsPaging() async throws {
        try await withTestApp { t in
            let (card, id) = try await t.selfServiceMember("13900000011")
            for i in 1...24 {
                t.clock.advance(60)
                let r = try await t.purchase("R-\(i)", fen: 10_000 + Int64(i) * 100, card: card)
                #expect(r.status == .created, "\(r.text)")
            }
            let ledger = try await t.ledgerRows(id)
            #expect(ledger.count >= 25)
            let m = try await t.signedInMember(id)
            let first = try await m.page("/m/points")
            #expect(tableRows(first) == 20)
            #expect(first.contains(#"href="/m/points?page=2""#) && !first.contains(#"rel="prev""#))
            // The newest entry (balance after it = the balance now) comes first.
            let balance = try await t.balance(id)
            #expect(first.range(of: ">\(balance)<")!.lowerBound < first.range(of: "</table>")!.lowerBound)
            let second = try await m.page("/m/points?page=2")
            #expect(tableRows(second) == ledger.count - 20)
            #expect(second.contains(#"href="/m/points""#) && !second.contains(#"rel="next""#))
            // Out-of-range pages are harmless.
            #expect(tableRows(try await m.page("/m/points?page=0")) == 20)
            #expect(try await m.page("/m/points?page=99").contains("暂无积分记录"))
        }
    }

    @Test("store paging: exactly one page has no next page; pages never overlap")
    func storePaging() async throws {
        try await withTestApp { t in
            let (card, id) = try await t.selfServiceMember("13900000012")
            for i in 1...3 {
                t.clock.advance(60)
                _ = try await t.purchase("P-\(i)", fen: 20_000, card: card)
            }
            let all = try await t.store.purchasesPage(memberId: id, page: 1, perPage: 4)
            #expect(all.items.count == 4 && !all.hasMore)
            let p1 = try await t.store.purchasesPage(memberId: id, page: 1, perPage: 3)
            let p2 = try await t.store.purchasesPage(memberId: id, page: 2, perPage: 3)
            #expect(p1.hasMore && !p2.hasMore && p2.items.count == 1)
            #expect(Set(p1.items.map(\.id)).isDisjoint(with: p2.items.map(\.id)))
            #expect(p1.items.map(\.receiptNo).first == "P-3")
        }
    }

    @Test("purchases list and receipt: own purchase shown in full; another member's purchase id is 404")
    func purchasesScoped() async throws {
        try await withTestApp { t in
            let (cardA, a) = try await t.selfServiceMember("13900000013", name: "甲")
            let (cardB, b) = try await t.selfServiceMember("13900000014", name: "乙")
            _ = try await t.purchase("MINE-1", fen: 88_800, card: cardA)
            _ = try await t.refund("RF-1", receipt: "MINE-1", fen: 8_800)
            _ = try await t.purchase("THEIRS-1", fen: 55_500, card: cardB)
            let mine = try #require(try await t.store.purchasesPage(memberId: a, page: 1).items.first { $0.receiptNo == "MINE-1" })
            let theirs = try #require(try await t.store.purchasesPage(memberId: b, page: 1).items.first { $0.receiptNo == "THEIRS-1" })

            let m = try await t.signedInMember(a)
            let list = try await m.page("/m/purchases")
            #expect(list.contains("MINE-1") && !list.contains("THEIRS-1") && !list.contains("ENROL-13900000014"))
            #expect(list.contains(#"href="/m/purchases/\#(mine.id)""#))
            let detail = try await m.page("/m/purchases/\(mine.id)")
            #expect(detail.contains("MINE-1") && detail.contains("888.00") && detail.contains("已退 88.00"))

            #expect(try await m.get("/m/purchases/\(theirs.id)").status == .notFound)
            #expect(try await m.get("/m/purchases/999999").status == .notFound)
            #expect(try await m.get("/m/purchases/abc").status == .notFound)
            #expect(try await t.store.memberPurchase(memberId: a, purchaseId: theirs.id) == nil)
            // B sees B's, not A's.
            let other = try await t.signedInMember(b)
            #expect(try await other.get("/m/purchases/\(mine.id)").status == .notFound)
            #expect(try await other.get("/m/purchases/\(theirs.id)").status == .ok)
        }
    }
}
