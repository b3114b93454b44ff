import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// /m/complaints (issue 17): a member files a complaint (category, text, optionally one of their own receipts) and
/// sees their complaints with their state. Each lands in the desk's complaints (/console/complaints) on the `member`
/// channel, so the desk works it with that channel's SLA clock (`feedback.sla`). Scoped by `req.memberId` only.
struct MemberComplaintsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.memberSiteComplaints, use: list)
        routes.post(.memberSiteComplaints, use: file)
    }

    /// The categories a member chooses from; the desk sees the Chinese name (the console's own categories are free text).
    static let categories: [(zh: String, en: String)] = [
        ("服务", "Service"), ("商品质量", "Product quality"), ("价格与收银", "Prices and checkout"), ("积分与会员卡", "Points and card"),
        ("停车", "Parking"), ("环境与设施", "Premises"), ("活动", "Events"), ("其他", "Other"),
    ]

    struct Form: Content { var category: String?; var description: String?; var receipt: String? }

    @Sendable func list(req: Request) async throws -> Response {
        try await page(req, form: Form(), notice: try await Notices.take(req), error: nil)
    }

    @Sendable func file(req: Request) async throws -> Response {
        let f = try req.content.decode(Form.self)
        let ctx = PageContext(req)
        do {
            let category = Forms.trimmed(f.category)
            guard category.isEmpty || Self.categories.contains(where: { $0.zh == category }) else {
                throw DomainError.invalid("category", "complaint.category.known", zh: "请从列表中选择类别", en: "choose a category from the list")
            }
            let c = try await req.store.openMemberComplaint(memberId: try req.memberId, category: category, text: f.description ?? "",
                                                            receiptNo: f.receipt)
            let notice = ctx.t("已收到您的投诉（编号 \(c.id)），服务台会尽快与您联系", "We have your complaint (no. \(c.id)); the service desk will be in touch")
            return req.redirect(to: try await Forms.withNotice(req, MemberURL.complaints.path, notice), redirectType: .normal)
        } catch let e as DomainError {
            return try await page(req, form: f, notice: nil, error: Forms.message(e, ctx), status: Forms.status(e))
        }
    }

    func page(_ req: Request, form: Form, notice: String?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        let rows = try await req.store.memberComplaints(memberId: try req.memberId)
        let sla = programme.feedback.target(.member)
        let body: Node<HTML.BodyContext> = .div(
            .unwrap(notice) { .p(.class("notice"), .text($0)) },
            .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .form(.class("card"), .method(.post), .action(MemberURL.complaints.path),
                  MemberLayout.csrfField(ctx),
                  .h2(.text(ctx.t("提交投诉或意见", "File a complaint"))),
                  .p(.class("muted"), .text(ctx.t("服务台将在 \(sla.firstResponseMinutes / 60) 小时内响应，\(sla.resolutionHours) 小时内处理完毕。",
                                                  "The service desk responds within \(sla.firstResponseMinutes / 60) hours and resolves within \(sla.resolutionHours) hours."))),
                  .label(.text(ctx.t("类别", "Category")),
                         .select(.attribute(named: "name", value: "category"), .attribute(named: "required", value: "required"),
                                 .option(.value(""), .label(ctx.t("请选择", "Choose"))),
                                 .forEach(Self.categories) { c in
                                     .option(.value(c.zh), .label(ctx.t(c.zh, c.en)), .isSelected(form.category == c.zh))
                                 })),
                  .label(.text(ctx.t("内容", "What happened")),
                         .textarea(.name("description"), .attribute(named: "required", value: "required"),
                                   .attribute(named: "maxlength", value: "\(Store.memberComplaintMaxLength)"), .text(form.description ?? ""))),
                  .label(.text(ctx.t("小票号（选填，须为您本人的消费）", "Receipt number (optional, one of yours)")),
                         .input(.type(.text), .name("receipt"), .value(form.receipt ?? ""))),
                  .button(.type(.submit), .text(ctx.t("提交", "Submit")))),
            .h2(.text(ctx.t("我的投诉", "My complaints"))),
            rows.isEmpty
                ? .p(.class("muted"), .text(ctx.t("暂无投诉记录", "No complaints yet")))
                : .ul(.class("complaints"), .forEach(rows) { c in
                    .li(.id("complaint-\(c.id)"),
                        .b(.text("#\(c.id) \(c.category)")), .text(" · "),
                        .span(.class("complaint-state"), .text(Self.state(c.status, ctx))), .text(" · "),
                        .span(.class("muted"), .text(Layout.dateTime(Date(timeIntervalSince1970: Double(c.createdAtMs) / 1000), programme))),
                        .p(.text(c.description)),
                        .unwrap(c.outcome) { .p(.class("outcome"), .text(ctx.t("处理结果：", "Outcome: ") + $0)) })
                }))
        return MemberLayout.render(ctx, title: ctx.t("投诉与意见", "Complaints"), body, status: status)
    }

    static func state(_ s: ComplaintStatus, _ ctx: PageContext) -> String {
        switch s {
        case .open: ctx.t("已受理，待处理", "received")
        case .responded: ctx.t("处理中", "in progress")
        case .resolved: ctx.t("已结案", "resolved")
        }
    }
}
