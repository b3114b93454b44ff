import Foundation
import MallVIPCore
import Vapor

/// The HTTP side of a CSV download. The text itself (BOM, quoting, formula defusing) is `CSVFormat` in
/// MallVIPCore, the one cell function every CSV writer uses.
enum CSVText {
    /// Headers of a CSV download that must not be cached (personal data).
    static func headers(filename: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.add(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        headers.add(name: .cacheControl, value: "no-store")
        return headers
    }
}
