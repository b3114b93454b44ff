import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// Issue 18 "The member's handbook": /m/programme for the signed-in member, the desk's printable A4 copy, both from the
/// active programme; and the review debts of the last stop that became programme keys.
@Suite("Member handbook and programme keys")
struct MemberHandbookTests {
    /// The default programme with `replace` applied to its text.
    static func apply(_ t: TestContext, _ replace: [(String, String)]) async throws {
        var yaml = Programme.defaultYAML()
        for (a, b) in replace {
            #expect(yaml.contains(a), "the default programme has \(a)")
            yaml = yaml.replacingOccurrences(of: a, with: b)
        }
        _ = try await t.store.applyProgramme(yaml: yaml, by: "test", note: "handbook test")
    }

    @Test("/m/programme: the signed-in member's own tier and progress, in Chinese and English; signed out goes to sign-in")
    func memberPage() async throws {
        try await withTestApp { t in
            let r = try await t.send(.GET, "/m/programme", authorized: false)
            #expect([.seeOther, .found, .temporaryRedirect].contains(r.status))

            let (_, a) = try await t.selfServiceMember("13900000011", name: "王小明")
            let (_, b) = try await t.selfServiceMember("13900000012", name: "赵大海")
            let member = try await t.signedInMember(a)
            let zh = try await member.page("/m/programme")
            // 600 yuan enrolment purchase; silver needs 3,000 within 6 months.
            #expect(zh.contains("王小明，您的等级：普卡") && zh.contains("还差 2,400 元 升级银卡（6个月内）"))
            for kind in ProgrammeHandbook.SectionKind.allCases where kind != .partners {
                #expect(zh.contains(#"data-section="\#(kind.rawValue)""#), "section \(kind)")
            }
            #expect(zh.contains("每消费满 10.00 元积 1 分") && zh.contains("免费停车 1 小时（每次）"))
            #expect(!zh.contains("赵大海") && !zh.contains("/console"))
            // No member id is read from the URL: another member's id changes nothing.
            let other = try await member.page("/m/programme?id=\(b)&memberId=\(b)")
            #expect(other.contains("王小明") && !other.contains("赵大海"))

            let en = try await t.signedInMember(a, lang: "en").page("/m/programme")
            #expect(en.contains("王小明, your tier: Regular") && en.contains("2,400 yuan more within 6 months to reach Silver"))
            #expect(en.contains("1 point(s) for every full 10.00 yuan paid on a receipt"))

            // Linked from the card page.
            #expect(try await member.page("/m/card").contains(#"href="/m/programme""#))
        }
    }

    @Test("a changed threshold is a changed handbook, on the member's page and at the desk")
    func followsProgramme() async throws {
        try await withTestApp { t in
            let (_, id) = try await t.selfServiceMember("13900000013", name: "孙丽")
            try await Self.apply(t, [("- {months: 6, minSpend: 3000}", "- {months: 6, minSpend: 2000}"), ("freeParkingHours: 1\n", "freeParkingHours: 3\n")])
            let zh = try await t.signedInMember(id).page("/m/programme")
            #expect(zh.contains("还差 1,400 元 升级银卡（6个月内）") && zh.contains("银卡：近6个月累计消费满 2,000.00 元"))
            #expect(zh.contains("免费停车 3 小时（每次）"))
            let desk = try await t.console(as: "desk", .desk)
            let page = try await desk.get("/console/handbook?tier=regular")
            #expect(page.status == .ok)
            #expect(page.contains("银卡：近6个月累计消费满 2,000.00 元") && page.contains("Silver: 2,000.00 yuan within 6 months"))
        }
    }

