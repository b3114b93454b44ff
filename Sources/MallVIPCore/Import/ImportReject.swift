/// A row that was not imported: the physical line in the file (the header is line 1), the column (its header
/// text), and why, in Chinese and English with a stable rule code, like `DomainError`.
public struct ImportReject: Sendable, Equatable {
    public var line: Int
    public var column: String
    public var rule: String
    public var zh: String
    public var en: String
    /// The cell as written (empty when the reason concerns the whole row).
    public var value: String

    public init(line: Int, column: String, rule: String, zh: String, en: String, value: String = "") {
        self.line = line
        self.column = column
        self.rule = rule
        self.zh = zh
        self.en = en
        self.value = value
    }

    public init(line: Int, column: String, _ e: DomainError, value: String = "") {
        self.init(line: line, column: column, rule: e.rule, zh: e.zh, en: e.en, value: value)
    }
}

/// The rejects file: UTF-8 with a BOM (Excel opens it directly), one row per rejected line, in line order.
public enum ImportRejectsCSV {
    public static var bom: String { CSVFormat.bom }
    public static let header = ["行号 line", "列 column", "原因", "reason", "规则 rule", "内容 value"]

    public static func line(_ r: ImportReject) -> String {
        CSVFormat.line([String(r.line), r.column, r.zh, r.en, r.rule, r.value])
    }

    public static var head: String { bom + CSVFormat.line(header) }
}
