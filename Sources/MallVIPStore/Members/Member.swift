import Foundation
import MallVIPCore

/// A member as the console and API see it (personal data decrypted only where a caller asks for it).
public struct Member: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var gender: Gender
    public var birthday: LocalDate?
    public var phone: String
    public var email: String?
    public var address: String?
    public var idMasked: String?
    public var profile: MemberProfile
    public var notes: String
    public var consentSMS: Bool
    public var consentEmail: Bool
    public var consentPhone: Bool
    public var accountManagerId: Int64?
    public var status: String
    public var earnedTier: String
    public var tierSince: LocalDate
    public var manualTier: String?
    public var manualUntil: LocalDate?
    public var manualReason: String?
    public var pointsBalance: Int64
    public var enrolledAt: Date
    public var enrolRule: String
    public var enrolOverrideReason: String?
    public var cardNo: String?
    public var cardState: CardState?
}

/// Soft profile fields (docs/domain.md §1.1), free text, kept together.
public struct MemberProfile: Codable, Sendable, Equatable {
    public var clothingSize: String = ""
    public var shoeSize: String = ""
    public var occupation: String = ""
    public var family: String = ""
    public var preferences: String = ""
    public var hobbies: String = ""
    public var preferredService: String = ""
    public init() {}
}

/// Enrolment at the desk or by API.
public struct EnrolmentRequest: Sendable {
    public var phone: String
    public var name: String
    public var gender: Gender
    public var birthday: LocalDate?
    public var idNumber: String?
    public var email: String?
    public var address: String?
    public var receipts: [String]
    /// An issued-inactive card (handed out at a community stand) to activate for this member.
    public var cardNo: String?
    /// A desk manager's override of the enrolment rules; recorded.
    public var overrideReason: String?
    public var consentSMS: Bool
    public var consentEmail: Bool
    public var consentPhone: Bool
    /// The referring member's code (推荐码), if any.
    public var referralCode: String?

    public init(phone: String, name: String, gender: Gender = .unknown, birthday: LocalDate? = nil, idNumber: String? = nil,
                email: String? = nil, address: String? = nil, receipts: [String] = [], cardNo: String? = nil,
                overrideReason: String? = nil, consentSMS: Bool = false, consentEmail: Bool = false, consentPhone: Bool = false,
                referralCode: String? = nil) {
        self.phone = phone
        self.name = name
        self.gender = gender
        self.birthday = birthday
        self.idNumber = idNumber
        self.email = email
        self.address = address
        self.receipts = receipts
        self.cardNo = cardNo
        self.overrideReason = overrideReason
        self.consentSMS = consentSMS
        self.consentEmail = consentEmail
        self.consentPhone = consentPhone
        self.referralCode = referralCode
    }
}

public struct EnrolmentResult: Sendable, Equatable {
    public var memberId: Int64
    public var cardNo: String
    public var tier: String
    public var rule: String
    public var pointsBalance: Int64
}
