import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
@testable import MallVIPWeb

/// Issue 8 (C): the member's own profile edit, consent per channel, "download my data" and account deletion,
/// against the store (the /m/ pages are tested in `MemberProfileWebTests`).
@Suite("Member rights (store)") struct MemberRightsStoreTests {
    @Test("own profile: contact details and sizes saved and audited; birthday set once; bad e-mail writes nothing")
    func ownProfile() async throws {
        try await withTestApp { t in
            let id = try await t.memberId(card: try await t.enrolMember(phone: "13800000001"))
            try await t.store.updateOwnProfile(memberId: id, MemberSelfEdit(email: " a@example.com ", address: "成都市锦江区1号",
                birthday: LocalDate(year: 1990, month: 5, day: 6), clothingSize: "M", shoeSize: "38", preferences: "女装 护肤"))
            var m = try #require(try await t.store.member(id: id))
            #expect(m.email == "a@example.com" && m.address == "成都市锦江区1号" && m.birthday == LocalDate(year: 1990, month: 5, day: 6))
            #expect(m.profile.clothingSize == "M" && m.profile.shoeSize == "38" && m.profile.preferences == "女装 护肤")
            let audit = try await t.store.sql.raw("""
                SELECT detail FROM audit_log WHERE action = 'member.selfUpdate' AND subject = \(bind: "member:\(id)")
                """).all().map { try $0.decode(column: "detail", as: String.self) }
            #expect(audit == ["birthday,profile,email,address"])

            // Same birthday again is fine; a different one is the desk's job.
            try await t.store.updateOwnProfile(memberId: id, MemberSelfEdit(email: "a@example.com", birthday: LocalDate(year: 1990, month: 5, day: 6),
                                                                            clothingSize: "L"))
            let e = await #expect(throws: DomainError.self) {
                try await t.store.updateOwnProfile(memberId: id, MemberSelfEdit(birthday: LocalDate(year: 1991, month: 1, day: 1)))
            }
            #expect(e?.rule == "birthday.setOnce" && e?.field == "birthday")
            let bad = await #expect(throws: DomainError.self) {
                try await t.store.updateOwnProfile(memberId: id, MemberSelfEdit(email: "not-an-address", clothingSize: "XL"))
            }
            #expect(bad?.field == "email")
            m = try #require(try await t.store.member(id: id))
            #expect(m.birthday == LocalDate(year: 1990, month: 5, day: 6) && m.profile.clothingSize == "L" && m.address == nil)
            #expect(m.birthday?.month == 5)
            let months = try await t.store.sql.raw("SELECT birth_month FROM members WHERE id = \(bind: id)").first()
            #expect(try months?.decode(column: "birth_month", as: Int.self) == 5)
        }
    }

    @Test("consent: withdrawing SMS refuses the queued message at once as opted out, recorded both ways; giving it back sends again")
    func consentBothWays() async throws {
        try await withTestApp { t in
            let id = try await t.messagingMember(phone: "13800000001")
            _ = try await t.enqueue([t.draft(id)])
            #expect(try await t.store.setConsent(memberId: id, channel: .sms, granted: false, source: .member, detail: "member page",
                                                 actor: "member:\(id)"))
            // Asking for what is already so records nothing.
            #expect(try await t.store.setConsent(memberId: id, channel: .sms, granted: false, source: .member, detail: "member page",
                                                 actor: "member:\(id)") == false)
            let sender = FakeSender()
            #expect(try await t.store.deliverDue(sender: sender).refused == 1 && sender.sent.isEmpty)
            #expect(try await t.outboxRows().map(\.refuseReason) == [.optedOut])
            #expect(try await t.store.optOuts(memberId: id).map(\.source) == [.member])
            #expect(try await t.store.member(id: id)?.consentSMS == false)

            t.clock.advance(60)
            #expect(try await t.store.setConsent(memberId: id, channel: .sms, granted: true, source: .member, detail: "member page",
                                                 actor: "member:\(id)"))
            #expect(try await t.store.member(id: id)?.consentSMS == true)
            let changes = try await t.store.consentChanges(memberId: id)
            #expect(changes.map(\.granted) == [true, false] && changes.allSatisfy { $0.channel == .sms && $0.source == "member" })
            let actions = try await t.store.sql.raw("""
                SELECT action FROM audit_log WHERE subject = \(bind: "member:\(id)") AND action LIKE 'message.opt%' ORDER BY id
                """).all().map { try $0.decode(column: "action", as: String.self) }
            #expect(actions == ["message.optOut", "message.optIn"])
            _ = try await t.enqueue([t.draft(id, code: "season")])
            #expect(try await t.store.deliverDue(sender: sender).sent == 1)
            // Other channels are untouched.
            #expect(try await t.store.member(id: id)?.consentEmail == false)
        }
    }

    @Test("consent switched at the desk (profile edit) is recorded as the member's own is: opt-out with source desk, and the history")
    func deskConsent() async throws {
        try await withTestApp { t in
            let id = try await t.messagingMember(phone: "13800000031")
            let m = try #require(try await t.store.member(id: id))
            func edit(sms: Bool, email: Bool) async throws {
                try await t.store.updateProfile(memberId: id, ProfileUpdate(name: m.name, gender: m.gender, birthday: m.birthday, email: "a@example.com",
                                                                            address: m.address, profile: m.profile, notes: m.notes, consentSMS: sms,
                                                                            consentEmail: email, consentPhone: m.consentPhone), actor: "staff:desk")
            }
            try await edit(sms: false, email: true)
            #expect(try await t.store.member(id: id)?.consentSMS == false)
            #expect(try await t.store.optOuts(memberId: id).map(\.source) == [.desk])
            let changes = try await t.store.consentChanges(memberId: id)
            #expect(Set(changes.map { "\($0.channel.rawValue)=\($0.granted)/\($0.source)" }) == ["sms=false/desk", "email=true/desk"])
            try await edit(sms: false, email: true)                    // nothing changed: nothing recorded
            #expect(try await t.store.consentChanges(memberId: id).count == 2)
        }
    }

    @Test("export: profile, cards, purchases, ledger, messages and consents of this member only; audited")
    func exportContents() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001", name: "李四")
            let id = try await t.memberId(card: card)
            let other = try await t.memberId(card: try await t.enrolMember(phone: "13800000002", name: "王五"))
            try await t.purchase("R-1", fen: 12_345, card: card)
            try await t.purchase("R-OTHER", fen: 99_900, phone: "13800000002")
            try await t.store.setConsent(memberId: id, channel: .email, granted: true, source: .member, detail: "member page", actor: "m")
            _ = try await t.enqueue([t.draft(id)])
            _ = try await t.store.setMemberTags(memberId: id, text: "瑜伽", actor: "desk")

            let x = try await t.store.memberDataExport(memberId: id, actor: "member:\(id)")
            #expect(x.table("profile")?.value("name") == .text("李四") && x.table("profile")?.value("phone") == .text("13800000001"))
            #expect(x.table("profile")?.value("consent_email") == .bool(true))
            #expect(x.table("cards")?.value("card_no") == .text(card))
            let receipts = try #require(x.table("purchases")).rows.compactMap { row -> String? in
                if case .text(let s) = row[0] { return s } else { return nil }
            }
            #expect(receipts == ["ENROL-13800000001", "R-1"])
            #expect(x.table("purchases")?.value("total_fen", row: 1) == .int(12_345))
            #expect(x.table("ledger")?.rows.count == 2)
            #expect(x.table("messages")?.rows.count == 1 && x.table("consentChanges")?.value("granted") == .bool(true))
            #expect(x.table("tags")?.value("tag") == .text("瑜伽"))
            let json = try x.json()
            #expect(json.contains("\"R-1\"") && !json.contains("R-OTHER") && !json.contains("王五") && !json.contains("13800000002"))
            #expect(json.contains("\"purchaseLines\"") && json.contains("\"optOuts\""))
            let audited = try await t.store.sql.raw("""
                SELECT COUNT(*) AS n FROM audit_log WHERE action = 'member.dataExport' AND subject = \(bind: "member:\(id)")
                """).first()?.decode(column: "n", as: Int.self)
            #expect(audited == 1)
            _ = other
        }
    }

    @Test("deletion: request → manager task; cannot be closed by hand; reject needs a note; approval erases personal data, totals stay")
    func deletion() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001", name: "李四")
            let id = try await t.memberId(card: card)
            try await t.purchase("R-1", fen: 50_000, card: card)
            try await t.store.updateOwnProfile(memberId: id, MemberSelfEdit(email: "li@example.com", address: "成都", clothingSize: "M"))
            _ = try await t.store.setMemberTags(memberId: id, text: "瑜伽", actor: "desk")
            _ = try await t.store.bindPlate("川A12345", memberId: id, actor: "desk")
            try await t.store.setConsent(memberId: id, channel: .email, granted: true, source: .member, detail: "", actor: "m")
            let spentBefore = try await t.store.sql.raw("""
                SELECT CAST(SUM(total_fen) AS BIGINT) AS s FROM purchases WHERE member_id = \(bind: id)
                """).first()?.decode(column: "s", as: Int64.self)

            let requestId = try await t.store.requestAccountDeletion(memberId: id, reason: "不再使用")
            #expect(try await t.store.requestAccountDeletion(memberId: id, reason: "again") == requestId)
            let managers = TaskViewer(staffId: 999, role: .manager, supervisor: false)
            let tasks = try await t.store.serviceTasks(managers, filter: .init(kind: .deletion))
            #expect(tasks.count == 1 && tasks[0].memberId == id && tasks[0].teamRole == "manager" && tasks[0].title.contains("李四"))
            #expect(try await t.store.deletionRequest(taskId: tasks[0].id)?.id == requestId)
            let byHand = await #expect(throws: DomainError.self) {
                try await t.store.closeServiceTask(id: tasks[0].id, outcome: .done, note: "", viewer: managers, actor: "staff:999")
            }
            #expect(byHand?.rule == "task.deletionDecision")
            let noNote = await #expect(throws: DomainError.self) {
                try await t.store.decideDeletion(requestId: requestId, approve: false, note: " ", actor: "staff:1")
            }
            #expect(noNote?.field == "note")

            try await t.store.decideDeletion(requestId: requestId, approve: true, note: "", actor: "staff:1")
            let m = try #require(try await t.store.member(id: id))
            #expect(m.name == "已注销" && m.phone != "13800000001" && m.email == nil && m.address == nil && m.birthday == nil)
            #expect(m.profile == MemberProfile() && !m.consentSMS && !m.consentEmail && !m.consentPhone && m.status == "erased")
            #expect(m.pointsBalance == 0)
            #expect(try await t.store.memberTags(memberId: id).isEmpty)
            #expect(try await t.store.plates(memberId: id).isEmpty)
            #expect(try await t.lookup(phone: "13800000001").status == .notFound)
            #expect(try await t.lookup(card: card).status == .notFound)
            let states = try await t.store.sql.raw("SELECT state FROM cards WHERE member_id = \(bind: id)").all()
                .map { try $0.decode(column: "state", as: String.self) }
            #expect(states == ["closed"])
            let spentAfter = try await t.store.sql.raw("""
                SELECT CAST(SUM(total_fen) AS BIGINT) AS s, COUNT(*) AS n FROM purchases WHERE member_id = \(bind: id) AND phone IS NULL
                """).first()
            #expect(try spentAfter?.decode(column: "s", as: Int64.self) == spentBefore && spentAfter?.decode(column: "n", as: Int.self) == 2)
            #expect(try await t.ledgerRows(id).last?.balanceAfter == 0)
            try await t.expectVerifyClean()
            let task = try #require(try await t.store.serviceTask(id: tasks[0].id))
            #expect(task.status == .done && task.closedBy == "staff:1" && !task.title.contains("李四"))
            let actions = try await t.store.sql.raw("""
                SELECT action FROM audit_log WHERE subject = \(bind: "member:\(id)") AND action LIKE 'member.%' ORDER BY id
                """).all().map { try $0.decode(column: "action", as: String.self) }
            #expect(actions.suffix(3) == ["member.deletionRequest", "member.erase", "member.deletionApprove"])
            let again = await #expect(throws: DomainError.self) {
                try await t.store.decideDeletion(requestId: requestId, approve: true, note: "", actor: "staff:1")
            }
            #expect(again?.rule == "request.pending")
            // An erased member can no longer edit or ask again.
            await #expect(throws: DomainError.self) { _ = try await t.store.requestAccountDeletion(memberId: id, reason: "") }
        }
    }

    @Test("deletion rejected: the member's data stays, the task is declined with the note")
    func deletionRejected() async throws {
        try await withTestApp { t in
            let id = try await t.memberId(card: try await t.enrolMember(phone: "13800000001", name: "李四"))
            let requestId = try await t.store.requestAccountDeletion(memberId: id, reason: "")
            try await t.store.decideDeletion(requestId: requestId, approve: false, note: "有未结清的兑换", actor: "staff:1")
            #expect(try await t.store.member(id: id)?.name == "李四")
            let r = try #require(try await t.store.latestDeletionRequest(memberId: id))
            #expect(r.status == .rejected && r.note == "有未结清的兑换" && r.decidedBy == "staff:1")
            let tasks = try await t.store.serviceTasks(TaskViewer(staffId: 1, role: .manager, supervisor: true),
                                                       filter: .init(kind: .deletion, status: nil))
            #expect(tasks.map(\.status) == [.declined])
            // A new request may follow a rejected one.
            #expect(try await t.store.requestAccountDeletion(memberId: id, reason: "") != requestId)
        }
    }
    @Test("concurrent: five deletion requests at once make one request and one task; three approvals at once erase once")
    func concurrentDeletion() async throws {
        try await withTestApp { t in
            let id = try await t.memberId(card: try await t.enrolMember(phone: "13800000001", name: "李四"))
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<5 { group.addTask { try await t.store.requestAccountDeletion(memberId: id, reason: "") } }
                return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(try await t.count("member_requests") == 1)
            let requestId = try #require(ids.first)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        do { try await t.store.decideDeletion(requestId: requestId, approve: true, note: "", actor: "staff:1"); return true }
                        catch let e as DomainError where e.rule == "request.pending" { return false }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await t.auditCount("member.erase") == 1)
            #expect(try await t.ledgerRows(id).filter { $0.kind == "adjust" }.count == 1)
            try await t.expectVerifyClean()
        }
    }
}
