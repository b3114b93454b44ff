import SQLKit

/// The store's one multi-row INSERT builder: bulk loads (demo, import), the live batch's statements (BatchWrites,
/// also as parts of PostgreSQL's one-statement CTE), the ledger writer and campaign audiences all go through it.
///
/// - Numbers and booleans are written as SQL literals and only text is bound: encoding a bind costs more than the
///   number itself, and a batch carries thousands. In the JOIN form numbers are typed (`CAST(42 AS BIGINT)`) so a
///   VALUES column that holds only NULLs still has a type on PostgreSQL.
/// - Two forms. Plain: `INSERT INTO t (a, b) VALUES (…), (…)`. JOIN, for rows that refer to a parent inserted in the
///   same batch and known only by its natural key: `INSERT INTO t (a, b, parent_id) SELECT v.column3, v.column4,
///   s.id FROM (VALUES (k1, k2, a, b), …) AS v JOIN <source> s ON s.k1 = v.column1 AND s.k2 = v.column2`, where the
///   source is the parent table or a CTE that inserted it. (VALUES columns are column1, column2 … on both stores;
///   a last, ordinal column orders the SELECT, so rows keep the order added here too.)
/// - Optional `ON CONFLICT …` and `RETURNING …` tails (spelled the same on both stores; see SQLStoreDialect).
/// - `Statement` only builds (for callers that place it themselves, e.g. in a CTE); `BulkInsert` streams: rows go
///   out in statements that stay under the store's bind limit (`SQLStoreDialect.maxBinds`) and `maxRows`, in the
///   order added, so plain inserts take ascending ids in that order.
struct BulkInsert {
    enum Value {
        /// A number, inlined; nil is NULL.
        case int(Int64?)
        /// Text, always bound; nil is NULL.
        case text(String?)
        case bool(Bool)
        /// Text fixed in code (an enum's raw value, a system actor): inlined as a quoted SQL literal, no bind.
        case literal(String)

        static var null: Value { .text(nil) }
        static func int(_ v: Int) -> Value { .int(Int64(v)) }
        static func opt(_ v: String?) -> Value { .text(v) }
        static func opt(_ v: Int64?) -> Value { .int(v) }
        static func opt(_ v: Int?) -> Value { .int(v.map(Int64.init)) }

        var isBound: Bool {
            if case .text(let s) = self { return s != nil }
            return false
        }
    }

    /// The JOIN form: the first `on.count` values of each row are the source's key columns `on`, in order; the
    /// target columns named in `take` come from the source (`target: sourceColumn`), the rest from the row.
    struct Join {
        var source: String
        var on: [String]
        var take: [String: String]
    }

    /// One statement being built; `query` is nil while it has no rows.
    struct Statement {
        let head: String
        let tail: String
        let typed: Bool
        let width: Int
        private(set) var rows = 0
        private(set) var binds = 0
        private var built = SQLQueryString("")
        private var text = ""

        init(table: String, columns: [String], join: Join? = nil, onConflict: String? = nil, returning: String? = nil) {
            let target = "INSERT INTO \(table) (\(columns.joined(separator: ", ")))"
            var after = ""
            if let join {
                var n = join.on.count
                let select = columns.map { c -> String in
                    if let s = join.take[c] { return "s.\(s)" }
                    n += 1
                    return "v.column\(n)"
                }
                head = target + " SELECT " + select.joined(separator: ", ") + " FROM (VALUES "
                // A trailing ordinal column orders the SELECT: PostgreSQL's hash join would otherwise hand rows (and
                // so ids) out in any order; with it both stores insert in the order added.
                after = ") AS v JOIN \(join.source) s ON "
                    + join.on.enumerated().map { "s.\($0.element) = v.column\($0.offset + 1)" }.joined(separator: " AND ")
                    + " ORDER BY v.column\(n + 1)"
                width = n
                typed = true
            } else {
                head = target + " VALUES "
                width = columns.count
                typed = false
            }
            tail = after + (onConflict ?? "") + (returning.map { " RETURNING " + $0 } ?? "")
        }

