import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// Offers that carry value (issue 18, part b): a campaign's coupon for each treated member (never the holdout), its
/// code in the message and its figures in the report; tier discounts that apply only during mall events; points for
/// activities, once per member and occasion. SQLite, and PostgreSQL with MALLVIP_TEST_DATABASE_URL.
@Suite("Offers: campaign coupons, discount windows, activity points") struct OffersTests {
    static let couponBody = "{name}您好，送您一张礼券，券号{couponCode}，{couponExpiry}前有效，回T退订"

    func couponCampaign(_ t: TestContext, segment: Int64, holdoutPermille: Int = 300) async throws -> Int64 {
        try await t.store.saveCampaign(id: nil, CampaignInput(
            name: "双十二礼券", segmentId: segment, body: Self.couponBody, holdoutPermille: holdoutPermille, windowDays: 30,
            marginPermille: 300, coupon: CouponTemplate(name: LocalizedName(zh: "满200减30", en: "30 off 200"), faceFen: 3000,
                                                        minSpendFen: 20000, validDays: 30)), actor: "test")
    }

    /// member → coupon code, from campaign_coupons.
    func campaignCoupons(_ t: TestContext, _ campaign: Int64) async throws -> [Int64: String] {
        var out: [Int64: String] = [:]
        for r in try await t.store.sql.raw("SELECT member_id, coupon_code FROM campaign_coupons WHERE campaign_id = \(bind: campaign)").all() {
            out[try r.decode(column: "member_id", as: Int64.self)] = try r.decode(column: "coupon_code", as: String.self)
        }
        return out
    }

    @Test("each treated member gets one coupon, its code in the message; the holdout none; a resumed send issues no second")
    func campaignCouponPerTreatedMember() async throws {
        try await withTestApp { t in
            var cards: [Int64: String] = [:]
            for n in 1...60 { let m = try await t.campaignMember(n); cards[m.id] = m.card }
            let segment = try await t.campaignSegment()
            let c = try await couponCampaign(t, segment: segment)
            try await t.store.scheduleCampaign(id: c, sendNow: true, actor: "test")
            try await t.store.runDueCampaigns(now: t.clock.now)

            let audience = try await t.audience(c)
            let treated = Set(audience.filter { !$0.value }.keys), holdout = Set(audience.filter(\.value).keys)
            #expect(!holdout.isEmpty && !treated.isEmpty)
            let coupons = try await campaignCoupons(t, c)
            #expect(Set(coupons.keys) == treated)
            #expect(Set(coupons.values).count == treated.count)
            let rows = try await t.store.sql.raw("""
                SELECT member_id, code, face_fen, min_spend_fen, valid_from_day, valid_to_day, source, source_ref FROM coupons WHERE source = 'campaign'
                """).all()
            #expect(rows.count == treated.count)
            for r in rows {
                let member = try r.decode(column: "member_id", as: Int64.self)
                #expect(!holdout.contains(member))
                #expect(try r.decode(column: "code", as: String.self) == coupons[member])
                #expect(try r.decode(column: "face_fen", as: Int64.self) == 3000 && r.decode(column: "min_spend_fen", as: Int64.self) == 20000)
                #expect(try r.decode(column: "valid_to_day", as: Int.self) - r.decode(column: "valid_from_day", as: Int.self) == 29)
                #expect(try r.decode(column: "source_ref", as: String.self) == "campaign:\(c)")
            }
            for member in treated {
                let msg = try #require(try await t.store.outboxMessages(OutboxFilter(memberId: member, campaignId: c)).first)
                let code = try #require(coupons[member])
                #expect(msg.body.contains("券号\(code)，"), "\(msg.body)")
                #expect(msg.body.contains("2026年12月24日前有效"), "\(msg.body)")
            }
            for member in holdout {
                let msg = try #require(try await t.store.outboxMessages(OutboxFilter(memberId: member, campaignId: c)).first)
                #expect(msg.status == .holdout)
                #expect(!msg.body.contains("CP"))
            }

            // Again: nothing new. Then a crash mid-send: back to sending with some messages lost; the resumed send
            // writes them again with the same coupon codes and issues no second coupon.
            try await t.store.runDueCampaigns(now: t.clock.now)
            let lost = Array(treated.sorted().prefix(5))
            try await t.store.sql.raw("DELETE FROM outbox_messages WHERE campaign_id = \(bind: c) AND member_id IN \(list: lost)").run()
            try await t.store.sql.raw("UPDATE campaigns SET status = 'sending', claimed_at_ms = 0 WHERE id = \(bind: c)").run()
            t.clock.advance(3600)
            let resumed = try await t.store.runDueCampaigns(now: t.clock.now)
            #expect(resumed.outbox.queued == 5)
            #expect(try await campaignCoupons(t, c) == coupons)
            #expect(try await t.count("coupons") == treated.count)
            for member in lost {
                let msg = try #require(try await t.store.outboxMessages(OutboxFilter(memberId: member, campaignId: c)).first)
                #expect(msg.body.contains(coupons[member]!))
            }
        }
    }

