import FluentKit
import SQLKit

/// Fewer index pages per purchase (issue 15, the write path). Every purchase wrote six b-tree pages of its own table
/// (the row and five indexes) of the ~17 pages a SQLite commit writes to the WAL; two of those indexes served one
/// reader each:
/// - `purchases_receipt` (receipt number alone, migration 007): every lookup by receipt number now names the mall and
///   goes through the unique (mall_id, receipt_no) index (`mall_id = ? AND receipt_no IN …`; the enrolment slip, which
///   names no mall, probes each mall: `mall_id IN (SELECT id FROM malls)`), so the second index goes.
/// - `purchases_phone` (migration 005): its only reader is the enrolment's search for non-member receipts by phone
///   (`phone = ? AND member_id IS NULL`), so it keeps only those rows; member purchases no longer write it, and a
///   receipt claimed at enrolment leaves it.
/// Both planners use the unique index and the partial one for those queries (checked with EXPLAIN on both stores).
/// One index added (part a): a batch reads its members' pending tier requests (`member_id IN … AND status =
/// 'pending'`), which had only `tier_requests_status` to use and so read every pending request of every member.
struct M044_WritePath: AsyncMigration {
    var name: String { "044_WritePath" }

    func prepare(on db: any Database) async throws {
        try await db.sql.raw("DROP INDEX purchases_receipt").run()
        try await db.sql.raw("DROP INDEX purchases_phone").run()
        try await db.sql.raw("CREATE INDEX purchases_phone ON purchases (phone) WHERE phone IS NOT NULL AND member_id IS NULL").run()
        try await db.sql.raw("CREATE INDEX tier_requests_pending_member ON tier_requests (member_id) WHERE status = 'pending'").run()
    }

    func revert(on db: any Database) async throws {
        try await db.sql.raw("DROP INDEX tier_requests_pending_member").run()
        try await db.sql.raw("DROP INDEX purchases_phone").run()
        try await db.sql.raw("CREATE INDEX purchases_phone ON purchases (phone)").run()
        try await db.sql.raw("CREATE INDEX purchases_receipt ON purchases (receipt_no)").run()
    }
}
