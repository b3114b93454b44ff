import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// Issue 17's segment conditions in the builder: age band (`ageMin`, `ageMax`), gender (`gender_female` …), points
/// balance (`balanceMin` or `balanceCanRedeem`) and lottery eligibility (`lottery`). Errors name the condition's
/// field (`age.maxAge`, `balance.minPoints`), as the store does.
extension SegmentForm.Values {
    static func profileFields(_ c: SegmentConditions) -> [String: String] {
        var f: [String: String] = [:]
        f["ageMin"] = c.age?.minAge.map(String.init)
        f["ageMax"] = c.age?.maxAge.map(String.init)
        for g in c.genders ?? [] { f["gender_\(g.rawValue)"] = "1" }
        f["balanceMin"] = c.balance?.minPoints.map(String.init)
        if c.balance?.canRedeemNow == true { f["balanceCanRedeem"] = "1" }
        if let l = c.lotteryEligible { f["lottery"] = l ? "yes" : "no" }
        return f
    }

    func profileConditions(_ c: inout SegmentConditions) throws {
        let lo = try int("ageMin", field: "age.minAge"), hi = try int("ageMax", field: "age.maxAge")
        if lo != nil || hi != nil { c.age = AgeBandCondition(minAge: lo, maxAge: hi) }
        c.genders = try ticked("gender_").map { g in
            guard let v = Gender(rawValue: g) else {
                throw DomainError.invalid("genders", "gender.value", zh: "没有这个性别：\(g)", en: "no such gender: \(g)")
            }
            return v
        }
        let minPoints = try int("balanceMin", field: "balance.minPoints").map(Int64.init)
        let canRedeem = checked("balanceCanRedeem")
        if minPoints != nil || canRedeem { c.balance = BalanceCondition(minPoints: minPoints, canRedeemNow: canRedeem ? true : nil) }
        switch text("lottery") {
        case "": c.lotteryEligible = nil
        case "yes": c.lotteryEligible = true
        case "no": c.lotteryEligible = false
        case let other:
            throw DomainError.invalid("lotteryEligible", "lottery.value", zh: "抽奖资格须为 yes 或 no：\(other)", en: "lottery must be yes or no: \(other)")
        }
    }
}

extension SegmentsPage {
    static func describeProfile(_ c: SegmentConditions, _ ctx: PageContext) -> [String] {
        var out: [String] = []
        if let a = c.age {
            out.append(ctx.t("年龄：", "Age: ") + (a.minAge.map(String.init) ?? "…") + "–" + (a.maxAge.map(String.init) ?? "…") + ctx.t(" 岁", ""))
        }
        if let g = c.genders { out.append(ctx.t("性别：", "Gender: ") + g.map { $0.label.text(ctx.lang) }.joined(separator: ctx.t("、", ", "))) }
        if let b = c.balance {
            if b.canRedeemNow == true {
                out.append(ctx.t("积分可立即兑换（≥ 最便宜礼品所需积分）", "Can redeem now (balance ≥ the cheapest reward's points)"))
            } else if let p = b.minPoints {
                out.append(ctx.t("积分余额 ≥ \(p)", "Points balance ≥ \(p)"))
            }
        }
        if let l = c.lotteryEligible {
            out.append(l ? ctx.t("有抽奖资格（积分尾数）", "Lottery eligible (balance's last digit)")
                         : ctx.t("无抽奖资格", "Not lottery eligible"))
        }
        return out
    }
}

extension SegmentEditor.View {
    static func profileSections(_ v: SegmentForm.Values, _ ctx: PageContext) -> Node<HTML.FormContext> {
        func box(_ label: String, _ key: String) -> Node<HTML.FormContext> { Layout.checkbox(label, name: key, checked: v.checked(key)) }
        func number(_ label: String, _ key: String, placeholder: String = "") -> Node<HTML.FormContext> {
            Layout.field(label, name: key, value: v.text(key), type: .number, placeholder: placeholder)
        }
        let lottery = v.text("lottery")
        return .group(
            .h2(.text(ctx.t("年龄与性别", "Age and gender"))),
            .p(.class("muted"), .text(ctx.t("按今天的周岁，含两端；生日当天即长一岁；无生日者不计入。",
                                            "Age in whole years today, both ends included; a member is a year older on the birthday itself; members without a birthday never match."))),
            number(ctx.t("最小年龄", "Minimum age"), "ageMin", placeholder: "30"),
            number(ctx.t("最大年龄", "Maximum age"), "ageMax", placeholder: "39"),
            .div(.class("grid"), .forEach(Gender.allCases) { g in box(g.label.text(ctx.lang), "gender_\(g.rawValue)") }),
            .h2(.text(ctx.t("积分余额", "Points balance"))),
            number(ctx.t("积分至少", "Balance at least"), "balanceMin", placeholder: "1000"),
            box(ctx.t("可立即兑换（积分 ≥ 当前最便宜礼品）", "Can redeem now (balance ≥ the cheapest reward on offer)"), "balanceCanRedeem"),
            Layout.select(ctx.t("抽奖资格（积分尾数为章程规定的数字）", "Lottery eligibility (balance ends in the programme's digit)"), name: "lottery",
                          options: [("", ctx.t("不限", "Any")), ("yes", ctx.t("有资格", "Eligible")), ("no", ctx.t("无资格", "Not eligible"))],
                          selected: lottery)
        )
    }
}
