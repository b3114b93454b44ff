import Foundation
import MallVIPCore
import MallVIPStore
import NIOConcurrencyHelpers
import SQLKit
import Testing
@testable import MallVIPWeb

/// The delivery worker: claims, quiet hours, retries, consent at send time, two workers, a crash mid-send.
@Suite("Outbox delivery") struct OutboxDeliveryTests {
    @Test("due messages go out with provider id and cost; scheduled ones wait; calls stay tasks; an unconfigured channel stays queued")
    func sendsDue() async throws {
        try await withTestApp { t in
            let a = try await t.messagingMember(phone: "13800000001", email: "a@example.com", emailConsent: true, call: true)
            _ = try await t.enqueue([t.draft(a), t.draft(a, .email), t.draft(a, .call),
                                     t.draft(a, code: "season", notBefore: t.clock.now.addingTimeInterval(3600))])
            let sender = FakeSender(channels: [.sms])
            let s = try await t.store.deliverDue(sender: sender)
            #expect(s.sent == 1 && s.notConfigured == 1)
            #expect(sender.sent.map(\.to) == ["13800000001"])
            var rows = try await t.outboxRows()
            #expect(rows.map(\.status) == [.sent, .queued, .queued, .queued])
            #expect(rows[0].providerId == "P-\(rows[0].id)" && rows[0].costFen == 5 && rows[0].attempts == 1)
            #expect(rows[1].lastError == "channel not configured" && rows[1].attempts == 0)
            #expect(rows[2].lastError == nil)                  // call tasks are never "not configured"
            t.clock.advance(3600)
            #expect(try await t.store.deliverDue(sender: sender).sent == 1)
            rows = try await t.outboxRows()
            #expect(rows[3].status == .sent)
            // Nothing left: another pass does nothing.
            #expect(try await t.store.deliverDue(sender: sender).sent == 0)
            #expect(sender.sent.count == 2)
        }
    }

    @Test("an SMS due at 21:30 is deferred to 09:00 the next day, then sent; e-mail is not held by quiet hours")
    func quietHours() async throws {
        try await withTestApp(now: shanghai(2026, 11, 25, 21, 30)) { t in
            let a = try await t.messagingMember(phone: "13800000001", email: "a@example.com", emailConsent: true)
            _ = try await t.enqueue([t.draft(a), t.draft(a, .email)])
            let sender = FakeSender()
            let s = try await t.store.deliverDue(sender: sender)
            #expect(s.quietDeferred == 1 && s.sent == 1)
            #expect(sender.sent.map(\.channel) == [.email])
            let sms = try #require(try await t.outboxRows().first)
            #expect(sms.status == .deferred && sms.nextAttemptAt == shanghai(2026, 11, 26, 9) && sms.attempts == 0)
            t.clock.set(shanghai(2026, 11, 26, 8, 59))
            #expect(try await t.store.deliverDue(sender: sender).isEmpty)
            t.clock.set(shanghai(2026, 11, 26, 9))
            #expect(try await t.store.deliverDue(sender: sender).sent == 1)
            #expect(sender.sent.map(\.channel) == [.email, .sms])
        }
    }

    @Test("a failing gateway: retries after 60, 120, 240, 480 s, then failed after 5 attempts; a later success is sent once")
    func retriesWithBackoff() async throws {
        try await withTestApp { t in
            let a = try await t.messagingMember(phone: "13800000001")
            let b = try await t.messagingMember(phone: "13800000002")
            _ = try await t.enqueue([t.draft(a)])
            let sender = FakeSender(mode: .fail)
            var waits: [TimeInterval] = []
            for attempt in 1...5 {
                let s = try await t.store.deliverDue(sender: sender)
                #expect(attempt < 5 ? s.retrying == 1 : s.failed == 1)
                let row = try #require(try await t.outboxRows().first)
                #expect(row.attempts == attempt && row.lastError?.contains("gatewayDown") == true)
                if attempt < 5 {
                    #expect(row.status == .deferred)
                    waits.append(row.nextAttemptAt.timeIntervalSince(t.clock.now))
                    t.clock.advance(waits.last! - 1)
                    #expect(try await t.store.deliverDue(sender: sender).isEmpty)   // not before its time
                    t.clock.advance(1)
                } else {
                    #expect(row.status == .failed)
                }
            }
            #expect(waits == [60, 120, 240, 480])
            _ = try await t.enqueue([t.draft(b)])
            sender.setMode(.ok)
            t.clock.advance(86_400)
            #expect(try await t.store.deliverDue(sender: sender).sent == 1)
            #expect(sender.sent.map(\.memberId) == [b])
        }
    }

