import FluentKit
import SQLKit

/// No hot rows (issue 15): every purchase of a mall and day used to add to the same `price_band_day_sales` rows and,
/// per counter, the same `counter_day_sales` row. On PostgreSQL the purchase lanes write in parallel and queued on
/// those row locks until each other's COMMIT, so more lanes did not help. Both tables now have a `shard` in their key:
/// a purchase lane adds to its own shard's rows (`ReportDelta.shard`: 0, 1, …; SQLite has one lane), writes outside
/// the lanes (refunds, enrolment credits, imports) to shard -1, and readers sum over shards, as they already summed
/// over days. A rebuild writes shard 0. The figures are the same sums.
/// The tables are recreated (SQLite cannot change a unique constraint in place) and their rows copied into shard 0.
struct M031_ReportShards: AsyncMigration {
    var name: String { "031_ReportShards" }

    func prepare(on db: any Database) async throws {
        try await db.schema("counter_day_sales_031")
            .field("mall_id", .int64, .required)
            .field("counter_id", .int64, .required)
            .field("day", .int, .required)
            .field("shard", .int, .required)
            .field("sales_fen", .int64, .required)
            .field("member_sales_fen", .int64, .required)
            .field("lines", .int64, .required)
            .field("member_lines", .int64, .required)
            .field("receipts", .int64, .required)
            .field("member_receipts", .int64, .required)
            .field("lead_receipts", .int64, .required)
            .field("member_lead_receipts", .int64, .required)
            .field("refunded_fen", .int64, .required)
            .field("member_refunded_fen", .int64, .required)
            .unique(on: "counter_id", "day", "shard")
            .create()
        try await db.schema("price_band_day_sales_031")
            .field("mall_id", .int64, .required)
            .field("day", .int, .required)
            .field("band_fen", .int64, .required)
            .field("shard", .int, .required)
            .field("lines", .int64, .required)
            .field("sales_fen", .int64, .required)
            .field("member_lines", .int64, .required)
            .field("member_sales_fen", .int64, .required)
            .unique(on: "mall_id", "day", "band_fen", "shard")
            .create()
        let sql = db.sql
        try await sql.exec("""
            INSERT INTO counter_day_sales_031 (mall_id, counter_id, day, shard, sales_fen, member_sales_fen, lines, member_lines, receipts,
              member_receipts, lead_receipts, member_lead_receipts, refunded_fen, member_refunded_fen)
            SELECT mall_id, counter_id, day, 0, sales_fen, member_sales_fen, lines, member_lines, receipts,
              member_receipts, lead_receipts, member_lead_receipts, refunded_fen, member_refunded_fen FROM counter_day_sales
            """)
        try await sql.exec("""
            INSERT INTO price_band_day_sales_031 (mall_id, day, band_fen, shard, lines, sales_fen, member_lines, member_sales_fen)
            SELECT mall_id, day, band_fen, 0, lines, sales_fen, member_lines, member_sales_fen FROM price_band_day_sales
            """)
        try await db.schema("counter_day_sales").delete()   // its index counter_day_sales_day goes with it
        try await db.schema("price_band_day_sales").delete()
        try await sql.exec("ALTER TABLE counter_day_sales_031 RENAME TO counter_day_sales")
        try await sql.exec("ALTER TABLE price_band_day_sales_031 RENAME TO price_band_day_sales")
        try await sql.create(index: "counter_day_sales_day").on("counter_day_sales").column("day").run()
    }

    func revert(on db: any Database) async throws {
        // Back to one row per key: the shards summed.
        try await db.schema("counter_day_sales_025")
            .field("mall_id", .int64, .required)
            .field("counter_id", .int64, .required)
            .field("day", .int, .required)
            .field("sales_fen", .int64, .required)
            .field("member_sales_fen", .int64, .required)
            .field("lines", .int64, .required)
            .field("member_lines", .int64, .required)
            .field("receipts", .int64, .required)
            .field("member_receipts", .int64, .required)
            .field("lead_receipts", .int64, .required)
            .field("member_lead_receipts", .int64, .required)
            .field("refunded_fen", .int64, .required)
            .field("member_refunded_fen", .int64, .required)
            .unique(on: "counter_id", "day")
            .create()
        try await db.schema("price_band_day_sales_025")
            .field("mall_id", .int64, .required)
            .field("day", .int, .required)
            .field("band_fen", .int64, .required)
            .field("lines", .int64, .required)
            .field("sales_fen", .int64, .required)
            .field("member_lines", .int64, .required)
            .field("member_sales_fen", .int64, .required)
            .unique(on: "mall_id", "day", "band_fen")
            .create()
        let sql = db.sql
        try await sql.exec("""
            INSERT INTO counter_day_sales_025 (mall_id, counter_id, day, sales_fen, member_sales_fen, lines, member_lines, receipts,
              member_receipts, lead_receipts, member_lead_receipts, refunded_fen, member_refunded_fen)
            SELECT MIN(mall_id), counter_id, day, SUM(sales_fen), SUM(member_sales_fen), SUM(lines), SUM(member_lines), SUM(receipts),
              SUM(member_receipts), SUM(lead_receipts), SUM(member_lead_receipts), SUM(refunded_fen), SUM(member_refunded_fen)
            FROM counter_day_sales GROUP BY counter_id, day
            """)
        try await sql.exec("""
            INSERT INTO price_band_day_sales_025 (mall_id, day, band_fen, lines, sales_fen, member_lines, member_sales_fen)
            SELECT mall_id, day, band_fen, SUM(lines), SUM(sales_fen), SUM(member_lines), SUM(member_sales_fen)
            FROM price_band_day_sales GROUP BY mall_id, day, band_fen
            """)
        try await db.schema("counter_day_sales").delete()
        try await db.schema("price_band_day_sales").delete()
        try await sql.exec("ALTER TABLE counter_day_sales_025 RENAME TO counter_day_sales")
        try await sql.exec("ALTER TABLE price_band_day_sales_025 RENAME TO price_band_day_sales")
        try await sql.create(index: "counter_day_sales_day").on("counter_day_sales").column("day").run()
    }
}
