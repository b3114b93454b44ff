import Foundation
import MallVIPCore
import MallVIPStore
import Synchronization
import Vapor

/// POS calls carry `Authorization: Bearer <api key>`. Keys are looked up by their SHA-256; a key seen recently is
/// remembered for a short while so the purchase path does not pay a query for it (a revoked key stops working
/// within `ttl`).
///
/// A key is either a POS key or scoped to one partner merchant; each route group admits one kind (`scope`), so a
/// partner key is refused on the POS API and a POS key on the partner API.
struct APIKeyMiddleware: AsyncMiddleware {
    enum Scope: Sendable { case pos, partner }

    static let cache = APIKeyCache()
    let scope: Scope

    init(scope: Scope = .pos) { self.scope = scope }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let token = request.headers.bearerAuthorization?.token, !token.isEmpty else {
            throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"], reason: "Authorization: Bearer <api key> is required")
        }
        guard let key = try await Self.cache.key(for: token, store: request.store) else {
            throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"], reason: "unknown or revoked API key")
        }
        try admit(key, request)
        return try await next.respond(to: request)
    }

    /// Whether `key` may call this route group; records the client (and partner) on the request.
    func admit(_ key: APIKeyCache.Entry, _ request: Request) throws {
        switch (scope, key.partnerId) {
        case (.pos, nil): break
        case (.partner, let partnerId?):
            guard key.partnerActive else {
                throw DomainError(.forbidden, field: nil, rule: "partner.active", zh: "联盟商家已停用", en: "this partner is deactivated")
            }
            request.storage[APIPartnerKey.self] = partnerId
        case (.pos, _?):
            throw DomainError(.forbidden, field: nil, rule: "apikey.scope", zh: "联盟商家密钥只能调用联盟商家接口",
                              en: "a partner API key may call only the partner API (/api/v1/partner/…)")
        case (.partner, nil):
            throw DomainError(.forbidden, field: nil, rule: "apikey.scope", zh: "此接口需要联盟商家密钥",
                              en: "the partner API needs an API key scoped to a partner")
        }
        request.storage[APIClientKey.self] = key.name
    }
}

struct APIClientKey: StorageKey { typealias Value = String }
struct APIPartnerKey: StorageKey { typealias Value = Int64 }

extension Request {
    /// The name of the API key in use, for the audit trail.
    var apiClient: String { "api:" + (storage[APIClientKey.self] ?? "?") }
    /// The partner a partner-scoped key belongs to; only valid behind `APIKeyMiddleware(scope: .partner)`.
    var apiPartnerId: Int64 { storage[APIPartnerKey.self]! }
}

final class APIKeyCache: Sendable {
    struct Entry: Sendable {
        var name: String
        var partnerId: Int64?
        var partnerActive: Bool
    }
    // A lock, not an actor: every POS call passes here.
    private let seen = Mutex([String: (key: Entry, at: Date)]())
    private let ttl: TimeInterval = 30

    func key(for token: String, store: Store) async throws -> Entry? {
        if let hit = cached(token) { return hit }
        guard let key = try await store.apiKey(matching: token) else {
            seen.withLock { $0[token] = nil }
            return nil
        }
        let entry = Entry(name: key.name, partnerId: key.partnerId, partnerActive: key.partnerActive)
        seen.withLock { s in
            if s.count > 10_000 { s.removeAll() }
            s[token] = (entry, Date())
        }
        return entry
    }

    /// A key remembered within `ttl`, without a query (nil: ask `key(for:store:)`).
    func cached(_ token: String) -> Entry? {
        guard let hit = seen.withLock({ $0[token] }), Date().timeIntervalSince(hit.at) < ttl else { return nil }
        return hit.key
    }

    /// Forgets every remembered key, so that a revocation (or a partner's deactivation) made in this process takes
    /// effect at once.
    func forgetAll() { seen.withLock { $0.removeAll() } }
}
