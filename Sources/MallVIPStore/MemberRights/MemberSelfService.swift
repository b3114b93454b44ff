import Foundation
import MallVIPCore

/// What a member may change on their own profile page (/m/profile). Name, phone and ID number stay with the desk
/// (they identify the person); the birthday may be set once, then only the desk changes it.
public struct MemberSelfEdit: Sendable, Equatable {
    public var email: String?
    public var address: String?
    /// Only accepted while no birthday is on file.
    public var birthday: LocalDate?
    public var clothingSize: String
    public var shoeSize: String
    public var preferences: String
    public var hobbies: String
    public var preferredService: String

    public init(email: String? = nil, address: String? = nil, birthday: LocalDate? = nil, clothingSize: String = "",
                shoeSize: String = "", preferences: String = "", hobbies: String = "", preferredService: String = "") {
        self.email = email
        self.address = address
        self.birthday = birthday
        self.clothingSize = clothingSize
        self.shoeSize = shoeSize
        self.preferences = preferences
        self.hobbies = hobbies
        self.preferredService = preferredService
    }
}

/// One change of a channel's consent, either direction.
public struct ConsentChange: Sendable, Equatable {
    public var channel: MessageChannel
    public var granted: Bool
    public var source: String
    public var actor: String
    public var at: Date
}

public enum MemberRequestStatus: String, Sendable, Codable, CaseIterable {
    case pending, approved, rejected
}

/// A member's request to have their account deleted (PIPL), decided by a manager at the desk.
public struct DeletionRequest: Sendable, Equatable {
    public var id: Int64
    public var memberId: Int64
    public var status: MemberRequestStatus
    public var reason: String
    public var createdAt: Date
    public var decidedBy: String?
    public var decidedAt: Date?
    public var note: String
}
