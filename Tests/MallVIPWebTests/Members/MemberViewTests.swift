import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// Issue 17 "One view of a member": the member page's one timeline (every source, newest first, paged), the figures
/// beside it, the tabs that work without JavaScript.
@Suite("Member view: timeline, figures, tabs")
struct MemberTimelineTests {
    /// A member with one entry of every timeline kind, made through the store's own paths where one exists.
    static func memberWithEverything(_ t: TestContext) async throws -> (card: String, id: Int64) {
        let (card, id) = try await t.memberWithPoints("13800000001", 500)          // purchase, tier (enrol), points (adjust)
        _ = try await t.issueCoupon(member: id)                                        // coupon
        try await t.store.saveRewardItem(RewardItem(code: "MUG", name: .init(zh: "马克杯", en: "Mug"), points: 100, stock: 5), actor: "test")
        _ = try await t.store.redeem(RedemptionRequest(idempotencyKey: "TL-1", memberId: id, itemCode: "MUG"), actor: "staff:desk")
        let e = try await EventRSVPTests.event(t)                                        // event invitation
        let (_, p) = try await t.store.programme()
        _ = try await t.store.inviteAudience(eventId: e.id, programme: p, linkBase: "", actor: "planner")
        let nowMs = epochMillis(t.clock.now)
        try await t.store.sql.raw("""
            INSERT INTO survey_links (token, member_id, reason, reason_ref, quarter, created_at_ms, expires_at_ms, answered_at_ms, nps, csat, comment)
            VALUES ('tl-survey', \(bind: id), 'quarterly', '2026-Q4', '2026-Q4', \(bind: nowMs), \(bind: nowMs + 86_400_000), \(bind: nowMs), 9, 90, '很好')
            """).run()
        _ = try await t.store.openMemberComplaint(memberId: id, category: "停车", text: "排队太久", receiptNo: nil)
        try await t.store.sql.raw("""
            INSERT INTO outbox_messages (member_id, channel, purpose, source, source_code, period_key, dedupe_key, body, status, attempts,
              next_attempt_at_ms, cost_fen, created_at_ms, sent_at_ms, updated_at_ms)
            VALUES (\(bind: id), 'sms', 'marketing', 'manual', 'manual:1', 'p', 'tl-msg', '你好', 'sent', 1, \(bind: nowMs), 5,
                    \(bind: nowMs), \(bind: nowMs), \(bind: nowMs))
            """).run()
        let staff = try await t.makeStaff("am1", .accountManager)
        _ = try await t.store.addContact(memberId: id, staffId: staff, kind: "call", note: "生日问候", managedBy: nil, actor: "am1")
        // A purchase after the message: "bought afterwards".
        t.clock.advance(3600)
        let (status, _) = try await t.post("/api/v1/purchases", """
            {"receiptNo":"TL-AFTER","occurredAt":"\(iso(t.clock.now))","card":"\(card)","lines":[{"counter":"C0001","amountFen":10000}]}
            """)
        #expect(status == .created)
        return (card, id)
    }

    @Test("the timeline holds every kind, newest first, and the message knows the member bought afterwards")
    func everyKind() async throws {
        try await withTestApp { t in
            let (_, id) = try await Self.memberWithEverything(t)
            let page = try await t.store.memberTimeline(memberId: id, limit: 100)
            #expect(Set(page.entries.map(\.kind)) == Set(TimelineEntry.Kind.allCases), "kinds: \(Set(page.entries.map(\.kind)))")
            #expect(page.next == nil)
            #expect(page.entries.first?.text == "TL-AFTER", "the newest entry first")
            #expect(zip(page.entries, page.entries.dropFirst()).allSatisfy { $0.atMs >= $1.atMs })
            let message = try #require(page.entries.first { $0.kind == .message })
            #expect(message.flag == true, "a purchase followed within the attribution window")
            #expect(page.entries.first { $0.kind == .survey }?.points == 9)
            #expect(page.entries.first { $0.kind == .complaint }?.state == "open")
            #expect(!page.entries.contains { $0.kind == .points && $0.text == "earn" }, "earning shows on its purchase, once")

            let desk = try await t.console(as: "desk", .desk)
            let html = try await desk.get("/console/members/\(id)")
            #expect(html.status == .ok)
            for kind in TimelineEntry.Kind.allCases {
                #expect(html.contains(#"data-kind="\#(kind.rawValue)""#), "the page shows a \(kind) entry")
            }
            #expect(html.contains("之后已消费"))
            #expect(html.contains("马克杯"))
            #expect(html.contains("停车 · 会员自助"), "the complaint: its category and channel")
        }
    }

