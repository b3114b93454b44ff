import Foundation
import MallVIPCore
import MallVIPStore

/// The automatic journeys: each one's switch, channel, template, holdout and numbers, and its last run.
enum JourneysPage {
    struct Model: Sendable {
        var journeys: [Journey]
        var lastRuns: [JourneyKind: JourneyLastRun]
        var templates: [String: MessageTemplate]
        var programme: Programme
        var notice: String?
        var error: String?
    }

    enum Query {
        static func model(_ store: Store, notice: String?, error: String? = nil) async throws -> Model {
            let (_, programme) = try await store.programme()
            let templates = Dictionary(try await store.messageTemplates().map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
            return Model(journeys: try await store.journeys(), lastRuns: try await store.journeyLastRuns(), templates: templates,
                         programme: programme, notice: notice, error: error)
        }
    }

    /// What a journey's numbers mean, in a line.
    static func paramsText(_ j: Journey, _ ctx: PageContext) -> String {
        let p = j.params
        switch j.kind {
        case .welcome, .tierUpgrade:
            return ctx.t("补发 \(p.catchUp) 天内未发的", "catches up \(p.catchUp) days")
        case .birthday:
            return p.mode == .month ? ctx.t("生日当月", "in the birthday month")
                                    : ctx.t("生日前 \(p.days(for: .birthday)) 天", "\(p.days(for: .birthday)) days before the birthday")
        case .holiday:
            return ctx.t("节日当天（见节日日历）", "on the day (holiday calendar)")
        case .season:
            return ctx.t("换季日：", "season dates: ") + (p.dates ?? []).map { $0.day + ($0.template.map { " → \($0)" } ?? "") }.joined(separator: "，")
        case .missYou:
            return ctx.t("\(p.days(for: .missYou)) 天未消费，每次流失一次", "after \(p.days(for: .missYou)) days without a purchase, once per lapse")
        case .pointsExpiring:
            return ctx.t("\(p.days(for: .pointsExpiring)) 天内到期", "expiring within \(p.days(for: .pointsExpiring)) days")
        case .couponExpiring:
            return ctx.t("\(p.days(for: .couponExpiring)) 天内到期", "expiring within \(p.days(for: .couponExpiring)) days")
        case .tierAtRisk:
            return ctx.t("年度复核前 \(p.days(for: .tierAtRisk)) 天（仅在章程允许降级时）",
                         "\(p.days(for: .tierAtRisk)) days before the yearly review (only when the programme allows downgrades)")
        }
    }
}

enum JourneyForm {
    struct Values: Sendable {
        var enabled = false
        var channel = MessageChannel.sms
        var templateCode = ""
        /// "10%"
        var holdout = "0%"
        var mode = ""
        var days = ""
        var catchUpDays = ""
        /// One season date a line: "12-01 seasonWinter".
        var dates = ""
        /// The attached coupon (issue 18, service journeys); all blank = none.
        var coupon = AttachedCouponFields()

        init(_ j: Journey) {
            enabled = j.enabled
            channel = j.channel
            templateCode = j.templateCode
            holdout = PercentText.format(j.holdoutPermille)
            mode = j.params.mode?.rawValue ?? ""
            days = j.params.days.map(String.init) ?? ""
            catchUpDays = j.params.catchUpDays.map(String.init) ?? ""
            dates = (j.params.dates ?? []).map { $0.day + ($0.template.map { " " + $0 } ?? "") }.joined(separator: "\n")
            coupon = AttachedCouponFields(j.coupon)
        }

        init(form: [String: String]) {
            enabled = form["enabled"] != nil
            channel = MessageChannel(rawValue: form["channel"] ?? "") ?? .sms
            templateCode = Forms.trimmed(form["templateCode"])
            holdout = Forms.trimmed(form["holdout"])
            mode = Forms.trimmed(form["mode"])
            days = Forms.trimmed(form["days"])
            catchUpDays = Forms.trimmed(form["catchUpDays"])
            dates = Forms.trimmed(form["dates"])
            coupon = AttachedCouponFields(form: form)
        }

        /// The journey as posted over `base` (kind and name stay).
        func journey(_ base: Journey) throws -> Journey {
            guard let permille = PercentText.parse(holdout) else {
                throw DomainError.invalid("holdout", "journey.holdout.format", zh: "对照组比例格式如 10% 或 2.5%", en: "The holdout is a percentage such as 10% or 2.5%")
            }
            func int(_ text: String, _ field: String) throws -> Int? {
                if text.isEmpty { return nil }
                guard let n = (try? BoundedNumber.int(text, field: field, -NumericLimits.maxCount...NumericLimits.maxCount)).map({ Int($0) }) else {
                    throw DomainError.invalid("params.\(field)", "journey.\(field).format", zh: "请填写整数天数", en: "\(field) must be a whole number of days")
                }
                return n
            }
            var j = base
            j.enabled = enabled
            j.channel = channel
            j.templateCode = templateCode
            j.holdoutPermille = permille
            var p = base.params
            if base.kind == .birthday { p.mode = JourneyParams.BirthdayMode(rawValue: mode) ?? .daysBefore }
            p.days = try int(days, "days")
            p.catchUpDays = try int(catchUpDays, "catchUpDays")
            if base.kind == .season {
                p.dates = dates.split(whereSeparator: \.isNewline).compactMap { line in
                    let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
                    guard let day = parts.first else { return nil }
                    return SeasonDate(day: day, template: parts.count > 1 ? parts[1] : nil)
                }
            }
            j.params = p
            j.coupon = try coupon.coupon()
            return j
        }
    }

    struct Model: Sendable {
        var journey: Journey
        var values: Values
        var templates: [MessageTemplate]
        var lastRun: JourneyLastRun?
        var errors: [String] = []
        /// The attached coupons' figures over all sends (issue 18); nil when none was ever issued.
        var coupons: OfferCouponFigures? = nil
    }

    enum Query {
        static func journey(_ store: Store, code: String) async throws -> Journey {
            guard let kind = JourneyKind(rawValue: code), let j = try await store.journey(kind) else {
                throw DomainError(.notFound, field: nil, rule: "journey.exists", zh: "旅程不存在", en: "Journey not found")
            }
            return j
        }

        static func model(_ store: Store, journey: Journey, values: Values? = nil, errors: [String] = []) async throws -> Model {
            Model(journey: journey, values: values ?? Values(journey), templates: try await store.messageTemplates().filter(\.active),
                  lastRun: try await store.journeyLastRuns()[journey.kind], errors: errors,
                  coupons: try await store.journeyCouponFigures(journey.kind))
        }
    }
}

/// Percentages typed in a form ("10", "10%", "2.5%"), held per mille.
enum PercentText {
    static func parse(_ text: String) -> Int? {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("%") { t.removeLast() }
        guard let hundredths = Money.parseYuan(t.isEmpty ? "0" : t), hundredths >= 0, hundredths <= 10_000, hundredths % 10 == 0 else { return nil }
        return Int(hundredths / 10)
    }

    static func format(_ permille: Int) -> String {
        permille % 10 == 0 ? "\(permille / 10)%" : "\(permille / 10).\(permille % 10)%"
    }
}

/// The holiday calendar.
enum HolidaysPage {
    struct Model: Sendable {
        var holidays: [Holiday]
        var notice: String?
        var error: String?
    }

    enum Query {
        static func model(_ store: Store, notice: String?, error: String? = nil) async throws -> Model {
            Model(holidays: try await store.holidays(), notice: notice, error: error)
        }
    }
}
