import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// Issue 17 "Corrections, audited": the phone changed at the desk by a code to the new number or a manager's
/// override, on /m/profile by a code; the national ID added and corrected; a lost card replaced only after the
/// holder is checked; every change recorded before and after, masked for roles that do not see personal data;
/// `member.updated` queued.
@Suite("Member corrections, audited") struct MemberCorrectionsTests {
    /// A member (phone 13900000001), an SMS fake gateway, and a desk clerk signed in.
    struct World {
        let t: TestContext
        let sms: FakeSender
        let memberId: Int64
        let desk: ConsoleClient
    }

    static func world(_ t: TestContext) async throws -> World {
        let sms = FakeSender(channels: [.sms])
        t.app.messageSenders = ChannelSenders([.sms: sms])
        let card = try await t.enrolMember(phone: "13900000001", name: "王芳")
        let id = try await t.memberId(card: card)
        let desk = try await t.console(as: "desk1", .desk)
        return World(t: t, sms: sms, memberId: id, desk: desk)
    }

    static func lastCode(_ sms: FakeSender, to phone: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let body = try #require(sms.sent.last { $0.to == phone }?.body, "no SMS to \(phone)", sourceLocation: sourceLocation)
        return try #require(ConsolePage.firstMatch(#"(\d{6})"#, in: body), sourceLocation: sourceLocation)
    }

    static func phone(_ t: TestContext, _ id: Int64) async throws -> String {
        try await t.store.sql.raw("SELECT phone FROM members WHERE id = \(bind: id)").first()!.decode(column: "phone", as: String.self)
    }

    static func changes(_ t: TestContext, _ id: Int64) async throws -> [MemberFieldChange] {
        try await t.store.memberFieldChanges(memberId: id)
    }

    @Test("desk: code to the new number; wrong, reused and expired codes and a taken number are refused naming the rule")
    func phoneByCode() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            _ = try await t.enrolMember(phone: "13900000002", name: "李雷")
            let base = "/console/members/\(w.memberId)"
            #expect(try await w.desk.get("\(base)/phone").status == .ok)

            // A number of another member: refused before any SMS, naming one person one card.
            let taken = try await w.desk.post("\(base)/phone/code", [("phone", "13900000002")])
            #expect(taken.status == .conflict)
            #expect(taken.contains("一人一卡"))
            #expect(w.sms.sent.isEmpty)
            // Malformed.
            #expect(try await w.desk.post("\(base)/phone/code", [("phone", "12345")]).status == .unprocessableEntity)

            // The code goes to the NEW number, through the SMS sender; the outbox keeps it masked.
            let sent = try await w.desk.post("\(base)/phone/code", [("phone", "13900000009")])
            #expect(sent.status == .ok)
            #expect(sent.contains("139****0009"))
            let code = try Self.lastCode(w.sms, to: "13900000009")
            let outbox = try await t.store.sql.raw("SELECT body, to_address, status FROM outbox_messages WHERE source = 'verify'").all()
            #expect(outbox.count == 1)
            #expect(try outbox[0].decode(column: "body", as: String.self).contains("******"))
            #expect(try !outbox[0].decode(column: "body", as: String.self).contains(code))
            #expect(try outbox[0].decode(column: "status", as: String.self) == "sent")

