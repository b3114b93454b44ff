import Foundation

/// Everything held about one member (PIPL right of access), as named tables. The same value renders as JSON
/// (one key per table, rows as objects) and as CSV (one block per table).
public struct MemberDataExport: Sendable, Encodable {
    public enum Value: Sendable, Equatable, Encodable {
        case text(String), int(Int64), bool(Bool), null

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .text(let s): try c.encode(s)
            case .int(let i): try c.encode(i)
            case .bool(let b): try c.encode(b)
            case .null: try c.encodeNil()
            }
        }

        public var csv: String {
            switch self {
            case .text(let s): s
            case .int(let i): String(i)
            case .bool(let b): b ? "true" : "false"
            case .null: ""
            }
        }
    }

    public struct Table: Sendable {
        public var name: String
        public var columns: [String]
        public var rows: [[Value]]

        public func value(_ column: String, row: Int = 0) -> Value? {
            guard let i = columns.firstIndex(of: column), rows.indices.contains(row) else { return nil }
            return rows[row][i]
        }
    }

    public var memberId: Int64
    public var generatedAt: Date
    public var tables: [Table]

    public func table(_ name: String) -> Table? { tables.first { $0.name == name } }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(memberId, forKey: Key("memberId"))
        try c.encode(ISO8601DateFormatter().string(from: generatedAt), forKey: Key("generatedAt"))
        for t in tables {
            let objects = t.rows.map { row in Dictionary(uniqueKeysWithValues: zip(t.columns, row)) }
            // The profile is one record; every other table is a list.
            if t.name == "profile", let first = objects.first {
                try c.encode(first, forKey: Key(t.name))
            } else {
                try c.encode(objects, forKey: Key(t.name))
            }
        }
    }

    public func json() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(self), as: UTF8.self)
    }
}
