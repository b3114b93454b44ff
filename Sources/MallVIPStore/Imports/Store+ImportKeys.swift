import SQLKit

extension Store {
    /// The right side of `x IN …` for the import's reads of thousands of keys. On SQLite's direct writer one bound
    /// JSON array, `(SELECT value FROM json_each(?))`: the statement text is then the same for every batch, stays
    /// prepared in the writer's cache and binds one value, where a list of 5,000 binds was serialised, encoded and
    /// parsed again per chunk (the after-profile of the import: `sqlite3Prepare` 14 %, of which these reads most).
    /// SQLite still reads through the column's index. Elsewhere the list, as before.
    /// On PostgreSQL one bound `text[]` (`(SELECT unnest($1))`, BulkInsert+PostgresArrays.swift): the same short
    /// text every chunk instead of 5,000 binds to encode, parse and plan.
    static func inKeys(_ sql: any SQLDatabase, _ keys: [String]) -> SQLQueryString {
        if sql.storeDialect == .postgresql {
            return "(SELECT unnest(\(bind: PostgresArrays.Column(kind: .text, values: keys.map { .text($0) }))))"
        }
        guard sql is SQLiteDirectDatabase else { return "\(list: keys)" }
        var json = "["
        for (i, k) in keys.enumerated() {
            if i > 0 { json += "," }
            json += jsonString(k)
        }
        return "(SELECT value FROM json_each(\(bind: json + "]")))"
    }

    /// `inKeys` for ids: a JSON array on the direct writer, else literals (numbers, see `intList`).
    static func inIds(_ sql: any SQLDatabase, _ ids: ArraySlice<Int64>) -> SQLQueryString {
        if sql.storeDialect == .postgresql {
            return "(SELECT unnest(\(bind: PostgresArrays.Column(kind: .int8, values: ids.map { .int($0) }))))"
        }
        guard sql is SQLiteDirectDatabase else { return "\(unsafeRaw: intList(ids))" }
        return "(SELECT value FROM json_each(\(bind: "[" + ids.map { String($0) }.joined(separator: ",") + "]")))"
    }
}
