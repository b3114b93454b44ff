import Foundation
import MallVIPCore
import MallVIPStore

extension StaffRole {
    /// Who works a call list: account managers their own tasks, managers everyone's.
    static let callLists: Set<StaffRole> = [.admin, .manager, .accountManager]
}

/// The outbox: messages with status, reason, attempts and cost, filtered; and the cost roll-up.
enum MessagesPage {
    struct Model {
        var filter: OutboxFilter
        /// The filter as typed, to refill the form.
        var form: (status: String, channel: String, source: String, member: String, month: String)
        var rows: [OutboxMessage]
        var counts: [MessageStatus: Int]
        var costs: MessageCostReport
        /// Channels with a sender (SMS gateway, SMTP); the others stay queued.
        var configured: [MessageChannel]
        var programme: Programme
    }

    enum Query {
        static func model(_ store: Store, query: (status: String?, channel: String?, source: String?, member: String?, month: String?),
                          configured: [MessageChannel]) async throws -> Model {
            let (_, programme) = try await store.programme()
            func clean(_ s: String?) -> String { Forms.trimmed(s) }
            var filter = OutboxFilter()
            filter.status = MessageStatus(rawValue: clean(query.status))
            filter.channel = MessageChannel(rawValue: clean(query.channel))
            let source = clean(query.source)
            filter.sourceCode = source.isEmpty ? nil : source
            let member = clean(query.member)
            if !member.isEmpty {
                if member.count == 11, let m = try await store.lookup(card: nil, phone: member) {
                    filter.memberId = m.id
                } else if let card = try await store.lookup(card: member, phone: nil) {
                    filter.memberId = card.id
                } else {
                    // An id, or nothing found: an impossible id shows an empty list rather than everything.
                    filter.memberId = Int64(member) ?? -1
                }
            }
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            let monthText = clean(query.month)
            let month = LocalDate(monthText + "-01") ?? today
            return Model(filter: filter, form: (clean(query.status), clean(query.channel), source, member, String(month.description.prefix(7))),
                         rows: try await store.outboxMessages(filter, limit: 200), counts: try await store.outboxStatusCounts(filter),
                         costs: try await store.messageCosts(month: month), configured: configured, programme: programme)
        }
    }
}

/// An account manager's call list (managers see everyone's).
enum CallsPage {
    struct Model {
        var tasks: [OutboxMessage]
        var everyone: Bool
        var programme: Programme
        var notice: String?
        var error: String?
    }
}

/// Names of statuses, channels and reasons in the page's language.
enum MessageText {
    static func status(_ s: MessageStatus, _ ctx: PageContext) -> String { s.label.text(ctx.lang) }
    static func channel(_ c: MessageChannel, _ ctx: PageContext) -> String { c.label.text(ctx.lang) }
    static func purpose(_ p: MessagePurpose, _ ctx: PageContext) -> String { p.label.text(ctx.lang) }
    static func reason(_ r: MessageRefusal, _ ctx: PageContext) -> String { ctx.t(r.zh, r.en) }
}
