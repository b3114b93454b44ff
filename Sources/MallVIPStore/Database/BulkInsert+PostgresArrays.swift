import Foundation
import PostgresKit
import SQLKit

/// PostgreSQL's bulk form (issue 15, import at bulk speed): a chunk of rows as one bound array per column,
/// `INSERT INTO t (a, b) SELECT * FROM UNNEST($1, $2) AS v(a, b) …`. The statement text depends only on the table and
/// its columns, not on the rows: PostgreSQL parses and plans a few hundred bytes instead of a VALUES list of
/// thousands of literals (parse and plan were most of the import's server time, and building that text most of the
/// client's), and each array goes over the wire in PostgreSQL's binary array format, one buffer per column.
/// UNNEST hands the rows out in array order, so ids ascend in the order added, triggers fire per row in that order
/// and ON CONFLICT is decided per row, as with VALUES: what is written is the same.
enum PostgresArrays {
    /// One column's values as a bound array (`bigint[]`, `text[]` or `boolean[]`, NULL elements allowed).
    struct Column: Encodable, Sendable, PostgresThrowingDynamicTypeEncodable {
        enum Kind: Sendable { case int8, text, bool }
        let kind: Kind
        let values: [BulkInsert.Value]

        var psqlType: PostgresDataType {
            switch kind {
            case .int8: .int8Array
            case .text: .textArray
            case .bool: .boolArray
            }
        }
        var psqlFormat: PostgresFormat { .binary }

        /// The binary array format (array_send): dimensions, a has-NULL flag, the element type, then per element its
        /// length (-1 for NULL) and bytes.
        func encode<E: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<E>) throws {
            let element: PostgresDataType = switch kind {
            case .int8: .int8
            case .text: .text
            case .bool: .bool
            }
            buffer.writeInteger(Int32(1))
            buffer.writeInteger(Int32(values.contains { $0.isNull } ? 1 : 0))
            buffer.writeInteger(element.rawValue)
            buffer.writeInteger(Int32(values.count))
            buffer.writeInteger(Int32(1))
            for v in values {
                switch v {
                case .int(let n?):
                    buffer.writeInteger(Int32(8))
                    buffer.writeInteger(n)
                case .bool(let b):
                    buffer.writeInteger(Int32(1))
                    buffer.writeInteger(UInt8(b ? 1 : 0))
                case .text(let s?), .literal(let s):
                    let at = buffer.writerIndex
                    buffer.writeInteger(Int32(0))
                    let n = buffer.writeString(s)
                    buffer.setInteger(Int32(n), at: at)
                case .int(nil), .text(nil):
                    buffer.writeInteger(Int32(-1))
                }
            }
        }

        /// Only ever bound on PostgreSQL, which takes the fast path above; never encoded through Codable.
        func encode(to encoder: any Encoder) throws {
            throw EncodingError.invalidValue(values, .init(codingPath: encoder.codingPath, debugDescription: "a PostgreSQL array bind"))
        }
    }

    /// The insert of `rows` (row-major, `columns.count` values each) in the UNNEST form, followed by `tail`
    /// (ON CONFLICT …, RETURNING …). A column whose values are all NULL is written as a plain NULL (no array: its
    /// type is unknown, and PostgreSQL fits an untyped NULL to the target column). Nil when a column mixes kinds
    /// (e.g. numbers and text): the caller then writes the VALUES form.
    static func insert(table: String, columns: [String], rows: [[BulkInsert.Value]], tail: String) -> SQLQueryString? {
        var kinds: [Column.Kind?] = Array(repeating: nil, count: columns.count)
        for row in rows {
            for (i, v) in row.enumerated() {
                let k: Column.Kind
                switch v {
                case .int(nil), .text(nil): continue
                case .int: k = .int8
                case .bool: k = .bool
                case .text, .literal: k = .text
                }
                if let known = kinds[i] {
                    if known != k { return nil }
                } else {
                    kinds[i] = k
                }
            }
        }
        var q = SQLQueryString("INSERT INTO \(table) (\(columns.joined(separator: ", "))) SELECT ")
        q.appendLiteral(columns.indices.map { kinds[$0] == nil ? "NULL" : "v.c\($0 + 1)" }.joined(separator: ", "))
        q.appendLiteral(" FROM UNNEST(")
        var first = true
        var names: [String] = []
        for (i, kind) in kinds.enumerated() {
            guard let kind else { continue }
            if !first { q.appendLiteral(", ") }
            first = false
            q.appendInterpolation(bind: Column(kind: kind, values: rows.map { $0[i] }))
            names.append("c\(i + 1)")
        }
        if names.isEmpty { return nil }
        q.appendLiteral(") AS v(\(names.joined(separator: ", ")))" + tail)
        return q
    }
}

extension BulkInsert.Value {
    var isNull: Bool {
        switch self {
        case .int(nil), .text(nil): true
        default: false
        }
    }
}
