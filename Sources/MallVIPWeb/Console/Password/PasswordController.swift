import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// Staff passwords (issue 14): every user changes their own (current, new, repeat); an admin resets another user's
/// to a temporary password shown once, which its holder must replace at next sign-in. Both go through
/// `PasswordPolicy`, end the user's other sessions and are audited (`staff.password.change`, `staff.password.reset`).
enum PasswordController {
    /// Paths a user whose password change is due may still reach (StaffAuthMiddleware).
    static let openWhileChangeIsDue: Set<String> = [SiteURL.password.path, SiteURL.logout.path, SiteURL.language.path]

    static func register(_ routes: any RoutesBuilder) throws {
        let anyone = routes.grouped(StaffAuthMiddleware(roles: StaffRole.everyone))
        anyone.get(.password, use: form)
        anyone.post(.password, use: change)
        let admin = routes.grouped(StaffAuthMiddleware(roles: StaffRole.admins))
        admin.post(.staffResetPassword, use: reset)
    }

    @Sendable static func form(req: Request) async throws -> Response {
        PasswordPage.change(PageContext(req), due: req.staff.user.mustChangePassword, notice: nil, error: nil)
    }

    struct ChangeForm: Content { var current: String?; var password: String?; var repeat_: String?
        enum CodingKeys: String, CodingKey { case current, password, repeat_ = "repeat" }
    }

    @Sendable static func change(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let user = req.staff.user
        let f = try req.content.decode(ChangeForm.self)
        let current = String((f.current ?? "").prefix(1024)), password = f.password ?? ""
        do {
            guard try await req.password.async.verify(current, created: user.passwordHash) else {
                throw DomainError.invalid("current", "password.current", zh: "当前密码不正确", en: "the current password is wrong")
            }
            guard password == (f.repeat_ ?? "") else {
                throw DomainError.invalid("repeat", "password.repeat", zh: "两次输入的新密码不一致", en: "the new passwords differ")
            }
            guard password != current else {
                throw DomainError.invalid("password", "password.new", zh: "新密码不能与当前密码相同", en: "the new password must differ from the current one")
            }
            try PasswordPolicy.check(password, username: user.username)
        } catch let e as DomainError {
            return PasswordPage.change(ctx, due: user.mustChangePassword, notice: nil, error: Forms.message(e, ctx), status: Forms.status(e))
        }
        let hash = try await staffPasswordHash(password, on: req)
        let session = (req.cookies[StaffAuth.cookieName]?.string).map(sha256Hex)
        try await req.store.setStaffPassword(userId: user.id, passwordHash: hash, mustChange: false, keepingSession: session,
                                             actor: req.actor, action: "staff.password.change")
        return PasswordPage.change(PageContext(lang: ctx.lang, user: { var u = user; u.mustChangePassword = false; return u }(), csrf: ctx.csrf),
                                   due: false, notice: ctx.t("密码已修改；您在其他设备上的登录已退出", "Password changed; your other sessions have been signed out"),
                                   error: nil)
    }

    @Sendable static func reset(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        guard let id = req.parameters.get("id").flatMap(Int64.init), let user = try await req.store.staff(id: id) else {
            throw Abort(.notFound)
        }
        guard id != req.staff.user.id else {
            throw DomainError(.forbidden, field: nil, rule: "staff.self", zh: "请在「修改密码」中修改自己的密码",
                              en: "change your own password under Change password")
        }
        let temporary = PasswordPolicy.temporary()
        let hash = try await staffPasswordHash(temporary, on: req)
        try await req.store.setStaffPassword(userId: id, passwordHash: hash, mustChange: true, actor: req.actor, action: "staff.password.reset")
        return PasswordPage.temporary(ctx, user: user, password: temporary)
    }
}

/// A staff password hash at the product's bcrypt cost, made off the event loop.
func staffPasswordHash(_ password: String, on req: Request) async throws -> String {
    try await req.application.threadPool.runIfActive { try Bcrypt.hash(password, cost: LoginController.bcryptCost) }
}

enum PasswordPage {
    static func change(_ ctx: PageContext, due: Bool, notice: String?, error: String?, status: HTTPResponseStatus = .ok) -> Response {
        Layout.render(ctx, title: ctx.t("修改密码", "Change password"), status: status, .div(
            .if(due, .p(.class("notice"), .text(ctx.t("请先设置您自己的新密码，然后才能使用控制台。",
                                                      "Set a new password of your own before using the console.")))),
            Layout.noticeBox(notice),
            Layout.errorBox(error),
            .form(.class("card"), .method(.post), .action(SiteURL.password.path),
                  Layout.csrfField(ctx),
                  Layout.field(ctx.t("当前密码", "Current password"), name: "current", type: .password, required: true),
                  Layout.field(ctx.t("新密码（至少 \(PasswordPolicy.minimumLength) 位，不能是常见密码或用户名）",
                                     "New password (at least \(PasswordPolicy.minimumLength) characters, not a common password or the username)"),
                               name: "password", type: .password, required: true),
                  Layout.field(ctx.t("再次输入新密码", "Repeat the new password"), name: "repeat", type: .password, required: true),
                  .button(.type(.submit), .text(ctx.t("修改密码", "Change password"))))
        ))
    }

    /// The temporary password, once: it is not stored anywhere but as its hash.
    static func temporary(_ ctx: PageContext, user: StaffUser, password: String) -> Response {
        Layout.render(ctx, title: ctx.t("已重置密码", "Password reset"), .div(
            .p(.text(ctx.t("\(user.username) 的临时密码（只显示这一次；对方登录后须立即修改，其所有登录已退出）：",
                           "Temporary password for \(user.username) (shown only now; they must change it at sign-in; all their sessions were ended):"))),
            .p(.class("secret"), .code(.id("temporary-password"), .text(password))),
            .p(.a(.href(SiteURL.staff.path), .text(ctx.t("返回员工账号", "Back to staff users"))))
        ))
    }
}
