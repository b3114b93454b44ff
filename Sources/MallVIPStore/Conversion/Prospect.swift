import Foundation
import MallVIPCore

/// A non-member registered at a counter as a regular customer (主顾客).
public struct Prospect: Sendable, Equatable {
    public var id: Int64
    public var phone: String
    public var name: String?
    public var counterId: Int64
    public var counterCode: String
    public var counterName: String
    public var departmentId: Int64
    public var departmentName: String
    public var mallId: Int64
    public var registeredBy: String
    public var registeredAt: Date
    /// Set once the phone has enrolled and the conversion was credited.
    public var memberId: Int64?
    public var convertedAt: Date?
}

/// A registered customer with this month's purchases measured against the invite rule.
public struct InviteCandidate: Sendable, Equatable {
    public var prospect: Prospect
    public var assessment: InviteAssessment
    public var lastPurchaseDay: LocalDate?
}

/// Conversions credited to one counter in a period.
public struct CounterConversions: Sendable, Equatable {
    public var counterId: Int64
    public var counterCode: String
    public var counterName: String
    public var departmentName: String
    public var conversions: Int
}

/// The recorded winner of a ranking week, with the reward and what it cost.
public struct ConversionAward: Sendable, Equatable {
    public var mallId: Int64
    public var weekStart: LocalDate
    public var departmentId: Int64
    public var departmentName: String
    public var conversions: Int
    public var rewardText: String
    public var rewardFen: Int64
    public var recordedBy: String
    public var recordedAt: Date
}

/// Which prospects a caller may see: counter staff only their own counter's.
public struct ProspectScope: Sendable, Equatable {
    public var counterId: Int64?
    public var departmentId: Int64?
    public init(counterId: Int64? = nil, departmentId: Int64? = nil) {
        self.counterId = counterId
        self.departmentId = departmentId
    }
}