    @Test("the desk's A4 handbook: a tier or a member, both languages, print CSS; desk, planner and manager only")
    func deskHandbook() async throws {
        try await withTestApp { t in
            let (_, id) = try await t.selfServiceMember("13900000014", name: "周杰")
            let desk = try await t.console(as: "desk", .desk)
            let gold = try await desk.get("/console/handbook?tier=gold")
            #expect(gold.status == .ok)
            #expect(gold.contains("本手册适用于金卡会员") && gold.contains("This handbook is for Gold members"))
            #expect(gold.contains("会员折扣 8.8折") && gold.contains("you pay 88% of regular prices"))
            #expect(gold.contains("@page{size:A4") && gold.contains(#"data-print="1""#) && gold.contains(#"class="no-print""#))
            #expect(try await desk.get("/console/handbook").contains("本手册适用于普卡会员"), "no tier: the entry tier")

            let bad = try await desk.get("/console/handbook?tier=nosuch")
            #expect([.badRequest, .unprocessableEntity].contains(bad.status) && bad.contains("章程中没有等级 nosuch"), "\(bad.status)")

            let mine = try await desk.get("/console/members/\(id)/handbook")
            #expect(mine.status == .ok)
            #expect(mine.contains("周杰，您的等级：普卡") && mine.contains("还差 2,400 元 升级银卡（6个月内）"))
            #expect(mine.contains("2,400 yuan more within 6 months to reach Silver"))
            #expect(try await desk.get("/console/members/999999/handbook").status == .notFound)

            for role in [StaffRole.planner, .manager, .admin] {
                let c = try await t.console(as: "hb-\(role.rawValue)", role)
                #expect(try await c.get("/console/handbook?tier=gold").status == .ok, "\(role)")
                #expect(try await c.get("/console").contains(#"href="/console/handbook""#), "\(role) has it in the menu")
            }
            for role in [StaffRole.accountManager, .counterStaff] {
                let c = try await t.console(as: "hb-\(role.rawValue)", role)
                #expect(try await c.get("/console/handbook?tier=gold").status == .forbidden, "\(role)")
                #expect([.forbidden, .notFound].contains(try await c.get("/console/members/\(id)/handbook").status), "\(role)")
                #expect(!(try await c.get("/console").contains(#"href="/console/handbook""#)), "\(role) has no menu entry")
            }
        }
    }

    @Test("redemption.lowStockThreshold decides what the home page lists as low")
    func lowStockThreshold() async throws {
        try await withTestApp { t in
            try await t.store.saveRewardItem(RewardItem(code: "LOW3", name: .init(zh: "保温杯", en: "Flask"), points: 100, stock: 3), actor: "test")
            try await t.store.saveRewardItem(RewardItem(code: "LOW8", name: .init(zh: "雨伞", en: "Umbrella"), points: 100, stock: 8), actor: "test")
            #expect(Set(try await t.store.lowStockRewards().map(\.code)) == ["LOW3", "LOW8"], "default 10")
            try await Self.apply(t, [("  lowStockThreshold: 10 ", "  lowStockThreshold: 5 ")])
            #expect(try await t.store.lowStockRewards().map(\.code) == ["LOW3"])
            let home = try await (try await t.console(as: "boss", .manager)).get("/console")
            #expect(home.contains("（≤5）") && home.contains("保温杯 3") && !home.contains("雨伞 8"))
        }
    }

    @Test("reports.messageEffectDays is the 'bought afterwards' window of journey and manual messages")
    func messageEffectDays() async throws {
        try await withTestApp { t in
            let (_, id) = try await t.selfServiceMember("13900000015")   // its enrolment purchase is today
            let sentMs = epochMillis(t.clock.now) - 20 * 86_400_000
            try await t.store.sql.raw("""
                INSERT INTO outbox_messages (member_id, channel, purpose, source, source_code, period_key, dedupe_key, body, status, attempts,
                  next_attempt_at_ms, cost_fen, created_at_ms, sent_at_ms, updated_at_ms)
                VALUES (\(bind: id), 'sms', 'marketing', 'manual', 'manual:1', 'p', 'mef-msg', '你好', 'sent', 1, \(bind: sentMs), 5,
                        \(bind: sentMs), \(bind: sentMs), \(bind: sentMs))
                """).run()
            func flag() async throws -> Bool? {
                try await t.store.memberTimeline(memberId: id, limit: 100).entries.first { $0.kind == .message }?.flag
            }
            #expect(try await flag() == true, "default 30 days: today's purchase is within it")
            try await Self.apply(t, [("  messageEffectDays: 30 ", "  messageEffectDays: 14 ")])
            #expect(try await flag() == false, "14 days: the window closed before today's purchase")
            let refused = try? await t.store.applyProgramme(yaml: Programme.defaultYAML().replacingOccurrences(of: "  messageEffectDays: 30 ", with: "  messageEffectDays: 0 "),
                                                            by: "test", note: "bad")
            #expect(refused == nil, "0 days is refused")
        }
    }
}
