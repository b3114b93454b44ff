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
        headers.add(name: .contentDisposition, value: attachment(filename))
        headers.add(name: .cacheControl, value: "no-store")
        return headers
    }

    /// `Content-Disposition` for a download. File names are built from codes and dates, some of them typed by staff
    /// (a mall code): anything but ASCII letters, digits, `.`, `-` and `_` becomes `_`, so no quote or CR/LF ever
    /// reaches the header.
    static func attachment(_ filename: String) -> String {
        let safe = String(String.UnicodeScalarView(filename.unicodeScalars.prefix(120).map {
            ($0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))) ? $0 : "_"
        }))
        return "attachment; filename=\"\(safe)\""
    }
}
