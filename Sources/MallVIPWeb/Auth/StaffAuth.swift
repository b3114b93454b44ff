import Crypto
import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Console sessions: a random token in an HttpOnly cookie, stored only as its SHA-256; a CSRF token per session
/// that every form posts back.
enum StaffAuth {
    static let cookieName = "mallvip_session"

    static func newToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }

    static func session(_ req: Request) async throws -> StaffSession? {
        if let cached = req.storage[SessionKey.self] { return cached }
        guard let token = req.cookies[cookieName]?.string else { return nil }
        let s = try await req.store.session(tokenHash: sha256Hex(token))
        req.storage[SessionKey.self] = s
        return s
    }

    static func cookie(_ token: String, config: AppConfig, maxAge: Int?) -> HTTPCookies.Value {
        CookieBuilder.make(token, config: config, maxAge: maxAge)
    }
}

struct SessionKey: StorageKey { typealias Value = StaffSession }

extension Request {
    /// The signed-in staff member; only valid behind `StaffAuthMiddleware`.
    var staff: StaffSession { storage[SessionKey.self]! }
    var lang: UILanguage {
        if let s = storage[SessionKey.self] { return s.language }
        return cookies["mallvip_lang"]?.string == "en" ? .en : .zh
    }
    var actor: String { "staff:" + staff.user.username }
}

/// Admits signed-in staff whose role is in `roles` (every console route names its roles), and checks the Origin
/// and the CSRF token on every POST. A user who must change their password reaches only the change-password page
/// and sign-out until they have.
struct StaffAuthMiddleware: AsyncMiddleware {
    let roles: Set<StaffRole>
    /// The body collected to read the CSRF token; routes taking uploads pass their own (larger) limit.
    var maxBody: Int? = nil

    init(_ roles: StaffRole...) { self.roles = Set(roles) }
    init(roles: Set<StaffRole>, maxBody: Int? = nil) {
        self.roles = roles
        self.maxBody = maxBody
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let session = try await StaffAuth.session(request) else {
            let target = request.url.path + (request.url.query.map { "?\($0)" } ?? "")
            return request.redirect(to: SiteURL.login(next: target).path)
        }
        if session.user.mustChangePassword, !PasswordController.openWhileChangeIsDue.contains(request.url.path) {
            if request.method == .GET || request.method == .HEAD { return request.redirect(to: SiteURL.password.path) }
            throw Abort(.forbidden, reason: session.language.t("请先修改密码", "Please change your password first"))
        }
        guard roles.contains(session.user.role) else {
            throw Abort(.forbidden, reason: session.language.t("您的角色无权访问此页面", "Your role may not open this page"))
        }
        if request.method != .GET, request.method != .HEAD {
            try SameOrigin.check(request)
        }
        if request.method == .POST {
            // A form larger than the first network read arrives as a stream, which the route collects only after
            // the middleware has run: collect it here (same limit as the route) so the token can be read.
            if request.body.data == nil {
                _ = try await request.body.collect(max: maxBody ?? request.application.routes.defaultMaxBodySize.value).get()
            }
            let sent: String? = try? request.content.get(String.self, at: "_csrf")
            guard let sent, constantTimeEqual(sent, session.csrfToken) else {
                throw Abort(.forbidden, reason: session.language.t("表单已过期，请刷新后重试（CSRF）", "The form expired; reload and try again (CSRF)"))
            }
        }
        return try await next.respond(to: request)
    }
}

func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}

extension StaffRole {
    static let everyone: Set<StaffRole> = Set(StaffRole.allCases)
    /// Who works with members day to day.
    static let memberDesk: Set<StaffRole> = [.admin, .manager, .desk, .accountManager, .planner]
    static let managers: Set<StaffRole> = [.admin, .manager]
    /// Who looks after counters, departments and the programme.
    static let organisation: Set<StaffRole> = [.admin, .manager, .planner]
    static let admins: Set<StaffRole> = [.admin]
}
