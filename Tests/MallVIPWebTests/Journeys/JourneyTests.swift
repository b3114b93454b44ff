import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

private func day(_ s: String) -> LocalDate { LocalDate(s)! }

/// The automatic journeys: who each reaches on which day, exactly once, with the holdout drawn (issue 4).
@Suite("Journeys") struct JourneyTests {
    @Test("a new database has every journey switched off, templates that pass their journeys' rules, and 2026–2027 holidays")
    func defaults() async throws {
        try await withTestApp { t in
            let journeys = try await t.store.journeys()
            #expect(journeys.map(\.kind) == JourneyKind.allCases)
            #expect(journeys.allSatisfy { !$0.enabled })
            for j in journeys { #expect(try await t.store.journeyProblems(j).isEmpty, "\(j.kind)") }
            #expect(try await t.store.messageTemplates().count == JourneyDefaults.templates.count)
            #expect(try await t.store.messageTemplates().allSatisfy { $0.body.hasSuffix(MessageTemplate.signature) })
            let holidays = try await t.store.holidays()
            #expect(holidays.count == 16)
            #expect(holidays.contains { $0.name == "中秋" && $0.day == day("2026-09-25") && $0.active })
            #expect(holidays.contains { $0.name == "春节" && $0.day == day("2027-02-06") })
            #expect(holidays.filter { !$0.active }.map(\.name) == ["七夕", "七夕"])
            // Nothing is switched on: a run sends nothing and records no run.
            _ = try await t.smsMember("13800000001")
            let s = try await t.runJourneys("2026-11-25", hour: 11)
            #expect(s.queued == 0 && s.journeys.allSatisfy { !$0.enabled })
            #expect(try await t.count("outbox_messages") == 0)
        }
    }

    @Test("welcome: members enrolled since the last run are greeted once; a re-run and the next day add nothing")
    func welcome() async throws {
        try await withTestApp { t in
            try await t.enableJourney(.welcome)
            let old = try await t.smsMember("13800000001", at: shanghai(2026, 11, 10, 10))
            let new = try await t.smsMember("13800000002", name: "李四", at: shanghai(2026, 11, 25, 10))
            let s = try await t.runJourneys("2026-11-25", hour: 11)
            #expect(s.result(.welcome)?.queued == 1)
            var rows = try await t.journeyRows(.welcome)
            #expect(rows.map(\.memberId) == [new])
            #expect(rows[0].period == "enrol" && rows[0].status == "queued")
            #expect(rows[0].body == "李四女士您好，欢迎成为【尚峰百货】普卡会员！当前积分60分。有任何需要，请随时找我。【尚峰百货】VIP中心")
            #expect(try await t.runJourneys("2026-11-25", hour: 12).result(.welcome)?.alreadyRan == true)
            let next = try #require(try await t.runJourneys("2026-11-26").result(.welcome))
            #expect(next.due == 1 && next.alreadyDecided == 1 && next.queued == 0)
            rows = try await t.journeyRows(.welcome)
            #expect(rows.count == 1 && !rows.contains { $0.memberId == old })
        }
    }

    @Test("birthday N days before: due on the day N days ahead, not the day before; once per year")
    func birthdayDaysBefore() async throws {
        try await withTestApp { t in
            try await t.enableJourney(.birthday, params: JourneyParams(mode: .daysBefore, days: 7))
            let dec2 = try await t.smsMember("13800000001", birthday: "1990-12-02", at: shanghai(2026, 11, 20, 10))
            _ = try await t.smsMember("13800000002", birthday: "1985-12-03")
            #expect(try await t.runJourneys("2026-11-24").result(.birthday)?.due == 0)
            let s = try #require(try await t.runJourneys("2026-11-25").result(.birthday))
            #expect(s.queued == 1)
            let rows = try await t.journeyRows(.birthday)
            #expect(rows.map(\.memberId) == [dec2] && rows[0].period == "2026")
            #expect(rows[0].body == "亲爱的王丽女士，生日快乐！愿您新的一岁健康平安、事事顺心。【尚峰百货】VIP中心")
            // Next day: the 2 December member again in the window (already greeted), the 3 December one now due.
            let next = try #require(try await t.runJourneys("2026-11-26").result(.birthday))
            #expect(next.due == 2 && next.alreadyDecided == 1 && next.queued == 1)
            #expect(try await t.journeyRows(.birthday).count == 2)
        }
    }

    @Test("birthday month: the whole month's birthdays on the first run in the month; the year is the period")
    func birthdayMonth() async throws {
        try await withTestApp { t in
            try await t.enableJourney(.birthday, params: JourneyParams(mode: .month))
            let nov = try await t.smsMember("13800000001", birthday: "1990-11-30", at: shanghai(2026, 10, 20, 10))
            let nov2 = try await t.smsMember("13800000002", birthday: "1980-11-01")
            _ = try await t.smsMember("13800000003", birthday: "1980-12-01")
            _ = try await t.smsMember("13800000004")
            #expect(try await t.runJourneys("2026-10-31").result(.birthday)?.due == 0)
            #expect(try await t.runJourneys("2026-11-01").result(.birthday)?.queued == 2)
            #expect(try await t.runJourneys("2026-11-15").result(.birthday)?.alreadyDecided == 2)
            #expect(Set(try await t.journeyRows(.birthday).map(\.memberId)) == [nov, nov2])
            #expect(try await t.journeyRows(.birthday).allSatisfy { $0.period == "2026" })
            // A year on, greeted again.
            t.clock.set(shanghai(2027, 11, 1, 1))
            #expect(try await t.runJourneys("2027-11-01").result(.birthday)?.queued == 2)
        }
    }

    @Test("holiday: everyone on the holiday's day with its name, nobody the day before; consent refusals are recorded")
    func holiday() async throws {
        try await withTestApp { t in
            try await t.enableJourney(.holiday)
            let a = try await t.smsMember("13800000001", at: shanghai(2026, 9, 1, 10))
            let noConsent = try await t.memberId(card: try await t.enrolMember(phone: "13800000002"))
            #expect(try await t.runJourneys("2026-09-24").result(.holiday)?.due == 0)
            let s = try #require(try await t.runJourneys("2026-09-25").result(.holiday))
            #expect(s.queued == 1 && s.refused == 1)
            let rows = try await t.journeyRows(.holiday)
            let sent = try #require(rows.first { $0.memberId == a })
            #expect(sent.body == "王丽女士：值此中秋，祝您和家人安康顺遂、诸事如意。【尚峰百货】VIP中心")
            #expect(sent.period.hasPrefix("holiday:"))
            #expect(rows.first { $0.memberId == noConsent }?.status == "refused")
            // The calendar is editable: a new day greets, two holidays on one day are refused, a switched-off one is silent.
            let id = try await t.store.saveHoliday(id: nil, name: "店庆", day: day("2026-10-18"), active: true, actor: "test")
            await #expect(throws: DomainError.self) {
                try await t.store.saveHoliday(id: nil, name: "重阳", day: day("2026-10-18"), active: true, actor: "test")
            }
            #expect(try await t.runJourneys("2026-10-18").result(.holiday)?.queued == 1)
            try await t.store.saveHoliday(id: id, name: "店庆", day: day("2026-10-19"), active: false, actor: "test")
            #expect(try await t.runJourneys("2026-10-19").result(.holiday)?.due == 0)
            #expect(try await t.journeyRows(.holiday).last?.body.contains("店庆") == true)
        }
    }

