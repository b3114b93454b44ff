import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Points for activities (issue 18, docs/workflows.md "Points for activities", programme `activities`): an event
/// check-in, a survey answered, the profile completed. Awarded inside the transaction of the act itself (the check-in,
/// the answer, the profile edit), so the act and its points commit together; once per member and occasion.
extension Store {
    /// Gives the programme's points for `occasion` to an active member, once: the `activity_points` row (unique on
    /// member and occasion) goes in first with ON CONFLICT DO NOTHING, and only the transaction whose row went in locks
    /// the member, raises the balance and writes the ledger row (LedgerWriter, kind = the activity's). A second award
    /// for the same occasion — a repeated call, or two at once on PostgreSQL, where the second insert waits for the
    /// first to commit and then does nothing — gives nothing. Returns the points given (0 when none).
    @discardableResult
    func awardActivityPoints(_ tx: any Database, memberId: Int64, occasion: ActivityOccasion, programme: Programme,
                             actor: String, nowMs: Int64) async throws -> Int64 {
        let points = programme.activities.points(for: occasion.kind)
        guard points > 0 else { return 0 }
        let sql = tx.sql
        guard try await sql.row("SELECT id FROM members WHERE id = \(bind: memberId) AND status = 'active'") != nil else { return 0 }
        guard try await sql.row("""
            INSERT INTO activity_points (member_id, occasion, kind, points, at_ms)
            VALUES (\(bind: memberId), \(bind: occasion.key), \(bind: occasion.kind.rawValue), \(bind: points), \(bind: nowMs))
            ON CONFLICT (member_id, occasion) DO NOTHING RETURNING id
            """) != nil else { return 0 }
        let m = try await lockMember(sql, memberId)
        let balance = Saturating.add(m.balance, points)
        try await sql.exec("UPDATE members SET points_balance = \(bind: balance), updated_at_ms = \(bind: nowMs) WHERE id = \(bind: memberId)")
        try await LedgerWriter.write(sql, [NewLedgerEntry(memberId: memberId, kind: occasion.kind.ledgerKind, points: points,
                                                          balanceAfter: balance, note: occasion.note, actor: actor, atMs: nowMs)])
        try await audit(tx, actor: actor, action: "points.activity", subject: "member:\(memberId)", detail: "\(occasion.key) +\(points)")
        return points
    }

    /// The profile points, when the member's profile is complete now (`ProfileCompletion`) and they were not given yet.
    @discardableResult
    func awardProfilePointsIfComplete(_ tx: any Database, memberId: Int64, programme: Programme, actor: String,
                                      nowMs: Int64) async throws -> Int64 {
        guard programme.activities.profileCompleted > 0,
              let r = try await tx.sql.row("SELECT birthday, email, address FROM members WHERE id = \(bind: memberId)") else { return 0 }
        guard ProfileCompletion.isComplete(birthday: try r.optString("birthday").flatMap { LocalDate($0) }, email: try r.optString("email"),
                                           address: try r.optString("address")) else { return 0 }
        return try await awardActivityPoints(tx, memberId: memberId, occasion: .profile, programme: programme, actor: actor, nowMs: nowMs)
    }

    /// The occasions a member earned activity points for, newest first (member page, tests).
    public func activityPoints(memberId: Int64) async throws -> [(occasion: String, kind: ActivityKind?, points: Int64, atMs: Int64)] {
        try await sql.rows("""
            SELECT occasion, kind, points, at_ms FROM activity_points WHERE member_id = \(bind: memberId) ORDER BY id DESC
            """).map { (try $0.string("occasion"), ActivityKind(rawValue: try $0.string("kind")), try $0.int64("points"), try $0.int64("at_ms")) }
    }
}
