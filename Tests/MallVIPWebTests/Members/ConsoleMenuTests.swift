import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// Issue 17: members file complaints on /m/, and the desk works them with the member channel's SLA clock.
@Suite("Member complaints on /m/")
struct MemberComplaintsWebTests {
    static func post(_ t: TestContext, _ client: SelfServiceClient, memberId: Int64, _ form: String) async throws -> RawResponse {
        try await t.send(.POST, "/m/complaints", authorized: false,
                         headers: ["Cookie": "\(MemberAuth.cookieName)=\(client.token)", "Content-Type": "application/x-www-form-urlencoded"],
                         bodyForm: "_csrf=csrf-\(memberId)&" + form)
    }

    static func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }

    @Test("a member files a complaint with their receipt; the desk lists it on the member channel with its SLA due times")
    func filedAndSeenByDesk() async throws {
        try await withTestApp { t in
            let (card, id) = try await t.selfServiceMember("13900000011")
            let receipt = try #require(try await t.store.purchases(memberId: id).first?.receiptNo)
            let client = try await t.signedInMember(id)
            #expect(try await client.page("/m/card").contains(#"href="/m/complaints""#))
            let r = try await Self.post(t, client, memberId: id,
                                        "category=\(Self.enc("停车"))&description=\(Self.enc("出口排队四十分钟"))&receipt=\(Self.enc(receipt))")
            #expect(r.status == .seeOther)
            let c = try #require(try await t.store.memberComplaints(memberId: id).first)
            #expect(c.channel == .member && c.status == .open && c.category == "停车" && c.memberId == id)
            #expect(c.description.contains(receipt))
            let pid = try await t.store.sql.raw("SELECT purchase_id FROM complaints WHERE id = \(bind: c.id)").first()?
                .decode(column: "purchase_id", as: Int64?.self)
            #expect(pid != nil)

            // The member sees it and its state.
            let mine = try await client.page("/m/complaints")
            #expect(mine.contains("#\(c.id) 停车") && mine.contains("已受理，待处理"))

            // The desk sees it in the complaints list, due by the member channel's targets (240 min, 72 h).
            let (_, programme) = try await t.store.programme()
            let sla = programme.feedback.target(.member)
            let desk = try await t.console(as: "desk", .desk)
            let list = try await desk.get("/console/complaints")
            #expect(list.contains(#"id="complaint-\#(c.id)""#))
            #expect(list.contains("会员自助"))
            let firstDue = Layout.dateTime(Date(timeIntervalSince1970: Double(c.createdAtMs + Int64(sla.firstResponseMinutes) * 60_000) / 1000), programme)
            let resolveDue = Layout.dateTime(Date(timeIntervalSince1970: Double(c.createdAtMs + Int64(sla.resolutionHours) * 3_600_000) / 1000), programme)
            #expect(list.contains("截止 \(firstDue)") && list.contains("截止 \(resolveDue)"))

            // Past the SLA, the desk's home page lists it under what needs doing today.
            t.clock.advance(Double(sla.firstResponseMinutes + 1) * 60)
            let home = try await desk.get("/console")
            #expect(home.contains(#"data-todo="complaints""#) && home.contains("超时未处理的投诉 1 件"))
            // Resolved by the desk: the member sees the outcome.
            _ = try await t.store.resolveComplaint(id: c.id, outcome: "已加开出口", told: true, actor: "desk", programme: programme, linkBase: "")
            let after = try await (try await t.signedInMember(id)).page("/m/complaints")   // the first session has expired
            #expect(after.contains("已结案") && after.contains("已加开出口"))
            _ = card
        }
    }

    @Test("refused with the field and rule named: no category, no text, another member's receipt, an unknown category")
    func refusals() async throws {
        try await withTestApp { t in
            let (_, id) = try await t.selfServiceMember("13900000012")
            let (_, other) = try await t.selfServiceMember("13900000013", name: "李四")
            let othersReceipt = try #require(try await t.store.purchases(memberId: other).first?.receiptNo)
            let client = try await t.signedInMember(id)
            let noText = try await Self.post(t, client, memberId: id, "category=\(Self.enc("服务"))&description=")
            #expect(noText.status == .unprocessableEntity && noText.text.contains("请填写内容"))
            let unknown = try await Self.post(t, client, memberId: id, "category=hack&description=x")
            #expect(unknown.status == .unprocessableEntity && unknown.text.contains("请从列表中选择类别"))
            let theirs = try await Self.post(t, client, memberId: id,
                                             "category=\(Self.enc("服务"))&description=x&receipt=\(Self.enc(othersReceipt))")
            #expect(theirs.status == .unprocessableEntity && theirs.text.contains("找不到您的这张小票"))
            #expect(try await t.store.memberComplaints(memberId: id).isEmpty)
            // Only their own complaints are listed.
            _ = try await t.store.openMemberComplaint(memberId: other, category: "服务", text: "别人的投诉", receiptNo: nil)
            #expect(!(try await client.page("/m/complaints")).contains("别人的投诉"))
        }
    }
}

