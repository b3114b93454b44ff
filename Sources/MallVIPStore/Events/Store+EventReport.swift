import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// The post-event report. Follow-up spend is each member's net spend (total less refunds) on the business
    /// days from the event's day through `followUpDays` days, so what attendees bought on the spot counts too.
    public func eventReport(eventId: Int64, followUpDays: Int, timeZone: TimeZone) async throws -> EventReport {
        guard let event = try await event(id: eventId) else { throw Store.eventNotFound }
        let firstDay = LocalDate.of(dateFromMillis(event.startsAtMs), in: timeZone).dayNumber
        let rows = try await sql.rows("""
            SELECT i.member_id, i.status, i.walk_in, i.rsvp_at_ms,
                   CAST(COALESCE((SELECT SUM(p.total_fen - p.refunded_fen) FROM purchases p
                                  WHERE p.member_id = i.member_id AND p.business_day >= \(bind: firstDay)
                                    AND p.business_day < \(bind: firstDay + followUpDays)), 0) AS BIGINT) AS spend
            FROM event_invitations i WHERE i.event_id = \(bind: eventId)
            """)
        let outcomes = try rows.map { r -> EventOutcome in
            let status = InvitationStatus(rawValue: try r.string("status")) ?? .invited
            return EventOutcome(memberId: try r.optInt64("member_id"), accepted: status == .accepted,
                                attended: status == .attended, walkIn: try r.bool("walk_in"),
                                followUpSpendFen: try r.int64("spend"))
        }
        return EventReport(outcomes: outcomes, budgetFen: event.budgetFen)
    }
}
