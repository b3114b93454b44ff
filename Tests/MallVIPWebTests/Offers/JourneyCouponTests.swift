import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// Coupons on journeys (issue 18): a service journey may attach a coupon as a campaign does; each treated member gets
/// one per send, its code in the message, the holdout none; a re-run, a concurrent run or the next day issues no
/// second; the journey page reports issued, used, redemption rate and the spend on the coupons' receipts.
/// SQLite, and PostgreSQL with MALLVIP_TEST_DATABASE_URL.
@Suite("Offers: coupons on journeys") struct JourneyCouponTests {
    static let coupon = CouponTemplate(name: LocalizedName(zh: "新人礼券", en: "Welcome coupon"), faceFen: 2000, minSpendFen: 10000, validDays: 14)

    /// A service template carrying the code, and the welcome journey switched on with it, the coupon and `holdout`.
    func welcomeWithCoupon(_ t: TestContext, holdout: Int) async throws {
        try await t.store.saveMessageTemplate(MessageTemplate(
            code: "welcomeCoupon", name: "欢迎新会员·礼券", purpose: .service,
            body: "{name}{title}您好，欢迎成为{store}{tier}会员！送您{couponName}，券号{couponCode}，{couponExpiry}前有效。{store}{sender}"),
            creating: true, actor: "test")
        var j = try #require(try await t.store.journey(.welcome))
        j.enabled = true
        j.holdoutPermille = holdout
        j.templateCode = "welcomeCoupon"
        j.coupon = Self.coupon
        try await t.store.saveJourney(j, actor: "test")
    }

    /// (member, period) → coupon code, from journey_coupons.
    func journeyCoupons(_ t: TestContext, _ kind: JourneyKind = .welcome) async throws -> [String: String] {
        var out: [String: String] = [:]
        for r in try await t.store.sql.raw("SELECT member_id, period_key, coupon_code FROM journey_coupons WHERE journey_code = \(bind: kind.rawValue)").all() {
            out["\(try r.decode(column: "member_id", as: Int64.self))|\(try r.decode(column: "period_key", as: String.self))"] =
                try r.decode(column: "coupon_code", as: String.self)
        }
        return out
    }

    @Test("each treated member gets one coupon per send, its code in the message; the holdout none; re-runs and concurrent runs issue no second")
    func couponPerTreatedMember() async throws {
        try await withTestApp { t in
            try await welcomeWithCoupon(t, holdout: 300)
            t.clock.set(shanghai(2026, 11, 25, 0))
            let members = try await t.bulkMembers(60, enrolled: LocalDate("2026-11-25")!)
            // Two runs of the same day at once: one records the run, the coupons stay one per member.
            async let a = t.store.runJourneys(on: LocalDate("2026-11-25")!, now: shanghai(2026, 11, 25, 1))
            async let b = t.store.runJourneys(on: LocalDate("2026-11-25")!, now: shanghai(2026, 11, 25, 1))
            _ = try await (a, b)

            let rows = try await t.journeyRows(.welcome)
            #expect(rows.count == members.count)
            let treated = Set(rows.filter { $0.status == "queued" }.map(\.memberId)), holdout = Set(rows.filter { $0.status == "holdout" }.map(\.memberId))
            #expect(!treated.isEmpty && !holdout.isEmpty && treated.count + holdout.count == members.count)
            let coupons = try await journeyCoupons(t)
            #expect(Set(coupons.keys) == Set(treated.map { "\($0)|enrol" }))
            #expect(Set(coupons.values).count == treated.count)
            #expect(try await t.count("coupons") == treated.count)
            let issued = try await t.store.sql.raw("""
                SELECT member_id, code, face_fen, min_spend_fen, valid_from_day, valid_to_day, source, source_ref FROM coupons
                """).all()
            for r in issued {
                let member = try r.decode(column: "member_id", as: Int64.self)
                #expect(treated.contains(member))
                #expect(try r.decode(column: "code", as: String.self) == coupons["\(member)|enrol"])
                #expect(try r.decode(column: "source", as: String.self) == "journey")
                #expect(try r.decode(column: "source_ref", as: String.self) == "journey:welcome:enrol")
                #expect(try r.decode(column: "face_fen", as: Int64.self) == 2000 && r.decode(column: "min_spend_fen", as: Int64.self) == 10000)
                #expect(try r.decode(column: "valid_to_day", as: Int.self) - r.decode(column: "valid_from_day", as: Int.self) == 13)
            }
            for row in rows {
                if let code = coupons["\(row.memberId)|enrol"] {
                    #expect(row.body.contains("送您新人礼券，券号\(code)，2026年12月8日前有效"), "\(row.body)")
                } else {
                    #expect(row.status == "holdout")
                    #expect(!row.body.contains("CP") && row.body.contains("券号，"), "\(row.body)")
                }
            }

            // The next day the same members are still in the catch-up window: decided already, nothing issued. A send
            // the outbox lost is written again on a fresh day with the same coupon.
            #expect(try await t.runJourneys("2026-11-26").result(.welcome)?.alreadyDecided == members.count)
            let lost = try #require(treated.sorted().first)
            try await t.store.sql.raw("DELETE FROM outbox_messages WHERE member_id = \(bind: lost) AND source = 'journey'").run()
            let again = try #require(try await t.runJourneys("2026-11-27").result(.welcome))
            #expect(again.queued == 1)
            #expect(try await journeyCoupons(t) == coupons)
            #expect(try await t.count("coupons") == treated.count)
            let resent = try #require(try await t.journeyRows(.welcome).first { $0.memberId == lost && $0.status == "queued" })
            #expect(resent.body.contains(coupons["\(lost)|enrol"]!))
        }
    }

