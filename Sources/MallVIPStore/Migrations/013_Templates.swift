import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Message templates, the automatic journeys (one row per kind) and the holiday calendar, with their defaults
/// (`JourneyDefaults`).
struct M013_Templates: AsyncMigration {
    var name: String { "013_Templates" }

    func prepare(on db: any Database) async throws {
        try await db.schema("message_templates").autoID()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("purpose", .string, .required)     // care | marketing | service
            .field("channel", .string, .required)     // sms | email | call
            .field("subject", .string)
            .field("body", .string, .required)
            .field("active", .bool, .required)
            .field("created_at_ms", .int64, .required).field("updated_at_ms", .int64, .required)
            .unique(on: "code").create()
        try await db.schema("journeys").autoID()
            .field("code", .string, .required)        // JourneyKind
            .field("name_zh", .string, .required).field("name_en", .string, .required)
            .field("enabled", .bool, .required)
            .field("purpose", .string, .required)
            .field("channel", .string, .required)
            .field("template_code", .string, .required)
            .field("holdout_permille", .int, .required)
            .field("params_json", .string, .required)
            .field("created_at_ms", .int64, .required).field("updated_at_ms", .int64, .required)
            .unique(on: "code").create()
        try await db.schema("holidays").autoID()
            .field("name", .string, .required)
            .field("day", .int, .required)             // business day number
            .field("active", .bool, .required)
            .create()
        try await db.sql.create(index: "holidays_day").on("holidays").column("day").run()

        let now = epochMillis(Date())
        try await db.transaction { tx in
            let sql = tx.sql
            for t in JourneyDefaults.templates {
                try await sql.exec("""
                    INSERT INTO message_templates (code, name, purpose, channel, subject, body, active, created_at_ms, updated_at_ms)
                    VALUES (\(bind: t.code), \(bind: t.name), \(bind: t.purpose.rawValue), \(bind: t.channel.rawValue), \(bind: t.subject),
                            \(bind: t.body), \(bind: t.active), \(bind: now), \(bind: now))
                    """)
            }
            for j in JourneyDefaults.journeys {
                try await sql.exec("""
                    INSERT INTO journeys (code, name_zh, name_en, enabled, purpose, channel, template_code, holdout_permille, params_json,
                                          created_at_ms, updated_at_ms)
                    VALUES (\(bind: j.code), \(bind: j.name.zh), \(bind: j.name.en), \(bind: j.enabled), \(bind: j.purpose.rawValue),
                            \(bind: j.channel.rawValue), \(bind: j.templateCode), \(bind: j.holdoutPermille), \(bind: try encodeJSON(j.params)),
                            \(bind: now), \(bind: now))
                    """)
            }
            for h in JourneyDefaults.holidays {
                try await sql.exec("""
                    INSERT INTO holidays (name, day, active) VALUES (\(bind: h.name), \(bind: LocalDate(h.day)!.dayNumber), \(bind: h.active))
                    """)
            }
        }
    }

    func revert(on db: any Database) async throws {
        for t in ["holidays", "journeys", "message_templates"] { try await db.schema(t).delete() }
    }
}