    @Test("the report counts coupons issued and used, the redemption rate and the spend on their receipts")
    func campaignCouponReport() async throws {
        try await withTestApp { t in
            var cards: [Int64: String] = [:]
            for n in 1...20 { let m = try await t.campaignMember(n); cards[m.id] = m.card }
            let segment = try await t.campaignSegment()
            let c = try await couponCampaign(t, segment: segment, holdoutPermille: 200)
            try await t.store.scheduleCampaign(id: c, sendNow: true, actor: "test")
            try await t.store.runDueCampaigns(now: t.clock.now)
            let coupons = try await campaignCoupons(t, c)
            let users = Array(coupons.keys.sorted().prefix(2))
            t.clock.advance(86_400)
            for (i, member) in users.enumerated() {
                let card = try #require(cards[member])
                let p = try await t.purchase("R-CPN-\(i)", fen: 50_000 + Int64(i) * 10_000, card: card)
                #expect(p.status == .created, "\(p.text)")
                let r = try await t.redeemCoupon(coupons[member]!, receipt: "R-CPN-\(i)", fen: 50_000 + Int64(i) * 10_000, card: card)
                #expect(r.status == .created, "\(r.text)")
            }
            let report = try #require(try await t.store.campaignReport(id: c))
            let k = try #require(report.coupons)
            #expect(k.issued == coupons.count && k.used == 2)
            #expect(k.redemptionPermille == Int((2000 + coupons.count / 2) / coupons.count))
            #expect(k.discountFen == 6000)
            #expect(k.receiptSpendFen == 110_000)
            // Beside the uplift on the campaign page.
            let page = try await (try await t.console(as: "planner", .manager)).get(SiteURL.campaign(c).path)
            #expect(page.contains("coupon-report") && page.contains("1,100.00"))

            // A campaign without a coupon has no coupon figures, and a coupon placeholder without a coupon is refused.
            let plain = try await t.draftCampaign(segment: segment, name: "无券")
            #expect(try await t.store.campaignReport(id: plain)?.coupons == nil)
            await #expect(throws: TemplateCheckError.self) {
                try await t.store.saveCampaign(id: nil, CampaignInput(name: "错", segmentId: segment, body: "券号{couponCode}，回T退订",
                                                                      holdoutPermille: 100, marginPermille: 300), actor: "test")
            }
        }
    }

    @Test("a coupon needs {couponCode} in the text, one of face or 折, and no care message carries one")
    func campaignCouponValidation() async throws {
        try await withTestApp { t in
            let segment = try await t.campaignSegment()
            func save(_ body: String, _ coupon: CouponTemplate, purpose: MessagePurpose = .marketing) async throws -> [String] {
                do {
                    try await t.store.saveCampaign(id: nil, CampaignInput(name: "券", segmentId: segment, purpose: purpose, body: body,
                                                                          holdoutPermille: 100, marginPermille: 300, coupon: coupon), actor: "test")
                    return []
                } catch let e as TemplateCheckError { return e.all.map(\.rule) }
            }
            let ok = CouponTemplate(name: LocalizedName(zh: "券", en: "coupon"), faceFen: 1000)
            #expect(try await save("您好，回T退订", ok).contains("campaign.coupon.placeholder"))
            #expect(try await save("券号{couponCode}，回T退订", CouponTemplate(name: ok.name)).contains("coupon.value"))
            #expect(try await save("券号{couponCode}，回T退订", CouponTemplate(name: ok.name, faceFen: 100, discountPermille: 880)).contains("coupon.value"))
            #expect(try await save("券号{couponCode}，回T退订", CouponTemplate(name: ok.name, discountPermille: 1000)).contains("coupon.value"))
            #expect(try await save("券号{couponCode}，回T退订", CouponTemplate(name: ok.name, faceFen: 100, validDays: 0)).contains("coupon.validity"))
            #expect(try await save("{name}生日快乐 {couponCode}{store}{sender}", ok, purpose: .care).contains("campaign.coupon.care"))
            #expect(try await save("券号{couponCode}，回T退订", ok) == [])
        }
    }

    // MARK: - Tier discounts only during mall events

    /// Gold's 8.8折 only during 店庆 (20–22 Nov 2026); diamond and purple keep theirs every day.
    static let eventOnlyGold = programmeYAML(replacing: [(
        "  stackOnCounterPromotion: true        # 折上折: counter 8折 then gold 8.8折",
        """
          stackOnCounterPromotion: true
          eventOnlyTiers: [gold]
          periods:
            - {code: anniversary, name: {zh: 店庆, en: Anniversary}, from: "2026-11-20", to: "2026-11-22"}
        """)])

    @Test("an event-only discount is not given outside its dates and is given inside them (quote; the purchase's decision)")
    func discountWindow() async throws {
        try await withTestApp(programme: Self.eventOnlyGold) { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let up = try await t.purchase("R-1", fen: 440_000, card: card)
            #expect(up.string("tier") == "gold", "\(up.text)")
            func quote(_ at: Date) async throws -> Int? {
                let q = try await t.postRaw("/api/v1/quotes", """
                    {"card":"\(card)","occurredAt":"\(iso(at))","lines":[{"counter":"C0001","amountFen":100000}]}
                    """)
                #expect(q.status == .ok, "\(q.text)")
                return (q.json["lines"] as? [[String: Any]])?.first?["payableFen"] as? Int
            }
            #expect(try await quote(shanghai(2026, 11, 21, 12)) == 88_000)     // inside 店庆
            #expect(try await quote(shanghai(2026, 11, 20, 0, 5)) == 88_000)   // its first day
            #expect(try await quote(shanghai(2026, 11, 22, 23, 55)) == 88_000) // its last day
            #expect(try await quote(shanghai(2026, 11, 23, 0, 5)) == 100_000)  // the day after
            #expect(try await quote(shanghai(2026, 11, 25, 10)) == 100_000)    // today: outside

            let (_, programme) = try await t.store.programme()
            #expect(programme.discountToday(tier: "gold", on: LocalDate(year: 2026, month: 11, day: 25))?.applies == false)
            #expect(programme.discountToday(tier: "gold", on: LocalDate(year: 2026, month: 11, day: 21))?.applies == true)
            #expect(programme.discountToday(tier: "diamond", on: LocalDate(year: 2026, month: 11, day: 25))?.applies == true)
            // The member page says whether it applies today.
            let desk = try await t.console(as: "desk1", .desk)
            let page = try await desk.get(SiteURL.member(try await t.memberId(card: card)).path)
            #expect(page.contains("今天不适用") || page.contains("not today"), "\(page.body.prefix(200))")
            // The POS lookup and the member's own card page say it too; inside 店庆 it applies.
            func lookup() async throws -> [String: Any] {
                let (status, body) = try await t.get("/api/v1/members/lookup?card=\(card)")
                #expect(status == .ok)
                return try #require((body as? [String: Any])?["tierDiscount"] as? [String: Any])
            }
            var d = try await lookup()
            #expect(d["discountPermille"] as? Int == 880 && d["appliesToday"] as? Bool == false && d["todayPermille"] as? Int == 1000)
            #expect((d["text"] as? String)?.contains("今天不适用") == true)
            let own = try await t.signedInMember(try await t.memberId(card: card)).page("/m/card")
            #expect(own.contains("discount-today") && own.contains("今天不适用"))
            t.clock.set(shanghai(2026, 11, 21, 12))
            d = try await lookup()
            #expect(d["appliesToday"] as? Bool == true && d["todayPermille"] as? Int == 880 && d["text"] as? String == "8.8折，今天适用（店庆）")
        }
    }

    @Test("the decision of a purchase carries the discount in force on its day; default programme: always")
    func discountWindowDecision() throws {
        let programme = try Programme.parse(yaml: Self.eventOnlyGold)
        let member = MemberState(earnedTier: "gold", tierSinceDay: 0, balance: 0)
        func decide(_ d: LocalDate) -> Int {
            ReceiptDecision.decide(programme, member: member, receipt: ReceiptFacts(receiptNo: "R", businessDate: d, totalFen: 10_000,
                                                                                   eligibleFen: 10_000, asOf: d, atMs: 0)).memberDiscountPermille
        }
        #expect(decide(LocalDate(year: 2026, month: 11, day: 21)) == 880)
        #expect(decide(LocalDate(year: 2026, month: 11, day: 19)) == 1000)
        #expect(decide(LocalDate(year: 2026, month: 11, day: 23)) == 1000)
        let always = Programme.defaultProgramme()
        #expect(ReceiptDecision.decide(always, member: member, receipt: ReceiptFacts(
            receiptNo: "R", businessDate: LocalDate(year: 2026, month: 11, day: 19), totalFen: 1, eligibleFen: 1,
            asOf: LocalDate(year: 2026, month: 11, day: 19), atMs: 0)).memberDiscountPermille == 880)
        #expect(always.discountWhen(tier: "gold")?.zh == "每天")
        #expect(programme.discountWhen(tier: "gold")?.zh == "仅在商场活动期间：店庆 2026-11-20–2026-11-22")
        #expect(programme.discountWhen(tier: "regular") == nil)
    }

    @Test("discount windows are validated: unknown tiers, dates the wrong way round, an event-only tier without periods")
    func discountWindowValidation() throws {
        func issues(_ yaml: String) -> [String] {
            do { _ = try Programme.parse(yaml: yaml); return [] } catch let e as ProgrammeInvalid { return e.issues.map(\.path) } catch { return ["?"] }
        }
        let base = "  stackOnCounterPromotion: true        # 折上折: counter 8折 then gold 8.8折"
        #expect(issues(programmeYAML(replacing: [(base, "  eventOnlyTiers: [golden]\n  periods: [{code: a, name: {zh: 店庆, en: A}, from: \"2026-01-01\", to: \"2026-01-02\"}]")]))
                .contains("discounts.eventOnlyTiers"))
        #expect(issues(programmeYAML(replacing: [(base, "  eventOnlyTiers: [gold]\n  periods: [{code: a, name: {zh: 店庆, en: A}, from: \"2026-01-05\", to: \"2026-01-02\"}]")]))
                .contains("discounts.periods[0].to"))
        #expect(issues(programmeYAML(replacing: [(base, "  eventOnlyTiers: [gold]")])).contains("discounts.periods"))
        #expect(issues(Self.eventOnlyGold) == [])
    }

    // MARK: - Activity points

    static let activities = Programme.defaultYAML() + "\nactivities:\n  eventCheckIn: 50\n  surveyAnswered: 20\n  profileCompleted: 30\n"

    func activityRows(_ t: TestContext, _ member: Int64) async throws -> [(kind: String, points: Int64, balanceAfter: Int64)] {
        try await t.ledgerRows(member).filter { ["checkIn", "survey", "profile"].contains($0.kind) }
    }

    @Test("check-in, survey and a completed profile each earn their points once, on the ledger and in the history")
    func activityPointsOnce() async throws {
        try await withTestApp(programme: Self.activities) { t in
            let card = try await t.enrolMember(phone: "13900000001", name: "王一")
            let member = try await t.memberId(card: card)
            let before = try await t.balance(member)

            let e = try await CheckInTests.openEvent(t)
            _ = try await CheckInTests.invite(t, e.id, card: card)
            t.clock.set(shanghai(2026, 11, 28, 17, 45))
            _ = try await t.store.checkIn(eventId: e.id, input: card, actor: "door")
            _ = try await t.store.checkIn(eventId: e.id, input: card, actor: "door")
            #expect(try await activityRows(t, member).map(\.kind) == ["checkIn"])

            let (_, programme) = try await t.store.programme()
            let link = try #require(try await t.store.sendSurveys(memberIds: [member], reason: .event, ref: "event:\(e.id)", programme: programme,
                                                                  linkBase: "").first)
            try await t.store.answerSurvey(token: link.token, SurveyAnswer(nps: 9, csat: 5))
            await #expect(throws: DomainError.self) { try await t.store.answerSurvey(token: link.token, SurveyAnswer(nps: 9, csat: 5)) }

            try await t.store.updateOwnProfile(memberId: member, MemberSelfEdit(email: "wang@example.com"))
            #expect(try await activityRows(t, member).count == 2)   // not complete yet: no address, no birthday
            try await t.store.updateOwnProfile(memberId: member, MemberSelfEdit(email: "wang@example.com", address: "成都市锦江区",
                                                                                birthday: LocalDate(year: 1990, month: 3, day: 4)))
            try await t.store.updateOwnProfile(memberId: member, MemberSelfEdit(email: "wang2@example.com", address: "成都市锦江区"))
            let rows = try await activityRows(t, member)
            #expect(rows.map(\.kind) == ["checkIn", "survey", "profile"])
            #expect(rows.map(\.points) == [50, 20, 30])
            #expect(try await t.balance(member) == before + 100)
            #expect(rows.last?.balanceAfter == before + 100)
            try await t.expectVerifyClean()
            // The member's points history names them.
            let history = try await t.store.ledgerPage(memberId: member, page: 1)
            #expect(history.items.prefix(3).map(\.note) == ["activity:profile", "activity:survey:survey:\(link.id)", "activity:checkIn:event:\(e.id)"])
            let page = try await (try await t.console(as: "desk1", .desk)).get(SiteURL.member(member).path)
            #expect(page.contains("活动签到积分") || page.contains("event check-in points"))
        }
    }

    @Test("an activity earns once also when awarded concurrently, and nothing when the programme gives no points")
    func activityPointsConcurrently() async throws {
        try await withTestApp(programme: Self.activities) { t in
            let card = try await t.enrolMember(phone: "13900000002")
            let member = try await t.memberId(card: card)
            let before = try await t.balance(member)
            let (_, programme) = try await t.store.programme()
            let store = t.store
            let given = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await store.write { tx in
                            try await store.awardActivityPoints(tx, memberId: member, occasion: .checkIn(eventId: 77), programme: programme,
                                                                actor: "test", nowMs: 0)
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(given == 50)
            #expect(try await activityRows(t, member).count == 1)
            #expect(try await t.balance(member) == before + 50)
            #expect(try await t.count("activity_points") == 1)
            // Another event is another occasion.
            _ = try await store.write { tx in
                try await store.awardActivityPoints(tx, memberId: member, occasion: .checkIn(eventId: 78), programme: programme, actor: "test", nowMs: 0)
            }
            #expect(try await t.balance(member) == before + 100)
            // The default programme gives none.
            let none = try await store.write { tx in
                try await store.awardActivityPoints(tx, memberId: member, occasion: .checkIn(eventId: 79), programme: .defaultProgramme(),
                                                    actor: "test", nowMs: 0)
            }
            #expect(none == 0)
            try await t.expectVerifyClean()
        }
    }

    @Test("activity points are bounded and described for the handbook")
    func activityPolicy() throws {
        let p = try Programme.parse(yaml: Self.activities)
        #expect(p.activities.points(for: .checkIn) == 50)
        #expect(p.activities.describe().map(\.zh) == ["活动签到：+50 积分（每场活动一次）", "填写问卷：+20 积分（每份问卷一次）", "完善资料：+30 积分（仅一次）"])
        #expect(Programme.defaultProgramme().activities.describe().isEmpty)
        #expect(ActivityPointsPolicy(eventCheckIn: -1, surveyAnswered: 100_001).validationErrors(path: "activities").map(\.0)
                == ["activities.eventCheckIn", "activities.surveyAnswered"])
        #expect(!ProfileCompletion.isComplete(birthday: nil, email: "a@b.c", address: "x"))
        #expect(!ProfileCompletion.isComplete(birthday: LocalDate(year: 1990, month: 1, day: 1), email: " ", address: "x"))
        #expect(ProfileCompletion.isComplete(birthday: LocalDate(year: 1990, month: 1, day: 1), email: "a@b.c", address: "x"))
    }
}
