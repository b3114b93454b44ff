import Foundation
import MallVIPStore
import Synchronization
import Vapor

/// POS calls carry `Authorization: Bearer <api key>`. Keys are looked up by their SHA-256; a key seen recently is
/// remembered for a short while so the purchase path does not pay a query for it (a revoked key stops working
/// within `ttl`).
struct APIKeyMiddleware: AsyncMiddleware {
    static let cache = APIKeyCache()

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let token = request.headers.bearerAuthorization?.token, !token.isEmpty else {
            throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"], reason: "Authorization: Bearer <api key> is required")
        }
        guard let name = try await Self.cache.name(for: token, store: request.store) else {
            throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"], reason: "unknown or revoked API key")
        }
        request.storage[APIClientKey.self] = name
        return try await next.respond(to: request)
    }
}

struct APIClientKey: StorageKey { typealias Value = String }

extension Request {
    /// The name of the API key in use, for the audit trail.
    var apiClient: String { "api:" + (storage[APIClientKey.self] ?? "?") }
}

final class APIKeyCache: Sendable {
    // A lock, not an actor: every POS call passes here.
    private let seen = Mutex([String: (name: String, at: Date)]())
    private let ttl: TimeInterval = 30

    func name(for token: String, store: Store) async throws -> String? {
        if let hit = seen.withLock({ $0[token] }), Date().timeIntervalSince(hit.at) < ttl { return hit.name }
        guard let key = try await store.apiKey(matching: token) else {
            seen.withLock { $0[token] = nil }
            return nil
        }
        seen.withLock { s in
            if s.count > 10_000 { s.removeAll() }
            s[token] = (key.name, Date())
        }
        return key.name
    }

    /// Forgets every remembered key, so that a revocation made in this process takes effect at once.
    func forgetAll() { seen.withLock { $0.removeAll() } }
}
