import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Mini-program sessions (issue 22, /api/m/v1): the same `member_sessions` rows as the /m/ cookie, but the token
/// travels as `Authorization: Bearer <token>` (a mini-program has no cookies). Only the token's SHA-256 is stored.
/// No CSRF token: a bearer header is never sent by a browser on its own, so a foreign page cannot ride on it.
struct MiniProgramAuth: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let token = Self.bearer(request),
              let session = try await request.store.memberSession(tokenHash: sha256Hex(token)) else {
            throw Self.required(request)
        }
        request.storage[MiniProgramSessionKey.self] = MiniProgramSession(memberId: session.memberId, tokenHash: sha256Hex(token),
                                                                         expiresAt: session.expiresAt)
        return try await next.respond(to: request)
    }

    /// The bearer token, when the header has one of a sane length.
    static func bearer(_ req: Request) -> String? {
        guard let token = req.headers.bearerAuthorization?.token, !token.isEmpty, token.count <= 200 else { return nil }
        return token
    }

    static func required(_ req: Request) -> any Error {
        MiniProgramError(status: .unauthorized, field: "Authorization", rule: "auth.required",
                         zh: "请先登录（Authorization: Bearer 会话令牌）", en: "Sign in first (Authorization: Bearer session token)")
    }
}

/// The signed-in member of a mini-program request.
struct MiniProgramSession: Sendable {
    var memberId: Int64
    var tokenHash: String
    var expiresAt: Date
}

struct MiniProgramSessionKey: StorageKey { typealias Value = MiniProgramSession }

extension Request {
    /// The signed-in member of a /api/m/v1 request. Every query is scoped by this, never by an id from the client.
    func miniProgramMemberId() throws -> Int64 {
        guard let s = storage[MiniProgramSessionKey.self] else { throw MiniProgramAuth.required(self) }
        return s.memberId
    }

    var miniProgramSession: MiniProgramSession? { storage[MiniProgramSessionKey.self] }
}

/// An API error with its own status, field and rule (AppErrorMiddleware renders the JSON error body).
struct MiniProgramError: AbortError, DebuggableError {
    var status: HTTPResponseStatus
    var field: String?
    var rule: String
    var zh: String
    var en: String
    var headers: HTTPHeaders = [:]
    var reason: String { en }
    var identifier: String { rule }
}
