import SQLKit

extension Store {
    /// The import batch's changed members (balance, earned tier and since when), as `BatchWrites.memberUpdate` writes
    /// them, in a form whose statement text does not depend on the batch (issue 15, import at bulk speed):
    /// - SQLite's direct writer: one prepared `UPDATE … WHERE id = ?` stepped per member (the multi-row
    ///   `UPDATE … FROM (VALUES …)` was too long for the statement cache and prepared anew every chunk);
    /// - PostgreSQL: `UPDATE … FROM UNNEST($1, $2, $3, $4) AS v(…)`, one bound array per column;
    /// - elsewhere the VALUES form, as before.
    /// The `member.updated` webhook trigger does not watch these columns, so the order of the updates shows nowhere.
    static func importMemberUpdate(_ sql: any SQLDatabase, _ writes: BatchWrites) async throws {
        guard !writes.members.isEmpty else { return }
        if let direct = sql as? SQLiteDirectDatabase {
            for m in writes.members {
                try direct.writer.insertRow("""
                    UPDATE members SET points_balance = ?, earned_tier = ?, tier_since_day = ?, updated_at_ms = ? WHERE id = ?
                    """, [.int(m.balance), .text(m.earnedTier), .int(m.tierSinceDay), .int(writes.nowMs), .int(m.id)])
            }
            return
        }
        if sql.storeDialect == .postgresql {
            for part in writes.members.chunked(10_000) {
                let q: SQLQueryString = """
                    UPDATE members SET points_balance = v.balance, earned_tier = v.tier, tier_since_day = v.since, updated_at_ms = \(bind: writes.nowMs)
                    FROM UNNEST(\(bind: PostgresArrays.Column(kind: .int8, values: part.map { .int($0.id) })),
                      \(bind: PostgresArrays.Column(kind: .int8, values: part.map { .int($0.balance) })),
                      \(bind: PostgresArrays.Column(kind: .text, values: part.map { .text($0.earnedTier) })),
                      \(bind: PostgresArrays.Column(kind: .int8, values: part.map { .int($0.tierSinceDay) }))) AS v(id, balance, tier, since)
                    WHERE members.id = v.id
                    """
                try await sql.exec(q)
            }
            return
        }
        for part in writes.members.chunked(5_000) {
            var w = writes
            w.members = Array(part)
            if let q = w.memberUpdate() { try await sql.exec(q) }
        }
    }

    /// The batch's daily spend, added in key order (`BatchWrites.dailyUpsert`'s rows and conflict rule) through
    /// `BulkInsert`: a prepared row statement on SQLite's writer, bound arrays on PostgreSQL.
    static func importDailyUpsert(_ sql: any SQLDatabase, _ writes: BatchWrites) async throws {
        var daily = BulkInsert(sql, table: "member_daily_spend", columns: BatchWrites.dailyColumns, onConflict: BatchWrites.dailyConflict,
                               maxRows: 10_000)
        for d in writes.dailySorted {
            try await daily.add([.int(d.key.memberId), .int(d.key.mallId), .int(d.key.day), .int(d.spend), .int(d.count)])
        }
        try await daily.flush()
    }
}