            // Wrong code: refused naming the field and the rule's words, the phone unchanged, the try counted.
            let wrong = try await w.desk.post("\(base)/phone", [("phone", "13900000009"), ("code", MemberLoginHarness.wrong(code))])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.contains("验证码错误"))
            #expect(try await Self.phone(t, w.memberId) == "13900000001")
            let tries = try await t.store.sql.raw("SELECT tries FROM member_verify_codes").first()!.decode(column: "tries", as: Int.self)
            #expect(tries == 1)
            // The code of one number does not change the phone to another.
            #expect(try await w.desk.post("\(base)/phone", [("phone", "13900000008"), ("code", code)]).status == .unprocessableEntity)

            // Right code: changed, history with before and after, reason and who.
            let ok = try await w.desk.post("\(base)/phone", [("phone", "13900000009"), ("code", code), ("reason", "换号")])
            #expect(ok.status == .seeOther)
            #expect(try await Self.phone(t, w.memberId) == "13900000009")
            let rows = try await Self.changes(t, w.memberId)
            #expect(rows.count == 1)
            #expect(rows.first?.field == .phone)
            #expect(rows.first?.before == "13900000001")
            #expect(rows.first?.after == "13900000009")
            #expect(rows.first?.method == .code)
            #expect(rows.first?.reason == "换号")
            #expect(rows.first?.actor == "staff:desk1")
            #expect(try await t.auditCount("member.phoneChange", actor: "staff:desk1", subject: "member:\(w.memberId)") == 1)

            // The code once used is dead (a second change with it is refused).
            t.clock.advance(120)
            try await t.store.overridePhone(memberId: w.memberId, newPhone: "13900000001", reason: "back", actor: "test")
            let reused = try await w.desk.post("\(base)/phone", [("phone", "13900000009"), ("code", code)])
            #expect(reused.status == .unprocessableEntity)
            #expect(reused.contains("已使用"))
            #expect(try await Self.phone(t, w.memberId) == "13900000001")

            // Expired: past the code's lifetime the right code is refused.
            #expect(try await w.desk.post("\(base)/phone/code", [("phone", "13900000007")]).status == .ok)
            let late = try Self.lastCode(w.sms, to: "13900000007")
            t.clock.advance(t.app.appConfig.memberLogin.codeTTL + 1)
            let expired = try await w.desk.post("\(base)/phone", [("phone", "13900000007"), ("code", late)])
            #expect(expired.status == .unprocessableEntity)
            #expect(expired.contains("已过期"))
            #expect(try await Self.phone(t, w.memberId) == "13900000001")

            // At most 5 codes an hour per member, whatever the numbers (no SMS to number after number).
            for i in 0..<3 {
                t.clock.advance(61)
                #expect(try await w.desk.post("\(base)/phone/code", [("phone", "1390000002\(i)")]).status == .ok)
            }
            t.clock.advance(61)
            let sentBefore = w.sms.sent.count
            let limited = try await w.desk.post("\(base)/phone/code", [("phone", "13900000030")])
            #expect(limited.status == .unprocessableEntity)
            #expect(w.sms.sent.count == sentBefore)

            // Store level: the rules by name.
            await #expect(throws: DomainError.self) {
                try await t.store.confirmPhoneChange(memberId: w.memberId, newPhone: "13900000007", code: late,
                                                     policy: t.app.appConfig.memberLogin, actor: "test")
            }
            do {
                try await t.store.overridePhone(memberId: w.memberId, newPhone: "13900000002", reason: "x", actor: "test")
                Issue.record("a taken number was accepted")
            } catch let e as DomainError {
                #expect(e.rule == "member.phone.unique")
                #expect(e.field == "phone")
            }
        }
    }

    @Test("override: managers only, with a reason")
    func phoneByOverride() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            let base = "/console/members/\(w.memberId)"
            // The desk may not override: the form is not shown and the route refuses the role.
            #expect(!(try await w.desk.get("\(base)/phone")).contains("/phone/override"))
            #expect(try await w.desk.post("\(base)/phone/override", [("phone", "13900000005"), ("reason", "lost phone")]).status == .forbidden)
            #expect(try await Self.phone(t, w.memberId) == "13900000001")

            let manager = try await t.console(as: "boss", .manager)
            #expect(try await manager.get("\(base)/phone").contains("/phone/override"))
            // No reason: refused naming it.
            let noReason = try await manager.post("\(base)/phone/override", [("phone", "13900000005"), ("reason", " ")])
            #expect(noReason.status == .unprocessableEntity)
            #expect(noReason.contains("原因"))
            #expect(try await Self.phone(t, w.memberId) == "13900000001")

            let ok = try await manager.post("\(base)/phone/override", [("phone", "13900000005"), ("reason", "手机丢失")])
            #expect(ok.status == .seeOther)
            #expect(try await Self.phone(t, w.memberId) == "13900000005")
            let row = try #require(try await Self.changes(t, w.memberId).first)
            #expect(row.method == .override)
            #expect(row.reason == "手机丢失")
            #expect(row.actor == "staff:boss")
            #expect(w.sms.sent.isEmpty)
        }
    }

    @Test("/m/profile: the member changes their own phone with a code to the new number")
    func phoneOnMemberPage() async throws {
        try await withTestApp { t in
            let h = MemberLoginHarness(t)
            let card = try await t.enrolMember(phone: "13900000001", name: "王芳")
            let id = try await t.memberId(card: card)
            _ = try await t.enrolMember(phone: "13900000002", name: "李雷")
            try await h.requestCode("13900000001")
            #expect(try await h.verify("13900000001", try await h.lastCode(to: "13900000001")).status == .seeOther)
            let profile = try await h.browser.get("/m/profile")
            #expect(profile.contains("/m/profile/phone/code"))

            let taken = try await h.browser.post("/m/profile/phone/code", [("phone", "13900000002")])
            #expect(taken.status == .conflict)
            #expect(taken.contains("一人一卡"))

            #expect(try await h.browser.post("/m/profile/phone/code", [("phone", "13900000006")]).status == .ok)
            let code = try Self.lastCode(h.sms, to: "13900000006")
            #expect(try await h.browser.post("/m/profile/phone", [("phone", "13900000006"), ("code", MemberLoginHarness.wrong(code))]).status == .unprocessableEntity)
            #expect(try await Self.phone(t, id) == "13900000001")
            let ok = try await h.browser.post("/m/profile/phone", [("phone", "13900000006"), ("code", code)])
            #expect(ok.status == .seeOther)
            #expect(try await Self.phone(t, id) == "13900000006")
            let row = try #require(try await Self.changes(t, id).first)
            #expect(row.field == .phone && row.actor == "member:\(id)" && row.method == .code)
            // Without a member session: no change possible.
            let stranger = ConsoleClient(t)
            let anon = try await stranger.post("/m/profile/phone/code", [("phone", "13900000004")], csrf: .none)
            #expect(anon.status != .ok)
        }
    }

    @Test("national ID: added, corrected with a reason, a number of another member refused naming the rule")
    func nationalID() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            let other = try await t.memberId(card: try await t.enrolMember(phone: "13900000002", name: "李雷"))
            let base = "/console/members/\(w.memberId)"
            let first = "11010519491231002X", second = "110105194912310038"
            try await t.store.setNationalID(memberId: other, idNumber: second, reason: "", actor: "test")

            #expect(try await w.desk.get("\(base)/id-number").status == .ok)
            #expect(try await w.desk.post("\(base)/id-number", [("idNumber", "123")]).status == .unprocessableEntity)
            let added = try await w.desk.post("\(base)/id-number", [("idNumber", first)])
            #expect(added.status == .seeOther)
            let m = try #require(try await t.store.member(id: w.memberId))
            #expect(m.idMasked == "110105********002X")
            #expect(try await t.store.revealNationalID(memberId: w.memberId, actor: "test") == first)

            // Another member's number: refused, one person one card, nothing changed.
            let dup = try await w.desk.post("\(base)/id-number", [("idNumber", second), ("reason", "写错了")])
            #expect(dup.status == .conflict)
            #expect(dup.contains("一人一卡"))
            #expect(try await t.store.member(id: w.memberId)?.idMasked == "110105********002X")

            // A correction needs a reason.
            let third = "110105194912310011"
            #expect(Identity.isValidNationalID(third))
            let noReason = try await w.desk.post("\(base)/id-number", [("idNumber", third)])
            #expect(noReason.status == .unprocessableEntity)
            #expect(try await w.desk.post("\(base)/id-number", [("idNumber", third), ("reason", "证件号录错")]).status == .seeOther)
            #expect(try await t.store.revealNationalID(memberId: w.memberId, actor: "test") == third)

            let rows = try await Self.changes(t, w.memberId)
            #expect(rows.map(\.field) == [.idNumber, .idNumber])
            #expect(rows[0].before == "110105********002X" && rows[0].after == "110105********0011" && rows[0].reason == "证件号录错")
            #expect(rows[1].before == nil)
            // Only the masked form is recorded: the full number is nowhere in the history table.
            let raw = try await t.store.sql.raw("SELECT before_value, after_value FROM member_field_changes").all()
            for r in raw {
                #expect(try !(r.decode(column: "after_value", as: String?.self) ?? "").contains("19491231"))
            }
            do {
                try await t.store.setNationalID(memberId: w.memberId, idNumber: second, reason: "x", actor: "test")
                Issue.record("a taken ID number was accepted")
            } catch let e as DomainError {
                #expect(e.rule == "member.idNumber.unique" && e.field == "idNumber")
            }
        }
    }

    @Test("lost card: replacement refused without the holder check, accepted with the ID number or the phone code")
    func cardReplacement() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            let base = "/console/members/\(w.memberId)"
            func cards() async throws -> Int { try await t.store.sql.raw("SELECT COUNT(*) AS n FROM cards WHERE member_id = \(bind: w.memberId)").first()!.decode(column: "n", as: Int.self) }
            #expect(try await w.desk.post("\(base)/card-lost", []).status == .seeOther)
            let page = try await w.desk.get(base)
            #expect(page.contains("/card-replace/code"))

            // No check at all; a wrong ID; an ID when none is on file: refused, no new card.
            let none = try await w.desk.post("\(base)/card-replace", [])
            #expect(none.status == .unprocessableEntity)
            #expect(none.contains("核实"))
            #expect(try await w.desk.post("\(base)/card-replace", [("idNumber", "11010519491231002X")]).status == .unprocessableEntity)
            #expect(try await cards() == 1)

            // By a code to the phone on file.
            #expect(try await w.desk.post("\(base)/card-replace/code", []).status == .seeOther)
            let code = try Self.lastCode(w.sms, to: "13900000001")
            #expect(try await w.desk.post("\(base)/card-replace", [("code", MemberLoginHarness.wrong(code))]).status == .unprocessableEntity)
            #expect(try await cards() == 1)
            #expect(try await w.desk.post("\(base)/card-replace", [("code", code)]).status == .seeOther)
            #expect(try await cards() == 2)
            #expect(try await t.auditCount("card.replace.holderChecked", subject: "member:\(w.memberId)") == 1)
            // The code is used up.
            #expect(try await w.desk.post("\(base)/card-replace", [("code", code)]).status == .unprocessableEntity)
            #expect(try await cards() == 2)

            // By the ID number on file.
            try await t.store.setNationalID(memberId: w.memberId, idNumber: "11010519491231002X", reason: "", actor: "test")
            #expect(try await w.desk.post("\(base)/card-replace", [("idNumber", "110105194912310038")]).status == .unprocessableEntity)
            #expect(try await cards() == 2)
            #expect(try await w.desk.post("\(base)/card-replace", [("idNumber", "11010519491231002x")]).status == .seeOther)
            #expect(try await cards() == 3)
        }
    }

    @Test("history: before and after of a profile edit, masked for a planner, the viewing audited; member.updated queued")
    func historyMaskedAndWebhook() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            _ = try await t.store.createWebhook(url: "https://example.com/hook", events: [.memberUpdated], actor: "test")
            let base = "/console/members/\(w.memberId)"
            let edit = try await w.desk.post("\(base)/edit", [("name", "王芳芳"), ("email", "wang@example.com"), ("address", "成都市锦江区1号"),
                                                              ("reason", "会员来电更正")])
            #expect(edit.status == .seeOther)
            let rows = try await Self.changes(t, w.memberId)
            #expect(Set(rows.map(\.field)) == [.name, .email, .address])
            #expect(rows.allSatisfy { $0.reason == "会员来电更正" && $0.actor == "staff:desk1" && $0.method == .edit })
            #expect(rows.first { $0.field == .name }?.before == "王芳")

            try await t.store.overridePhone(memberId: w.memberId, newPhone: "13900000005", reason: "换号", actor: "staff:boss")

            // The desk sees the values; a planner sees phone, e-mail and address masked.
            let deskView = try await w.desk.get("\(base)/changes")
            #expect(deskView.status == .ok)
            #expect(deskView.contains("wang@example.com") && deskView.contains("13900000005") && deskView.contains("13900000001"))
            let planner = try await t.console(as: "plan1", .planner)
            let plannerView = try await planner.get("\(base)/changes")
            #expect(plannerView.status == .ok)
            #expect(!plannerView.contains("wang@example.com") && !plannerView.contains("成都市锦江区1号"))
            #expect(!plannerView.contains("13900000005") && !plannerView.contains("13900000001"))
            #expect(plannerView.contains("139****0005") && plannerView.contains("王芳芳"))
            // Planners do not correct: no links, the routes refuse the role.
            #expect(!plannerView.contains("/phone\""))
            #expect(try await planner.get("\(base)/phone").status == .forbidden)
            #expect(try await planner.post("\(base)/id-number", [("idNumber", "11010519491231002X")]).status == .forbidden)
            #expect(try await t.auditCount("member.changes.view", actor: "staff:plan1", subject: "member:\(w.memberId)") == 1)
            #expect(try await t.auditCount("member.changes.view", actor: "staff:desk1", subject: "member:\(w.memberId)") == 1)

            // member.updated queued for the subscription (coalesced while one waits unsent).
            let queued = try await t.store.sql.raw("""
                SELECT COUNT(*) AS n FROM webhook_deliveries WHERE event_type = 'member.updated' AND member_id = \(bind: w.memberId)
                """).first()!.decode(column: "n", as: Int.self)
            #expect(queued == 1)
        }
    }

    @Test("account manager: another manager's member's corrections are refused by the member-access check")
    func accessCheck() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            try await t.makeStaff("am1", .accountManager)
            let am = ConsoleClient(t)
            try await am.signIn("am1")
            for (path, form) in [("phone/code", [("phone", "13900000005")]), ("phone", [("phone", "13900000005"), ("code", "123456")]),
                                 ("id-number", [("idNumber", "11010519491231002X")]), ("card-replace/code", [])] as [(String, [(String, String)])] {
                #expect(try await am.post("/console/members/\(w.memberId)/\(path)", form).status == .forbidden, "\(path)")
            }
            #expect(try await am.get("/console/members/\(w.memberId)/changes").status == .forbidden)
            #expect(w.sms.sent.isEmpty)
            #expect(try await Self.changes(t, w.memberId).isEmpty)
        }
    }

    @Test("the history is in the member's own data export and is erased with the member")
    func exportAndErasure() async throws {
        try await withTestApp { t in
            let w = try await Self.world(t)
            try await t.store.overridePhone(memberId: w.memberId, newPhone: "13900000005", reason: "换号", actor: "staff:boss")
            _ = try await t.store.requestCardReplaceCode(memberId: w.memberId, policy: t.app.appConfig.memberLogin, sender: w.sms, actor: "test")
            let export = try await t.store.memberDataExport(memberId: w.memberId, actor: "test")
            let table = try #require(export.tables.first { $0.name == "personalDataChanges" })
            #expect(table.rows.count == 1)
            #expect(try await t.count("member_verify_codes") == 1)

            let request = try await t.store.requestAccountDeletion(memberId: w.memberId, reason: "")
            try await t.store.decideDeletion(requestId: request, approve: true, note: "ok", actor: "staff:boss")
            #expect(try await Self.changes(t, w.memberId).isEmpty)
            #expect(try await t.count("member_field_changes") == 0)
            #expect(try await t.count("member_verify_codes") == 0)
        }
    }

    @Test("PersonalField: changes between snapshots, masking by role")
    func personalFieldRules() {
        let diff = PersonalField.changes(from: [.name: "A", .email: ""], to: [.name: "B", .address: "x"])
        #expect(diff.map(\.field) == [.name, .address])
        #expect(PersonalField.phone.shown("13900000001", seesPersonalData: false) == "139****0001")
        #expect(PersonalField.email.shown("a@b.c", seesPersonalData: false) == "***")
        #expect(PersonalField.email.shown("a@b.c", seesPersonalData: true) == "a@b.c")
        #expect(PersonalField.name.shown(nil, seesPersonalData: true) == "—")
    }
}
