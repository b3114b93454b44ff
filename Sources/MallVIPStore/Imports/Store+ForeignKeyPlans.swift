import SQLKit

extension Store {
    /// PostgreSQL runs a foreign-key check per inserted row (`SELECT 1 FROM ONLY counters x WHERE id = $1 FOR KEY
    /// SHARE OF x`) through a plan each connection makes once and keeps (the first five executions planned anew, then
    /// one generic plan for the connection's life). With the default `random_page_cost = 4` a table of three pages is
    /// cheaper to scan than to look up (estimated 5.5 against 8.3), so every purchase line of an import read all of
    /// `counters`: 20 M rows for 200,000 lines, most of the database's CPU in the import (issue 15).
    /// For the one statement that inserts lines, this sets `random_page_cost = 1.1` (the usual figure for SSDs; only
    /// for the transaction's remaining statements until `end()` puts the default back), so the check's plan is made
    /// with the primary key, and the connection keeps that plan after the setting is gone. Nothing else is planned
    /// meanwhile but that insert (`INSERT … SELECT … FROM UNNEST`, one plan whatever the costs). `SET LOCAL
    /// enable_seqscan = off` for the whole import was tried first and made the database's CPU four times larger.
    /// SQLite checks foreign keys through the primary key anyway: nothing to do there.
    static func indexedForeignKeyChecks(_ sql: any SQLDatabase) async throws -> ForeignKeyPlans {
        guard sql.storeDialect == .postgresql else { return ForeignKeyPlans(sql: nil) }
        try await sql.exec("SET LOCAL random_page_cost = 1.1")
        return ForeignKeyPlans(sql: sql)
    }

    struct ForeignKeyPlans {
        let sql: (any SQLDatabase)?
        /// Back to the server's setting for the rest of the transaction.
        func end() async throws {
            if let sql { try await sql.exec("SET LOCAL random_page_cost TO DEFAULT") }
        }
    }
}
