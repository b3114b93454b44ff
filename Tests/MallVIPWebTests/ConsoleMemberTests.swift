import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

@Suite("Console member search, member page and enrolment") struct ConsoleMemberTests {
    @Test func searchByCardPhoneLastFourAndName() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001", name: "张三")
            _ = try await t.enrolMember(phone: "13900000002", name: "李四")
            let id = try await t.store.searchMembers("13800000001")[0].id
            let desk = try await t.console(as: "desk", .desk)

            for query in [card, "13800000001", "0001", "张三", "张"] {
                let page = try await desk.get("/console/members?q=" + query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
                #expect(page.status == .ok)
                #expect(page.memberIDs == [id], "search \(query)")
                #expect(page.contains("张三"))
                #expect(!page.contains("李四"))
            }
            let none = try await desk.get("/console/members?q=9999")
            #expect(none.memberIDs.isEmpty)
            #expect(none.contains("没有找到会员"))
        }
    }

    @Test func memberPageShowsTierProgressAndLedger() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001", name: "张三", amountFen: 60000)
            let (status, _) = try await t.post("/api/v1/purchases", """
                {"receiptNo":"R-2","occurredAt":"\(iso(t.clock.now))","card":"\(card)","lines":[{"counter":"C0001","amountFen":55900}]}
                """)
            #expect(status == .created)
            let id = try await t.store.searchMembers(card)[0].id
            let desk = try await t.console(as: "desk", .desk)
            let page = try await desk.get("/console/members/\(id)")
            #expect(page.status == .ok)
            #expect(page.contains("<title>张三 · 普卡 · MallVIP</title>"))
            #expect(page.contains(card))
            // 6-month spend 1,159 of the 3,000 silver needs.
            #expect(page.contains("还差 1,841 元 升级银卡"))
            #expect(page.contains("积分明细"))
            #expect(page.contains("消费积分"))
            #expect(page.contains("R-2"))
            #expect(page.contains("<b>115</b>"))  // 60 + 55 points
        }
    }

    @Test func personalDataIsMaskedForCounterStaff() async throws {
        try await withTestApp { t in
            _ = try await t.enrolMember(phone: "13800000001", name: "张三")
            let id = try await t.store.searchMembers("13800000001")[0].id

            // Counter staff find a member by the whole phone or card number only, and open the page from that answer
            // (the link carries their exact-match grant; see ObjectAccessTests).
            let counter = try await t.console(as: "counter", .counterStaff)
            #expect(try await counter.get("/console/members?q=0001").memberIDs.isEmpty)
            let hits = try await counter.get("/console/members?q=13800000001")
            #expect(hits.contains("<td>138****0001</td>"))
            #expect(!hits.contains("<td>13800000001</td>"))
            let link = try #require(ConsolePage.firstMatch(#"href="(/console/members/\#(id)\?grant=[^"]+)""#, in: hits.body))
            let page = try await counter.get(link)
            #expect(page.status == .ok)
            #expect(page.contains("<th>手机</th><td>138****0001</td>"))
            #expect(!page.contains(">13800000001<"))

            let desk = try await t.console(as: "desk", .desk)
            #expect(try await desk.get("/console/members?q=0001").contains("13800000001"))
            #expect(try await desk.get("/console/members/\(id)").contains("<th>手机</th><td>13800000001</td>"))
        }
    }

    @Test func viewingAMemberIsAudited() async throws {
        try await withTestApp { t in
            _ = try await t.enrolMember(phone: "13800000001")
            let id = try await t.store.searchMembers("13800000001")[0].id
            let desk = try await t.console(as: "desk", .desk)
            func views() async throws -> Int {
                try await t.auditCount("member.view", actor: "staff:desk", subject: "member:\(id)")
            }
            #expect(try await views() == 0)
            #expect(try await desk.get("/console/members/\(id)").status == .ok)
            #expect(try await views() == 1)
            #expect(try await desk.get("/console/members/\(id)").status == .ok)
            #expect(try await views() == 2)
        }
    }

    @Test func enrolAtTheDesk() async throws {
        try await withTestApp { t in
            // A non-member purchase that carries the customer's phone qualifies them (single receipt ≥ 500).
            let (s, _) = try await t.post("/api/v1/purchases", """
                {"receiptNo":"NM-1","occurredAt":"\(iso(t.clock.now))","phone":"13800000005","lines":[{"counter":"C0001","amountFen":80000}]}
                """)
            #expect(s == .created)
            let desk = try await t.console(as: "desk", .desk)
            let form = try await desk.get("/console/members/new")
            #expect(form.status == .ok)
            #expect(form.contains("name=\"phone\""))
            let done = try await desk.post("/console/members/new", [("phone", "13800000005"), ("name", "王五"), ("gender", "female"),
                                                                    ("birthday", "1990-05-01"), ("consentSms", "1")])
            #expect(done.status == .seeOther)
            let page = try await desk.follow(done)
            #expect(page.status == .ok)
            #expect(page.contains("办卡成功"))
            #expect(page.contains("王五"))
            let member = try #require(try await t.store.searchMembers("13800000005").first)
            #expect(member.name == "王五")
            #expect(member.cardNo != nil)
            #expect(page.contains(member.cardNo!))
        }
    }

    @Test func enrolRuleNotMetComesBackOnTheForm() async throws {
        try await withTestApp { t in
            let (s, _) = try await t.post("/api/v1/purchases", """
                {"receiptNo":"NM-2","occurredAt":"\(iso(t.clock.now))","phone":"13800000006","lines":[{"counter":"C0001","amountFen":10000}]}
                """)
            #expect(s == .created)
            let desk = try await t.console(as: "desk", .desk)
            _ = try await desk.get("/console/members/new")
            let page = try await desk.post("/console/members/new", [("phone", "13800000006"), ("name", "赵六"), ("receipts", "NM-2")])
            #expect(page.status == .unprocessableEntity)
            #expect(page.contains("未达到办卡条件"))
            #expect(page.contains("100.00"))
            // What was typed stays in the form.
            #expect(page.contains("value=\"13800000006\""))
            #expect(page.contains("value=\"赵六\""))
            #expect(try await t.store.searchMembers("13800000006").isEmpty)

            // The same phone twice is refused with the reason.
            _ = try await t.enrolMember(phone: "13800000007")
            let dup = try await desk.post("/console/members/new", [("phone", "13800000007"), ("name", "重复")])
            #expect(dup.status == .unprocessableEntity || dup.status == .conflict)
            #expect(dup.contains("class=\"error\""))
        }
    }

    @Test func englishSwitchRendersEnglish() async throws {
        try await withTestApp { t in
            _ = try await t.enrolMember(phone: "13800000001", name: "张三")
            let id = try await t.store.searchMembers("13800000001")[0].id
            let desk = try await t.console(as: "desk", .desk)
            let zh = try await desk.get("/console/members/\(id)")
            #expect(zh.contains("lang=\"zh-CN\""))
            #expect(zh.contains("积分明细"))

            let switched = try await desk.post("/console/language", [("lang", "en")])
            #expect(switched.status == .seeOther)
            let en = try await desk.get("/console/members/\(id)")
            #expect(en.contains("lang=\"en\""))
            #expect(en.contains("Points ledger"))
            #expect(en.contains("yuan more within 6 months to reach Silver"))
            #expect(!en.contains("积分明细"))
            #expect(try await desk.get("/console/counters").status == .forbidden)
            let forbidden = try await desk.get("/console/staff")
            #expect(forbidden.contains("Your role may not open this page"))

            // And back.
            _ = try await desk.post("/console/language", [("lang", "zh")])
            #expect(try await desk.get("/console/members/\(id)").contains("积分明细"))
        }
    }
}
