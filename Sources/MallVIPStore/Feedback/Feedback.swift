import MallVIPCore

/// Why a survey link was sent.
public enum SurveyReason: String, Sendable, CaseIterable { case event, complaint, quarterly }

public struct SurveyLink: Sendable, Equatable {
    public var id: Int64
    public var token: String
    public var memberId: Int64?
    public var reason: SurveyReason
    public var reasonRef: String
    public var quarter: String
    public var createdAtMs: Int64
    public var expiresAtMs: Int64
    public var answeredAtMs: Int64?
    public var nps: Int?
    public var csat: Int?
    public var comment: String?
}

public struct SurveyAnswer: Sendable {
    public var nps: Int
    public var csat: Int
    public var comment: String
    public init(nps: Int, csat: Int, comment: String = "") { self.nps = nps; self.csat = csat; self.comment = comment }
}

public enum ComplaintKind: String, Sendable, CaseIterable { case complaint, request }
public enum ComplaintStatus: String, Sendable, CaseIterable { case open, responded, resolved }

public struct NewComplaint: Sendable {
    public var memberId: Int64?
    public var kind: ComplaintKind
    public var channel: FeedbackChannel
    public var category: String
    public var counterId: Int64?
    public var owner: String
    public var description: String
    public init(memberId: Int64?, kind: ComplaintKind, channel: FeedbackChannel, category: String, counterId: Int64? = nil,
                owner: String, description: String) {
        self.memberId = memberId
        self.kind = kind
        self.channel = channel
        self.category = category
        self.counterId = counterId
        self.owner = owner
        self.description = description
    }
}

public struct Complaint: Sendable, Equatable {
    public var id: Int64
    public var memberId: Int64?
    public var kind: ComplaintKind
    public var channel: FeedbackChannel
    public var category: String
    public var counterId: Int64?
    public var counterName: String?
    public var owner: String
    public var status: ComplaintStatus
    public var description: String
    public var createdAtMs: Int64
    public var firstResponseAtMs: Int64?
    public var resolvedAtMs: Int64?
    public var outcome: String?
    public var outcomeTold: Bool
}

/// The quarterly feedback report (docs/domain.md §11).
public struct FeedbackReport: Sendable {
    public struct QuarterScore: Sendable, Equatable {
        public var quarter: Quarter
        public var answers: Int
        public var nps: Int?
        public var csat: Int?
    }
    public struct Count: Sendable, Equatable { public var name: String; public var count: Int }
    public struct SLALine: Sendable, Equatable {
        public var channel: FeedbackChannel
        public var cases: Int
        public var firstResponseMet: Int
        public var firstResponseDecided: Int
        public var resolutionMet: Int
        public var resolutionDecided: Int
    }

    public var quarter: Quarter
    public var sent: Int
    public var npsCount: SurveyScore.NPSCount
    public var nps: Int?
    public var csat: Int?
    public var npsTarget: Int
    public var csatTarget: Int
    /// The report's quarter and the three before it, oldest first.
    public var trend: [QuarterScore]
    public var complaints: Int
    public var requests: Int
    public var topCategories: [Count]
    public var topCounters: [Count]
    public var sla: [SLALine]
    public var comments: [String]
}
