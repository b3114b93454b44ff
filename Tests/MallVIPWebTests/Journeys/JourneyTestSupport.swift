import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// One journey message as the outbox recorded it.
struct JourneyRow: Sendable, Equatable {
    var memberId: Int64
    var period: String
    var status: String
    var body: String
    var staffId: Int64?
    var reason: String?
}

extension TestContext {
    /// Switches a journey on with the holdout (default none, so tests see every send) and overrides given.
    func enableJourney(_ kind: JourneyKind, holdout: Int = 0, channel: MessageChannel? = nil, params: JourneyParams? = nil,
                       template: String? = nil) async throws {
        var j = try #require(try await store.journey(kind))
        j.enabled = true
        j.holdoutPermille = holdout
        if let channel { j.channel = channel }
        if let params { j.params = params }
        if let template { j.templateCode = template }
        try await store.saveJourney(j, actor: "test")
    }

    /// Runs the journeys for `day` with the clock at `hour` o'clock that day (the scheduler runs early in the day).
    @discardableResult
    func runJourneys(_ day: String, hour: Int = 1) async throws -> JourneySummary {
        let d = try #require(LocalDate(day))
        clock.set(shanghai(d.year, d.month, d.day, hour))
        return try await store.runJourneys(on: d, now: clock.now)
    }

    func journeyRows(_ kind: JourneyKind) async throws -> [JourneyRow] {
        try await store.sql.raw("""
            SELECT member_id, period_key, status, body, assigned_staff_id, refuse_reason FROM outbox_messages
            WHERE source = 'journey' AND source_code = \(bind: kind.rawValue) ORDER BY id
            """).all().map {
            JourneyRow(memberId: try $0.decode(column: "member_id", as: Int64.self), period: try $0.decode(column: "period_key", as: String.self),
                       status: try $0.decode(column: "status", as: String.self), body: try $0.decode(column: "body", as: String.self),
                       staffId: try $0.decode(column: "assigned_staff_id", as: Int64?.self),
                       reason: try $0.decode(column: "refuse_reason", as: String?.self))
        }
    }

    /// A member enrolled through the API on the clock's day, with SMS consent (and birthday, when given).
    func smsMember(_ phone: String, name: String = "王丽", birthday: String? = nil, at: Date? = nil) async throws -> Int64 {
        if let at { clock.set(at) }
        let id = try await memberId(card: try await enrolMember(phone: phone, name: name, birthday: birthday))
        try await store.sql.raw("UPDATE members SET consent_sms = \(bind: true), gender = 'female' WHERE id = \(bind: id)").run()
        return id
    }

    /// `n` members written straight into the table (no card, no purchase), SMS consent given: many members quickly.
    func bulkMembers(_ n: Int, enrolled: LocalDate) async throws -> [Int64] {
        var ids: [Int64] = []
        let nowMs = epochMillis(clock.now)
        try await store.write { tx in
            for i in 0..<n {
                _ = try await tx.sql.raw("""
                    INSERT INTO members (name, gender, phone, profile_json, notes, consent_sms, consent_email, consent_phone, status,
                      earned_tier, tier_since_day, points_balance, enrolled_at_ms, enrolled_day, enrol_rule, enrol_receipts, enrolled_by, updated_at_ms)
                    VALUES (\(bind: "会员\(i)"), 'male', \(bind: String(format: "1390000%04d", i)), '{}', '', \(bind: true), \(bind: false), \(bind: false),
                      'active', 'regular', \(bind: enrolled.dayNumber), 0, \(bind: nowMs), \(bind: enrolled.dayNumber), 'test', '', 'test', \(bind: nowMs))
                    """).run()
            }
        }
        ids = try await store.sql.raw("SELECT id FROM members WHERE enrol_rule = 'test' ORDER BY id").all()
            .map { try $0.decode(column: "id", as: Int64.self) }
        return ids
    }
}
