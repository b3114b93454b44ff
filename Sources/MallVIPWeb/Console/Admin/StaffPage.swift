import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// Console users: who they are, their role and status; create, enable and disable (admins only).
enum StaffPage {
    struct Values: Sendable {
        var username = ""
        var displayName = ""
        var role = StaffRole.desk.rawValue
    }

    struct Model: Sendable {
        var users: [StaffUser]
        var programme: Programme
        var now: Date
        /// The signed-in admin, who may not disable themself.
        var selfId: Int64?
        var values = Values()
        /// Counters to pick for counter staff, and who works where (regular-customer conversion).
        var counters: [Counter] = []
        var staffCounters: [Int64: Int64] = [:]
        var notice: String?
        var error: String?
    }

    static let minimumPasswordLength = PasswordPolicy.minimumLength

    enum Query {
        static func model(_ store: Store, selfId: Int64?, notice: String?) async throws -> Model {
            let (_, programme) = try await store.programme()
            var model = Model(users: try await store.staffList(), programme: programme, now: store.env.now(), selfId: selfId, notice: notice)
            (model.counters, model.staffCounters) = (try await store.counterList().filter(\.active), try await store.staffCounters())
            return model
        }
    }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                .table(
                    .tr(.th(.text(ctx.t("用户名", "Username"))), .th(.text(ctx.t("姓名", "Name"))), .th(.text(ctx.t("角色", "Role"))),
                        .th(.text(ctx.t("状态", "Status"))), .th(.text(ctx.t("店柜", "Counter"))), .th()),
                    .forEach(m.users) { u in
                        .tr(.td(.text(u.username)), .td(.text(u.displayName)), .td(.text(u.role.label.text(ctx.lang))),
                            .td(.text(status(u, m, ctx))),
                            .td(StaffCounterCell.cell(u, counters: m.counters, current: m.staffCounters[u.id], ctx)),
                            .td(.if(u.id != m.selfId,
                                    .group(
                                        .form(.method(.post), .action(SiteURL.staffToggle(u.id).path), .class("inline"),
                                              Layout.csrfField(ctx),
                                              .button(.class(u.active ? "secondary" : ""), .type(.submit),
                                                      .text(u.active ? ctx.t("停用", "Disable") : ctx.t("启用", "Enable")))),
                                        // Issue 14: a temporary password, shown once; the user must change it.
                                        .form(.method(.post), .action(SiteURL.staffResetPassword(u.id).path), .class("inline"),
                                              Layout.csrfField(ctx),
                                              .button(.class("secondary"), .type(.submit), .text(ctx.t("重置密码", "Reset password"))))))))
                    }),
                // Issue 17: desk, counter staff and account managers need a mall (MallsAdmin.swift).
                .p(.a(.href(SiteRoute.regions.path() + "#staff-malls"),
                      .text(ctx.t("分配员工所属商场 →", "Assign staff to malls →")))),
                .h2(.text(ctx.t("新建员工账号", "New staff user"))),
                Layout.errorBox(m.error),
                .form(.class("card"), .method(.post), .action(SiteURL.staff.path),
                      Layout.csrfField(ctx),
                      Layout.field(ctx.t("用户名（字母、数字、. _ -）", "Username (letters, digits, . _ -)"), name: "username",
                                   value: m.values.username, required: true),
                      Layout.field(ctx.t("姓名", "Display name"), name: "displayName", value: m.values.displayName),
                      Layout.select(ctx.t("角色", "Role"), name: "role",
                                    options: StaffRole.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) }, selected: m.values.role),
                      Layout.field(ctx.t("初始密码（至少 \(minimumPasswordLength) 位；首次登录须修改）",
                                         "Initial password (at least \(minimumPasswordLength) characters; changed at first sign-in)"),
                                   name: "password", type: .password, required: true),
                      .button(.type(.submit), .text(ctx.t("新建账号", "Create user"))))
            )
        }

        static func status(_ u: StaffUser, _ m: Model, _ ctx: PageContext) -> String {
            if !u.active { return ctx.t("已停用", "disabled") }
            if let until = u.lockedUntil, until > m.now {
                let when = Layout.dateTime(until, m.programme)
                return ctx.t("已锁定至 \(when)", "locked until \(when)")
            }
            if u.mustChangePassword { return ctx.t("待改密码", "must change password") }
            return ctx.t("正常", "active")
        }
    }
}
