import Foundation
import MallVIPCore
import Vapor

/// CSV as Chinese offices open it: UTF-8 with a byte-order mark (without it Excel reads the file as GBK and the
/// names turn to mojibake), cells quoted as needed, and no cell that a spreadsheet would run as a formula.
enum CSVText {
    static let bom = "\u{FEFF}"

    static func cell(_ raw: String) -> String { CSVFormat.cell(raw) }

    static func line(_ cells: [String]) -> String { CSVFormat.line(cells) }

    /// Headers of a CSV download that must not be cached (personal data).
    static func headers(filename: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.add(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        headers.add(name: .cacheControl, value: "no-store")
        return headers
    }
}
