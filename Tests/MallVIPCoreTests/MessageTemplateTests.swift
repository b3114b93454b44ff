import Foundation
import Testing
@testable import MallVIPCore

@Suite("Message templates")
struct MessageTemplateTests {
    let policy = MessagingPolicy()
    let context = TemplateContext(name: "王丽", title: "女士", tier: "金卡", points: 1200, expiringPoints: 300,
                                  expiryDate: LocalDate(year: 2026, month: 12, day: 31), store: "【尚峰百货】", sender: "李娜",
                                  couponName: "生日礼券", couponExpiry: LocalDate(year: 2026, month: 11, day: 30), holiday: "中秋")

    @Test("render fills every placeholder; unknown names and lone braces stay as written")
    func render() {
        let t = MessageTemplate(code: "x", name: "x", purpose: .service, body:
            "{name}{title}·{tier}·{points}·{expiringPoints}·{expiryDate}·{couponName}·{couponExpiry}·{holiday}·{nope}·{·{store}{sender}")
        #expect(t.render(context) == "王丽女士·金卡·1200·300·2026年12月31日·生日礼券·2026年11月30日·中秋·{nope}·{·【尚峰百货】李娜")
        let none = TemplateContext(name: "张三", store: "S", sender: "VIP中心")
        #expect(MessageTemplate.render("{name}{title}{expiryDate}|{couponExpiry}", none) == "张三|")
    }

    @Test("the default care templates pass; every default ends with the signature")
    func defaultsPass() {
        let care = MessageTemplate(code: "b", name: "生日", purpose: .care, body: "亲爱的{name}{title}，生日快乐！{store}{sender}")
        #expect(care.check(policy: policy).isEmpty)
        // Written out, the store and the default sender also sign.
        let literal = MessageTemplate(code: "b", name: "生日", purpose: .care, body: "生日快乐！【尚峰百货】{sender}\n")
        #expect(literal.check(policy: policy).isEmpty)
        #expect(MessageTemplate(code: "b", name: "b", purpose: .care, body: "生日快乐！{store}VIP中心").check(policy: policy).isEmpty)
    }

    @Test("a care template with a promotional word is refused, naming the words; the same text as marketing passes")
    func promotional() {
        let t = MessageTemplate(code: "h", name: "节日", purpose: .care, body: "{name}{title}中秋快乐！全场8折优惠，新品上市。{store}{sender}")
        let errors = t.check(policy: policy)
        #expect(errors.map(\.rule) == ["template.care.promotional"])
        #expect(errors[0].field == "body")
        #expect(errors[0].zh.contains("优惠") && errors[0].zh.contains("折") && errors[0].zh.contains("新品"))
        #expect(t.check(purpose: .marketing, policy: policy).isEmpty)
        // The programme's list decides: a mall that drops 折 may write 曲折.
        var relaxed = policy
        relaxed.promotionalWords = ["活动"]
        #expect(MessageTemplate(code: "s", name: "s", purpose: .care, body: "路途曲折，注意安全。{store}{sender}").check(policy: relaxed).isEmpty)
        // Subjects are checked too.
        let mail = MessageTemplate(code: "m", name: "m", purpose: .care, channel: .email, subject: "促销", body: "您好。{store}{sender}")
        #expect(mail.check(policy: policy).map(\.field) == ["subject"])
    }

    @Test("a care template must end with the store and sender signature")
    func signature() {
        for body in ["{name}{title}，生日快乐！", "{store}{sender}祝您生日快乐", "生日快乐！{sender}{store}", "生日快乐！{store}"] {
            let errors = MessageTemplate(code: "b", name: "b", purpose: .care, body: body).check(policy: policy)
            #expect(errors.map(\.rule) == ["template.care.signature"], "\(body)")
        }
        // Service and marketing texts need no signature.
        #expect(MessageTemplate(code: "p", name: "p", purpose: .service, body: "积分将到期").check(policy: policy).isEmpty)
    }

    @Test("unknown placeholders and unclosed braces are refused for every purpose; all problems come at once")
    func unknownPlaceholder() {
        for purpose in MessagePurpose.allCases {
            let t = MessageTemplate(code: "x", name: "x", purpose: purpose, body: "{name}{nickname}您好 {store}{sender}")
            let rules = t.check(policy: policy).map(\.rule)
            #expect(rules == ["template.placeholder.unknown"], "\(purpose)")
        }
        let broken = MessageTemplate(code: "x", name: "x", purpose: .care, body: "{vip} 优惠 {name")
        #expect(Set(broken.check(policy: policy).map(\.rule)) == ["template.placeholder.unknown", "template.placeholder.unclosed",
                                                                   "template.care.promotional", "template.care.signature"])
        #expect(MessageTemplate(code: "x", name: "x", purpose: .service, body: "  ").check(policy: policy).map(\.rule) == ["template.body.required"])
    }

    @Test("a care template may not mention a coupon")
    func careCoupon() {
        let t = MessageTemplate(code: "b", name: "b", purpose: .care, body: "生日快乐，送您{couponName}。{store}{sender}")
        #expect(t.check(policy: policy).map(\.rule) == ["template.care.coupon"])
    }
}

