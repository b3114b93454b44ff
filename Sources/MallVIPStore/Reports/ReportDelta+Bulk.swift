import SQLKit

extension ReportDelta {
    /// The same upserts as `write(_:)` (same rows, same key order, same ON CONFLICT arithmetic), through `BulkInsert`,
    /// for the import's batches of tens of thousands of rows: on SQLite's direct writer one prepared single-row
    /// statement per table stepped per row (the multi-row text of `statements()` was too long for the statement
    /// cache: prepared anew every chunk, 11 % of the import), on PostgreSQL one bound array per column
    /// (BulkInsert+PostgresArrays.swift) instead of VALUES lists of literals parsed and planned per chunk.
    func writeBulk(_ sql: any SQLDatabase) async throws {
        let counterColumns = ["sales_fen", "member_sales_fen", "lines", "member_lines", "receipts", "member_receipts", "lead_receipts",
                              "member_lead_receipts", "refunded_fen", "member_refunded_fen"]
        var c = BulkInsert(sql, table: "counter_day_sales", columns: ["mall_id", "counter_id", "day", "shard"] + counterColumns,
                           onConflict: SQLStoreDialect.onConflict(["counter_id", "day", "shard"], doUpdate: counterColumns
                               .map { "\($0) = counter_day_sales.\($0) + excluded.\($0)" }.joined(separator: ", ")),
                           maxRows: 10_000)
        for k in counters.keys.sorted() {
            let r = counters[k]!
            try await c.add([.int(k.mall), .int(k.counter), .int(k.day), .int(shard), .int(r.sales), .int(r.memberSales), .int(r.lines),
                             .int(r.memberLines), .int(r.receipts), .int(r.memberReceipts), .int(r.lead), .int(r.memberLead),
                             .int(r.refunded), .int(r.memberRefunded)])
        }
        try await c.flush()

        let bandColumns = ["lines", "sales_fen", "member_lines", "member_sales_fen"]
        var b = BulkInsert(sql, table: "price_band_day_sales", columns: ["mall_id", "day", "band_fen", "shard"] + bandColumns,
                           onConflict: SQLStoreDialect.onConflict(["mall_id", "day", "band_fen", "shard"], doUpdate: bandColumns
                               .map { "\($0) = price_band_day_sales.\($0) + excluded.\($0)" }.joined(separator: ", ")),
                           maxRows: 10_000)
        for k in bands.keys.sorted() {
            let r = bands[k]!
            try await b.add([.int(k.mall), .int(k.day), .int(k.band), .int(shard), .int(r.lines), .int(r.sales), .int(r.memberLines),
                             .int(r.memberSales)])
        }
        try await b.flush()

        var m = BulkInsert(sql, table: "member_month_stats",
                           columns: ["member_id", "mall_id", "month", "spend_fen", "purchases", "days_mask", "last_day"],
                           onConflict: SQLStoreDialect.onConflict(["member_id", "mall_id", "month"], doUpdate: """
                               spend_fen = member_month_stats.spend_fen + excluded.spend_fen, \
                               purchases = member_month_stats.purchases + excluded.purchases, \
                               days_mask = member_month_stats.days_mask | excluded.days_mask, \
                               last_day = CASE WHEN excluded.last_day > member_month_stats.last_day THEN excluded.last_day \
                               ELSE member_month_stats.last_day END
                               """),
                           maxRows: 10_000)
        for k in months.keys.sorted() {
            let r = months[k]!
            try await m.add([.int(k.member), .int(k.mall), .int(k.month), .int(r.spend), .int(r.purchases), .int(r.mask), .int(r.lastDay)])
        }
        try await m.flush()

        var ch = BulkInsert(sql, table: "report_member_changes", columns: ["member_id", "day"],
                            onConflict: SQLStoreDialect.onConflictDoNothing(["member_id", "day"]), maxRows: 10_000)
        for k in changes.sorted() { try await ch.add([.int(k.member), .int(k.day)]) }
        try await ch.flush()
    }
}
