import FluentKit
import SQLKit

/// Receivers' answers are no longer kept (issue 14, SSRF): before it, a failed attempt's error carried the first
/// 200 characters of the response body ("HTTP 500: <body>"), shown on the console. This reduces every such error,
/// on the deliveries and in the attempt log, to its status line, so no earlier answer stays readable either.
struct M029_WebhookResponseBodies: AsyncMigration {
    var name: String { "029_WebhookResponseBodies" }

    func prepare(on db: any Database) async throws {
        for (table, error, status) in [("webhook_deliveries", "last_error", "last_http_status"), ("webhook_attempts", "error", "http_status")] {
            try await db.sql.raw("""
                UPDATE \(ident: table) SET \(ident: error) = 'HTTP ' || CAST(\(ident: status) AS TEXT)
                WHERE \(ident: status) IS NOT NULL AND \(ident: error) LIKE 'HTTP %'
                """).run()
        }
    }

    func revert(on db: any Database) async throws {}
}
