import FluentKit
import SQLKit

/// Where each purchase came from (issue 19): `channel` (PurchaseChannel's raw value; every purchase before this
/// migration came from a till or an import, recorded as `pos`) and the channel's own key (`channel_ref`: a WeChat Pay
/// transaction id, a receipt photo's id), indexed where present so a second channel's copy of a purchase is found.
struct M039_PurchaseChannels: AsyncMigration {
    var name: String { "039_PurchaseChannels" }

    func prepare(on db: any Database) async throws {
        try await db.sql.raw("ALTER TABLE purchases ADD COLUMN channel VARCHAR(16) NOT NULL DEFAULT 'pos'").run()
        try await db.sql.raw("ALTER TABLE purchases ADD COLUMN channel_ref VARCHAR(64)").run()
        try await db.sql.raw("CREATE INDEX purchases_channel_ref ON purchases (channel_ref) WHERE channel_ref IS NOT NULL").run()
    }

    func revert(on db: any Database) async throws {
        try await db.sql.raw("DROP INDEX purchases_channel_ref").run()
        try await db.sql.raw("ALTER TABLE purchases DROP COLUMN channel_ref").run()
        try await db.sql.raw("ALTER TABLE purchases DROP COLUMN channel").run()
    }
}
