import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// The default programme with its `gifts.items` replaced by `items` (YAML flow lines, each "    - {…}").
func giftProgramme(_ items: [String]) -> String {
    let yaml = Programme.defaultYAML()
    let parts = yaml.components(separatedBy: "\ngifts:\n  items:\n")
    precondition(parts.count == 2, "gifts section not found")
    let rest = parts[1].components(separatedBy: "\n").drop { $0.hasPrefix("    - {code:") }.joined(separator: "\n")
    return parts[0] + "\ngifts:\n  items:\n" + items.map { $0 + "\n" }.joined() + rest
}

extension TestContext {
    /// Enrols a member (the enrolment purchase on 1 November, before any gift) and returns (card, id).
    func giftMember(_ phone: String, name: String, birthday: String?) async throws -> (card: String, id: Int64) {
        let card = try await enrolMember(phone: phone, name: name, birthday: birthday, at: shanghai(2026, 11, 1, 11))
        return (card, try await memberId(card: card))
    }

    func gifts(_ memberId: Int64) async throws -> [GiftEntitlement] { try await store.giftEntitlements(memberId: memberId) }
}

/// Issue 18, gifts with a record (docs/workflows.md "Gifts at the desk", docs/reports.md "Gifts"). The test clock is
/// 25 November 2026: the November return gift is due to everyone, the birthday gift to November birthdays.
@Suite("Gifts with a record") struct GiftTests {
    static let nov25 = LocalDate(year: 2026, month: 11, day: 25)

