import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// Staff as maintainers (managers): hire date, tenure eligibility, members looked after.
enum AccountManagersPage {
    struct Model: Sendable {
        var staff: [ManagerCandidate]
        var policy: AccountManagerPolicy
        var notice: String?
        var error: String?
    }

    enum Query {
        static func model(_ store: Store, notice: String?, error: String?) async throws -> Model {
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            return Model(staff: try await store.managerCandidates(on: today, policy: programme.accountManagers),
                         policy: programme.accountManagers, notice: notice, error: error)
        }
    }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                Layout.errorBox(m.error),
                .p(.class("muted"), .text(ctx.t(
                    "入职满 \(m.policy.tenureMonths) 个月的营业、企划员工可担任维护人；请登记入职日期",
                    "Sales and planning staff with \(m.policy.tenureMonths) months' tenure may look after members; record their hire dates"))),
                .p(.a(.href(SiteURL.managerRanking(month: nil).path), .text(ctx.t("月度排名", "Monthly ranking")))),
                .table(
                    .tr(.th(.text(ctx.t("员工", "Staff"))), .th(.text(ctx.t("角色", "Role"))), .th(.text(ctx.t("维护会员", "Members"))),
                        .th(.text(ctx.t("可担任", "Eligible"))), .th(.text(ctx.t("入职日期", "Hired on")))),
                    .forEach(m.staff) { s in
                        .tr(.td(s.members > 0 ? .a(.href(SiteURL.myVIPs(staff: s.id).path), .text(s.displayName)) : .text(s.displayName)),
                            .td(.text(s.role.label.text(ctx.lang))),
                            .td(.class("num"), .text("\(s.members)")),
                            .td(.text(s.refusal.map { Forms.message($0, ctx) } ?? ctx.t("是", "yes"))),
                            .td(.form(.method(.post), .action(SiteURL.staffHiredOn(s.id).path), .class("inline"),
                                      Layout.csrfField(ctx),
                                      .input(.type(.date), .name("hiredOn"), .value(s.hiredOn?.description ?? "")),
                                      .button(.class("secondary"), .type(.submit), .text(ctx.t("保存", "Save"))))))
                    })
            )
        }
    }
}
