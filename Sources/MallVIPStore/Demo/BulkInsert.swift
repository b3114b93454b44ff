import Crypto
import Foundation
import SQLKit

/// Multi-row INSERTs for bulk loads. Numbers, booleans and NULL are written as SQL literals; text is always bound.
/// A statement is sent when it reaches `maxRows` rows or would pass `maxBinds` bound values (PostgreSQL allows at
/// most 65,535 per statement; SQLite as built here 250,000).
struct BulkInsert {
    enum Value {
        case int(Int64)
        case text(String)
        case bool(Bool)
        case null

        static func int(_ v: Int) -> Value { .int(Int64(v)) }
        static func opt(_ v: String?) -> Value { v.map { .text($0) } ?? .null }
        static func opt(_ v: Int64?) -> Value { v.map { .int($0) } ?? .null }
        static func opt(_ v: Int?) -> Value { v.map { .int(Int64($0)) } ?? .null }
    }

    let db: any SQLDatabase
    let head: String
    let columnCount: Int
    let maxRows: Int
    let maxBinds: Int
    private var query = SQLQueryString("")
    private var text = ""
    private var rows = 0
    private var binds = 0
    private(set) var written = 0

    init(_ db: any SQLDatabase, table: String, columns: [String], maxRows: Int = 4000) {
        self.db = db
        head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        columnCount = columns.count
        self.maxRows = maxRows
        maxBinds = db.dialect.name == "postgresql" ? 65_000 : 30_000
    }

    mutating func add(_ values: [Value]) async throws {
        precondition(values.count == columnCount, "row has \(values.count) values for \(columnCount) columns")
        if binds + columnCount > maxBinds { try await flush() }
        text += rows == 0 ? head + "(" : ", ("
        for (i, v) in values.enumerated() {
            if i > 0 { text += ", " }
            switch v {
            case .int(let n): text += String(n)
            case .bool(let b): text += b ? "TRUE" : "FALSE"
            case .null: text += "NULL"
            case .text(let s):
                query.appendLiteral(text)
                text = ""
                query.appendInterpolation(bind: s)
                binds += 1
            }
        }
        text += ")"
        rows += 1
        if rows >= maxRows { try await flush() }
    }

    mutating func flush() async throws {
        guard rows > 0 else { return }
        query.appendLiteral(text)
        try await db.raw(query).run()
        written += rows
        query = SQLQueryString("")
        text = ""
        rows = 0
        binds = 0
    }
}

/// Lower-case hex SHA-256, as `sha256Hex`, without a formatter call per byte (the demo hashes every receipt).
func fastSHA256Hex(_ text: String) -> String {
    let digits: [UInt8] = Array("0123456789abcdef".utf8)
    let digest = SHA256.hash(data: Data(text.utf8))
    var out = [UInt8]()
    out.reserveCapacity(64)
    for byte in digest {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// `PurchaseOutcome` as `encodeJSON` writes it (sorted keys, nil fields left out), built by hand: the demo writes
/// a quarter of a million of them. A test checks the two agree.
func purchaseOutcomeJSON(_ o: PurchaseOutcome) -> String {
    var s = "{"
    var first = true
    func key(_ k: String) {
        if !first { s += "," }
        first = false
        s += "\"" + k + "\":"
    }
    func str(_ v: String) { s += jsonString(v) }
    key("basePoints"); s += String(o.basePoints)
    key("bonusPoints"); s += String(o.bonusPoints)
    key("businessDate"); str(o.businessDate)
    if let c = o.cardNo { key("cardNo"); str(c) }
    key("eligibleFen"); s += String(o.eligibleFen)
    key("eligibleToEnrol"); s += o.eligibleToEnrol ? "true" : "false"
    key("factorPermille"); s += String(o.factorPermille)
    key("mall"); str(o.mall)
    key("member"); s += o.member ? "true" : "false"
    key("multipliers"); s += "[" + o.multipliers.map(jsonString).joined(separator: ",") + "]"
    if let b = o.pointsBalance { key("pointsBalance"); s += String(b) }
    key("pointsEarned"); s += String(o.pointsEarned)
    if let t = o.previousTier { key("previousTier"); str(t) }
    key("receiptNo"); str(o.receiptNo)
    if let t = o.tier { key("tier"); str(t) }
    if let t = o.tierApprovalRequested { key("tierApprovalRequested"); str(t) }
    key("tierChanged"); s += o.tierChanged ? "true" : "false"
    key("totalFen"); s += String(o.totalFen)
    return s + "}"
}

private func jsonString(_ v: String) -> String {
    var out = "\""
    for u in v.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        default:
            if u.value < 0x20 {
                out += String(format: "\\u%04x", u.value)
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}