    @Test("care journeys and the coupon-expiry reminder carry no coupon; the template must name {couponCode} exactly when one is attached")
    func couponRules() async throws {
        try await withTestApp { t in
            var birthday = try #require(try await t.store.journey(.birthday))
            birthday.coupon = Self.coupon
            #expect(try await t.store.journeyProblems(birthday).map(\.rule).contains("journey.coupon.care"))
            // Refused even switched off: a care journey may not hold a coupon at all.
            await #expect(throws: DomainError.self) { try await t.store.saveJourney(birthday, actor: "test") }

            var expiring = try #require(try await t.store.journey(.couponExpiring))
            expiring.coupon = Self.coupon
            #expect(try await t.store.journeyProblems(expiring).map(\.rule).contains("journey.coupon.kind"))

            var welcome = try #require(try await t.store.journey(.welcome))
            welcome.coupon = Self.coupon
            #expect(try await t.store.journeyProblems(welcome).map(\.rule) == ["journey.coupon.placeholder"])
            welcome.enabled = true
            await #expect(throws: DomainError.self) { try await t.store.saveJourney(welcome, actor: "test") }
            welcome.coupon = CouponTemplate(name: Self.coupon.name)
            #expect(try await t.store.journeyProblems(welcome).map(\.rule).contains("coupon.value"))

            // A template with {couponCode} on a journey without a coupon is refused too.
            try await welcomeWithCoupon(t, holdout: 0)
            var plain = try #require(try await t.store.journey(.welcome))
            plain.coupon = nil
            #expect(try await t.store.journeyProblems(plain).map(\.rule) == ["journey.coupon.placeholder"])
            #expect(try await t.store.journeyProblems(try #require(try await t.store.journey(.welcome))).isEmpty)
        }
    }

    @Test("the journey page reports coupons issued and used, the redemption rate and the spend on their receipts; the form attaches one")
    func couponReport() async throws {
        try await withTestApp { t in
            try await welcomeWithCoupon(t, holdout: 0)
            t.clock.set(shanghai(2026, 11, 25, 10))
            let card1 = try await t.enrolMember(phone: "13800000001")
            _ = try await t.enrolMember(phone: "13800000002")
            try await t.store.sql.raw("UPDATE members SET consent_sms = \(bind: true)").run()
            #expect(try await t.runJourneys("2026-11-26").result(.welcome)?.queued == 2)
            let m1 = try await t.memberId(card: card1)
            let code = try #require(try await journeyCoupons(t)["\(m1)|enrol"])
            let p = try await t.purchase("R-JC-1", fen: 30_000, card: card1)
            #expect(p.status == .created, "\(p.text)")
            let r = try await t.redeemCoupon(code, receipt: "R-JC-1", fen: 30_000, card: card1)
            #expect(r.status == .created, "\(r.text)")

            let k = try #require(try await t.store.journeyCouponFigures(.welcome))
            #expect(k.issued == 2 && k.used == 1 && k.redemptionPermille == 500)
            #expect(k.discountFen == 2000 && k.receiptSpendFen == 30_000)
            #expect(try await t.store.journeyCouponFigures(.tierUpgrade) == nil)

            let manager = try await t.console(as: "planner", .manager)
            let page = try await manager.get(SiteURL.journey("welcome").path)
            #expect(page.contains("coupon-report") && page.contains("300.00") && page.contains("50.0%"))
            #expect(page.contains("journey-coupon"))
            // A care journey's form offers no coupon.
            #expect(!(try await manager.get(SiteURL.journey("birthday").path)).contains("journey-coupon"))

            // The form: a bad value names its field; a good one is saved; blank fields take the coupon off.
            func save(_ coupon: [(String, String)]) async throws -> ConsolePage {
                try await manager.post(SiteURL.journey("welcome").path, [("channel", "sms"), ("templateCode", "welcome"), ("holdout", "0%")] + coupon)
            }
            _ = try await manager.get(SiteURL.journey("welcome").path)
            let bad = try await save([("couponName", "券"), ("couponFace", "abc")])
            #expect(bad.status == .unprocessableEntity && bad.contains("面值格式不正确"))
            _ = try await manager.get(SiteURL.journey("welcome").path)
            #expect(try await save([("couponName", "满100减10"), ("couponFace", "10"), ("couponMinSpend", "100")]).status == .seeOther)
            #expect(try await t.store.journey(.welcome)?.coupon == CouponTemplate(name: LocalizedName(zh: "满100减10", en: "满100减10"),
                                                                                     faceFen: 1000, minSpendFen: 10_000))
            _ = try await manager.get(SiteURL.journey("welcome").path)
            #expect(try await save([]).status == .seeOther)
            #expect(try await t.store.journey(.welcome)?.coupon == nil)
        }
    }
}
