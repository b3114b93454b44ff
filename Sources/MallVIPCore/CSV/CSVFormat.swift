/// The one way the product writes CSV: every export, report, settlement, rejects file and member data download
/// goes through `CSVFormat.line` (web and CLI alike), so the rules below hold everywhere by construction.
///
/// - UTF-8 with a byte-order mark (`bom`, written once at the top): without it Excel reads the file as GBK and
///   Chinese names turn to mojibake.
/// - Lines end in CRLF and cells are quoted as RFC 4180 needs (a comma, quote, CR or LF inside; quotes doubled).
/// - No cell runs as a formula when a spreadsheet opens the file (CSV injection): a cell that starts with
///   `=`, `+`, `-`, `@`, a tab or a CR — or their full-width forms, which some CJK spreadsheets read the same
///   way — gets a leading apostrophe, unless it is a plain number (`-12`, `3.50`), which stays a number.
public enum CSVFormat {
    public static let bom = "\u{FEFF}"

    /// The characters that make a spreadsheet evaluate a cell (OWASP "CSV injection"), with their full-width forms.
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]

    public static func cell(_ raw: String) -> String {
        var s = raw
        // Checked on unicode scalars: "\r\n" is one Character in Swift, and must still count as a leading CR.
        if let first = s.unicodeScalars.first, formulaStarts.contains(Character(first)), !isPlainNumber(s) {
            s = "'" + s
        }
        let needsQuotes = s.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
        return needsQuotes ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// One record, CRLF-terminated.
    public static func line(_ cells: [String]) -> String { cells.map(cell).joined(separator: ",") + "\r\n" }

    /// `-12`, `3.50`, `-0.5`: an optional minus, ASCII digits, at most one decimal point between digits.
    static func isPlainNumber(_ s: String) -> Bool {
        var scalars = Substring(s).unicodeScalars[...]
        if scalars.first == "-" { scalars = scalars.dropFirst() }
        let parts = scalars.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { p in !p.isEmpty && p.allSatisfy { ("0"..."9").contains($0) } }
    }
}
