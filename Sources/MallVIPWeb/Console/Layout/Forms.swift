import Foundation
import MallVIPCore
import Vapor

/// Small helpers the console's form handlers share.
enum Forms {
    static func trimmed(_ s: String?) -> String { (s ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }

    /// `path?notice=…`: a one-line confirmation shown on the page a form redirects to.
    static func withNotice(_ path: String, _ notice: String) -> String {
        path + (path.contains("?") ? "&" : "?") + "notice=" + (notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
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
