import Foundation
import Yams

/// One problem in a programme document, with the YAML path it concerns (`tiers[2].upgrade.thresholds[0].months`).
public struct ProgrammeIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

public struct ProgrammeInvalid: Error, Sendable, CustomStringConvertible {
    public var issues: [ProgrammeIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

extension Programme {
    /// Parses and validates a programme document; throws `ProgrammeInvalid` listing every problem found.
    public static func parse(yaml: String) throws -> Programme {
        let programme: Programme
        do {
            programme = try YAMLDecoder().decode(Programme.self, from: yaml)
        } catch let error as DecodingError {
            throw ProgrammeInvalid(issues: [issue(from: error)])
        } catch {
            throw ProgrammeInvalid(issues: [ProgrammeIssue(path: "(document)", message: "not valid YAML: \(error)")])
        }
        let issues = programme.validate()
        if !issues.isEmpty { throw ProgrammeInvalid(issues: issues) }
        return programme
    }

    public func yaml() throws -> String { try YAMLEncoder().encode(self) }

    /// The programme shipped with MallVIP, following the mall plans of docs/domain.md (尚峰 tiers, 南亞 earning and discounts).
    public static func defaultYAML() -> String {
        guard let url = Bundle.module.url(forResource: "programme.default", withExtension: "yaml"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("programme.default.yaml is missing from the MallVIPCore bundle")
        }
        return text
    }

    public static func defaultProgramme() -> Programme {
        do { return try parse(yaml: defaultYAML()) } catch { fatalError("the shipped programme is invalid: \(error)") }
    }

    public var timeZone: TimeZone { TimeZone(identifier: timezone) ?? TimeZone(identifier: "Asia/Shanghai")! }

    static func issue(from error: DecodingError) -> ProgrammeIssue {
        func path(_ keys: [CodingKey]) -> String {
            var out = ""
            for k in keys {
                if let i = k.intValue, k.stringValue.hasPrefix("Index") || k.stringValue == String(i) {
                    out += "[\(i)]"
                } else {
                    out += (out.isEmpty ? "" : ".") + k.stringValue
                }
            }
            return out.isEmpty ? "(document)" : out
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            let p = path(ctx.codingPath)
            return ProgrammeIssue(path: p == "(document)" ? key.stringValue : "\(p).\(key.stringValue)", message: "is required")
        case .typeMismatch(let type, let ctx):
            return ProgrammeIssue(path: path(ctx.codingPath), message: "expected \(type): \(ctx.debugDescription)")
        case .valueNotFound(let type, let ctx):
            return ProgrammeIssue(path: path(ctx.codingPath), message: "expected \(type), found nothing")
        case .dataCorrupted(let ctx):
            return ProgrammeIssue(path: path(ctx.codingPath), message: ctx.debugDescription)
        @unknown default:
            return ProgrammeIssue(path: "(document)", message: "\(error)")
        }
    }

    /// Rules that YAML types alone cannot express.
    public func validate() -> [ProgrammeIssue] {
        var issues: [ProgrammeIssue] = []
        func add(_ path: String, _ message: String) { issues.append(ProgrammeIssue(path: path, message: message)) }

        if name.trimmingCharacters(in: .whitespaces).isEmpty { add("name", "must not be empty") }
        if TimeZone(identifier: timezone) == nil { add("timezone", "unknown time zone \(timezone)") }
        if tiers.isEmpty { add("tiers", "at least one tier is required") }
        var seen = Set<String>()
        for (i, tier) in tiers.enumerated() {
            let p = "tiers[\(i)]"
            if tier.code.isEmpty || !tier.code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
                add("\(p).code", "must be letters, digits, _ or -")
            }
            if !seen.insert(tier.code).inserted { add("\(p).code", "duplicate tier code \(tier.code)") }
            if tier.name.zh.isEmpty { add("\(p).name.zh", "must not be empty") }
            if i == 0, tier.upgrade != nil { add("\(p).upgrade", "the first (entry) tier cannot have an upgrade rule") }
            if let rule = tier.upgrade {
                if rule.thresholds.isEmpty { add("\(p).upgrade.thresholds", "at least one threshold is required") }
                for (j, t) in rule.thresholds.enumerated() {
                    if !(1...36).contains(t.months) { add("\(p).upgrade.thresholds[\(j)].months", "must be between 1 and 36") }
                    if t.minSpendFen <= 0 { add("\(p).upgrade.thresholds[\(j)].minSpend", "must be more than 0") }
                }
            }
        }
        for (i, rule) in enrolment.rules.enumerated() {
            validate(rule, at: "enrolment.rules[\(i)]", add)
        }
        if enrolment.rules.isEmpty { add("enrolment.rules", "at least one rule is required (use a minSpend of 0.01 for open enrolment)") }
        for (i, entry) in enrolment.entryTiers.enumerated() {
            if tier(entry.tier) == nil { add("enrolment.entryTiers[\(i)].tier", "unknown tier \(entry.tier)") }
            validate(entry.rule, at: "enrolment.entryTiers[\(i)].rule", add)
        }
        if enrolment.receiptValidityDays < 1 { add("enrolment.receiptValidityDays", "must be at least 1") }
        if earning.unitFen <= 0 { add("earning.unit", "must be more than 0") }
        if earning.pointsPerUnit <= 0 { add("earning.pointsPerUnit", "must be more than 0") }
        if let b = earning.bigTicket, b.minBasePoints <= 0 || b.bonusPoints < 0 {
            add("earning.bigTicket", "minBasePoints must be more than 0 and bonusPoints not negative")
        }
        for (i, m) in earning.multipliers.enumerated() {
            let p = "earning.multipliers[\(i)]"
            if m.factorPermille < 1000 { add("\(p).factor", "must be at least 1") }
            if let w = m.weekdays, w.isEmpty || !w.allSatisfy({ (1...7).contains($0) }) {
                add("\(p).weekdays", "must list weekdays 1 (Monday) to 7 (Sunday)")
            }
            if let ms = m.months, ms.isEmpty || !ms.allSatisfy({ (1...12).contains($0) }) {
                add("\(p).months", "must list months 1 to 12")
            }
            if let f = m.from, let t = m.to, f > t { add("\(p).to", "must not be before from (\(f))") }
            if let n = m.firstMemberPurchasesOfDay, n < 1 { add("\(p).firstMemberPurchasesOfDay", "must be at least 1") }
        }
        if cards.prefix.isEmpty || cards.prefix.count > 6 || !cards.prefix.allSatisfy(\.isASCIIDigitChar) {
            add("cards.prefix", "must be 1 to 6 digits")
        }
        if !(6...12).contains(cards.serialDigits) { add("cards.serialDigits", "must be between 6 and 12") }
        if purchases.maxBackdateDays < 0 { add("purchases.maxBackdateDays", "must not be negative") }
        if purchases.maxFutureSeconds < 0 { add("purchases.maxFutureSeconds", "must not be negative") }
        validateRewards(add)
        for (path, message) in vipWeek.validationErrors(path: "vipWeek") { add(path, message) }
        if !(0...60).contains(events.reminderDaysBefore) { add("events.reminderDaysBefore", "must be between 0 and 60") }
        if !(1...366).contains(events.followUpDays) { add("events.followUpDays", "must be between 1 and 366") }
        for (path, message) in reports.validationErrors(path: "reports") { add(path, message) }
        for (path, message) in malls.validationErrors(path: "malls") { add(path, message) }
        for (path, message) in gifts.validationErrors(path: "gifts") { add(path, message) }
        for (path, message) in activities.validationErrors(path: "activities") { add(path, message) }
        for (path, message) in discounts.validationErrors(path: "discounts", tierCodes: tiers.map(\.code)) { add(path, message) }
        for (path, message) in finance.validationErrors(path: "finance") { add(path, message) }
        for (path, message) in coFunding.validationErrors(path: "coFunding") { add(path, message) }
        for (path, message) in photos.validationErrors(path: "photos") { add(path, message) }
        for (path, message) in channels.validationErrors(path: "channels") { add(path, message) }
        for (path, message) in wechatPay.validationErrors(path: "wechatPay") { add(path, message) }
        for (path, message) in boundIssues() { add(path, message) }   // Programme+Bounds.swift
        return issues
    }

    private func validate(_ rule: EnrolmentRule, at p: String, _ add: (String, String) -> Void) {
        if rule.minSpendFen <= 0 { add("\(p).minSpend", "must be more than 0") }
        if rule.kind == .rollingMonths {
            if let m = rule.months { if !(1...36).contains(m) { add("\(p).months", "must be between 1 and 36") } }
            else { add("\(p).months", "is required for kind rollingMonths") }
        }
    }

    private func validateRewards(_ add: (String, String) -> Void) {
        for (i, tier) in tiers.enumerated() {
            let b = tier.benefits
            if !(0...24).contains(b.freeParkingHours) { add("tiers[\(i)].benefits.freeParkingHours", "must be between 0 and 24") }
        }
        if redemption.fenPerThousandPoints < 0 { add("redemption.valuePerThousandPoints", "must not be negative") }
        if !(0...9).contains(redemption.lotteryDigit) { add("redemption.lotteryDigit", "must be a single digit 0 to 9") }
        if !(0...100_000).contains(redemption.lowStockThreshold) { add("redemption.lowStockThreshold", "must be between 0 and 100000") }
        if !(1...200).contains(redemption.handbookItems) { add("redemption.handbookItems", "must be between 1 and 200") }
        var codes = Set<String>()
        for (i, l) in redemption.ladders.enumerated() {
            let p = "redemption.ladders[\(i)]"
            if !codes.insert(l.code).inserted { add("\(p).code", "duplicate ladder code \(l.code)") }
            if l.minPoints <= 0 { add("\(p).minPoints", "must be more than 0") }
            if l.baseCapFen <= 0 { add("\(p).baseCap", "must be more than 0") }
            if l.stepPoints <= 0 { add("\(p).stepPoints", "must be more than 0") }
            if l.stepCapFen < 0 { add("\(p).stepCap", "must not be negative") }
        }
        codes = []
        for (i, w) in redemption.windows.enumerated() {
            let p = "redemption.windows[\(i)]"
            if !codes.insert(w.code).inserted { add("\(p).code", "duplicate window code \(w.code)") }
            if let ms = w.months, ms.isEmpty || !ms.allSatisfy({ (1...12).contains($0) }) { add("\(p).months", "must list months 1 to 12") }
            if let f = w.fromDay, !(1...31).contains(f) { add("\(p).fromDay", "must be between 1 and 31") }
            if let t = w.toDay, !(1...31).contains(t) { add("\(p).toDay", "must be between 1 and 31") }
            if let f = w.fromDay, let t = w.toDay, f > t { add("\(p).toDay", "must not be before fromDay (\(f))") }
        }
        if coupons.codePrefix.count > 8 || !coupons.codePrefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            add("coupons.codePrefix", "must be at most 8 letters or digits")
        }
        if !(6...24).contains(coupons.codeLength) { add("coupons.codeLength", "must be between 6 and 24") }
        if coupons.defaultValidDays < 1 { add("coupons.defaultValidDays", "must be at least 1") }
        if !(1...10).contains(pointsExpiry.keepYears) { add("pointsExpiry.keepYears", "must be between 1 and 10") }
        if parking.rateFen < 0 { add("parking.rate", "must not be negative") }
        if !(1...1440).contains(parking.unitMinutes) { add("parking.unitMinutes", "must be between 1 and 1440") }
        if parking.graceMinutes < 0 { add("parking.graceMinutes", "must not be negative") }
        if parking.maxChargeFen < 0 { add("parking.maxCharge", "must not be negative") }
        for (i, r) in parking.sameDaySpend.enumerated() {
            if r.minSpendFen <= 0 { add("parking.sameDaySpend[\(i)].minSpend", "must be more than 0") }
            if !(1...24).contains(r.extraHours) { add("parking.sameDaySpend[\(i)].extraHours", "must be between 1 and 24") }
        }
        if referrals.maxRewardedPerReferrer < 0 { add("referrals.maxRewardedPerReferrer", "must not be negative (0 = no cap)") }
        if referrals.minPurchaseFen < 0 { add("referrals.minPurchase", "must not be negative") }
        if referrals.reward.points < 0 { add("referrals.reward.points", "must not be negative") }
        if let c = referrals.reward.coupon { validate(c, at: "referrals.reward.coupon", add) }
        let m = messaging
        if m.storeName.trimmingCharacters(in: .whitespaces).isEmpty { add("messaging.storeName", "must not be empty (care messages end with it)") }
        if m.smsCostFen < 0 { add("messaging.smsCost", "must not be negative") }
        if m.emailCostFen < 0 { add("messaging.emailCost", "must not be negative") }
        if m.callCostFen < 0 { add("messaging.callCost", "must not be negative") }
        if m.wechatCostFen < 0 { add("messaging.wechatCost", "must not be negative") }
        if m.weeklyMarketingCap < 0 { add("messaging.weeklyMarketingCap", "must not be negative (0 = no cap)") }
        if m.defaultHoldoutPermille > 900 { add("messaging.defaultHoldout", "must be at most 90%") }
        if m.promotionalWords.contains(where: { $0.isEmpty }) { add("messaging.promotionalWords", "must not contain an empty word") }
        if !(1...20).contains(m.maxAttempts) { add("messaging.maxAttempts", "must be between 1 and 20") }
        if m.retryBaseSeconds < 1 { add("messaging.retryBaseSeconds", "must be at least 1") }
        validateChurn(add)
        conversion.validate(add)
        validateAccountManagers(add)
    }

    func validate(_ c: CouponTemplate, at p: String, _ add: (String, String) -> Void) {
        if (c.faceFen == nil) == (c.discountPermille == nil) { add(p, "needs exactly one of face (yuan) or discount (折)") }
        if let f = c.faceFen, f <= 0 { add("\(p).face", "must be more than 0") }
        if c.minSpendFen < 0 { add("\(p).minSpend", "must not be negative") }
        if let d = c.validDays, d < 1 { add("\(p).validDays", "must be at least 1") }
    }
}
