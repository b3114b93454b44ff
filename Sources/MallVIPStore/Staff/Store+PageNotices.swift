import FluentKit
import Foundation
import SQLKit

/// One-time page notices kept server-side (migration 030): see `Notices` in the web layer.
extension Store {
    /// How long a notice waits for its page.
    static let pageNoticeLifetime: TimeInterval = 3600

    /// Stores `text` for the session whose cookie hashes to `ownerHash`; returns the opaque id for the redirect.
    public func putPageNotice(ownerHash: String, text: String) async throws -> String {
        var rng = SystemRandomNumberGenerator()
        let id = (0..<16).map { _ in String(UInt8.random(in: 0...255, using: &rng), radix: 16).leftPadded(2) }.joined()
        let cipherText = try env.cipher.encrypt(text)
        let nowMs = epochMillis(now)
        let stale = nowMs - Int64(Self.pageNoticeLifetime * 1000)
        try await write { tx in
            try await tx.sql.exec("DELETE FROM page_notices WHERE created_at_ms < \(bind: stale)")
            try await tx.sql.exec("""
                INSERT INTO page_notices (id, owner_hash, text_cipher, created_at_ms)
                VALUES (\(bind: id), \(bind: ownerHash), \(bind: cipherText), \(bind: nowMs))
                """)
        }
        return id
    }

    /// The notice `id` of that session, once: it is deleted as it is read. Nil for an unknown id, another session's
    /// notice, an old one, or one that no longer decrypts.
    public func takePageNotice(id: String, ownerHash: String) async throws -> String? {
        guard id.count == 32, id.allSatisfy(\.isHexDigit) else { return nil }
        let stale = epochMillis(now) - Int64(Self.pageNoticeLifetime * 1000)
        let cipherText = try await write { tx -> String? in
            guard let row = try await tx.sql.row("""
                SELECT text_cipher, created_at_ms FROM page_notices WHERE id = \(bind: id) AND owner_hash = \(bind: ownerHash)
                """) else { return nil }
            try await tx.sql.exec("DELETE FROM page_notices WHERE id = \(bind: id) OR created_at_ms < \(bind: stale)")
            return try row.int64("created_at_ms") < stale ? nil : try row.string("text_cipher")
        }
        return cipherText.flatMap { try? env.cipher.decrypt($0) }
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