@Suite("Journey timing")
struct JourneyTimingTests {
    func day(_ s: String) -> LocalDate { LocalDate(s)! }

    @Test("birthdays ahead: from today to N days on, with the year each falls in; 29 Feb greeted through 28 Feb")
    func birthdaysAhead() {
        let b = JourneyTiming.birthdaysAhead(from: day("2026-12-28"), days: 7)
        #expect(b.count == 8)
        #expect(b.first! == (12, 28, 2026) && b.last! == (1, 4, 2027))
        let feb = JourneyTiming.birthdaysAhead(from: day("2027-02-21"), days: 7).map { "\($0.month)-\($0.day)" }
        #expect(feb.contains("2-28") && feb.contains("2-29"))
        // In a leap year 29 Feb is its own day: greeted once, when it comes into the window.
        #expect(JourneyTiming.birthdaysAhead(from: day("2028-02-21"), days: 7).filter { $0.month == 2 && $0.day == 29 }.isEmpty)
        #expect(JourneyTiming.birthdaysAhead(from: day("2028-02-22"), days: 7).filter { $0.month == 2 && $0.day == 29 }.count == 1)
    }

    @Test("miss-you is due from day N after the last visit, up to the catch-up days, never before")
    func missYou() {
        let last = day("2026-08-01")
        #expect(!JourneyTiming.missYouDue(lastVisit: last, on: last.adding(days: 89), days: 90, catchUp: 7))
        #expect(JourneyTiming.missYouDue(lastVisit: last, on: last.adding(days: 90), days: 90, catchUp: 7))
        #expect(JourneyTiming.missYouDue(lastVisit: last, on: last.adding(days: 97), days: 90, catchUp: 7))
        #expect(!JourneyTiming.missYouDue(lastVisit: last, on: last.adding(days: 98), days: 90, catchUp: 7))
    }

    @Test("season dates match month and day; params decode plain dates and dates with templates")
    func season() throws {
        let params = try JSONDecoder().decode(JourneyParams.self, from: Data(#"{"dates":["03-01",{"day":"12-01","template":"w"}]}"#.utf8))
        #expect(JourneyTiming.season(on: day("2026-12-01"), dates: params.dates!)?.template == "w")
        #expect(JourneyTiming.season(on: day("2027-03-01"), dates: params.dates!)?.template == nil)
        #expect(JourneyTiming.season(on: day("2026-03-02"), dates: params.dates!) == nil)
        #expect(JourneyParams(dates: [SeasonDate(day: "13-01")]).check(.season).map(\.rule) == ["journey.dates.format"])
        #expect(JourneyParams(dates: []).check(.season).map(\.rule) == ["journey.dates.required"])
        #expect(JourneyParams(days: 0).check(.missYou).map(\.rule) == ["journey.days.range"])
    }

    @Test("the next yearly review: a year after the later of the last change and review; next 1 January; none")
    func nextReview() {
        let anniversary = ReviewPolicy(mode: .anniversary, downgrade: true)
        #expect(anniversary.nextReview(tierSince: day("2025-03-10"), lastReview: nil, on: day("2026-01-01")) == day("2026-03-10"))
        #expect(anniversary.nextReview(tierSince: day("2024-03-10"), lastReview: day("2025-06-01"), on: day("2026-01-01")) == day("2026-06-01"))
        // 29 Feb + 12 months clamps to 28 Feb, when the member is not yet due (28 Feb − 12 months < 29 Feb): 1 March.
        #expect(anniversary.nextReview(tierSince: day("2024-02-29"), lastReview: nil, on: day("2024-06-01")) == day("2025-03-01"))
        #expect(ReviewPolicy(mode: .calendarYear).nextReview(tierSince: day("2020-01-01"), lastReview: nil, on: day("2026-11-25")) == day("2027-01-01"))
        #expect(ReviewPolicy(mode: .none).nextReview(tierSince: day("2020-01-01"), lastReview: nil, on: day("2026-11-25")) == nil)
    }

    @Test("care journeys are birthday, holiday, season and miss-you; the rest are service")
    func purposes() {
        #expect(JourneyKind.allCases.filter { $0.purpose == .care } == [.birthday, .holiday, .season, .missYou])
    }
}