        mutating func add(_ values: [Value]) {
            precondition(values.count == width, "row has \(values.count) values for \(width)")
            text += rows == 0 ? head + "(" : ", ("
            for (i, v) in values.enumerated() {
                if i > 0 { text += ", " }
                switch v {
                case .int(let n?): text += typed ? "CAST(\(n) AS BIGINT)" : String(n)
                case .int(nil): text += typed ? "CAST(NULL AS BIGINT)" : "NULL"
                case .bool(let b): text += b ? "TRUE" : "FALSE"
                case .text(nil): text += typed ? "CAST(NULL AS TEXT)" : "NULL"
                case .literal(let s):
                    let quoted = "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
                    text += typed ? "CAST(\(quoted) AS TEXT)" : quoted
                case .text(let s?):
                    text += typed ? "CAST(" : ""
                    built.appendLiteral(text)
                    text = typed ? " AS TEXT)" : ""
                    built.appendInterpolation(bind: s)
                    binds += 1
                }
            }
            text += typed ? ", \(rows))" : ")"
            rows += 1
        }

        var query: SQLQueryString? {
            guard rows > 0 else { return nil }
            var q = built
            q.appendLiteral(text + tail)
            return q
        }

        mutating func removeAll() {
            built = SQLQueryString("")
            text = ""
            rows = 0
            binds = 0
        }
    }

    let db: any SQLDatabase
    let maxRows: Int
    let maxBinds: Int
    private var statement: Statement
    private(set) var written = 0
    /// What RETURNING gave back, over every statement sent (PostgreSQL promises no order within one).
    private(set) var returned: [any SQLRow] = []
    private let returns: Bool
    /// SQLite's direct writer, plain form: each row bound into one prepared single-row statement (`rowSQL`) and
    /// stepped at once, no statement text built or parsed per batch (SQLiteDirectWriter+Bulk.swift).
    private let direct: SQLiteDirectWriter?
    private let rowSQL: String
    /// PostgreSQL, plain form: the rows of the statement being gathered, sent as one bound array per column
    /// (BulkInsert+PostgresArrays.swift); nil elsewhere.
    private var arrayRows: [[Value]]?
    private let table: String
    private let columns: [String]
    private let tailSQL: String

    init(_ db: any SQLDatabase, table: String, columns: [String], join: Join? = nil, onConflict: String? = nil,
         returning: String? = nil, maxRows: Int = 4000) {
        self.db = db
        statement = Statement(table: table, columns: columns, join: join, onConflict: onConflict, returning: returning)
        self.maxRows = maxRows
        returns = returning != nil
        maxBinds = db.storeDialect.maxBinds
        self.table = table
        self.columns = columns
        tailSQL = (onConflict ?? "") + (returning.map { " RETURNING " + $0 } ?? "")
        arrayRows = join == nil && db.storeDialect == .postgresql ? [] : nil
        if join == nil, let d = db as? SQLiteDirectDatabase {
            direct = d.writer
            rowSQL = SQLiteDirectWriter.rowInsertSQL(table: table, columns: columns,
                                                     tail: (onConflict ?? "") + (returning.map { " RETURNING " + $0 } ?? ""))
        } else {
            direct = nil
            rowSQL = ""
        }
    }

    mutating func add(_ values: [Value]) async throws {
        if let direct {
            precondition(values.count == statement.width, "row has \(values.count) values for \(statement.width)")
            if returns {
                var rows: [any SQLRow] = []
                try direct.insertRow(rowSQL, values) { rows.append($0) }
                returned += rows
            } else {
                try direct.insertRow(rowSQL, values)
            }
            written += 1
            return
        }
        if arrayRows != nil {
            precondition(values.count == statement.width, "row has \(values.count) values for \(statement.width)")
            arrayRows!.append(values)
            if arrayRows!.count >= maxRows { try await flush() }
            return
        }
        let binds = values.reduce(0) { $0 + ($1.isBound ? 1 : 0) }
        if statement.rows > 0 && statement.binds + binds > maxBinds { try await flush() }
        statement.add(values)
        if statement.rows >= maxRows { try await flush() }
    }

    mutating func flush() async throws {
        if let rows = arrayRows {
            guard !rows.isEmpty else { return }
            arrayRows = []
            // One row stays a VALUES statement (nothing to gain); a column mixing kinds too.
            if rows.count > 1, let q = PostgresArrays.insert(table: table, columns: columns, rows: rows, tail: tailSQL) {
                if returns { returned += try await db.raw(q).all() } else { try await db.raw(q).run() }
                written += rows.count
                return
            }
            for row in rows {
                let binds = row.reduce(0) { $0 + ($1.isBound ? 1 : 0) }
                if statement.rows > 0 && statement.binds + binds > maxBinds { try await send() }
                statement.add(row)
            }
        }
        try await send()
    }

    private mutating func send() async throws {
        guard let q = statement.query else { return }
        if returns { returned += try await db.raw(q).all() } else { try await db.raw(q).run() }
        written += statement.rows
        statement.removeAll()
    }
}
