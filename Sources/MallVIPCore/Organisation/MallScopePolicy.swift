/// Staff belong to malls (issue 17, docs/security.md "Malls", docs/programme.md `malls`): which members count as a
/// mall's. A member belongs to a mall if they enrolled there, or bought there within the last `memberWindowMonths`
/// months (a member of mall B who shops in mall A is served by A's desk too).
public struct MallScopePolicy: Codable, Sendable, Equatable {
    /// Months back that a purchase at a mall still makes the member one of that mall's (1–60, default 12).
    public var memberWindowMonths: Int

    public init(memberWindowMonths: Int = 12) { self.memberWindowMonths = memberWindowMonths }

    enum CodingKeys: String, CodingKey { case memberWindowMonths }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        memberWindowMonths = try c.decodeIfPresent(Int.self, forKey: .memberWindowMonths) ?? MallScopePolicy().memberWindowMonths
    }

    /// The first business day whose purchase still counts: purchases on or after it make a member one of that mall's.
    public func since(_ today: LocalDate) -> LocalDate { today.windowStart(months: memberWindowMonths) }

    public func validationErrors(path: String) -> [(String, String)] {
        (1...60).contains(memberWindowMonths) ? [] : [("\(path).memberWindowMonths", "must be between 1 and 60")]
    }
}

/// The pure rule of which malls a staff user works with.
public enum StaffMallRule {
    /// The malls a staff user is limited to; nil = the whole group. `assigned`: their malls (staff_malls);
    /// `mayBeGroupWide`: admins, managers and planners, who without an assignment work group-wide. Desk, counter
    /// staff and account managers need an assignment: without one they are limited to no mall (they see no member).
    public static func malls(assigned: [Int64], mayBeGroupWide: Bool) -> [Int64]? {
        if assigned.isEmpty { return mayBeGroupWide ? nil : [] }
        return Array(Set(assigned)).sorted()
    }

    /// Whether a member belongs to one of `malls`: enrolled at one, or bought at one on or after the window's start.
    /// `malls` nil = group-wide (every member).
    public static func memberBelongs(malls: [Int64]?, enrolledMall: Int64?, boughtAtSinceWindow: Set<Int64>) -> Bool {
        guard let malls else { return true }
        let set = Set(malls)
        if let enrolledMall, set.contains(enrolledMall) { return true }
        return !set.isDisjoint(with: boughtAtSinceWindow)
    }
}
