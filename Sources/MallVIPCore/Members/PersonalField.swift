/// The member's personal fields whose every change is recorded, before and after, with who and why (issue 17
/// "Corrections, audited"; docs/domain.md §1 "the history of all of it"). One case per field the desk's profile
/// form, the phone and ID corrections and the member's own /m/profile change. Consent has its own history.
public enum PersonalField: String, Sendable, CaseIterable, Codable {
    case name, gender, birthday, phone, email, address, idNumber
    case clothingSize, shoeSize, occupation, family, preferences, hobbies, preferredService, notes

    public var label: LocalizedName {
        switch self {
        case .name: LocalizedName(zh: "姓名", en: "Name")
        case .gender: LocalizedName(zh: "性别", en: "Gender")
        case .birthday: LocalizedName(zh: "生日", en: "Birthday")
        case .phone: LocalizedName(zh: "手机", en: "Phone")
        case .email: LocalizedName(zh: "邮箱", en: "E-mail")
        case .address: LocalizedName(zh: "地址", en: "Address")
        case .idNumber: LocalizedName(zh: "身份证号", en: "National ID")
        case .clothingSize: LocalizedName(zh: "服装尺码", en: "Clothing size")
        case .shoeSize: LocalizedName(zh: "鞋码", en: "Shoe size")
        case .occupation: LocalizedName(zh: "职业", en: "Occupation")
        case .family: LocalizedName(zh: "家庭情况", en: "Family")
        case .preferences: LocalizedName(zh: "消费偏好", en: "Preferences")
        case .hobbies: LocalizedName(zh: "兴趣爱好", en: "Hobbies")
        case .preferredService: LocalizedName(zh: "喜欢的服务方式", en: "Preferred service")
        case .notes: LocalizedName(zh: "备注", en: "Notes")
        }
    }

    /// A recorded value as a viewer sees it. The rules are the member page's: roles that do not see personal data
    /// get the phone as 138****0001 and e-mail and address as ***; the national ID number is recorded only
    /// masked (110105********123X) and is shown so to everyone (the full number: the audited "reveal").
    public func shown(_ value: String?, seesPersonalData: Bool) -> String {
        guard let value, !value.isEmpty else { return "—" }
        if seesPersonalData { return value }
        switch self {
        case .phone: return Identity.maskPhone(value)
        case .email, .address: return "***"
        default: return value
        }
    }

    /// The fields that differ between two snapshots, in the declared order: (field, before, after). A blank
    /// value and none are the same (a form's empty e-mail is none).
    public static func changes(from before: [PersonalField: String], to after: [PersonalField: String])
        -> [(field: PersonalField, before: String?, after: String?)] {
        func norm(_ v: String?) -> String? { v.flatMap { $0.isEmpty ? nil : $0 } }
        return allCases.compactMap { f in
            let (b, a) = (norm(before[f]), norm(after[f]))
            return b == a ? nil : (f, b, a)
        }
    }
}

/// How a personal field was changed: the desk's profile form, a new phone checked by an SMS code, a manager's
/// override with a reason, the national ID added or corrected at the desk, or the member on /m/profile.
public enum FieldChangeMethod: String, Sendable, CaseIterable, Codable {
    case edit, code, override, idNumber, member

    public var label: LocalizedName {
        switch self {
        case .edit: LocalizedName(zh: "服务台修改资料", en: "profile edit")
        case .code: LocalizedName(zh: "短信验证码核实", en: "SMS code")
        case .override: LocalizedName(zh: "经理特批", en: "manager override")
        case .idNumber: LocalizedName(zh: "服务台登记证件", en: "ID at the desk")
        case .member: LocalizedName(zh: "会员本人", en: "the member")
        }
    }
}