    @Test("season: each season date with its own template; other days nothing")
    func season() async throws {
        try await withTestApp { t in
            try await t.enableJourney(.season)
            _ = try await t.smsMember("13800000001", at: shanghai(2026, 11, 20, 10))
            #expect(try await t.runJourneys("2026-11-30").result(.season)?.due == 0)
            #expect(try await t.runJourneys("2026-12-01").result(.season)?.queued == 1)
            t.clock.set(shanghai(2027, 3, 1, 1))
            #expect(try await t.runJourneys("2027-03-01").result(.season)?.queued == 1)
            let rows = try await t.journeyRows(.season)
            #expect(rows.map(\.period) == ["season:2026-12-01", "season:2027-03-01"])
            #expect(rows[0].body.contains("天气转冷") && rows[1].body.contains("春天到了"))
            #expect(rows.allSatisfy { !$0.body.contains("新品") })
        }
    }

    @Test("miss-you: on day 90 without a purchase, not day 89; once per lapse; again after a new purchase and a new lapse")
    func missYou() async throws {
        try await withTestApp { t in
            try await t.enableJourney(.missYou)
            let m = try await t.smsMember("13800000001", at: shanghai(2026, 8, 1, 10))
            let card = try #require(try await t.store.member(id: m)?.cardNo)
            #expect(try await t.runJourneys("2026-10-29").result(.missYou)?.due == 0)      // day 89
            #expect(try await t.runJourneys("2026-10-30").result(.missYou)?.queued == 1)   // day 90
            let again = try #require(try await t.runJourneys("2026-10-31").result(.missYou))
            #expect(again.due == 1 && again.alreadyDecided == 1 && again.queued == 0)
            // After the catch-up days the lapse is no longer looked at.
            #expect(try await t.runJourneys("2026-11-08").result(.missYou)?.due == 0)
            t.clock.set(shanghai(2026, 11, 9, 15))
            #expect(try await t.purchase("MISS-1", fen: 20_000, card: card).status == .created)
            #expect(try await t.runJourneys("2027-02-06").result(.missYou)?.due == 0)      // 89 days after 9 November
            #expect(try await t.runJourneys("2027-02-07").result(.missYou)?.queued == 1)
            let rows = try await t.journeyRows(.missYou)
            #expect(rows.map(\.period) == ["lapse:2026-08-01", "lapse:2026-11-09"])
            #expect(rows[0].body == "王丽女士，好久不见，我们很想念您。天气多变，请注意休息，照顾好自己。【尚峰百货】VIP中心")
        }
    }

