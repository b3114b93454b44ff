import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// Receipt photos 拍照积分 (issue 19): the member's upload on /m/photos checked by content, the photo served only to its
/// member and the desk of its mall, the desk's queue (SLA, overdue first) and its decisions, once only.
@Suite("Receipt photos")
struct ReceiptPhotoTests {
    /// A fresh photo directory for the test's app (the default lies beside the database, which PostgreSQL has not).
    static func usePhotoDirectory(_ t: TestContext) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mallvip-photos-\(UUID().uuidString)").path
        t.app.storage[ConfigKey.self]?.photoDirectory = dir
        return dir
    }

    static func storedFiles(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }
    }

    /// Posts the upload form as a phone's browser does (multipart, the member's cookie and CSRF token).
    static func upload(_ m: SelfServiceClient, memberId: Int64, bytes: [UInt8], filename: String = "receipt.jpg",
                       declaredType: String = "image/jpeg", receiptNo: String = "R-PHOTO-1", counter: String = "C0001",
                       amount: String = "88.00", at: String = "2026-11-25T09:30", replaces: Int64? = nil) async throws -> RawResponse {
        let boundary = "----mallvipPhotoBoundary\(UUID().uuidString.prefix(8))"
        var body = ByteBuffer()
        var fields = [("_csrf", "csrf-\(memberId)"), ("receiptNo", receiptNo), ("counter", counter), ("amount", amount), ("occurredAt", at)]
        if let replaces { fields.append(("replaces", String(replaces))) }
        for (name, value) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"\(filename)\"\r\nContent-Type: \(declaredType)\r\n\r\n")
        body.writeBytes(bytes)
        body.writeString("\r\n--\(boundary)--\r\n")
        let res = try await m.t.app.testing().sendRequest(.POST, "/m/photos", headers: [
            "Cookie": "\(MemberAuth.cookieName)=\(m.token); mallvip_lang=\(m.lang)",
            "Content-Type": "multipart/form-data; boundary=\(boundary)",
        ], body: body)
        return RawResponse(status: res.status, text: res.body.string)
    }

    static func photos(_ t: TestContext) async throws -> [(id: Int64, type: String, state: String)] {
        try await t.store.sql.raw("SELECT id, content_type, state FROM receipt_photos ORDER BY id").all().map {
            (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "content_type", as: String.self),
             try $0.decode(column: "state", as: String.self))
        }
    }

    @Test("content decides the type: a PNG named .jpg is stored and served as PNG, with nosniff, to its member")
    func pngRenamedJpg() async throws {
        try await withTestApp { t in
            let dir = Self.usePhotoDirectory(t)
            let a = try await t.selfServiceMember("13800000001")
            let m = try await t.signedInMember(a.id)
            let r = try await Self.upload(m, memberId: a.id, bytes: TestImages.png(width: 40, height: 60), filename: "receipt.jpg", declaredType: "image/jpeg")
            #expect(r.status == .seeOther, "\(r.status) \(r.text.prefix(400))")
            let rows = try await Self.photos(t)
            #expect(rows.count == 1)
            #expect(rows.first?.type == "image/png")
            #expect(rows.first?.state == "submitted")
            let files = Self.storedFiles(dir)
            #expect(files.count == 1 && files[0].hasSuffix(".png") && !files[0].contains("receipt"), "\(files)")
            let page = try await m.page("/m/photos")
            #expect(page.contains("R-PHOTO-1") && page.contains("待审核"))
            let res = try await t.app.testing().sendRequest(.GET, "/m/photos/\(rows[0].id)/image",
                                                             headers: ["Cookie": "\(MemberAuth.cookieName)=\(m.token)"])
            #expect(res.status == .ok)
            #expect(res.headers.first(name: .contentType) == "image/png")
            #expect(res.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(Array(res.body.readableBytesView.prefix(8)) == Array(TestImages.png(width: 40, height: 60).prefix(8)))
        }
    }

    @Test("a text file named .jpg and a photo of maxBytes + 1 are refused naming the field; nothing is stored")
    func refusedByContentAndSize() async throws {
        try await withTestApp { t in
            let dir = Self.usePhotoDirectory(t)
            let a = try await t.selfServiceMember("13800000002")
            let m = try await t.signedInMember(a.id, lang: "en")
            let text = try await Self.upload(m, memberId: a.id, bytes: Array("this is not a picture, just text\n".utf8), filename: "receipt.jpg")
            #expect(text.status == .unprocessableEntity, "\(text.status)")
            #expect(text.text.contains("photo must be a JPEG or PNG image"))
            var big = TestImages.png(width: 16, height: 16)
            big += [UInt8](repeating: 0, count: ReceiptPhotoPolicy().maxBytes + 1 - big.count)
            #expect(big.count == 8_388_609)
            let tooBig = try await Self.upload(m, memberId: a.id, bytes: big, filename: "big.png", declaredType: "image/png")
            #expect(tooBig.status == .unprocessableEntity, "\(tooBig.status)")
            #expect(tooBig.text.contains("photo must be at most 8 MB"))
            // Exactly maxBytes is accepted.
            big.removeLast()
            let fits = try await Self.upload(m, memberId: a.id, bytes: big, filename: "big.png", declaredType: "image/png", receiptNo: "R-BIG")
            #expect(fits.status == .seeOther, "\(fits.status) \(fits.text.prefix(300))")
            #expect(try await Self.photos(t).count == 1)
            #expect(Self.storedFiles(dir).count == 1)
            // The typed fields are checked too: a receipt older than maxAgeDays names occurredAt.
            let old = try await Self.upload(m, memberId: a.id, bytes: TestImages.png(width: 20, height: 20), receiptNo: "R-OLD", at: "2026-10-01T10:00")
            #expect(old.status == .unprocessableEntity && old.text.contains("receipts older than 30 days"))
            #expect(Self.storedFiles(dir).count == 1)
        }
    }

    @Test("another member cannot fetch a photo (404); the desk of its mall can, audited; a counter clerk cannot")
    func photoAccess() async throws {
        try await withTestApp { t in
            _ = Self.usePhotoDirectory(t)
            let a = try await t.selfServiceMember("13800000003")
            let b = try await t.selfServiceMember("13800000004", name: "李四")
            let ma = try await t.signedInMember(a.id), mb = try await t.signedInMember(b.id)
            #expect(try await Self.upload(ma, memberId: a.id, bytes: TestImages.png(width: 30, height: 30)).status == .seeOther)
            let id = try #require(try await Self.photos(t).first?.id)
            let other = try await mb.get("/m/photos/\(id)/image")
            #expect(other.status == .notFound)
            #expect(try await ma.get("/m/photos/\(id)/image").status == .ok)
            #expect(!(try await mb.page("/m/photos")).contains("R-PHOTO-1"))
            let desk = try await t.console(as: "desk1", .desk)
            #expect(try await desk.get("/console/photos/\(id)/image").status == .ok)
            #expect(try await t.auditCount("photo.view", actor: "staff:desk1", subject: "member:\(a.id)") == 1)
            let clerk = try await t.console(as: "clerk1", .counterStaff)
            #expect(try await clerk.get("/console/photos/\(id)/image").status == .forbidden)
            // A member session opens no console photo, and no session opens a member's.
            let anon = try await t.app.testing().sendRequest(.GET, "/m/photos/\(id)/image")
            #expect(anon.status == .seeOther)
        }
    }

    @Test("approve posts once under concurrent approvals; the member sees the points")
    func approveOnce() async throws {
        try await withTestApp { t in
            _ = Self.usePhotoDirectory(t)
            let a = try await t.selfServiceMember("13800000005")
            let m = try await t.signedInMember(a.id)
            #expect(try await Self.upload(m, memberId: a.id, bytes: TestImages.png(width: 30, height: 30), receiptNo: "R-APPROVE").status == .seeOther)
            let id = try #require(try await Self.photos(t).first?.id)
            let before = try #require(try await t.store.member(id: a.id)).pointsBalance
            let store = t.store
            let scope = MallScope(mallIds: nil, sinceDay: LocalDate(year: 2026, month: 1, day: 1))
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<4 {
                    group.addTask {
                        do {
                            let r = try await store.reviewReceiptPhoto(id: id, .approve, actor: "staff:desk\(i)", malls: scope)
                            return "ok:\(r.photo.state.rawValue)"
                        } catch let e as DomainError { return e.rule }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "ok:approved" }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == "photo.reviewed" }.count == 3, "\(outcomes)")
            let rows = try await t.store.sql.raw("SELECT id, points_earned, channel, channel_ref FROM purchases WHERE receipt_no = 'R-APPROVE'").all()
            #expect(rows.count == 1)
            #expect(try rows.first?.decode(column: "channel", as: String.self) == "photo")
            #expect(try rows.first?.decode(column: "channel_ref", as: String.self) == String(id))
            let earned = try #require(try rows.first?.decode(column: "points_earned", as: Int64.self))
            #expect(earned > 0)
            #expect(try #require(try await t.store.member(id: a.id)).pointsBalance == before + earned)
            let photo = try #require(try await t.store.receiptPhoto(id: id))
            #expect(photo.state == .approved && photo.purchaseId != nil && photo.pointsEarned == earned)
            let page = try await m.page("/m/photos")
            #expect(page.contains("已通过") && page.contains("+\(earned)"))
            // Through the console too: a decided photo is 409 for a second desk.
            let desk = try await t.console(as: "desk2", .desk)
            _ = try await desk.get("/console/photos")
            let again = try await desk.post("/console/photos/\(id)", [("decision", "approve")])
            #expect(again.status == .conflict)
        }
    }

    @Test("the desk approves from the queue; a second photo of the same receipt is shown as a duplicate and rejected")
    func duplicateByReceipt() async throws {
        try await withTestApp { t in
            _ = Self.usePhotoDirectory(t)
            let a = try await t.selfServiceMember("13800000006")
            let b = try await t.selfServiceMember("13800000007", name: "王五")
            let ma = try await t.signedInMember(a.id), mb = try await t.signedInMember(b.id)
            let png = TestImages.png(width: 30, height: 30)
            #expect(try await Self.upload(ma, memberId: a.id, bytes: png, receiptNo: "R-DUP").status == .seeOther)
            #expect(try await Self.upload(mb, memberId: b.id, bytes: png, receiptNo: "R-DUP").status == .seeOther)
            let ids = try await Self.photos(t).map(\.id)
            let desk = try await t.console(as: "desk3", .desk)
            let queue = try await desk.get("/console/photos")
            #expect(queue.status == .ok && queue.contains("photo-\(ids[0])") && queue.contains("photo-\(ids[1])"))
            #expect(queue.contains("相同照片已上传过"))
            let ok = try await desk.post("/console/photos/\(ids[0])", [("decision", "approve")])
            #expect(ok.status == .seeOther, "\(ok.status) \(ok.body.prefix(300))")
            let hinted = try await desk.get("/console/photos")
            #expect(hinted.contains("该商场已有此小票号的消费"))
            let dup = try await desk.post("/console/photos/\(ids[1])", [("decision", "approve")])
            #expect(dup.status == .seeOther)
            let second = try #require(try await t.store.receiptPhoto(id: ids[1]))
            #expect(second.state == .rejected && second.duplicateOf != nil && second.purchaseId == nil)
            #expect(try await t.store.sql.raw("SELECT COUNT(*) AS n FROM purchases WHERE receipt_no = 'R-DUP'").first()!
                .decode(column: "n", as: Int.self) == 1)
            #expect((try await mb.page("/m/photos")).contains("重复小票"))
        }
    }

    @Test("reject with a reason the member sees; ask for a clearer photo, which the member sends again")
    func rejectAndClearer() async throws {
        try await withTestApp { t in
            _ = Self.usePhotoDirectory(t)
            let a = try await t.selfServiceMember("13800000008")
            let m = try await t.signedInMember(a.id)
            let png = TestImages.png(width: 30, height: 30)
            #expect(try await Self.upload(m, memberId: a.id, bytes: png, receiptNo: "R-REJ").status == .seeOther)
            #expect(try await Self.upload(m, memberId: a.id, bytes: TestImages.png(width: 31, height: 30), receiptNo: "R-BLUR").status == .seeOther)
            let ids = try await Self.photos(t).map(\.id)
            let desk = try await t.console(as: "desk4", .desk)
            _ = try await desk.get("/console/photos")
            let noReason = try await desk.post("/console/photos/\(ids[0])", [("decision", "reject"), ("reason", " ")])
            #expect(noReason.status == .unprocessableEntity)
            #expect(try await desk.post("/console/photos/\(ids[0])", [("decision", "reject"), ("reason", "小票不是本商场的")]).status == .seeOther)
            #expect(try await desk.post("/console/photos/\(ids[1])", [("decision", "clearer"), ("reason", "金额看不清")]).status == .seeOther)
            let page = try await m.page("/m/photos")
            #expect(page.contains("小票不是本商场的") && page.contains("未通过"))
            #expect(page.contains("金额看不清") && page.contains("/m/photos?replaces=\(ids[1])"))
            let form = try await m.page("/m/photos?replaces=\(ids[1])")
            #expect(form.contains("R-BLUR") && form.contains("name=\"replaces\" value=\"\(ids[1])\""))
            let again = try await Self.upload(m, memberId: a.id, bytes: TestImages.png(width: 32, height: 30), receiptNo: "R-BLUR", replaces: ids[1])
            #expect(again.status == .seeOther, "\(again.status) \(again.text.prefix(300))")
            let once = try await Self.upload(m, memberId: a.id, bytes: TestImages.png(width: 33, height: 30), receiptNo: "R-BLUR", replaces: ids[1])
            #expect(once.status == .conflict)
            // A rejected photo cannot be "sent again".
            #expect(try await Self.upload(m, memberId: a.id, bytes: png, receiptNo: "R-REJ", replaces: ids[0]).status == .unprocessableEntity)
            #expect(try await t.auditCount("photo.rejected", actor: "staff:desk4") == 1)
        }
    }

    @Test("the queue lists the overdue first, with the SLA clock; at most maxOpenPerMember wait per member")
    func overdueFirst() async throws {
        try await withTestApp { t in
            _ = Self.usePhotoDirectory(t)
            let a = try await t.selfServiceMember("13800000009")
            let m = try await t.signedInMember(a.id)
            let yaml = Programme.defaultYAML()
            try await t.store.applyProgramme(yaml: yaml.replacingOccurrences(of: "reviewHours: 24", with: "reviewHours: 48")
                .replacingOccurrences(of: "maxOpenPerMember: 5", with: "maxOpenPerMember: 2"), by: "test", note: "slow review")
            #expect(try await Self.upload(m, memberId: a.id, bytes: TestImages.png(width: 30, height: 30), receiptNo: "R-SLOW").status == .seeOther)
            try await t.store.applyProgramme(yaml: yaml.replacingOccurrences(of: "reviewHours: 24", with: "reviewHours: 1")
                .replacingOccurrences(of: "maxOpenPerMember: 5", with: "maxOpenPerMember: 2"), by: "test", note: "fast review")
            t.clock.advance(60)
            #expect(try await Self.upload(m, memberId: a.id, bytes: TestImages.png(width: 31, height: 30), receiptNo: "R-FAST").status == .seeOther)
            let third = try await Self.upload(m, memberId: a.id, bytes: TestImages.png(width: 32, height: 30), receiptNo: "R-THIRD")
            #expect(third.status == .unprocessableEntity && third.text.contains("2 张小票等待审核"))
            t.clock.advance(2 * 3600)
            let desk = try await t.console(as: "desk5", .desk)
            let queue = try await desk.get("/console/photos")
            let fast = try #require(queue.body.range(of: "R-FAST")), slow = try #require(queue.body.range(of: "R-SLOW"))
            #expect(fast.lowerBound < slow.lowerBound, "the overdue photo comes first although sent later")
            #expect(queue.contains("已超时") && queue.contains("未到期"))
        }
    }
}

/// Small real images for the upload tests, made here (no fixture files).
enum TestImages {
    /// A grey PNG of `width` × `height` (8-bit greyscale, one stored zlib block), with correct CRCs and Adler-32.
    static func png(width: Int, height: Int) -> [UInt8] {
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be32(UInt32(data.count)) + body + be32(crc32(body))
        }
        var raw: [UInt8] = []
        for y in 0..<height { raw.append(0); raw += (0..<width).map { x in UInt8((x * 7 + y * 3) & 0xFF) } }
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        let len = UInt16(raw.count)
        let zlib: [UInt8] = [0x78, 0x01, 0x01, UInt8(len & 0xFF), UInt8(len >> 8), UInt8(~len & 0xFF), UInt8(~len >> 8)] + raw + be32(b << 16 | a)
        let ihdr = be32(UInt32(width)) + be32(UInt32(height)) + [8, 0, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", zlib) + chunk("IEND", [])
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            c ^= UInt32(byte)
            for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }
}
