import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// /m/photos (issue 19, 拍照积分; docs/member-pages.md "Receipt photos"): the member sends a photo of a receipt with
/// its number, counter, amount and time, and sees their photos and what the desk decided — approved with the points,
/// rejected with the reason, or "please send a clearer photo" with a link that sends it again. The photo is checked by
/// its content (ReceiptPhotoFiles.check), stored under a random name, and served only to the member who sent it
/// (and to the desk of its mall, PhotosReviewController). Scoped by `req.memberId` only; no JavaScript needed.
enum MemberPhotosController {
    /// The route's body limit: the largest photo the programme may allow (`photos.maxBytes` ≤ 8 MB) and room for the
    /// form's other fields. The programme's own, possibly smaller, limit is checked on the file, naming `photo`.
    static let maxBody = 8 * ReceiptPhotoPolicy.megabyte + 256 * 1024

    static func register(_ routes: any RoutesBuilder) throws {
        let member = routes.grouped(MemberAuthMiddleware(maxBody: maxBody))
        member.get(.memberSitePhotos, use: page)
        member.on(.POST, .memberSitePhotos, body: .collect(maxSize: ByteCount(value: maxBody)), use: upload)
        member.get(.memberSitePhotoImage, use: image)
    }

    struct Form: Content {
        var photo: File?
        var receiptNo: String?
        var counter: String?
        var amount: String?
        var occurredAt: String?
        var replaces: String?
    }

    @Sendable static func page(req: Request) async throws -> Response {
        var form = Form()
        if let text = req.query[String.self, at: "replaces"], let id = Int64(text),
           let old = try await req.store.receiptPhoto(id: id), old.memberId == (try req.memberId), old.state == .needsClearer {
            let (_, programme) = try await req.store.programme()
            form = Form(receiptNo: old.receiptNo, counter: old.counterCode, amount: Money.yuan(old.amountFen),
                        occurredAt: CampaignForm.localText(old.occurredAt, programme.timeZone), replaces: String(old.id))
        }
        return try await render(req, form: form, notice: try await Notices.take(req), error: nil)
    }

    @Sendable static func upload(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let f = try req.content.decode(Form.self)
        let memberId = try req.memberId
        let files = req.receiptPhotoFiles
        var saved: String?
        do {
            let (_, programme) = try await req.store.programme()
            let bytes = f.photo.map { $0.data.getBytes(at: $0.data.readerIndex, length: $0.data.readableBytes) ?? [] } ?? []
            let checked = try ReceiptPhotoFiles.check(bytes, maxBytes: programme.photos.maxBytes)
            let receiptNo = Forms.trimmed(f.receiptNo)
            guard let amount = try BoundedNumber.yuan(f.amount, field: "amount") else {
                throw DomainError.invalid("amount", "photo.amount", zh: "请填写小票金额（元）", en: "amount: enter the receipt's total in yuan")
            }
            guard let at = CampaignForm.parseLocal(Forms.trimmed(f.occurredAt), programme.timeZone) else {
                throw DomainError.invalid("occurredAt", "photo.occurredAt", zh: "请填写消费时间", en: "occurredAt: enter the date and time of the purchase")
            }
            let replaces = try BoundedNumber.int(f.replaces, field: "replaces", 1...Int64.max)
            // Cheap checks before the file is written; the store checks them again with the rest.
            try programme.photos.checkEntry(receiptNo: receiptNo, amountFen: amount, occurredAt: at, now: req.store.env.now(),
                                            purchases: programme.purchases)
            let name = try files.save(checked)
            saved = name
            let photo = try await req.store.submitReceiptPhoto(NewReceiptPhoto(
                memberId: memberId, counterCode: Forms.trimmed(f.counter), receiptNo: receiptNo, amountFen: amount, occurredAt: at,
                fileName: name, contentType: checked.image.kind.contentType, byteCount: Int64(checked.bytes.count),
                sha256: checked.sha256, replacesId: replaces))
            let due = Layout.dateTime(photo.dueAt, programme)
            let notice = ctx.t("已收到小票照片（编号 \(photo.id)），服务台将于 \(due) 前审核", "We have your photo (no. \(photo.id)); the desk reviews it by \(due)")
            return req.redirect(to: try await Forms.withNotice(req, MemberURL.photos.path, notice), redirectType: .normal)
        } catch let e as DomainError {
            if let saved { files.remove(saved) }
            var back = f
            back.photo = nil
            return try await render(req, form: back, notice: nil, error: Forms.message(e, ctx), status: Forms.status(e))
        } catch {
            if let saved { files.remove(saved) }
            throw error
        }
    }

    /// The member's own photo; another member's (or one that does not exist) is 404, so ids tell nothing.
    @Sendable static func image(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int64.self), let photo = try await req.store.receiptPhoto(id: id),
              photo.memberId == (try req.memberId), let data = req.receiptPhotoFiles.read(photo.fileName) else {
            throw Abort(.notFound, reason: req.lang.t("照片不存在", "No such photo"))
        }
        return ReceiptPhotoFiles.response(data, contentType: photo.contentType)
    }

    static func render(_ req: Request, form: Form, notice: String?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        let photos = try await req.store.memberReceiptPhotos(memberId: try req.memberId)
        let counters = try await req.store.counterList().filter(\.active)
        let malls = try await req.store.malls()
        let body = MemberPhotosPage.body(form: form, photos: photos, counters: counters, severalMalls: malls.count > 1,
                                         programme: programme, notice: notice, error: error, ctx: ctx)
        return MemberLayout.render(ctx, title: ctx.t("拍照积分", "Receipt photos"), body, status: status)
    }
}