    @Test("miss-you by phone: a call task on the account manager's list, signed with the manager's name")
    func missYouCall() async throws {
        try await withTestApp { t in
            let manager = try await t.makeStaff("lina", .accountManager)
            try await t.enableJourney(.missYou, channel: .call)
            let m = try await t.smsMember("13800000001", at: shanghai(2026, 8, 1, 10))
            try await t.store.sql.raw("UPDATE members SET consent_phone = \(bind: true), account_manager_id = \(bind: manager) WHERE id = \(bind: m)").run()
            #expect(try await t.runJourneys("2026-10-30").result(.missYou)?.queued == 1)
            let row = try #require(try await t.journeyRows(.missYou).first)
            #expect(row.staffId == manager)
            #expect(row.body.hasSuffix("【尚峰百货】Lina"))
        }
    }

    @Test("points expiring: when the lapse date comes within N days, once per member and expiry date, with points and date")
    func pointsExpiring() async throws {
        try await withTestApp { t in
            try await t.enableJourney(.pointsExpiring, params: JourneyParams(days: 30))
            let m = try await t.smsMember("13800000001", at: shanghai(2025, 6, 10, 10))
            t.clock.set(shanghai(2026, 7, 1, 10))
            let card = try #require(try await t.store.member(id: m)?.cardNo)
            #expect(try await t.purchase("PX-1", fen: 50_000, card: card).status == .created)   // 2026 points: valid through 2027
            #expect(try await t.runJourneys("2026-11-30").result(.pointsExpiring)?.due == 0)   // 31 days before 31 December
            #expect(try await t.runJourneys("2026-12-01").result(.pointsExpiring)?.queued == 1)
            #expect(try await t.runJourneys("2026-12-02").result(.pointsExpiring)?.alreadyDecided == 1)
            let rows = try await t.journeyRows(.pointsExpiring)
            #expect(rows.map(\.period) == ["points:2026-12-31"])
            #expect(rows[0].body == "王丽女士：您有60积分将于2026年12月31日到期（当前共110分），可到服务台兑换礼品。【尚峰百货】VIP中心")
        }
    }

