import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// Issue 17 ("Import and enrolment create members through one path") and issue 15 (member import in bulk): both
/// create members through `createMembers`; an imported member comes out as an enrolled one does, and the webhook
/// deliveries of an import are queued member by member in row order, whatever the batch.
@Suite("One member-creation path: import and enrolment") struct MemberCreationTests {
    /// Every column of a member's rows in the tables creation writes, minus what legitimately differs between two
    /// members (ids, the person's own data) or between the channels (rule, who enrolled, notes).
    static func created(_ t: TestContext, _ memberId: Int64) async throws -> [String] {
        let member = try await t.dump("""
            SELECT gender, birthday, birth_month, birth_day, email, address, id_hash IS NULL AS no_id, profile_json, consent_sms,
              consent_email, consent_phone, status, earned_tier, tier_since_day, points_balance, enrolled_at_ms, enrolled_day,
              enrolled_mall_id, manual_tier, manual_until_day, referral_pending, account_manager_id, updated_at_ms,
              referral_code IS NOT NULL AS has_code
            FROM members WHERE id = \(memberId)
            """)
        let cards = try await t.dump("""
            SELECT state, issued_at_ms, activated_at_ms, replaced_by, LENGTH(card_no) AS length, note FROM cards WHERE member_id = \(memberId) ORDER BY id
            """)
        let tiers = try await t.dump("""
            SELECT from_tier, to_tier, kind, purchase_id, at_ms FROM tier_changes WHERE member_id = \(memberId) ORDER BY id
            """)
        let ledger = try await t.dump("SELECT kind, points FROM points_ledger WHERE member_id = \(memberId) ORDER BY id")
        return member + ["cards"] + cards + ["tiers"] + tiers + ["ledger"] + ledger
    }

    static func referralCode(_ t: TestContext, _ memberId: Int64) async throws -> String? {
        try await t.store.sql.raw("SELECT referral_code FROM members WHERE id = \(bind: memberId)").first()!
            .decode(column: "referral_code", as: String?.self)
    }

    @Test("An imported member and an enrolled one come out alike: member row, card by the card rules, enrol tier change, referral code")
    func importedAsEnrolled() async throws {
        try await withTestApp { t in
            // At the desk of the only mall (the import takes the only mall as the enrolment mall).
            let mall = try await t.store.malls()[0].id
            let enrolled = try await t.store.enrol(EnrolmentRequest(phone: "13900000011", name: "张三", gender: .female,
                                                                    birthday: LocalDate(year: 1990, month: 3, day: 4),
                                                                    overrideReason: "测试", consentSMS: true, consentEmail: false,
                                                                    consentPhone: false), actor: "desk", mallId: mall)
            // No card number in the file: the programme's card rules give one, as at enrolment.
            let r = try await t.importText(.members, "手机号,姓名,性别,生日,短信\n13900000012,李四,女,1990-03-04,是\n")
            #expect((r.imported, r.rejected) == (1, 0), "\(r.rejects)")
            let imported = try #require(try await t.store.lookup(card: nil, phone: "13900000012")).id

            let a = try await Self.created(t, imported), b = try await Self.created(t, enrolled.memberId)
            #expect(a == b, "imported \(a) enrolled \(b)")
            #expect(try await Self.referralCode(t, enrolled.memberId) == ReferralCode.forMember(enrolled.memberId))
            #expect(try await Self.referralCode(t, imported) == ReferralCode.forMember(imported))
            // The imported member's card follows the same numbering (serial and check digit) and finds the member.
            let card = try #require(try await t.store.sql.raw("SELECT card_no FROM cards WHERE member_id = \(bind: imported)").first())
                .decode(column: "card_no", as: String.self)
            #expect(try await t.memberId(card: card) == imported)
            // What differs is the channel: the rule and who enrolled.
            let rules = try await t.dump("SELECT enrol_rule, enrolled_by FROM members ORDER BY id")
            #expect(rules == ["enrol_rule=override enrolled_by=desk", "enrol_rule=import enrolled_by=test"])
            try await t.expectVerifyClean()
        }
    }

    @Test("Imported members carry referral codes that work at enrolment (the code of an imported member refers a new one)")
    func importedCodeRefers() async throws {
        try await withTestApp { t in
            let r = try await t.importText(.members, "会员卡号,手机号,姓名,积分\n770000000016,13900000021,王五,50\n")
            #expect((r.imported, r.rejected) == (1, 0), "\(r.rejects)")
            let id = try await t.memberId(card: "770000000016")
            let code = try #require(try await Self.referralCode(t, id))
            let referee = try await t.store.enrol(EnrolmentRequest(phone: "13900000022", name: "赵六", overrideReason: "测试",
                                                                   consentSMS: false, consentEmail: false, consentPhone: false,
                                                                   referralCode: code), actor: "desk", mallId: nil)
            #expect(try await t.count("referrals") == 1)
            let link = try await t.dump("SELECT referrer_id, referee_id FROM referrals")
            #expect(link == ["referrer_id=\(id) referee_id=\(referee.memberId)"])
        }
    }

    @Test("With a webhook subscriber, an import queues each member's events together, in row order")
    func deliveriesInRowOrder() async throws {
        try await withTestApp { t in
            _ = try await t.store.createWebhook(url: "https://example.com/hook", events: [.memberEnrolled, .tierChanged, .pointsChanged],
                                                actor: "test")
            var csv = "会员卡号,手机号,姓名,积分\n"
            let n = 40
            for i in 1...n {
                csv += "\(CardNumber.make(prefix: "77", serial: Int64(i))),139\(String(format: "%08d", i)),会员\(i),\(i % 2 == 0 ? 10 : 0)\n"
            }
            let r = try await t.importText(.members, csv)
            #expect((r.imported, r.rejected) == (n, 0), "\(r.rejects)")
            let ids = try await t.store.sql.raw("SELECT id FROM members ORDER BY id").all().map { try $0.decode(column: "id", as: Int64.self) }
            var expected: [String] = []
            for (i, id) in ids.enumerated() {
                expected += ["member.enrolled \(id)", "tier.changed \(id)"] + ((i + 1) % 2 == 0 ? ["points.changed \(id)"] : [])
            }
            let queued = try await t.store.sql.raw("SELECT event_type, member_id FROM webhook_deliveries ORDER BY id").all().map {
                "\(try $0.decode(column: "event_type", as: String.self)) \(try $0.decode(column: "member_id", as: Int64.self))"
            }
            #expect(queued == expected)
        }
    }
}
