import Foundation
import MallVIPCore
import Vapor

/// Small helpers the console's form handlers share.
enum Forms {
    static func trimmed(_ s: String?) -> String { (s ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }

    /// `path?notice=<id>`: a one-line confirmation shown once on the page a form redirects to. The text stays on
    /// the server (Notices.swift); there is no way to put it in the URL.
    static func withNotice(_ req: Request, _ path: String, _ notice: String) async throws -> String {
        try await Notices.url(req, path, notice)
    }

    /// A domain error's message in the page's language.
    static func message(_ e: DomainError, _ ctx: PageContext) -> String { ctx.lang == .en ? e.en : e.zh }

    /// The status a form answers with when a domain error sends it back.
    static func status(_ e: DomainError) -> HTTPResponseStatus {
        switch e.kind {
        case .conflict: .conflict
        case .forbidden: .forbidden
        default: .unprocessableEntity
        }
    }
}
