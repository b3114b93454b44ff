import SQLKit

/// Rows that belong to one member, named by their id in a console route (`/console/tasks/7`, `/console/calls/9`):
/// the console's object-level check asks whose they are before the route runs (issue 14).
public enum MemberOwnedRow: String, Sendable, CaseIterable {
    case serviceTask = "service_tasks"
    case complaint = "complaints"
    case outboxMessage = "outbox_messages"
    case tierRequest = "tier_requests"
    case redemption = "redemptions"
}

extension Store {
    /// The member `id` of `row` belongs to; nil when there is no such row or it names no member (a lapse-list task,
    /// an anonymous complaint).
    public func memberOwning(_ row: MemberOwnedRow, id: Int64) async throws -> Int64? {
        try await sql.row("SELECT member_id FROM \(ident: row.rawValue) WHERE id = \(bind: id)")?.optInt64("member_id")
    }
}