/// Issue 17 "A console a clerk finds their way in": the menu grouped by task, each role only its own entries.
@Suite("Console menu by task and role; the home page's to-do list")
struct ConsoleMenuTests {
    static func menuLinks(_ page: ConsolePage) -> [String] {
        guard let start = page.body.range(of: #"<nav class="menu""#), let end = page.body.range(of: "</nav>", range: start.upperBound..<page.body.endIndex) else {
            return []
        }
        return ConsolePage.matches(#"href="([^"]+)""#, in: String(page.body[start.lowerBound..<end.lowerBound]))
            .map { $0.replacingOccurrences(of: "&amp;", with: "&") }
    }

    @Test("for every role every menu entry answers 200, and every entry it is not shown answers 403")
    func everyRoleEveryLink() async throws {
        try await withTestApp { t in
            var menus: [StaffRole: [String]] = [:]
            var clients: [StaffRole: ConsoleClient] = [:]
            for role in StaffRole.allCases {
                let c = try await t.console(as: "u-\(role.rawValue)", role)
                let home = try await c.get("/console")
                #expect(home.status == .ok)
                menus[role] = Self.menuLinks(home)
                clients[role] = c
                #expect(!(menus[role] ?? []).isEmpty, "\(role) has a menu")
            }
            let all = Set(menus.values.flatMap { $0 })
            // Pages registered for every role, but shown only to the roles that have something there (a desk user
            // maintains no VIPs of their own): hidden, yet not refused.
            let openToEveryone: Set<String> = ["/console/my-vips"]
            for role in StaffRole.allCases {
                let mine = Set(menus[role] ?? [])
                for link in mine.sorted() {
                    let r = try await clients[role]!.get(link)
                    #expect(r.status == .ok, "\(role) → \(link): \(r.status)")
                }
                for link in all.subtracting(mine).subtracting(openToEveryone).sorted() {
                    let r = try await clients[role]!.get(link)
                    #expect(r.status == .forbidden, "\(role) is not shown \(link), so it is refused: \(r.status)")
                }
            }
            #expect(menus[.admin]!.count > menus[.desk]!.count)
        }
    }

    @Test("the menu's groups: 会员服务, 营销与关怀, 活动与反馈, 报表与财务, 设置 (English beside), in that order")
    func groups() async throws {
        try await withTestApp { t in
            let admin = try await t.console(as: "root", .admin)
            let home = try await admin.get("/console")
            var last = home.body.startIndex
            for title in ["会员服务", "营销与关怀", "活动与反馈", "报表与财务", "设置"] {
                let r = try #require(home.body.range(of: #"<span class="menu-title">\#(title)</span>"#, range: last..<home.body.endIndex), "\(title)")
                last = r.upperBound
            }
            #expect(ConsoleMenu.group(of: "/console/members") == .members)
            #expect(ConsoleMenu.group(of: "/console/complaints?status=open") == .events)
            #expect(ConsoleMenu.group(of: "/console/staff") == .settings)
            let desk = try await t.console(as: "desk", .desk)
            #expect(!(try await desk.get("/console")).contains(">设置</span>"), "the desk has no settings at all")
        }
    }

    @Test("the home page: tasks due and overdue, tier approvals, low reward stock — each for the roles that act on it")
    func todo() async throws {
        try await withTestApp { t in
            try await t.store.saveRewardItem(RewardItem(code: "LOW", name: .init(zh: "保温杯", en: "Flask"), points: 100, stock: 3), actor: "test")
            try await t.store.saveRewardItem(RewardItem(code: "MANY", name: .init(zh: "雨伞", en: "Umbrella"), points: 100, stock: 500), actor: "test")
            let manager = try await (try await t.console(as: "boss", .manager)).get("/console")
            #expect(manager.contains(#"data-todo="tier-approvals""#) && manager.contains("待审批升级 0 件"))
            #expect(manager.contains(#"data-todo="low-stock""#) && manager.contains("保温杯 3") && !manager.contains("雨伞"))
            #expect(manager.contains(#"data-todo="tasks""#))
            let desk = try await (try await t.console(as: "desk", .desk)).get("/console")
            #expect(desk.contains(#"data-todo="tasks""#) && desk.contains(#"data-todo="complaints""#))
            #expect(!desk.contains(#"data-todo="low-stock""#) && !desk.contains(#"data-todo="tier-approvals""#))
            let counter = try await (try await t.console(as: "counter", .counterStaff)).get("/console")
            #expect(!counter.contains(#"id="todo""#))
        }
    }
}
