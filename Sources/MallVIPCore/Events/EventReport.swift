/// What one invitation amounts to after the event, as the report counts it.
public struct EventOutcome: Sendable, Equatable {
    public var memberId: Int64?
    public var accepted: Bool
    public var attended: Bool
    public var walkIn: Bool
    /// Spend in the follow-up window (default 30 days after the event), net of refunds; nil for a guest without card.
    public var followUpSpendFen: Int64

    public init(memberId: Int64?, accepted: Bool, attended: Bool, walkIn: Bool, followUpSpendFen: Int64 = 0) {
        self.memberId = memberId
        self.accepted = accepted
        self.attended = attended
        self.walkIn = walkIn
        self.followUpSpendFen = followUpSpendFen
    }
}

/// The post-event report: invited, accepted, attended, no-show, walk-ins, the attendees' follow-up spend against
/// invited members who stayed away, and the cost per attendee. Averages are per member in fen, rounded half up,
/// so two groups of different size can be compared.
public struct EventReport: Sendable, Equatable {
    /// Invitations sent before the event (walk-ins were never invited).
    public var invited: Int
    public var accepted: Int
    /// Everybody checked in, invited or walk-in.
    public var attended: Int
    /// Accepted but did not come.
    public var noShow: Int
    public var walkIns: Int
    public var attendeeMembers: Int
    public var attendeeSpendFen: Int64
    /// Invited members (with a card) who did not attend, whatever they answered.
    public var absentMembers: Int
    public var absentSpendFen: Int64
    public var budgetFen: Int64

    public init(outcomes: [EventOutcome], budgetFen: Int64) {
        let invitedOnes = outcomes.filter { !$0.walkIn }
        invited = invitedOnes.count
        accepted = invitedOnes.filter { $0.accepted || $0.attended }.count
        attended = outcomes.filter(\.attended).count
        noShow = invitedOnes.filter { $0.accepted && !$0.attended }.count
        walkIns = outcomes.filter(\.walkIn).count
        let attendees = outcomes.filter { $0.attended && $0.memberId != nil }
        attendeeMembers = attendees.count
        attendeeSpendFen = attendees.reduce(0) { $0 + $1.followUpSpendFen }
        let absent = invitedOnes.filter { !$0.attended && $0.memberId != nil }
        absentMembers = absent.count
        absentSpendFen = absent.reduce(0) { $0 + $1.followUpSpendFen }
        self.budgetFen = budgetFen
    }

    public var attendeeAverageFen: Int64? { Self.average(attendeeSpendFen, attendeeMembers) }
    public var absentAverageFen: Int64? { Self.average(absentSpendFen, absentMembers) }
    /// Budget spread over everybody who came; nil when nobody came.
    public var costPerAttendeeFen: Int64? { Self.average(budgetFen, attended) }
    /// Attendees' average minus the absent members' average: what coming was worth per member, if both exist.
    public var upliftPerMemberFen: Int64? {
        guard let a = attendeeAverageFen, let b = absentAverageFen else { return nil }
        return a - b
    }

    static func average(_ total: Int64, _ count: Int) -> Int64? {
        guard count > 0 else { return nil }
        let n = Int64(count)
        let (q, r) = total.quotientAndRemainder(dividingBy: n)
        if r == 0 { return q }
        // Round half away from zero so a refund-heavy group rounds symmetrically.
        return 2 * abs(r) >= n ? q + (total < 0 ? -1 : 1) : q
    }
}
