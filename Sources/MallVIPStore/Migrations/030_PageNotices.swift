import FluentKit
import SQLKit

/// One-time page notices ("办卡成功，卡号 …", a revealed national ID): a form stores the text for the session that
/// posted it and redirects with only an opaque random id; the page it lands on shows the notice once and deletes it.
/// So no text travels in a URL (browser history, proxy and server logs, Referer), and `?notice=<anything>` on a
/// crafted link shows nothing. `owner_hash` is the SHA-256 of the session cookie; `text_cipher` is encrypted with
/// the data key (a notice may carry a national ID); rows older than an hour are swept on the way.
struct M030_PageNotices: AsyncMigration {
    var name: String { "030_PageNotices" }

    func prepare(on db: any Database) async throws {
        try await db.schema("page_notices")
            .field("id", .string, .identifier(auto: false))
            .field("owner_hash", .string, .required)
            .field("text_cipher", .string, .required)
            .field("created_at_ms", .int64, .required)
            .create()
        try await db.sql.create(index: "page_notices_created").on("page_notices").column("created_at_ms").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("page_notices").delete()
    }
}
