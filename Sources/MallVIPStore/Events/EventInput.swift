import Foundation
import MallVIPCore

/// What the planner types for an event. `validated()` names the first wrong field; nothing is written on error.
public struct EventInput: Sendable, Equatable {
    public var type: EventType
    public var title: String
    public var startsAtMs: Int64
    public var endsAtMs: Int64
    public var place: String
    public var capacity: Int
    public var budgetFen: Int64
    public var audienceSegmentId: Int64?
    public var audienceTiers: [String]
    public var rsvpDeadlineMs: Int64

    public init(type: EventType, title: String, startsAtMs: Int64, endsAtMs: Int64, place: String, capacity: Int,
                budgetFen: Int64, audienceSegmentId: Int64? = nil, audienceTiers: [String] = [], rsvpDeadlineMs: Int64) {
        self.type = type
        self.title = title
        self.startsAtMs = startsAtMs
        self.endsAtMs = endsAtMs
        self.place = place
        self.capacity = capacity
        self.budgetFen = budgetFen
        self.audienceSegmentId = audienceSegmentId
        self.audienceTiers = audienceTiers
        self.rsvpDeadlineMs = rsvpDeadlineMs
    }

    public func validated(programme: Programme) throws -> EventInput {
        var v = self
        v.title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        v.place = place.trimmingCharacters(in: .whitespacesAndNewlines)
        v.audienceTiers = audienceTiers.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if v.title.isEmpty { throw DomainError.invalid("title", "event.title", zh: "请填写活动名称", en: "the event needs a title") }
        if v.place.isEmpty { throw DomainError.invalid("place", "event.place", zh: "请填写地点", en: "the event needs a place") }
        if endsAtMs <= startsAtMs { throw DomainError.invalid("endsAt", "event.ends", zh: "结束时间须晚于开始时间", en: "the event must end after it starts") }
        if capacity < 1 { throw DomainError.invalid("capacity", "event.capacity", zh: "名额至少为 1", en: "capacity must be at least 1") }
        if budgetFen < 0 { throw DomainError.invalid("budget", "event.budget", zh: "预算不能为负", en: "the budget cannot be negative") }
        if rsvpDeadlineMs > startsAtMs {
            throw DomainError.invalid("rsvpDeadline", "event.deadline", zh: "报名截止须不晚于活动开始", en: "the RSVP deadline must not be after the start")
        }
        if let bad = v.audienceTiers.first(where: { programme.tier($0) == nil }) {
            throw DomainError.invalid("audienceTiers", "event.tier", zh: "未知等级 \(bad)", en: "unknown tier \(bad)")
        }
        return v
    }
}
