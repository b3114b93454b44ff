import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

extension StaffRole {
    /// Who reviews members' receipt photos (issue 19): the service desk and managers.
    static let photoReview: Set<StaffRole> = [.admin, .manager, .desk]
}

/// /console/photos (issue 19, docs/workflows.md "Receipt photos at the desk"): the desk's queue of members' receipt
/// photos in the reviewer's malls, the earliest due first with the SLA clock (due / overdue), the photo beside what the
/// member typed, duplicate hints before approval, and the three decisions: approve (posts the purchase through the
/// cross-channel entry, channel `photo`), reject with a reason the member sees, ask for a clearer photo. A photo is
/// decided once, also by two desks at once (Store.reviewReceiptPhoto). Viewing a photo is audited (`photo.view`).
enum PhotosReviewController {
    static func register(_ routes: any RoutesBuilder) throws {
        let desk = routes.grouped(StaffAuthMiddleware(roles: StaffRole.photoReview))
        desk.get(.photos, use: list)
        desk.post(.photoReview, use: review)
        desk.get(.photoImage, use: image)
    }

    struct ReviewForm: Content { var decision: String?; var reason: String? }

    @Sendable static func list(req: Request) async throws -> Response {
        try await listPage(req, notice: try await Notices.take(req), error: nil, status: .ok)
    }

    static func listPage(_ req: Request, notice: String?, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let ctx = PageContext(req)
        let stateText = Forms.trimmed(req.query[String.self, at: "state"])
        guard stateText.isEmpty || ReceiptPhotoState(rawValue: stateText) != nil else {
            throw DomainError.invalid("state", "photo.state", zh: "state 须为 submitted、approved、rejected 或 needsClearer",
                                      en: "state must be submitted, approved, rejected or needsClearer")
        }
        let state = ReceiptPhotoState(rawValue: stateText) ?? .submitted
        let (_, programme) = try await req.store.programme()
        let rows = try await req.store.receiptPhotoQueue(state: state, malls: try await MallAccess.scope(req))
        var hints: [Int64: ReceiptPhotoHints] = [:]
        var rules: [Int64: ChannelPosting] = [:]
        if state == .submitted {
            for p in rows {
                hints[p.id] = try await req.store.receiptPhotoHints(p)
                // The cross-channel rules' own read-only preview (19d), when the member and counter still resolve.
                if let request = try? await req.store.photoPurchaseRequest(p), let found = try await req.store.channelDuplicateCheck(request) {
                    rules[p.id] = found
                }
            }
        }
        let body = PhotosReviewPage.body(rows: rows, state: state, hints: hints, rules: rules, programme: programme,
                                         now: req.store.env.now(), notice: notice, error: error, ctx: ctx)
        return Layout.render(ctx, title: ctx.t("小票照片审核", "Receipt photos"), status: status, body)
    }

    @Sendable static func review(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        let f = try req.content.decode(ReviewForm.self)
        do {
            let decision: ReceiptPhotoDecision
            switch Forms.trimmed(f.decision) {
            case "approve": decision = .approve
            case "reject": decision = .reject(reason: f.reason ?? "")
            case "clearer": decision = .needsClearer(reason: f.reason ?? "")
            default:
                throw DomainError.invalid("decision", "photo.decision", zh: "请选择：通过、拒绝或要求重拍", en: "decision must be approve, reject or clearer")
            }
            let done = try await req.store.reviewReceiptPhoto(id: id, decision, actor: req.actor, malls: try await MallAccess.scope(req))
            let notice: String
            switch (done.photo.state, done.posting?.result) {
            case (.approved, _):
                let points = done.posting?.outcome?.pointsEarned ?? done.photo.pointsEarned
                notice = ctx.t("#\(id) 已通过，积分 +\(points)", "#\(id) approved, +\(points) points")
                    + (done.posting?.flaggedForReview == true ? ctx.t("（与其他渠道消费相近，已标记复核）", " (close to another channel's purchase: flagged for review)") : "")
            case (.rejected, .some(.duplicate)):
                notice = ctx.t("#\(id) 是重复小票（已有消费 \(done.posting?.duplicateOf.map(String.init) ?? "")），已拒绝",
                               "#\(id) is a duplicate (purchase \(done.posting?.duplicateOf.map(String.init) ?? "") already recorded): rejected")
            case (.rejected, _): notice = ctx.t("#\(id) 已拒绝", "#\(id) rejected")
            default: notice = ctx.t("#\(id) 已请会员重新上传", "#\(id): the member is asked for a clearer photo")
            }
            return req.redirect(to: try await Forms.withNotice(req, SiteRoute.photos.path(), notice))
        } catch let e as DomainError where e.rule == "photo.exists" {
            // Another mall's photo is 404, as an unknown id (as for its image).
            throw Abort(.notFound, reason: req.lang.t("照片不存在", "No such photo"))
        } catch let e as DomainError {
            return try await listPage(req, notice: nil, error: "#\(id): " + Forms.message(e, ctx), status: Forms.status(e))
        }
    }

