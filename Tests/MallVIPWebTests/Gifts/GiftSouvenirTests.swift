import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// Issue 18, the event souvenir (docs/workflows.md "Gifts at the desk"): the daily job gives each member checked in
/// at an event one souvenir for that event, however often it runs; `gifts.catchUpDays` says how late a job still
/// issues one; it expires after its validity; the desk hands it over once. SQLite, and PostgreSQL with
/// MALLVIP_TEST_DATABASE_URL.
@Suite("Gifts: the event souvenir") struct GiftSouvenirTests {
    static let souvenirOnly = giftProgramme([
        "    - {code: eventSouvenir, kind: eventSouvenir, name: {zh: 活动纪念品, en: Event souvenir}, validityDays: 14, cost: 10}",
    ])

    /// A member checked in at `event` at the clock's time.
    func checkedIn(_ t: TestContext, event: Int64, member: Int64) async throws {
        let inv = try await t.store.ensureInvitation(eventId: event, memberId: member)
        _ = try await t.store.checkIn(eventId: event, input: inv.token, actor: "staff:door")
    }

    @Test("one souvenir per member and event: checked-in guests only, twice in a row and twice at once issue nothing new")
    func oncePerMemberAndEvent() async throws {
        try await withTestApp(programme: Self.souvenirOnly) { t in
            let (_, a) = try await t.giftMember("13900002001", name: "甲", birthday: nil)
            let (_, b) = try await t.giftMember("13900002002", name: "乙", birthday: nil)
            let (_, c) = try await t.giftMember("13900002003", name: "丙", birthday: nil)
            let e1 = try await CheckInTests.openEvent(t), e2 = try await CheckInTests.openEvent(t)
            t.clock.set(shanghai(2026, 11, 28, 18, 30))
            try await checkedIn(t, event: e1.id, member: a)
            try await checkedIn(t, event: e2.id, member: a)
            try await checkedIn(t, event: e1.id, member: b)
            _ = try await t.store.ensureInvitation(eventId: e1.id, memberId: c)   // invited, never came
            let day = LocalDate(year: 2026, month: 11, day: 29)
            #expect(try await t.store.runGiftJob(on: day).issued == 3)
            #expect(Set(try await t.gifts(a).map(\.periodKey)) == ["event:\(e1.id)", "event:\(e2.id)"])
            #expect(try await t.gifts(b).map(\.periodKey) == ["event:\(e1.id)"])
            #expect(try await t.gifts(c).isEmpty)
            let g = try #require(try await t.gifts(b).first)
            #expect(g.kind == .eventSouvenir && g.status == .open && g.costFen == 1_000)
            #expect(g.issuedOn == day && g.validUntil == LocalDate(year: 2026, month: 12, day: 12))

            #expect(try await t.store.runGiftJob(on: day).issued == 0)
            let store = t.store
            let both = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 { group.addTask { try await store.runGiftJob(on: day.adding(days: 1)).issued } }
                return try await group.reduce(0, +)
            }
            #expect(both == 0)
            // A second check-in at the same event (the door scanned twice) makes no second souvenir.
            try await checkedIn(t, event: e1.id, member: b)
            #expect(try await t.store.runGiftJob(on: day.adding(days: 2)).issued == 0)
            #expect(try await t.count("gift_entitlements") == 3)
        }
    }

    @Test("a job that did not run issues souvenirs for check-ins up to gifts.catchUpDays back, not older")
    func catchUp() async throws {
        for (days, expected) in [(7, 0), (10, 1)] {
            let yaml = Self.souvenirOnly.replacingOccurrences(of: "  catchUpDays: 7 ", with: "  catchUpDays: \(days) ")
            try await withTestApp(programme: yaml) { t in
                let (_, programme) = try await t.store.programme()
                #expect(programme.gifts.catchUpDays == days)
                let (_, a) = try await t.giftMember("13900002011", name: "甲", birthday: nil)
                let e = try await CheckInTests.openEvent(t)
                t.clock.set(shanghai(2026, 11, 28, 18, 30))
                try await checkedIn(t, event: e.id, member: a)
                // The first job after the event runs on 7 December, 9 days later.
                t.clock.set(shanghai(2026, 12, 7, 1))
                #expect(try await t.store.runGiftJob(on: LocalDate(year: 2026, month: 12, day: 7)).issued == expected, "catchUpDays \(days)")
            }
        }
    }

    @Test("the souvenir expires after its last day; collected at the desk once, a second hand-over is refused")
    func expiryAndOnce() async throws {
        try await withTestApp(programme: Self.souvenirOnly) { t in
            let (_, a) = try await t.giftMember("13900002021", name: "甲", birthday: nil)
            let (_, b) = try await t.giftMember("13900002022", name: "乙", birthday: nil)
            let e = try await CheckInTests.openEvent(t)
            t.clock.set(shanghai(2026, 11, 28, 18, 30))
            try await checkedIn(t, event: e.id, member: a)
            try await checkedIn(t, event: e.id, member: b)
            try await t.store.runGiftJob(on: LocalDate(year: 2026, month: 11, day: 29))
            let ga = try #require(try await t.gifts(a).first), gb = try #require(try await t.gifts(b).first)

            t.clock.set(shanghai(2026, 12, 1, 10))
            let handed = try await t.store.handOverGift(entitlementId: ga.id, memberId: a, mallId: nil, where: "服务台", actor: "staff:desk")
            #expect(handed.status == .collected && handed.handedOverBy == "staff:desk")
            do {
                try await t.store.handOverGift(entitlementId: ga.id, memberId: a, mallId: nil, where: "服务台", actor: "staff:desk2")
                Issue.record("a souvenir was handed over twice")
            } catch let error as DomainError { #expect(error.rule == "gift.once") }

            // b never collects: open through 12 December, expired from the 13th; a's collected one stays collected.
            #expect(try await t.store.runGiftJob(on: LocalDate(year: 2026, month: 12, day: 12)).expired == 0)
            #expect(try await t.store.runGiftJob(on: LocalDate(year: 2026, month: 12, day: 13)).expired == 1)
            #expect(try await t.store.giftEntitlement(id: gb.id)?.status == .expired)
            #expect(try await t.store.giftEntitlement(id: ga.id)?.status == .collected)
            t.clock.set(shanghai(2026, 12, 13, 10))
            do {
                try await t.store.handOverGift(entitlementId: gb.id, memberId: b, mallId: nil, where: "服务台", actor: "staff:desk")
                Issue.record("an expired souvenir was handed over")
            } catch let error as DomainError { #expect(error.rule == "gift.expired") }
        }
    }

    @Test("gifts.catchUpDays and redemption.handbookItems are programme keys with bounds; the handbook lists at most handbookItems")
    func programmeKeys() throws {
        func issues(_ yaml: String) -> [String] {
            do { _ = try Programme.parse(yaml: yaml); return [] } catch let e as ProgrammeInvalid { return e.issues.map(\.path) } catch { return ["?"] }
        }
        let defaults = Programme.defaultProgramme()
        #expect(defaults.gifts.catchUpDays == 7 && defaults.redemption.handbookItems == 30)
        let catchUp = "  catchUpDays: 7 ", items = "  handbookItems: 30 "
        #expect(issues(Self.souvenirOnly.replacingOccurrences(of: catchUp, with: "  catchUpDays: 61 ")).contains("gifts.catchUpDays"))
        #expect(issues(Self.souvenirOnly.replacingOccurrences(of: catchUp, with: "  catchUpDays: -1 ")).contains("gifts.catchUpDays"))
        #expect(issues(Self.souvenirOnly.replacingOccurrences(of: catchUp, with: "  catchUpDays: 0 ")) == [])
        #expect(issues(programmeYAML(replacing: [(items, "  handbookItems: 0 ")])).contains("redemption.handbookItems"))
        #expect(issues(programmeYAML(replacing: [(items, "  handbookItems: 201 ")])).contains("redemption.handbookItems"))

        var p = try Programme.parse(yaml: programmeYAML(replacing: [(items, "  handbookItems: 2 ")]))
        #expect(p.redemption.handbookItems == 2)
        let rewards = (1...5).map { i in
            RewardItem(code: "G\(i)", name: .init(zh: "礼品\(i)", en: "Gift \(i)"), points: Int64(i * 100))
        }
        let today = LocalDate(year: 2026, month: 11, day: 25)
        let two = ProgrammeHandbook.make(p, tier: "regular", rewards: rewards, today: today).text(.zh)
        #expect(two.contains("礼品1") && two.contains("礼品2") && !two.contains("礼品3") && two.contains("另有 3 项"), "\(two)")
        p.redemption.handbookItems = 30
        let all = ProgrammeHandbook.make(p, tier: "regular", rewards: rewards, today: today).text(.zh)
        #expect(all.contains("礼品5") && !all.contains("另有"))
    }
}
