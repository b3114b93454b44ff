import Foundation
import MallVIPStore
import Vapor

/// One-time notices, kept server-side for the session that caused them (migration 030). A form handler calls
/// `Forms.withNotice(req, path, text)`: the text is stored (encrypted) for this session and the redirect carries only
/// `?notice=<32 hex>`, an opaque random id. Every page reads it through `Notices.take`, which shows it once to the
/// same session and deletes it. So a notice's text (a revealed national ID, a new card number) never travels in a
/// URL, a log or a Referer, and `?notice=Your account is locked, call …` on a crafted link shows nothing.
enum Notices {
    static let parameter = "notice"

    /// The session the notice belongs to: the member session on member pages, else the staff session; nil without
    /// one (nothing is stored, nothing is shown). Hashed with its own prefix, so it is not the session table's key.
    static func owner(_ req: Request) -> String? {
        if req.storage[MemberSessionKey.self] != nil, let token = req.cookies[MemberAuth.cookieName]?.string, !token.isEmpty {
            return sha256Hex("notice|member|" + token)
        }
        if req.storage[SessionKey.self] != nil, let token = req.cookies[StaffAuth.cookieName]?.string, !token.isEmpty {
            return sha256Hex("notice|staff|" + token)
        }
        return nil
    }

    /// `path` with the id of a stored notice; the plain `path` when there is no session to keep it for.
    static func url(_ req: Request, _ path: String, _ text: String) async throws -> String {
        guard let owner = owner(req) else { return path }
        let id = try await req.store.putPageNotice(ownerHash: owner, text: text)
        return path + (path.contains("?") ? "&" : "?") + parameter + "=" + id
    }

    /// The one reader of `?notice=`: the stored text for this session, once; nil for anything else.
    static func take(_ req: Request) async throws -> String? {
        guard let id = req.query[String.self, at: parameter], let owner = owner(req) else { return nil }
        return try await req.store.takePageNotice(id: id, ownerHash: owner)
    }
}
