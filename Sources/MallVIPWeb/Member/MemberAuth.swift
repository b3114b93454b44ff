import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Member sessions: a random token in their own HttpOnly cookie (never the staff cookie), stored only as its
/// SHA-256, with a CSRF token that every member form posts back.
enum MemberAuth {
    static let cookieName = "mallvip_member"

    static func session(_ req: Request) async throws -> MemberSession? {
        if let cached = req.storage[MemberSessionKey.self] { return cached }
        guard let token = req.cookies[cookieName]?.string, !token.isEmpty else { return nil }
        let s = try await req.store.memberSession(tokenHash: sha256Hex(token))
        req.storage[MemberSessionKey.self] = s
        return s
    }

    static func cookie(_ token: String, config: AppConfig, maxAge: Int?) -> HTTPCookies.Value {
        CookieBuilder.make(token, config: config, maxAge: maxAge, path: "/m")
    }
}

struct MemberSessionKey: StorageKey { typealias Value = MemberSession }

extension Request {
    /// The signed-in member. Every /m/ query is scoped by this, never by an id taken from the URL.
    var memberId: Int64 {
        get throws {
            guard let s = storage[MemberSessionKey.self] else {
                throw Abort(.unauthorized, reason: lang.t("请先登录", "Please sign in"))
            }
            return s.memberId
        }
    }
}

/// Admits signed-in members (redirecting others to the member sign-in) and checks the CSRF token on every POST.
struct MemberAuthMiddleware: AsyncMiddleware {
    /// The body limit of the routes behind it when larger than the default (the receipt photo upload, issue 19).
    var maxBody: Int? = nil

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let session = try await MemberAuth.session(request) else {
            if request.method == .GET || request.method == .HEAD {
                return request.redirect(to: MemberURL.login.path)
            }
            throw Abort(.unauthorized, reason: request.lang.t("登录已过期，请重新登录", "Your session has ended; please sign in again"))
        }
        if request.method == .POST {
            // Bodies larger than the first read arrive as a stream; collect before reading the token.
            if request.body.data == nil {
                _ = try await request.body.collect(max: maxBody ?? request.application.routes.defaultMaxBodySize.value).get()
            }
            let sent: String? = try? request.content.get(String.self, at: "_csrf")
            guard let sent, constantTimeEqual(sent, session.csrfToken) else {
                throw Abort(.forbidden, reason: request.lang.t("表单已过期，请刷新后重试（CSRF）", "The form expired; reload and try again (CSRF)"))
            }
        }
        return try await next.respond(to: request)
    }
}
