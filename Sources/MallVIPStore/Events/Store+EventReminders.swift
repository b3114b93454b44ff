import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// The daily reminder job: members who accepted an open event held `events.reminderDaysBefore` days from
    /// today get the reminder with their link. The outbox dedupe key (event, "remind") makes reruns harmless.
    public func sendEventReminders(programme: Programme, linkBase: String) async throws -> EnqueueResult {
        let tz = programme.timeZone
        let target = LocalDate.of(now, in: tz).adding(days: programme.events.reminderDaysBefore)
        let from = epochMillis(target.start(in: tz)), to = epochMillis(target.adding(days: 1).start(in: tz))
        var drafts: [OutboxDraft] = []
        for r in try await sql.rows("""
            SELECT \(unsafeRaw: Store.eventColumns) FROM events
            WHERE status = 'open' AND starts_at_ms >= \(bind: from) AND starts_at_ms < \(bind: to) ORDER BY id
            """) {
            let e = try Store.event(r)
            for inv in try await invitations(eventId: e.id) where inv.status == .accepted {
                guard let m = inv.memberId else { continue }
                drafts.append(eventDraft(e, memberId: m, token: inv.token, kind: "remind", programme: programme, linkBase: linkBase))
            }
        }
        return try await enqueue(drafts, programme: programme)
    }
}
