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

    /// The programme shipped with MallVIP, following the seeds (尚峰 tiers, 南亞 earning and discounts).
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
        return issues
    }

    private func validate(_ rule: EnrolmentRule, at p: String, _ add: (String, String) -> Void) {
        if rule.minSpendFen <= 0 { add("\(p).minSpend", "must be more than 0") }
        if rule.kind == .rollingMonths {
            if let m = rule.months { if !(1...36).contains(m) { add("\(p).months", "must be between 1 and 36") } }
            else { add("\(p).months", "is required for kind rollingMonths") }
        }
    }
}