    @Test("the job issues once per member, gift and period: twice in a row and twice at once create nothing new")
    func oncePerPeriod() async throws {
        try await withTestApp { t in
            let (_, a) = try await t.giftMember("13900001001", name: "甲", birthday: "1990-11-03")
            let (_, b) = try await t.giftMember("13900001002", name: "乙", birthday: "1990-05-03")
            let (_, c) = try await t.giftMember("13900001003", name: "丙", birthday: nil)
            let first = try await t.store.runGiftJob(on: Self.nov25)
            #expect(first.issued == 4)
            #expect(Set(try await t.gifts(a).map(\.giftCode)) == ["birthday", "returnGift"])
            #expect(try await t.gifts(b).map(\.giftCode) == ["returnGift"])
            #expect(try await t.gifts(c).map(\.giftCode) == ["returnGift"])
            let birthday = try #require(try await t.gifts(a).first { $0.giftCode == "birthday" })
            #expect(birthday.periodKey == "2026" && birthday.status == .open && birthday.costFen == 3_000)
            #expect(birthday.issuedOn == Self.nov25 && birthday.validUntil == LocalDate(year: 2026, month: 12, day: 25))
            #expect(try await t.gifts(b)[0].validUntil == LocalDate(year: 2026, month: 11, day: 30))   // the return gift's range ends it

            #expect(try await t.store.runGiftJob(on: Self.nov25).issued == 0)
            // Two jobs at once (serve's hourly pass and `mallvip jobs run`), on the next day: still nothing new.
            let store = t.store
            let both = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2 { group.addTask { try await store.runGiftJob(on: Self.nov25.adding(days: 1)).issued } }
                return try await group.reduce(0, +)
            }
            #expect(both == 0)
            #expect(try await t.count("gift_entitlements") == 4)
            // The daily jobs run it too.
            #expect(try await t.store.runDailyJobs(on: Self.nov25, now: t.clock.now).gifts.issued == 0)
        }
    }

    @Test("quarterly: once per quarter for the gift's tiers; a new quarter makes a new one")
    func quarterly() async throws {
        let yaml = giftProgramme([
            "    - {code: q, kind: quarterly, name: {zh: 季度礼品, en: Quarterly gift}, tiers: [regular], validityDays: 90, cost: 100}",
            "    - {code: qd, kind: quarterly, name: {zh: 钻石季度礼品, en: Diamond quarterly}, tiers: [diamond], validityDays: 90, cost: 100}",
        ])
        try await withTestApp(programme: yaml) { t in
            let (_, a) = try await t.giftMember("13900001011", name: "甲", birthday: nil)
            #expect(try await t.store.runGiftJob(on: Self.nov25).issued == 1)
            #expect(try await t.store.runGiftJob(on: LocalDate(year: 2026, month: 12, day: 31)).issued == 0)
            #expect(try await t.store.runGiftJob(on: LocalDate(year: 2027, month: 1, day: 1)).issued == 1)
            #expect(try await t.gifts(a).map(\.periodKey).sorted() == ["2026Q4", "2027Q1"])
            #expect(try await t.gifts(a).allSatisfy { $0.giftCode == "q" })   // not a diamond: no "qd"
        }
    }

    @Test("two desks hand the same gift over at once: exactly one wins, the rest get gift.once; who, when and where are kept")
    func concurrentHandOver() async throws {
        try await withTestApp { t in
            let (_, a) = try await t.giftMember("13900001021", name: "甲", birthday: "1990-11-03")
            try await t.store.runGiftJob(on: Self.nov25)
            let e = try #require(try await t.gifts(a).first { $0.giftCode == "birthday" })
            let store = t.store
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<6 {
                    group.addTask {
                        do {
                            _ = try await store.handOverGift(entitlementId: e.id, memberId: a, mallId: nil, where: "服务台 \(i)", actor: "staff:desk\(i)")
                            return "ok:\(i)"
                        } catch let error as DomainError { return error.rule }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            let winners = outcomes.filter { $0.hasPrefix("ok:") }
            #expect(winners.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == "gift.once" }.count == 5, "\(outcomes)")
            let after = try #require(try await t.store.giftEntitlement(id: e.id))
            let i = winners[0].dropFirst(3)
            #expect(after.status == .collected && after.handedOverBy == "staff:desk\(i)" && after.handedOverWhere == "服务台 \(i)")
            #expect(after.handedOverAt == t.clock.now && after.handedOverMallId != nil)
            #expect(try await t.auditCount("gift.handOver") == 1)
            // Another member's entitlement id is not found for this member.
            let (_, b) = try await t.giftMember("13900001022", name: "乙", birthday: nil)
            await #expect(throws: DomainError.self) {
                try await store.handOverGift(entitlementId: e.id, memberId: b, mallId: nil, where: "", actor: "x")
            }
        }
    }

    @Test("unclaimed gifts expire after their last day and can no longer be handed over")
    func expiry() async throws {
        try await withTestApp { t in
            let (_, a) = try await t.giftMember("13900001031", name: "甲", birthday: "1990-11-03")
            try await t.store.runGiftJob(on: Self.nov25)
            // 25 December is the birthday gift's last day: nothing expires yet except the return gift (ended 30 November).
            #expect(try await t.store.runGiftJob(on: LocalDate(year: 2026, month: 12, day: 25)).expired == 1)
            #expect(try await t.gifts(a).first { $0.giftCode == "birthday" }?.status == .open)
            t.clock.set(shanghai(2026, 12, 26, 9))
            let e = try #require(try await t.gifts(a).first { $0.giftCode == "birthday" })
            await #expect(throws: DomainError.self) {
                try await t.store.handOverGift(entitlementId: e.id, memberId: a, mallId: nil, where: "", actor: "staff:desk")
            }
            #expect(try await t.store.runGiftJob(on: LocalDate(year: 2026, month: 12, day: 26)).expired == 1)
            #expect(try await t.gifts(a).allSatisfy { $0.status == .expired })
            do {
                try await t.store.handOverGift(entitlementId: e.id, memberId: a, mallId: nil, where: "", actor: "staff:desk")
                Issue.record("an expired gift was handed over")
            } catch let error as DomainError { #expect(error.rule == "gift.expired") }
            // The member sees it as expired.
            let page = try await t.signedInMember(a).page("/m/gifts")
            #expect(page.contains("已过期") && page.contains("生日礼品") && !page.contains("待领取"))
        }
    }

    @Test("stock per gift and mall: never below zero, also with two desks taking the last piece at once; a refused hand-over stays open")
    func stock() async throws {
        let yaml = giftProgramme([
            "    - {code: birthday, kind: birthday, name: {zh: 生日礼品, en: Birthday gift}, validityDays: 31, cost: 30, stock: 1}",
        ])
        try await withTestApp(programme: yaml) { t in
            let (_, a) = try await t.giftMember("13900001041", name: "甲", birthday: "1990-11-03")
            let (_, b) = try await t.giftMember("13900001042", name: "乙", birthday: "1991-11-13")
            let (_, c) = try await t.giftMember("13900001043", name: "丙", birthday: "1992-11-23")
            try await t.store.runGiftJob(on: Self.nov25)
            let ea = try await t.gifts(a)[0], eb = try await t.gifts(b)[0], ec = try await t.gifts(c)[0]
            let store = t.store
            let rules = try await withThrowingTaskGroup(of: String.self) { group in
                for (e, m) in [(ea, a), (eb, b)] {
                    group.addTask {
                        do {
                            _ = try await store.handOverGift(entitlementId: e.id, memberId: m, mallId: nil, where: "", actor: "staff:desk")
                            return "ok"
                        } catch let error as DomainError { return error.rule }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(rules.sorted() == ["gift.stock", "ok"], "\(rules)")
            #expect(try await t.store.giftStock().map(\.remaining) == [0])
            #expect(try await t.count("gift_entitlements") == 3)
            let statuses = [try await t.gifts(a)[0].status, try await t.gifts(b)[0].status].map(\.rawValue).sorted()
            #expect(statuses == ["collected", "open"])
            // A delivery: the stock is set, the next hand-over takes one.
            let mall = try #require(try await t.store.malls().first)
            try await t.store.setGiftStock(giftCode: "birthday", mallId: mall.id, remaining: 5, actor: "staff:manager")
            try await t.store.handOverGift(entitlementId: ec.id, memberId: c, mallId: mall.id, where: "", actor: "staff:desk")
            #expect(try await t.store.giftStock().map(\.remaining) == [4])
        }
    }

    @Test("community-card activation: a gift once per member")
    func activation() async throws {
        let yaml = giftProgramme([
            "    - {code: activation, kind: activation, name: {zh: 开卡礼, en: Card activation gift}, validityDays: 30, cost: 10}",
        ])
        try await withTestApp(programme: yaml) { t in
            let (_, a) = try await t.giftMember("13900001051", name: "甲", birthday: nil)
            let (_, b) = try await t.giftMember("13900001052", name: "乙", birthday: nil)
            // a's card was pre-issued at a community stand a month before it was activated; b's was issued on enrolment.
            try await t.store.sql.exec("UPDATE cards SET issued_at_ms = activated_at_ms - 2592000000 WHERE member_id = \(bind: a)")
            #expect(try await t.store.runGiftJob(on: Self.nov25).issued == 1)
            #expect(try await t.store.runGiftJob(on: Self.nov25.adding(days: 1)).issued == 0)
            #expect(try await t.gifts(a).map(\.periodKey) == ["activation"])
            #expect(try await t.gifts(b).isEmpty)
        }
    }

    @Test("the report: issued, collected, expired per gift and month; spend after issue of collectors against the others; costs")
    func report() async throws {
        let yaml = giftProgramme([
            "    - {code: birthday, kind: birthday, name: {zh: 生日礼品, en: Birthday gift}, validityDays: 31, cost: 30}",
        ])
        try await withTestApp(programme: yaml) { t in
            var ids: [Int64] = [], cards: [String] = []
            for (i, name) in ["甲", "乙", "丙", "丁"].enumerated() {
                let (card, id) = try await t.giftMember("1390000106\(i)", name: "\(name)某某", birthday: "1990-11-0\(i + 1)")
                ids.append(id); cards.append(card)
            }
            try await t.store.runGiftJob(on: Self.nov25)   // valid 25 November … 25 December
            t.clock.set(shanghai(2027, 1, 5, 10))
            // (member index, day, fen): inside the window after issue, before it and after it.
            let purchases: [(Int, Date, Int64)] = [
                (0, shanghai(2026, 11, 26), 30_000), (0, shanghai(2026, 12, 20), 12_345), (1, shanghai(2026, 11, 27), 50_000),
                (2, shanghai(2026, 11, 24), 99_900), (2, shanghai(2026, 12, 26), 77_700), (3, shanghai(2026, 12, 25, 20), 8_800),
            ]
            for (n, p) in purchases.enumerated() {
                #expect(try await t.purchase("GR-\(n)", fen: p.2, at: p.1, card: cards[p.0]).status == .created)
            }
            // 甲 and 丙 collect (in December), 乙 lets it lapse, 丁's is still open when the report is read (no job ran).
            t.clock.set(shanghai(2026, 12, 10, 10))
            for i in [0, 2] {
                let e = try await t.gifts(ids[i])[0]
                try await t.store.handOverGift(entitlementId: e.id, memberId: ids[i], mallId: nil, where: "服务台", actor: "staff:desk")
            }
            t.clock.set(shanghai(2027, 1, 5, 10))
            try await t.store.runGiftJob(on: LocalDate(year: 2026, month: 12, day: 27))   // expires 乙's and 丁's

            // Recomputed here from the purchases above: spend from 25 November through 25 December.
            let tz = TimeZone(identifier: "Asia/Shanghai")!
            func spend(_ i: Int) -> Int64 {
                purchases.filter { $0.0 == i && (Self.nov25...LocalDate(year: 2026, month: 12, day: 25)).contains(LocalDate.of($0.1, in: tz)) }
                    .reduce(0) { $0 + $1.2 }
            }
            let collectors = spend(0) + spend(2), others = spend(1) + spend(3)
            #expect(collectors == 42_345 && others == 58_800)
            let report = try await t.store.giftReport(from: CostPeriod(year: 2026, month: 11), through: CostPeriod(year: 2026, month: 12))
            let line = try #require(report.lines.first)
            #expect(report.lines.count == 1 && line.giftCode == "birthday" && line.month == CostPeriod(year: 2026, month: 11))
            #expect(line.issued == 4 && line.collected == 2 && line.expired == 2 && line.open == 0)
            #expect(line.collectorsSpendFen == collectors && line.othersSpendFen == others)
            #expect(line.collectorsAverageFen == collectors / 2 && line.othersAverageFen == others / 2)
            #expect(line.costFen == 6_000)
            // Economics: the two hand-overs are December's system cost.
            let costs = try await t.store.systemCosts(from: CostPeriod(year: 2026, month: 11), through: CostPeriod(year: 2026, month: 12))
            #expect(costs.filter { $0.source == .giftHandOvers }.map { "\($0.period) \($0.amountFen) \($0.count)" } == ["2026-12 6000 2"])

            // Console: planners read it (page and CSV, aggregates only: no names); the desk may not.
            let planner = try await t.console(as: "pat", .planner)
            let page = try await planner.get("/console/gifts?from=2026-11&through=2026-12")
            #expect(page.status == .ok && page.contains("生日礼品") && page.contains("211.72") && page.contains("294.00"))
            let csv = try await planner.get("/console/gifts/report.csv?from=2026-11&through=2026-12")
            #expect(csv.status == .ok)
            #expect(csv.body.contains("2026-11,birthday,生日礼品,4,2,2,0,60.00,423.45,211.72,588.00,294.00"), "\(csv.body)")
            for name in ["甲某某", "乙某某", "丙某某", "丁某某"] { #expect(!page.contains(name) && !csv.body.contains(name)) }
            #expect(try await t.auditCount("gift.report.export", actor: "staff:pat") == 1)
            let badMonth = try await planner.get("/console/gifts?from=2026-13")
            #expect((400..<500).contains(badMonth.status.code) && badMonth.contains("from"), "\(badMonth.status)")
            let desk = try await t.console(as: "dee", .desk)
            #expect(try await desk.get("/console/gifts").status == .forbidden)
            #expect(try await desk.get("/console/gifts/report.csv").status == .forbidden)
        }
    }

    @Test("the desk sees open gifts at lookup and hands one over; counter staff may not; the member finds it collected on /m/gifts")
    func deskAndMember() async throws {
        try await withTestApp { t in
            let (_, a) = try await t.giftMember("13900001071", name: "甲", birthday: "1990-11-03")
            let (_, b) = try await t.giftMember("13900001072", name: "乙", birthday: nil)
            try await t.store.runGiftJob(on: Self.nov25)
            let e = try #require(try await t.gifts(a).first { $0.giftCode == "birthday" })
            let counter = try await t.console(as: "cole", .counterStaff)
            _ = try await counter.get("/console/members/\(a)")
            #expect(try await counter.post("/console/members/\(a)/gifts/\(e.id)/hand-over", [("where", "x")]).status == .forbidden)

            let desk = try await t.console(as: "dee", .desk)
            let before = try await desk.get("/console/members/\(a)")
            #expect(before.status == .ok && before.contains("待领取礼品") && before.contains("/console/members/\(a)/gifts/\(e.id)/hand-over"))
            let done = try await desk.post("/console/members/\(a)/gifts/\(e.id)/hand-over", [("where", "1F 服务台")])
            #expect(done.status == .seeOther, "\(done.status) \(done.body.prefix(300))")
            let after = try await desk.follow(done)
            #expect(after.contains("已发放：生日礼品") && !after.contains("/gifts/\(e.id)/hand-over"))
            // Again (a second desk with a stale page): 409 and the reason.
            let again = try await desk.post("/console/members/\(a)/gifts/\(e.id)/hand-over", [("where", "1F 服务台")])
            #expect(again.status == .conflict && again.contains("此礼品已领取"))
            // A too-long place is refused naming the field.
            let ret = try #require(try await t.gifts(a).first { $0.giftCode == "returnGift" })
            let long = try await desk.post("/console/members/\(a)/gifts/\(ret.id)/hand-over", [("where", String(repeating: "长", count: 81))])
            #expect(long.status.code >= 400 && long.status.code < 500)
            #expect(try await t.store.giftEntitlement(id: ret.id)?.status == .open)

            let phone = try await t.signedInMember(a)
            let mine = try await phone.page("/m/gifts")
            #expect(mine.contains("已领取") && mine.contains("生日礼品") && mine.contains("1F 服务台") && mine.contains("2026-11-25 10:00"))
            #expect(mine.contains("店庆回门礼") && mine.contains("待领取"))
            let theirs = try await t.signedInMember(b).page("/m/gifts")
            #expect(!theirs.contains("生日礼品") && theirs.contains("店庆回门礼"))
        }
    }
}
