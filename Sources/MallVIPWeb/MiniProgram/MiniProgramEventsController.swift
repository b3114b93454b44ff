import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// The member's event invitations for the mini-program (issue 22a-2), the same Store calls as /m/events:
/// `memberInvitations` for the list, `invitation(eventId:memberId:)` as the ownership check and `rsvp(… channel: .member)`
/// for the answer. An event the member was not invited to, or an unknown id, is 404 — the RSVP never creates an
/// invitation for someone who had none. A refusal (deadline passed, event not open) is the Store's 4xx naming the rule.
struct MiniProgramEventsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("events", use: list)
        routes.post("events", ":id", "rsvp", use: rsvp)
    }

    struct EventItem: Content {
        var id: Int64
        var code: String
        var type: String
        var title: String
        var startsAt: String
        var endsAt: String
        var place: String
        var rsvpDeadline: String
        var eventStatus: String
        /// invited | accepted | waitlisted | declined | … (the invitation's status)
        var status: String
        var answeredAt: String?
        var checkedIn: Bool

        init(_ e: Event, _ inv: EventInvitation) {
            id = e.id; code = e.code; type = e.type.rawValue; title = e.title
            startsAt = Self.iso(e.startsAtMs); endsAt = Self.iso(e.endsAtMs); place = e.place
            rsvpDeadline = Self.iso(e.rsvpDeadlineMs); eventStatus = e.status.rawValue
            status = inv.status.rawValue; answeredAt = inv.rsvpAtMs.map(Self.iso); checkedIn = inv.checkedInAtMs != nil
        }

        static func iso(_ ms: Int64) -> String {
            ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
        }
    }

    struct Events: Content { var items: [EventItem] }
    struct Answer: Content { var accept: Bool? }

    @Sendable func list(req: Request) async throws -> Events {
        let items = try await req.store.memberInvitations(memberId: try req.miniProgramMemberId())
        return Events(items: items.map { EventItem($0.0, $0.1) })
    }

    @Sendable func rsvp(req: Request) async throws -> EventItem {
        let memberId = try req.miniProgramMemberId()
        guard let id = req.parameters.get("id", as: Int64.self),
              try await req.store.invitation(eventId: id, memberId: memberId) != nil,
              let event = try await req.store.event(id: id), event.status != .draft else {
            throw DomainError(.notFound, field: nil, rule: "event.exists", zh: "未找到这场活动的邀请", en: "no invitation to this event")
        }
        let answer = try? req.content.decode(Answer.self)
        guard let accept = answer?.accept else {
            throw DomainError.invalid("accept", "accept.required", zh: "accept 须为 true（参加）或 false（不参加）",
                                      en: "accept must be true (attend) or false (decline)")
        }
        let (_, programme) = try await req.store.programme()
        let result = try await req.store.rsvp(eventId: id, memberId: memberId, accept: accept, channel: .member,
                                              programme: programme, linkBase: EventLinkController.linkBase(req))
        return EventItem(event, result.invitation)
    }
}
