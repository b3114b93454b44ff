import Foundation

/// High-end VIP maintainers (维护人, docs/domain.md §9.1): who may look after members, and the monthly reward for
/// the maintainer whose members bought most often.
public struct AccountManagerPolicy: Codable, Sendable, Equatable {
    /// Months since the hire date before a staff member may be given members (成都: six).
    public var tenureMonths: Int
    /// Staff roles that may become maintainers: the Chengdu plan names sales (counter staff) and planning staff, plus
    /// the account-manager role itself.
    public var eligibleRoles: [String]
    /// What the month's winner receives, and what it costs the mall (50 × 12 = 600 yuan a year).
    public var monthlyRewardFen: Int64
    public var rewardText: String

    public static let knownRoles = ["admin", "manager", "planner", "desk", "accountManager", "counterStaff"]

    public init(tenureMonths: Int = 6, eligibleRoles: [String] = ["accountManager", "planner", "counterStaff"],
                monthlyRewardFen: Int64 = 5_000, rewardText: String = "50元移动充值卡") {
        self.tenureMonths = tenureMonths
        self.eligibleRoles = eligibleRoles
        self.monthlyRewardFen = monthlyRewardFen
        self.rewardText = rewardText
    }

    enum CodingKeys: String, CodingKey { case tenureMonths, eligibleRoles, monthlyReward, rewardText }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AccountManagerPolicy()
        tenureMonths = try c.decodeIfPresent(Int.self, forKey: .tenureMonths) ?? d.tenureMonths
        eligibleRoles = try c.decodeIfPresent([String].self, forKey: .eligibleRoles) ?? d.eligibleRoles
        monthlyRewardFen = try c.decodeIfPresent(YuanValue.self, forKey: .monthlyReward)?.fen ?? d.monthlyRewardFen
        rewardText = try c.decodeIfPresent(String.self, forKey: .rewardText) ?? d.rewardText
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tenureMonths, forKey: .tenureMonths)
        try c.encode(eligibleRoles, forKey: .eligibleRoles)
        try c.encode(YuanValue(fen: monthlyRewardFen), forKey: .monthlyReward)
        try c.encode(rewardText, forKey: .rewardText)
    }

    /// The first day a staff member hired on `hiredOn` has served the tenure: hired 31 Aug, six months → 28 Feb.
    public func eligibleFrom(hiredOn: LocalDate) -> LocalDate { hiredOn.adding(months: tenureMonths) }

    /// Why a staff member may not look after members on `today`, or nil when they may. A missing hire date
    /// means the tenure cannot be checked, so it refuses rather than guesses.
    public func refusal(role: String, active: Bool, hiredOn: LocalDate?, on today: LocalDate) -> DomainError? {
        if !active {
            return DomainError(.notEligible, field: "staffId", rule: "manager.active", zh: "该员工账号已停用", en: "this staff user is disabled")
        }
        if !eligibleRoles.contains(role) {
            return DomainError(.notEligible, field: "staffId", rule: "manager.role",
                               zh: "该角色不能担任维护人", en: "staff with role \(role) cannot look after members")
        }
        guard let hiredOn else {
            return DomainError(.notEligible, field: "staffId", rule: "manager.hireDate",
                               zh: "请先登记该员工的入职日期", en: "the staff member's hire date is not recorded")
        }
        let from = eligibleFrom(hiredOn: hiredOn)
        if from > today {
            return DomainError(.notEligible, field: "staffId", rule: "manager.tenure",
                               zh: "入职未满 \(tenureMonths) 个月（入职 \(hiredOn)，\(from) 起可担任）",
                               en: "less than \(tenureMonths) months' tenure (hired \(hiredOn), eligible from \(from))")
        }
        return nil
    }
}

extension Programme {
    func validateAccountManagers(_ add: (String, String) -> Void) {
        let a = accountManagers
        if !(0...120).contains(a.tenureMonths) { add("accountManagers.tenureMonths", "must be between 0 and 120") }
        if a.eligibleRoles.isEmpty { add("accountManagers.eligibleRoles", "at least one role is required") }
        for (i, r) in a.eligibleRoles.enumerated() where !AccountManagerPolicy.knownRoles.contains(r) {
            add("accountManagers.eligibleRoles[\(i)]", "unknown role \(r) (one of \(AccountManagerPolicy.knownRoles.joined(separator: ", ")))")
        }
        if a.monthlyRewardFen < 0 { add("accountManagers.monthlyReward", "must not be negative") }
        if a.rewardText.trimmingCharacters(in: .whitespaces).isEmpty { add("accountManagers.rewardText", "must not be empty") }
    }
}