    @Test("coupon expiring: each unused coupon once, when its last day comes within N days")
    func couponExpiring() async throws {
        try await withTestApp { t in
            try await t.enableJourney(.couponExpiring, params: JourneyParams(days: 7))
            let m = try await t.smsMember("13800000001", at: shanghai(2026, 11, 1, 10))
            let template = CouponTemplate(name: LocalizedName(zh: "生日礼券", en: "Birthday coupon"), faceFen: 5000)
            for validTo in ["2026-12-02", "2026-12-20"] {
                _ = try await t.store.issueCoupon(CouponIssue(template: template, memberId: m, source: "manager", validFrom: day("2026-11-01"),
                                                              validTo: day(validTo), note: "test"), actor: "test")
            }
            #expect(try await t.runJourneys("2026-11-24").result(.couponExpiring)?.due == 0)
            #expect(try await t.runJourneys("2026-11-25").result(.couponExpiring)?.queued == 1)
            let rows = try await t.journeyRows(.couponExpiring)
            #expect(rows.count == 1 && rows[0].period.hasPrefix("coupon:"))
            #expect(rows[0].body == "王丽女士：您的生日礼券将于2026年12月2日到期，请在有效期内使用。【尚峰百货】VIP中心")
            // A used or voided coupon is not reminded of.
            try await t.store.sql.raw("UPDATE coupons SET status = 'used' WHERE valid_to_day = \(bind: day("2026-12-20").dayNumber)").run()
            #expect(try await t.runJourneys("2026-12-13").result(.couponExpiring)?.due == 0)
        }
    }

    @Test("tier upgrade: a purchase that upgrades is congratulated once with the new tier; downgrades are not")
    func tierUpgrade() async throws {
        try await withTestApp { t in
            try await t.enableJourney(.tierUpgrade)
            let m = try await t.smsMember("13800000001", at: shanghai(2026, 11, 25, 10))
            let card = try #require(try await t.store.member(id: m)?.cardNo)
            #expect(try await t.purchase("UP-1", fen: 500_000, card: card).status == .created)
            #expect(try await t.store.member(id: m)?.earnedTier == "gold")
            #expect(try await t.runJourneys("2026-11-25", hour: 11).result(.tierUpgrade)?.queued == 1)
            #expect(try await t.runJourneys("2026-11-26").result(.tierUpgrade)?.alreadyDecided == 1)
            let rows = try await t.journeyRows(.tierUpgrade)
            #expect(rows.count == 1 && rows[0].period.hasPrefix("change:"))
            #expect(rows[0].body.hasPrefix("恭喜王丽女士成为【尚峰百货】金卡会员！"))
            // A refund that lowers the tier is no upgrade.
            t.clock.set(shanghai(2026, 11, 27, 10))
            #expect(try await t.refund("RF-1", receipt: "UP-1", fen: 500_000).status == .created)
            #expect(try await t.runJourneys("2026-11-27", hour: 11).result(.tierUpgrade)?.queued == 0)
        }
    }

    @Test("tier at risk: N days before the review when the spend that will count would not keep the tier; only with downgrades on")
    func tierAtRisk() async throws {
        let yaml = programmeYAML(replacing: [("downgrade: false", "downgrade: true")])
        try await withTestApp(programme: yaml) { t in
            try await t.enableJourney(.tierAtRisk, params: JourneyParams(days: 30))
            let lapsing = try await t.smsMember("13800000001", at: shanghai(2025, 12, 20, 10))
            let keeping = try await t.smsMember("13800000002")
            let gold = day("2025-12-20").dayNumber
            try await t.store.sql.raw("UPDATE members SET earned_tier = 'gold', tier_since_day = \(bind: gold)").run()
            t.clock.set(shanghai(2026, 6, 30, 10))
            let card = try #require(try await t.store.member(id: keeping)?.cardNo)
            #expect(try await t.purchase("KEEP-1", fen: 800_000, card: card).status == .created)
            #expect(try await t.runJourneys("2026-11-19").result(.tierAtRisk)?.due == 0)     // review 2026-12-20 is 31 days away
            #expect(try await t.runJourneys("2026-11-20").result(.tierAtRisk)?.queued == 1)
            let rows = try await t.journeyRows(.tierAtRisk)
            #expect(rows.map(\.memberId) == [lapsing] && rows[0].period == "review:2026-12-20")
            #expect(rows[0].body.contains("金卡会员资格即将进行年度复核"))
        }
        // Without downgrades the review never lowers a tier: nobody is at risk.
        try await withTestApp { t in
            try await t.enableJourney(.tierAtRisk, params: JourneyParams(days: 30))
            _ = try await t.smsMember("13800000001", at: shanghai(2025, 12, 20, 10))
            try await t.store.sql.raw("UPDATE members SET earned_tier = 'gold', tier_since_day = \(bind: day("2025-12-20").dayNumber)").run()
            #expect(try await t.runJourneys("2026-11-20").result(.tierAtRisk)?.due == 0)
        }
    }