    /// One photo, for the desk of its mall only (another mall's is 404, as an unknown id); each view is audited.
    @Sendable static func image(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int64.self), let photo = try await req.store.receiptPhoto(id: id),
              try await MallAccess.scope(req).contains(mall: photo.mallId),
              let data = req.receiptPhotoFiles.read(photo.fileName) else {
            throw Abort(.notFound, reason: req.lang.t("照片不存在", "No such photo"))
        }
        try await req.store.audit(actor: req.actor, action: "photo.view", subject: "member:\(photo.memberId)", detail: "photo=\(id)")
        return ReceiptPhotoFiles.response(data, contentType: photo.contentType)
    }
}

enum PhotosReviewPage {
    static let states: [(ReceiptPhotoState, String, String)] = [
        (.submitted, "待审核", "Waiting"), (.approved, "已通过", "Approved"), (.rejected, "已拒绝", "Rejected"), (.needsClearer, "待重拍", "Clearer asked"),
    ]

    static func body(rows: [ReceiptPhoto], state: ReceiptPhotoState, hints: [Int64: ReceiptPhotoHints], rules: [Int64: ChannelPosting],
                     programme: Programme, now: Date, notice: String?, error: String?, ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(
            Layout.noticeBox(notice), Layout.errorBox(error),
            .p(.class("muted"), .text(ctx.t("会员在“拍照积分”上传的小票，最早到期的在前；须在上传后 \(programme.photos.reviewHours) 小时内审核。",
                                            "Receipts members sent from their phones, the earliest due first; each is due \(programme.photos.reviewHours) hours after upload."))),
            .p(.forEach(states) { s in
                .a(.class("button"), .href(SiteRoute.photos.path() + (s.0 == .submitted ? "" : "?state=\(s.0.rawValue)")),
                   .if(s.0 == state, .attribute(named: "aria-current", value: "page")), .text(ctx.t(s.1, s.2)))
            }),
            rows.isEmpty
                ? .p(.class("muted"), .text(ctx.t("没有照片", "No photos")))
                : .div(.class("photo-queue"), .forEach(rows) { card($0, hints: hints[$0.id], rule: rules[$0.id], programme: programme, now: now, ctx: ctx) }))
    }