    @Test("consent withdrawn after queueing: the worker refuses the message at send time with the reason")
    func consentAtSendTime() async throws {
        try await withTestApp { t in
            let a = try await t.messagingMember(phone: "13800000001")
            let b = try await t.messagingMember(phone: "13800000002")
            _ = try await t.enqueue([t.draft(a), t.draft(b)])
            try await t.store.recordOptOut(memberId: a, channel: .sms, source: .desk, detail: "到服务台要求退订", actor: "desk")
            try await t.store.sql.raw("UPDATE members SET consent_sms = \(bind: false) WHERE id = \(bind: b)").run()
            let sender = FakeSender()
            let s = try await t.store.deliverDue(sender: sender)
            #expect(s.refused == 2 && s.sent == 0 && sender.sent.isEmpty)
            #expect(try await t.outboxRows().map(\.refuseReason) == [.optedOut, .noConsent])
        }
    }

    @Test("two workers at once over 40 messages: each message handed to the gateway exactly once")
    func twoWorkers() async throws {
        try await withTestApp { t in
            var drafts: [OutboxDraft] = []
            for i in 0..<20 {
                let m = try await t.messagingMember(phone: "1390000\(String(format: "%04d", i))")
                drafts += [t.draft(m), t.draft(m, code: "season", period: "2026-winter")]
            }
            #expect(try await t.enqueue(drafts).queued == 40)
            let sender = FakeSender(delayMs: 5)
            let summaries = try await withThrowingTaskGroup(of: DeliverySummary.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        var total = DeliverySummary()
                        while true {
                            let s = try await t.store.deliverDue(limit: 7, sender: sender)
                            if s.sent == 0 { return total }
                            total.sent += s.sent
                        }
                    }
                }
                return try await group.reduce(into: [DeliverySummary]()) { $0.append($1) }
            }
            #expect(summaries.map(\.sent).reduce(0, +) == 40)
            let ids = sender.sent.map(\.id)
            #expect(ids.count == 40 && Set(ids).count == 40)
            #expect(try await t.outboxRows().allSatisfy { $0.status == .sent && $0.attempts == 1 })
        }
    }

    @Test("killed mid-send and restarted: completed rows are not sent again, the interrupted one is resent under the same id after the lease, none dropped")
    func crashAndRestart() async throws {
        try await withTestApp { t in
            var drafts: [OutboxDraft] = []
            for i in 0..<6 { drafts.append(t.draft(try await t.messagingMember(phone: "1390000000\(i)"))) }
            _ = try await t.enqueue(drafts)
            // The gateway: accepts the first two, then receives the third while the process dies.
            let gateway = CrashingGateway(crashOnCall: 3)
            await #expect(throws: CancellationError.self) { try await t.store.deliverDue(sender: gateway) }
            var rows = try await t.outboxRows()
            #expect(rows.map(\.status) == [.sent, .sent, .sending, .deferred, .deferred, .deferred])
            #expect(rows[3...].allSatisfy { $0.attempts == 0 })
            // Restart at once: the three untouched go out; the interrupted one waits for its lease.
            t.clock.advance(10)
            gateway.restart()
            #expect(try await t.store.deliverDue(sender: gateway).sent == 3)
            t.clock.advance(Store.sendingLeaseSeconds)
            let s = try await t.store.deliverDue(sender: gateway)
            #expect(s.recovered == 1 && s.sent == 1)
            rows = try await t.outboxRows()
            #expect(rows.allSatisfy { $0.status == .sent })
            let calls = gateway.calls
            // Our side sent each completed row once; only the interrupted row was repeated, with the same reference,
            // which the provider de-duplicates: each member received one message.
            #expect(calls.filter { $0 == rows[2].id }.count == 2)
            #expect(calls.filter { $0 != rows[2].id }.count == 5 && Set(calls).count == 6)
            #expect(gateway.delivered.sorted() == rows.map(\.id).sorted())
        }
    }

    @Test("call tasks: on the manager's list, done → delivered with the call cost, not reached → failed with the note")
    func callTasks() async throws {
        try await withTestApp(programme: programmeYAML(replacing: [("callCost: 0", "callCost: 1.50")])) { t in
            let managerA = try await t.makeStaff("am-a", .accountManager)
            let managerB = try await t.makeStaff("am-b", .accountManager)
            let a = try await t.messagingMember(phone: "13800000001", call: true, manager: managerA)
            let b = try await t.messagingMember(phone: "13800000002", call: true, manager: managerA)
            _ = try await t.enqueue([t.draft(a, .call), t.draft(b, .call)])
            #expect(try await t.store.deliverDue(sender: FakeSender()).isEmpty)
            let tasks = try await t.store.callTasks(staffId: managerA)
            #expect(tasks.map(\.memberId) == [a, b])
            #expect(try await t.store.callTasks(staffId: managerB).isEmpty)
            await #expect(throws: DomainError.self) {
                try await t.store.finishCallTask(id: tasks[0].id, done: true, note: "", staffId: managerB, actor: "am-b")
            }
            try await t.store.finishCallTask(id: tasks[0].id, done: true, note: "祝福已送达", staffId: managerA, actor: "am-a")
            await #expect(throws: DomainError.self) {     // a failed call needs a note
                try await t.store.finishCallTask(id: tasks[1].id, done: false, note: " ", staffId: managerA, actor: "am-a")
            }
            try await t.store.finishCallTask(id: tasks[1].id, done: false, note: "无人接听", staffId: managerA, actor: "am-a")
            let rows = try await t.outboxRows()
            #expect(rows.map(\.status) == [.delivered, .failed])
            #expect(rows[0].costFen == 150 && rows[0].deliveryStatus == "祝福已送达" && rows[1].lastError == "无人接听")
            #expect(try await t.store.callTasks(staffId: managerA).isEmpty)
        }
    }

    @Test("cost roll-up per journey, campaign and month")
    func costRollUp() async throws {
        try await withTestApp(programme: programmeYAML(replacing: [("emailCost: 0", "emailCost: 0.01")])) { t in
            let members = try await (0..<3).asyncMap { i in
                try await t.messagingMember(phone: "1380000000\(i)", email: "m\(i)@example.com", emailConsent: true)
            }
            // November: 3 birthday SMS, 3 campaign-7 SMS (one of them in holdout), 2 campaign-7 e-mails.
            _ = try await t.enqueue(members.map { t.draft($0) })
            _ = try await t.enqueue(members.enumerated().map { i, m in
                t.draft(m, purpose: .marketing, code: "campaign:7", period: "c7", source: .campaign, holdout: i == 2, campaignId: 7)
            } + members.prefix(2).map { t.draft($0, .email, purpose: .marketing, code: "campaign:7", period: "c7", source: .campaign, campaignId: 7) })
            let sender = FakeSender()
            #expect(try await t.store.deliverDue(sender: sender).sent == 7)
            // December: one birthday SMS more.
            t.clock.set(shanghai(2026, 12, 2, 10))
            _ = try await t.enqueue([t.draft(members[0], period: "2026-12")])
            #expect(try await t.store.deliverDue(sender: sender).sent == 1)
            let nov = try await t.store.messageCosts(month: LocalDate(year: 2026, month: 11, day: 15), history: 3)
            #expect(nov.month == "2026-11")
            #expect(nov.bySource == [MessageCostLine(key: "birthday", messages: 3, costFen: 15),
                                     MessageCostLine(key: "campaign:7", messages: 4, costFen: 12)])
            #expect(nov.byCampaign == [MessageCostLine(key: "7", messages: 4, costFen: 12)])
            #expect(nov.byMonth == [MessageCostLine(key: "2026-09", messages: 0, costFen: 0),
                                    MessageCostLine(key: "2026-10", messages: 0, costFen: 0),
                                    MessageCostLine(key: "2026-11", messages: 7, costFen: 27)])
            #expect(nov.totalFen == 27)
            let dec = try await t.store.messageCosts(month: LocalDate(year: 2026, month: 12, day: 1), history: 2)
            #expect(dec.bySource == [MessageCostLine(key: "birthday", messages: 1, costFen: 5)])
            #expect(dec.byMonth.map(\.costFen) == [27, 5])
        }
    }

    @Test("a delivery report moves a sent message to delivered; an unknown provider id changes nothing")
    func deliveryReport() async throws {
        try await withTestApp { t in
            let a = try await t.messagingMember(phone: "13800000001")
            _ = try await t.enqueue([t.draft(a)])
            _ = try await t.store.deliverDue(sender: FakeSender())
            let row = try #require(try await t.outboxRows().first)
            #expect(try await t.store.recordDeliveryReport(providerId: "nope", status: "DELIVRD") == false)
            #expect(try await t.store.recordDeliveryReport(providerId: row.providerId!, status: "DELIVRD"))
            let after = try #require(try await t.store.outboxMessage(id: row.id))
            #expect(after.status == .delivered && after.deliveryStatus == "DELIVRD")
        }
    }
}

/// A gateway that de-duplicates by our reference (as real providers do with a client message id) and, on the
/// n-th call, records the message and then "dies" (the worker's task is cancelled mid-call).
final class CrashingGateway: MessageSender, Sendable {
    private let state: NIOLockedValueBox<(calls: [Int64], crashOn: Int?)>
    init(crashOnCall n: Int) { state = NIOLockedValueBox(([], n)) }
    var calls: [Int64] { state.withLockedValue { $0.calls } }
    var delivered: [Int64] { Array(Set(calls)) }
    func restart() { state.withLockedValue { $0.crashOn = nil } }
    func handles(_ channel: MessageChannel) -> Bool { channel == .sms }
    func send(_ message: OutgoingMessage) async throws -> SendReceipt {
        let crash = state.withLockedValue { s -> Bool in
            s.calls.append(message.id)
            return s.crashOn == s.calls.count
        }
        if crash { throw CancellationError() }
        return SendReceipt(providerId: "G-\(message.id)")
    }
}

extension Sequence {
    func asyncMap<T>(_ f: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await f(e)) }
        return out
    }
}
