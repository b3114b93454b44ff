import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Staff users and API keys (admins), and the programme (admins, managers and planners read it; admins and
/// managers apply a new version).
enum AdminController {
    static func register(_ routes: any RoutesBuilder) throws {
        let admin = routes.grouped(StaffAuthMiddleware(roles: StaffRole.admins))
        admin.get(.staff, use: staff)
        admin.post(.staff, use: createStaff)
        admin.post(.staffToggle, use: toggleStaff)
        admin.get(.apiKeys, use: apiKeys)
        admin.post(.apiKeys, use: createAPIKey)
        admin.post(.apiKeyRevoke, use: revokeAPIKey)

        let readers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.organisation))
        readers.get(.programme, use: programme)
        let appliers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers, maxBody: maxProgrammeForm))
        appliers.on(.POST, .programme, body: .collect(maxSize: ByteCount(value: maxProgrammeForm)), use: applyProgramme)
    }

    /// The programme editor's form: the whole YAML document, URL-encoded (a Chinese character takes 9 bytes). The
    /// default programme alone is about 17 KB of YAML and grows with every section; 1 MB leaves room for a mall's
    /// comments, and the YAML loader bounds what it parses.
    static let maxProgrammeForm = 1 << 20

    static func id(_ req: Request) throws -> Int64 {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        return id
    }

    // MARK: Staff

    @Sendable static func staff(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await StaffPage.Query.model(req.store, selfId: req.staff.user.id, notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("员工账号", "Staff users"), StaffPage.View.body(model, ctx))
    }

    struct StaffFormData: Content { var username: String?; var displayName: String?; var role: String?; var password: String? }

    @Sendable static func createStaff(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let f = try req.content.decode(StaffFormData.self)
        let values = StaffPage.Values(username: Forms.trimmed(f.username), displayName: Forms.trimmed(f.displayName), role: f.role ?? "")
        do {
            guard let role = StaffRole(rawValue: values.role) else {
                throw DomainError.invalid("role", "role.known", zh: "请选择角色", en: "choose a role")
            }
            // The admin chose this password: the new user replaces it at first sign-in (issue 14).
            let password = f.password ?? ""
            try PasswordPolicy.check(password, username: values.username)
            let hash = try await req.password.async.hash(password)
            _ = try await req.store.createStaff(username: values.username, displayName: values.displayName, role: role,
                                                passwordHash: hash, actor: req.actor, mustChangePassword: true)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.staff.path, ctx.t("已新建账号 \(values.username)", "User \(values.username) created")))
        } catch let e as DomainError {
            var model = try await StaffPage.Query.model(req.store, selfId: req.staff.user.id, notice: nil)
            model.values = values
            model.error = Forms.message(e, ctx)
            return Layout.render(ctx, title: ctx.t("员工账号", "Staff users"), status: Forms.status(e), StaffPage.View.body(model, ctx))
        }
    }

    @Sendable static func toggleStaff(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let id = try id(req)
        guard id != req.staff.user.id else {
            throw DomainError(.forbidden, field: nil, rule: "staff.self", zh: "不能停用自己的账号", en: "you cannot disable your own account")
        }
        guard let user = try await req.store.staffList().first(where: { $0.id == id }) else { throw Abort(.notFound) }
        try await req.store.setStaffActive(id: id, active: !user.active, actor: req.actor)
        let notice = user.active ? ctx.t("已停用 \(user.username)", "\(user.username) disabled")
                                 : ctx.t("已启用 \(user.username)", "\(user.username) enabled")
        return req.redirect(to: try await Forms.withNotice(req, SiteURL.staff.path, notice))
    }

    // MARK: API keys

    @Sendable static func apiKeys(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await APIKeysPage.Query.model(req.store, notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("API 密钥", "API keys"), APIKeysPage.View.body(model, ctx))
    }

    struct APIKeyFormData: Content { var name: String?; var partner: String? }

    /// Answers with the page itself (not a redirect) so that the new key is shown this once and never again.
    @Sendable static func createAPIKey(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let form = try req.content.decode(APIKeyFormData.self)
        let name = Forms.trimmed(form.name), partner = Forms.trimmed(form.partner)
        do {
            let key = try await req.store.createAPIKey(name: name, partnerCode: partner.isEmpty ? nil : partner, actor: req.actor)
            var model = try await APIKeysPage.Query.model(req.store, notice: nil)
            model.newKey = (name, key)
            return Layout.render(ctx, title: ctx.t("API 密钥", "API keys"), status: .created, APIKeysPage.View.body(model, ctx))
        } catch let e as DomainError {
            var model = try await APIKeysPage.Query.model(req.store, notice: nil)
            model.name = name
            model.partner = partner
            model.error = Forms.message(e, ctx)
            return Layout.render(ctx, title: ctx.t("API 密钥", "API keys"), status: Forms.status(e), APIKeysPage.View.body(model, ctx))
        }
    }

    @Sendable static func revokeAPIKey(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let id = try id(req)
        guard let key = try await req.store.apiKeys().first(where: { $0.id == id }) else { throw Abort(.notFound) }
        try await req.store.revokeAPIKey(id: id, actor: req.actor)
        APIKeyMiddleware.cache.forgetAll()
        return req.redirect(to: try await Forms.withNotice(req, SiteURL.apiKeys.path, ctx.t("已吊销 \(key.name)", "\(key.name) revoked")))
    }

    // MARK: Programme

    static func canApply(_ req: Request) -> Bool { StaffRole.managers.contains(req.staff.user.role) }

    @Sendable static func programme(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await ProgrammePage.Query.model(req.store, version: req.query["version"], canApply: canApply(req),
                                                        notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("会员章程", "Programme"), ProgrammePage.View.body(model, ctx))
    }

    struct ProgrammeFormData: Content { var yaml: String?; var note: String? }

    @Sendable static func applyProgramme(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let f = try req.content.decode(ProgrammeFormData.self)
        let yaml = (f.yaml ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        let note = Forms.trimmed(f.note)
        do {
            let version = try await req.store.applyProgramme(yaml: yaml, by: req.actor, note: note)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.programme.path, ctx.t("已启用章程 v\(version)", "Programme v\(version) is active")))
        } catch let e as ProgrammeInvalid {
            var model = try await ProgrammePage.Query.model(req.store, version: nil, canApply: true, notice: nil)
            model.draft = yaml
            model.note = note
            model.issues = e.issues
            return Layout.render(ctx, title: ctx.t("会员章程", "Programme"), status: .unprocessableEntity, ProgrammePage.View.body(model, ctx))
        }
    }
}
