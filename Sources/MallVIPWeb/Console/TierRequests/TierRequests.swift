import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// Tier approvals (紫金 vetting): requests filed when spend reaches a tier that needs a manager.
enum TierRequestsController {
    @Sendable static func list(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let requests = try await req.store.tierRequests()
        let (_, programme) = try await req.store.programme()
        return Layout.render(ctx, title: ctx.t("升级审批", "Tier approvals"), .div(
            .if(requests.isEmpty, .p(.class("muted"), .text(ctx.t("没有待审批的申请", "Nothing waits for approval")))),
            .if(!requests.isEmpty, .table(
                .tr(.th(.text(ctx.t("会员", "Member"))), .th(.text(ctx.t("申请等级", "Tier"))), .th(.text(ctx.t("依据", "Why"))),
                    .th(.text(ctx.t("时间", "When"))), .th(.text(ctx.t("审批", "Decision")))),
                .forEach(requests) { r in
                    .tr(.td(.a(.href(SiteURL.member(r.memberId).path), .text("\(r.memberName) \(r.cardNo ?? "")"))),
                        .td(.text(ctx.tier(r.tier, programme))),
                        .td(.text(r.reason.map { ctx.t("\($0.months)个月消费 \(Money.yuan($0.spendFen)) 元", "\($0.months)-month spend \(Money.yuan($0.spendFen))") } ?? "")),
                        .td(.text(Layout.dateTime(r.createdAt, programme))),
                        .td(.form(.method(.post), .action(SiteURL.tierRequestDecide(r.id).path),
                                  Layout.csrfField(ctx),
                                  .input(.type(.text), .name("note"), .placeholder(ctx.t("审批意见", "Note"))),
                                  .button(.type(.submit), .name("decision"), .value("approve"), .text(ctx.t("批准", "Approve"))),
                                  .text(" "),
                                  .button(.class("secondary"), .type(.submit), .name("decision"), .value("reject"), .text(ctx.t("驳回", "Reject"))))))
                }))
        ))
    }

    struct DecideForm: Content { var decision: String; var note: String? }

    @Sendable static func decide(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        let f = try req.content.decode(DecideForm.self)
        try await req.store.decideTierRequest(id: id, approve: f.decision == "approve", note: f.note ?? "", actor: req.actor)
        return req.redirect(to: SiteURL.tierRequests.path)
    }
}