    @Test("run twice, or twice at once, or again after losing the run record: nothing is decided twice")
    func exactlyOnce() async throws {
        try await withTestApp { t in
            try await t.enableJourney(.holiday, holdout: 200)
            try await t.enableJourney(.welcome)
            _ = try await t.bulkMembers(60, enrolled: day("2026-09-24"))
            t.clock.set(shanghai(2026, 9, 25, 1))
            let results = try await withThrowingTaskGroup(of: JourneySummary.self) { group in
                for _ in 0..<3 { group.addTask { try await t.store.runJourneys(on: day("2026-09-25"), now: t.clock.now) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.reduce(0) { $0 + $1.queued + $1.holdout } == 120)
            #expect(try await t.count("outbox_messages") == 120)
            // The run record lost (a crash after the sends): a re-run finds every send decided.
            try await t.store.sql.raw("DELETE FROM job_runs WHERE job LIKE 'journey:%'").run()
            let again = try await t.runJourneys("2026-09-25", hour: 2)
            #expect(again.queued == 0 && again.holdout == 0)
            #expect(again.result(.holiday)?.alreadyDecided == 60)
            #expect(try await t.count("outbox_messages") == 120)
            #expect(try await t.runJourneys("2026-09-25", hour: 3).journeys.filter(\.enabled).allSatisfy(\.alreadyRan))
        }
    }

    @Test("holdout: the share drawn is close to the configured per mille, and the same member is drawn the same way")
    func holdoutShare() async throws {
        // Pure draw over many members.
        let ids = Array(Int64(1)...20_000)
        let drawn = ids.filter { JourneyHoldout.isHeldOut(memberId: $0, journey: "missYou", periodKey: "lapse:2026-08-01", holdoutPermille: 100) }
        #expect(abs(drawn.count - 2000) < 200, "drew \(drawn.count) of 20000 at 10%")
        let again = ids.filter { JourneyHoldout.isHeldOut(memberId: $0, journey: "missYou", periodKey: "lapse:2026-08-01", holdoutPermille: 100) }
        #expect(drawn == again)
        let otherPeriod = ids.filter { JourneyHoldout.isHeldOut(memberId: $0, journey: "missYou", periodKey: "lapse:2026-11-09", holdoutPermille: 100) }
        #expect(Set(drawn) != Set(otherPeriod))
        #expect(ids.allSatisfy { !JourneyHoldout.isHeldOut(memberId: $0, journey: "x", periodKey: "p", holdoutPermille: 0) })
        // Through the journey: exactly the members the draw names are recorded as holdout, never sent.
        try await withTestApp { t in
            try await t.enableJourney(.holiday, holdout: 250)
            let members = try await t.bulkMembers(400, enrolled: day("2026-09-01"))
            let s = try #require(try await t.runJourneys("2026-09-25").result(.holiday))
            let rows = try await t.journeyRows(.holiday)
            let period = try #require(rows.first?.period)
            let expected = Set(members.filter { JourneyHoldout.isHeldOut(memberId: $0, journey: "holiday", periodKey: period, holdoutPermille: 250) })
            #expect(Set(rows.filter { $0.status == "holdout" }.map(\.memberId)) == expected)
            #expect(s.holdout == expected.count && s.queued == 400 - expected.count)
            #expect(s.holdout > 60 && s.holdout < 140, "drew \(s.holdout) of 400 at 25%")
        }
    }

    @Test("templates: promotional words in care, a missing signature and unknown placeholders are refused; nothing saved")
    func templateRefusals() async throws {
        try await withTestApp { t in
            func rules(_ body: String, purpose: MessagePurpose = .care) async throws -> [String] {
                try await t.store.templateProblems(MessageTemplate(code: "t1", name: "测试", purpose: purpose, body: body), creating: true).map(\.rule)
            }
            #expect(try await rules("中秋快乐，全场满减优惠！{store}{sender}") == ["template.care.promotional"])
            #expect(try await rules("中秋快乐！") == ["template.care.signature"])
            #expect(try await rules("{nickname}中秋快乐！{store}{sender}") == ["template.placeholder.unknown"])
            #expect(try await rules("双十一全场5折！", purpose: .marketing).isEmpty)
            await #expect(throws: DomainError.self) {
                try await t.store.saveMessageTemplate(MessageTemplate(code: "t1", name: "测试", purpose: .care, body: "新品到店！{store}{sender}"),
                                                      creating: true, actor: "test")
            }
            #expect(try await t.store.messageTemplate(code: "t1") == nil)
            // A template a care journey uses may not turn promotional by becoming "service".
            var birthday = try #require(try await t.store.messageTemplate(code: "birthday"))
            birthday.purpose = .service
            birthday.body = "生日快乐！生日当月购物享8折。{store}{sender}"
            #expect(try await t.store.templateProblems(birthday, creating: false).map(\.rule) == ["template.care.promotional"])
            // Nor may a care journey be pointed at a promotional template.
            try await t.store.saveMessageTemplate(MessageTemplate(code: "promo", name: "促销", purpose: .marketing, body: "全场8折！"),
                                                  creating: true, actor: "test")
            do {
                try await t.enableJourney(.birthday, template: "promo")
                Issue.record("a care journey accepted a promotional template")
            } catch let e as DomainError {
                #expect(e.field == "templateCode")
            }
        }
    }

    @Test("a journey whose template was switched off reports it, sends nothing and runs again once fixed")
    func inactiveTemplate() async throws {
        try await withTestApp { t in
            try await t.enableJourney(.welcome)
            _ = try await t.smsMember("13800000001", at: shanghai(2026, 11, 25, 10))
            var welcome = try #require(try await t.store.messageTemplate(code: "welcome"))
            welcome.active = false
            try await t.store.saveMessageTemplate(welcome, creating: false, actor: "test")
            let s = try #require(try await t.runJourneys("2026-11-25", hour: 11).result(.welcome))
            #expect(s.error != nil && s.queued == 0)
            welcome.active = true
            try await t.store.saveMessageTemplate(welcome, creating: false, actor: "test")
            #expect(try await t.runJourneys("2026-11-25", hour: 12).result(.welcome)?.queued == 1)
        }
    }

    @Test("the template context: title from gender, effective tier, sender the account manager or the default sender")
    func context() async throws {
        try await withTestApp { t in
            let m = try await t.smsMember("13800000001", at: shanghai(2026, 11, 25, 10))
            let (_, programme) = try await t.store.programme()
            var c = try #require(try await t.store.templateContext(memberId: m, programme: programme))
            #expect(c.name == "王丽" && c.title == "女士" && c.tier == "普卡" && c.points == 60 && c.sender == "VIP中心" && c.store == "【尚峰百货】")
            #expect(c.expiringPoints == 60 && c.expiryDate == day("2027-12-31"))
            let manager = try await t.makeStaff("zhou", .accountManager)
            try await t.store.sql.raw("UPDATE members SET account_manager_id = \(bind: manager), gender = 'male' WHERE id = \(bind: m)").run()
            c = try #require(try await t.store.templateContext(memberId: m, programme: programme))
            #expect(c.sender == "Zhou" && c.title == "先生")
            #expect(try await t.store.templateContext(memberId: 999_999, programme: programme) == nil)
        }
    }
}
