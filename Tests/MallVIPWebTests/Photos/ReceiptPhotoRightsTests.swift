import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// Receipt photos and the rest of the system (issue 19): the member's rights (export lists the photos, erasure deletes
/// the files and the rows' personal fields), another mall's desk, and an approval cut off before its posting.
@Suite("Receipt photos: rights, malls, crash window")
struct ReceiptPhotoRightsTests {
    static let allMalls = MallScope(mallIds: nil, sinceDay: LocalDate(year: 2026, month: 1, day: 1))

    static func nowMs(_ t: TestContext) -> Int64 { Int64((t.store.env.now().timeIntervalSince1970 * 1000).rounded()) }

    @Test("the export lists the member's photos; erasure deletes every photo file, drops unposted rows, clears posted ones")
    func eraseMemberPhotos() async throws {
        try await withTestApp { t in
            let dir = ReceiptPhotoTests.usePhotoDirectory(t)
            let a = try await t.selfServiceMember("13800000101")
            let m = try await t.signedInMember(a.id)
            #expect(try await ReceiptPhotoTests.upload(m, memberId: a.id, bytes: TestImages.png(width: 30, height: 30), receiptNo: "R-ERASE-1").status == .seeOther)
            #expect(try await ReceiptPhotoTests.upload(m, memberId: a.id, bytes: TestImages.png(width: 31, height: 30), receiptNo: "R-ERASE-2").status == .seeOther)
            let ids = try await ReceiptPhotoTests.photos(t).map(\.id)
            #expect(ids.count == 2)
            #expect(ReceiptPhotoTests.storedFiles(dir).count == 2)
            let approved = try await t.store.reviewReceiptPhoto(id: ids[0], .approve, actor: "staff:desk", malls: Self.allMalls)
            #expect(approved.photo.state == .approved && approved.photo.purchaseId != nil)

            let export = try await t.store.memberDataExport(memberId: a.id, actor: "member:\(a.id)")
            let photos = try #require(export.table("receiptPhotos"))
            #expect(photos.rows.count == 2)
            #expect(photos.value("receipt_no", row: 0) == .text("R-ERASE-1"))
            #expect(photos.value("state", row: 0) == .text("approved"))
            #expect(photos.value("state", row: 1) == .text("submitted"))
            #expect(!photos.columns.contains("file_name") && !photos.columns.contains("sha256"))

            let request = try await t.store.requestAccountDeletion(memberId: a.id, reason: "不用了")
            try await t.store.decideDeletion(requestId: request, approve: true, note: "", actor: "staff:boss",
                                             photoDirectory: t.app.appConfig.receiptPhotoDirectory)
            #expect(ReceiptPhotoTests.storedFiles(dir).isEmpty, "\(ReceiptPhotoTests.storedFiles(dir))")
            let rows = try await t.store.sql.raw("""
                SELECT id, file_name, sha256, purchase_id FROM receipt_photos WHERE member_id = \(bind: a.id) ORDER BY id
                """).all()
            #expect(rows.count == 1, "the unposted photo's row is gone")
            let kept = try #require(rows.first)
            #expect(try kept.decode(column: "id", as: Int64.self) == ids[0])
            #expect(try kept.decode(column: "file_name", as: String.self) == "erased:\(ids[0])")
            #expect(try kept.decode(column: "sha256", as: String.self) == "")
            #expect(try kept.decode(column: "purchase_id", as: Int64?.self) == approved.photo.purchaseId)
            // The purchase and its points stay, as for every erased member.
            #expect(try await t.store.sql.raw("SELECT COUNT(*) AS n FROM purchases WHERE receipt_no = 'R-ERASE-1'").first()!
                .decode(column: "n", as: Int.self) == 1)
            // The desk's image link for the kept row finds nothing.
            let desk = try await t.console(as: "desk9", .desk)
            #expect(try await desk.get("/console/photos/\(ids[0])/image").status == .notFound)
        }
    }

    @Test("a desk user of another mall neither sees, opens nor reviews a photo: 404 as for an unknown id")
    func otherMallDesk() async throws {
        try await withTestApp { t in
            _ = ReceiptPhotoTests.usePhotoDirectory(t)
            let a = try await t.selfServiceMember("13800000102")
            let m = try await t.signedInMember(a.id)
            #expect(try await ReceiptPhotoTests.upload(m, memberId: a.id, bytes: TestImages.png(width: 30, height: 30), receiptNo: "R-MALL").status == .seeOther)
            let id = try #require(try await ReceiptPhotoTests.photos(t).first?.id)
            let mallB = try await t.store.createMall(code: "BEE", name: "B 店", actor: "test")
            let staff = try await t.makeStaff("deskb", .desk)
            try await t.store.setStaffMalls(staffId: staff, mallIds: [mallB], actor: "test")
            let desk = ConsoleClient(t)
            _ = try await desk.signIn("deskb")
            let queue = try await desk.get("/console/photos")
            #expect(queue.status == .ok && !queue.contains("photo-\(id)") && !queue.contains("R-MALL"))
            #expect(try await desk.get("/console/photos/\(id)/image").status == .notFound)
            let review = try await desk.post("/console/photos/\(id)", [("decision", "approve")])
            #expect(review.status == .notFound, "\(review.status)")
            let reject = try await desk.post("/console/photos/\(id)", [("decision", "reject"), ("reason", "不是本商场")])
            #expect(reject.status == .notFound, "\(reject.status)")
            #expect(try await t.store.receiptPhoto(id: id)?.state == .submitted)
            #expect(try await t.auditCount("photo.view", actor: "staff:deskb") == 0)
            // The store says the same to a caller scoped to mall B.
            let scopeB = MallScope(mallIds: [mallB], sinceDay: LocalDate(year: 2026, month: 1, day: 1))
            await #expect(throws: DomainError.self) {
                _ = try await t.store.reviewReceiptPhoto(id: id, .approve, actor: "staff:deskb", malls: scopeB)
            }
            #expect(try await t.store.receiptPhotoQueue(malls: scopeB).isEmpty)
        }
    }

    @Test("approved with no purchase (crash before or after posting): approvable again once stale, earning once")
    func crashWindow() async throws {
        try await withTestApp { t in
            _ = ReceiptPhotoTests.usePhotoDirectory(t)
            let a = try await t.selfServiceMember("13800000103")
            let m = try await t.signedInMember(a.id)
            #expect(try await ReceiptPhotoTests.upload(m, memberId: a.id, bytes: TestImages.png(width: 30, height: 30), receiptNo: "R-CRASH-1").status == .seeOther)
            #expect(try await ReceiptPhotoTests.upload(m, memberId: a.id, bytes: TestImages.png(width: 31, height: 30), receiptNo: "R-CRASH-2").status == .seeOther)
            let ids = try await ReceiptPhotoTests.photos(t).map(\.id)
            let before = try #require(try await t.store.member(id: a.id)).pointsBalance

            // A claim just made may still be posting: a second approval is refused.
            func claim(_ id: Int64, agoMs: Int64) async throws {
                try await t.store.sql.raw("""
                    UPDATE receipt_photos SET state = 'approved', reviewer = 'staff:gone', reviewed_at_ms = \(bind: Self.nowMs(t) - agoMs)
                    WHERE id = \(bind: id)
                    """).run()
            }
            try await claim(ids[0], agoMs: 1_000)
            await #expect(throws: DomainError.self) {
                _ = try await t.store.reviewReceiptPhoto(id: ids[0], .approve, actor: "staff:desk", malls: Self.allMalls)
            }

            // Died before posting: the stale claim is approved again and posts.
            try await claim(ids[0], agoMs: Store.receiptPhotoPostingGraceMs + 60_000)
            let first = try await t.store.reviewReceiptPhoto(id: ids[0], .approve, actor: "staff:desk", malls: Self.allMalls)
            #expect(first.photo.state == .approved && first.photo.purchaseId != nil)
            #expect(first.posting?.result == .posted)
            let earned1 = first.photo.pointsEarned
            #expect(earned1 > 0)
            // Rejecting a stale approved photo is not what the window opens.
            await #expect(throws: DomainError.self) {
                _ = try await t.store.reviewReceiptPhoto(id: ids[0], .reject(reason: "x"), actor: "staff:desk", malls: Self.allMalls)
            }

            // Died after posting, before recording the purchase: approving again replays it, no second earning.
            let photo2 = try #require(try await t.store.receiptPhoto(id: ids[1]))
            let posted = try await t.store.postFromChannel(try await t.store.photoPurchaseRequest(photo2), actor: "staff:gone")
            #expect(posted.result == .posted)
            try await claim(ids[1], agoMs: Store.receiptPhotoPostingGraceMs + 60_000)
            let balanceMid = try #require(try await t.store.member(id: a.id)).pointsBalance
            let second = try await t.store.reviewReceiptPhoto(id: ids[1], .approve, actor: "staff:desk", malls: Self.allMalls)
            #expect(second.posting?.result == .replay)
            #expect(second.photo.state == .approved && second.photo.purchaseId != nil)
            #expect(try #require(try await t.store.member(id: a.id)).pointsBalance == balanceMid)
            #expect(try await t.store.sql.raw("SELECT COUNT(*) AS n FROM purchases WHERE receipt_no = 'R-CRASH-2'").first()!
                .decode(column: "n", as: Int.self) == 1)
            #expect(balanceMid == before + earned1 + second.photo.pointsEarned)

            // Once recorded, it cannot be approved again.
            await #expect(throws: DomainError.self) {
                _ = try await t.store.reviewReceiptPhoto(id: ids[1], .approve, actor: "staff:desk", malls: Self.allMalls)
            }
        }
    }
}