    static func card(_ p: ReceiptPhoto, hints: ReceiptPhotoHints?, rule: ChannelPosting?, programme: Programme, now: Date,
                     ctx: PageContext) -> Node<HTML.BodyContext> {
        let overdue = p.state == .submitted && now > p.dueAt
        let action = SiteRoute.photoReview.path(p.id)
        return .section(.class("card photo-review" + (overdue ? " overdue" : "")), .id("photo-\(p.id)"),
            .h2(.text("#\(p.id) · \(p.receiptNo)")),
            .p(.a(.href(SiteRoute.photoImage.path(p.id)), .attribute(named: "target", value: "_blank"),
                  .img(.src(SiteRoute.photoImage.path(p.id)), .alt(ctx.t("小票照片 #\(p.id)", "Receipt photo #\(p.id)")),
                       .attribute(named: "style", value: "max-width: 320px; max-height: 420px")))),
            .table(
                .tr(.th(.text(ctx.t("会员", "Member"))),
                    .td(.a(.href(SiteURL.member(p.memberId).path), .text([p.cardNo, p.memberName].compactMap { $0 }.joined(separator: " · "))))),
                .tr(.th(.text(ctx.t("专柜", "Counter"))), .td(.text("\(p.counterName)（\(p.counterCode)）"))),
                .tr(.th(.text(ctx.t("金额（元）", "Amount (yuan)"))), .td(.class("photo-amount"), .text(Money.yuan(p.amountFen)))),
                .tr(.th(.text(ctx.t("消费时间", "Purchased"))), .td(.text(Layout.dateTime(p.occurredAt, programme)))),
                .tr(.th(.text(ctx.t("上传时间", "Sent"))), .td(.text(Layout.dateTime(p.createdAt, programme)))),
                .tr(.th(.text(ctx.t("审核时限", "Due"))),
                    .td(.class(overdue ? "late sla" : "sla"),
                        .text(Layout.dateTime(p.dueAt, programme) + " · "
                              + (p.state != .submitted ? ctx.t("已审核", "reviewed") : overdue ? ctx.t("已超时", "overdue") : ctx.t("未到期", "in time"))))),
                .if(p.replacesId != nil, .tr(.th(.text(ctx.t("重拍", "Re-sent"))), .td(.text(ctx.t("重新上传自 #", "again for #") + "\(p.replacesId ?? 0)")))),
                .if(p.state != .submitted, .tr(.th(.text(ctx.t("审核", "Review"))),
                    .td(.text([p.reviewer, p.reviewedAt.map { Layout.dateTime($0, programme) }, p.reason,
                               p.purchaseId.map { ctx.t("消费 #\($0)，积分 +\(p.pointsEarned)", "purchase #\($0), +\(p.pointsEarned) points") }]
                        .compactMap { $0 }.joined(separator: " · ")))))),
            .unwrap(hints) { hintList($0, rule: rule, ctx: ctx) },
            // Approved but never posted (the posting was cut off): approving again posts it, once.
            .if(p.state == .approved && p.purchaseId == nil, .div(.class("photo-actions"),
                .form(.method(.post), .action(action), .class("inline"), Layout.csrfField(ctx),
                      .input(.type(.hidden), .name("decision"), .value("approve")),
                      .button(.type(.submit), .class("approve"), .text(ctx.t("未入账：重新通过并积分", "Not posted: approve again")))))),
            .if(p.state == .submitted, .div(.class("photo-actions"),
                .form(.method(.post), .action(action), .class("inline"), Layout.csrfField(ctx),
                      .input(.type(.hidden), .name("decision"), .value("approve")),
                      .button(.type(.submit), .class("approve"), .text(ctx.t("通过并积分", "Approve and add points")))),
                .form(.method(.post), .action(action), Layout.csrfField(ctx),
                      .input(.type(.hidden), .name("decision"), .value("reject")),
                      .label(.text(ctx.t("拒绝原因（会员可见）", "Reason to reject (the member sees it)")),
                             .input(.type(.text), .name("reason"), .attribute(named: "maxlength", value: "\(Store.receiptPhotoReasonMax)"),
                                    .attribute(named: "required", value: "required"))),
                      .button(.type(.submit), .class("reject"), .text(ctx.t("拒绝", "Reject")))),
                .form(.method(.post), .action(action), Layout.csrfField(ctx),
                      .input(.type(.hidden), .name("decision"), .value("clearer")),
                      .label(.text(ctx.t("请会员重拍的说明", "What the member should re-take")),
                             .input(.type(.text), .name("reason"), .attribute(named: "maxlength", value: "\(Store.receiptPhotoReasonMax)"),
                                    .value(ctx.t("照片不清晰，请重新拍摄整张小票", "The photo is not clear; please photograph the whole receipt again")),
                                    .attribute(named: "required", value: "required"))),
                      .button(.type(.submit), .class("clearer"), .text(ctx.t("要求重拍", "Ask for a clearer photo")))))))
    }

    static func hintList(_ h: ReceiptPhotoHints, rule: ChannelPosting?, ctx: PageContext) -> Node<HTML.BodyContext> {
        var lines: [String] = []
        if let r = h.receiptRecorded {
            lines.append(ctx.t("该商场已有此小票号的消费 #\(r)：通过将按重复处理", "This mall already recorded this receipt number (purchase #\(r)): approving finds a duplicate"))
        }
        if !h.sameContent.isEmpty {
            lines.append(ctx.t("相同照片已上传过：", "The same photo was sent before: ") + h.sameContent.map { "#\($0)" }.joined(separator: ", "))
        }
        if !h.sameReceiptPhotos.isEmpty {
            lines.append(ctx.t("其他照片填写了相同小票号：", "Other photos name this receipt number: ") + h.sameReceiptPhotos.map { "#\($0)" }.joined(separator: ", "))
        }
        if !h.closeMatches.isEmpty {
            lines.append(ctx.t("同专柜、同金额、时间相近的消费：", "Purchases at this counter for this amount close in time: ")
                         + h.closeMatches.map { "#\($0)" }.joined(separator: ", "))
        }
        if let rule, rule.result == .replay {
            lines.append(ctx.t("此照片已入账（消费 #\(rule.duplicateOf ?? 0)）", "This photo has already been posted (purchase #\(rule.duplicateOf ?? 0))"))
        } else if let rule, rule.rule == "claim" {
            lines.append(ctx.t("该小票已作为非会员消费记录：通过后归入此会员", "This receipt was recorded without a member: approving gives it to this member"))
        }
        guard !lines.isEmpty else { return .p(.class("muted hints-none"), .text(ctx.t("未发现重复迹象", "No sign of a duplicate"))) }
        return .div(.class("hints warning"), .attribute(named: "role", value: "note"),
                    .strong(.text(ctx.t("可能重复", "Possible duplicate"))),
                    .ul(.forEach(lines) { .li(.text($0)) }))
    }
}