    @Test("paging through many purchases: every entry once, in order, each page one index-bounded read per source")
    func paging() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000002", name: "王五")
            let id = try await t.memberId(card: card)
            let mall = try #require(try await t.store.sql.raw("SELECT id FROM malls ORDER BY id LIMIT 1").first()).decode(column: "id", as: Int64.self)
            let base = epochMillis(t.clock.now) - 1000
            let (_, programme) = try await t.store.programme()
            let day = LocalDate.of(t.clock.now, in: programme.timeZone).dayNumber
            // 1,500 purchases, three to a millisecond (ties are broken by id), one minute apart.
            try await t.store.sql.raw("""
                INSERT INTO purchases (mall_id, receipt_no, member_id, card_no, phone, occurred_at_ms, business_day, total_fen, eligible_fen,
                  refunded_fen, refunded_eligible_fen, points_earned, points_reversed, factor_permille, programme_version, request_hash,
                  response_json, created_at_ms)
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
                SELECT \(bind: mall), 'BULK-' || CAST(i AS TEXT), \(bind: id), \(bind: card), NULL, \(bind: base) - (i / 3) * 60000,
                       \(bind: day), 1000, 1000, 0, 0, 1, 0, 1000, 1, 'h', '{}', \(bind: base)
                FROM n
                """).run()
            let total = 1500 + (try await t.store.memberTimeline(memberId: id, limit: 200).entries.filter { !$0.text.hasPrefix("BULK-") }.count)
            var seen: [TimelineCursor] = []
            var cursor: TimelineCursor?
            var pages = 0
            repeat {
                let page = try await t.store.memberTimeline(memberId: id, before: cursor, limit: 50)
                #expect(page.entries.count <= 50)
                seen += page.entries.map(\.cursor)
                cursor = page.next
                pages += 1
            } while cursor != nil && pages < 100
            #expect(seen.count == total, "every entry once: \(seen.count) of \(total)")
            #expect(Set(seen.map { "\($0)" }).count == seen.count, "no entry twice")
            #expect(zip(seen, seen.dropFirst()).allSatisfy { a, b in
                a.atMs > b.atMs || (a.atMs == b.atMs && (a.rank > b.rank || (a.rank == b.rank && a.id > b.id)))
            }, "strictly newest first")
            #expect(pages == (total + 49) / 50)

            // The console pages the same way: an "older" link with the cursor, and the second page starts after the first.
            let desk = try await t.console(as: "desk", .desk)
            let first = try await desk.get("/console/members/\(id)")
            let next = try #require(ConsolePage.firstMatch(#"href="(/console/members/\d+\?before=[0-9.]+)#timeline""#, in: first.body))
            let second = try await desk.get(next)
            #expect(second.status == .ok)
            let firstReceipts = Set(ConsolePage.matches(#"小票 (BULK-\d+)"#, in: first.body))
            let secondReceipts = Set(ConsolePage.matches(#"小票 (BULK-\d+)"#, in: second.body))
            #expect(firstReceipts.count >= 25, "a page of 30 entries, nearly all purchases")
            #expect(!secondReceipts.isEmpty && firstReceipts.isDisjoint(with: secondReceipts))
            // A cursor that is not one is the first page, not an error.
            #expect(try await desk.get("/console/members/\(id)?before=x.y.z").status == .ok)
        }
    }

    @Test("tabs are plain links: the changes tab answers without JavaScript; every action form sits in a <details> dialog")
    func tabsWithoutJavaScript() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000003", name: "赵六")
            let id = try await t.memberId(card: card)
            let manager = try await t.console(as: "boss", .manager)
            let page = try await manager.get("/console/members/\(id)")
            #expect(page.status == .ok)
            #expect(page.contains(#"<nav class="tabs""#))
            #expect(page.contains(#"href="/console/members/\#(id)?tab=changes""#))
            #expect(page.contains(#"aria-current="page">时间线"#))
            #expect(!page.contains("<script"), "no script on the page")
            #expect(page.contains(#"<details class="dialog" id="actions"><summary>"#))
            #expect(page.contains("/console/members/\(id)/adjust-points"), "the form is still on the page, in its dialog")
            let changes = try await manager.get("/console/members/\(id)?tab=changes")
            #expect(changes.status == .ok)
            #expect(changes.contains(#"aria-current="page">资料变更记录"#))
            #expect(changes.contains(#"id="changes""#))
            #expect(!changes.contains(#"id="timeline""#))
            // An error from an action opens the actions dialog.
            let bad = try await manager.post("/console/members/\(id)/adjust-points", [("points", "abc"), ("reason", "x")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.contains(#"<details class="dialog" id="actions" open="open">"#))
        }
    }

    @Test("the figures beside the timeline: segment, RFM, ABC, frequency, churn risk, lottery")
    func figures() async throws {
        try await withTestApp { t in
            let (_, id) = try await t.memberWithPoints("13800000004", 128)
            let (_, programme) = try await t.store.programme()
            let today = LocalDate.of(t.clock.now, in: programme.timeZone)
            let member = try #require(try await t.store.member(id: id))
            let g = try await t.store.memberAtAGlance(memberId: id, enrolledOn: today, programme: programme, today: today)
            #expect(g.purchases == 1 && g.spendFen == 60000)
            #expect(g.segmentIndex == nil, "600 yuan a year is below stable (10,000)")
            #expect(g.rfm.r == 5 && g.rfm.f == 1)
            #expect(g.churnRisk == false)
            #expect(member.pointsBalance == 128 && programme.isLotteryEligible(balance: 128))
            let page = try await (try await t.console(as: "desk", .desk)).get("/console/members/\(id)")
            #expect(page.contains("客户分层") && page.contains("ABC 分类") && page.contains("流失预警"))
            #expect(page.contains("有（积分尾数 8）"))

            // Three months later with no purchase: churn risk.
            let later = today.adding(months: 4)
            let g2 = try await t.store.memberAtAGlance(memberId: id, enrolledOn: today, programme: programme, today: later)
            #expect(g2.churnRisk == true)
            // A big spender over the year is core (weekly) or potential.
            try await t.store.sql.raw("UPDATE member_daily_spend SET spend_fen = 20000000 WHERE member_id = \(bind: id)").run()
            let g3 = try await t.store.memberAtAGlance(memberId: id, enrolledOn: today, programme: programme, today: today)
            #expect(g3.segmentIndex.map { programme.reports.segments[$0].code } == "potential", "core needs 52 purchase days")
        }
    }
}