enum MemberPhotosPage {
    static func body(form: MemberPhotosController.Form, photos: [ReceiptPhoto], counters: [Counter], severalMalls: Bool,
                     programme: Programme, notice: String?, error: String?, ctx: PageContext) -> Node<HTML.BodyContext> {
        let policy = programme.photos
        let mb = policy.maxBytes / ReceiptPhotoPolicy.megabyte
        return .div(
            .unwrap(notice) { .p(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .form(.class("card"), .method(.post), .action(MemberURL.photos.path), .attribute(named: "enctype", value: "multipart/form-data"),
                  MemberLayout.csrfField(ctx),
                  .unwrap(form.replaces) { .input(.type(.hidden), .name("replaces"), .value($0)) },
                  .h2(.text(form.replaces == nil ? ctx.t("上传小票照片", "Send a receipt photo") : ctx.t("重新上传清晰照片", "Send a clearer photo"))),
                  .p(.class("muted"), .text(ctx.t("JPEG 或 PNG，不超过 \(mb) MB；\(policy.maxAgeDays) 天内的小票；服务台 \(policy.reviewHours) 小时内审核，通过后积分到账。",
                                                  "JPEG or PNG, at most \(mb) MB; receipts of the last \(policy.maxAgeDays) days; the desk reviews within \(policy.reviewHours) hours and the points follow."))),
                  .label(.text(ctx.t("小票照片", "Photo of the receipt")),
                         .input(.type(.file), .name("photo"), .attribute(named: "accept", value: "image/jpeg,image/png"),
                                .attribute(named: "capture", value: "environment"), .attribute(named: "required", value: "required"))),
                  .label(.text(ctx.t("小票号", "Receipt number")),
                         .input(.type(.text), .name("receiptNo"), .value(form.receiptNo ?? ""), .attribute(named: "required", value: "required"),
                                .attribute(named: "maxlength", value: "64"), .attribute(named: "autocomplete", value: "off"))),
                  .label(.text(ctx.t("专柜", "Counter")),
                         .select(.attribute(named: "name", value: "counter"), .attribute(named: "required", value: "required"),
                                 .option(.value(""), .label(ctx.t("请选择", "Choose"))),
                                 .forEach(counters) { c in
                                     let name = (severalMalls ? c.mallCode + " · " : "") + "\(c.name)（\(c.code)）"
                                     return .option(.value(c.code), .label(name), .isSelected(form.counter == c.code))
                                 })),
                  .label(.text(ctx.t("金额（元）", "Amount (yuan)")),
                         .input(.type(.text), .name("amount"), .value(form.amount ?? ""), .attribute(named: "inputmode", value: "decimal"),
                                .attribute(named: "required", value: "required"))),
                  .label(.text(ctx.t("消费时间", "Date and time of purchase")),
                         .input(.type(.datetimeLocal), .name("occurredAt"), .value(form.occurredAt ?? ""), .attribute(named: "required", value: "required"))),
                  .button(.type(.submit), .text(ctx.t("提交", "Send")))),
            .h2(.text(ctx.t("我的小票照片", "My receipt photos"))),
            photos.isEmpty
                ? .p(.class("muted"), .text(ctx.t("还没有上传过小票", "No photos sent yet")))
                : .ul(.class("photos"), .forEach(photos) { item($0, programme, ctx) }))
    }

    static func item(_ p: ReceiptPhoto, _ programme: Programme, _ ctx: PageContext) -> Node<HTML.ListContext> {
        .li(.id("photo-\(p.id)"), .class("panel photo photo-\(p.state.rawValue)"),
            .p(.b(.text("#\(p.id) \(p.receiptNo)")), .text(" · \(p.counterName) · ¥\(Money.yuan(p.amountFen))")),
            .p(.class("muted"), .text(Layout.dateTime(p.occurredAt, programme))),
            .p(.span(.class("photo-state"), .text(ctx.t(p.state.label.zh, p.state.label.en))),
               .if(p.state == .approved, .span(.class("photo-points"), .text(ctx.t("（+\(p.pointsEarned) 积分）", " (+\(p.pointsEarned) points)")))),
               .if(p.state == .submitted, .span(.class("muted"), .text(ctx.t("，预计 \(Layout.dateTime(p.dueAt, programme)) 前审核",
                                                                              ", review due by \(Layout.dateTime(p.dueAt, programme))"))))),
            .unwrap(p.reason) { .p(.class("photo-reason"), .text(ctx.t("原因：", "Reason: ") + $0)) },
            .if(p.state == .needsClearer && p.replacedBy == nil,
                .p(.a(.class("button"), .href(MemberURL.photos.path + "?replaces=\(p.id)"), .text(ctx.t("重新上传", "Send again"))))),
            .unwrap(p.replacedBy) { .p(.class("muted"), .text(ctx.t("已重新上传为 #\($0)", "Sent again as #\($0)"))) },
            .p(.a(.href(SiteRoute.memberSitePhotoImage.path(p.id)), .text(ctx.t("查看照片", "View photo")))))
    }
}
