import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
@testable import MallVIPWeb

/// Deciding messages: once per key, within consent, opt-out and the weekly marketing cap; refusals keep the reason.
@Suite("Outbox enqueue") struct OutboxEnqueueTests {
    @Test("the same member, journey, period and channel is recorded once; a repeat in the batch or later is a duplicate")
    func dedupe() async throws {
        try await withTestApp { t in
            let a = try await t.messagingMember(phone: "13800000001")
            let first = try await t.enqueue([t.draft(a), t.draft(a), t.draft(a, period: "2027-11")])
            #expect(first == EnqueueResult(queued: 2, refused: 0, holdout: 0, duplicates: 1))
            let again = try await t.enqueue([t.draft(a)])
            #expect(again == EnqueueResult(queued: 0, refused: 0, holdout: 0, duplicates: 1))
            #expect(try await t.count("outbox_messages") == 2)
        }
    }

    @Test("no consent, no address, deactivated: refused and stored with the reason; holdout recorded, never queued")
    func refusals() async throws {
        try await withTestApp { t in
            let noSMS = try await t.messagingMember(phone: "13800000001", sms: false)
            let noMail = try await t.messagingMember(phone: "13800000002", email: nil, emailConsent: true)
            let gone = try await t.messagingMember(phone: "13800000003")
            try await t.store.sql.raw("UPDATE members SET status = 'deactivated' WHERE id = \(bind: gone)").run()
            let held = try await t.messagingMember(phone: "13800000004")
            let r = try await t.enqueue([t.draft(noSMS), t.draft(noMail, .email), t.draft(gone), t.draft(held, holdout: true)])
            #expect(r == EnqueueResult(queued: 0, refused: 3, holdout: 1, duplicates: 0))
            let rows = try await t.outboxRows()
            #expect(rows.map(\.status) == [.refused, .refused, .refused, .holdout])
            #expect(rows.map(\.refuseReason) == [.noConsent, .noAddress, .memberInactive, nil])
        }
    }

    @Test("weekly cap 2: the third marketing message in 7 days is refused (this batch counts); care is not capped")
    func weeklyCap() async throws {
        try await withTestApp { t in
            let a = try await t.messagingMember(phone: "13800000001")
            let one = try await t.enqueue([t.draft(a, purpose: .marketing, code: "campaign:1", period: "c1", source: .campaign)])
            #expect(one.queued == 1)
            t.clock.advance(3 * 86_400)
            let batch = try await t.enqueue([
                t.draft(a, purpose: .marketing, code: "campaign:2", period: "c2", source: .campaign),
                t.draft(a, purpose: .marketing, code: "campaign:3", period: "c3", source: .campaign),
                t.draft(a, purpose: .care, code: "birthday", period: "2026-11"),
                t.draft(a, purpose: .care, code: "holiday", period: "2026-12-25"),
            ])
            #expect(batch == EnqueueResult(queued: 3, refused: 1, holdout: 0, duplicates: 0))
            let capped = try await t.outboxRows().filter { $0.status == .refused }
            #expect(capped.map(\.sourceCode) == ["campaign:3"])
            #expect(capped.first?.refuseReason == .weeklyCap)
            // 7 days after the first, one slot is free again.
            t.clock.advance(4 * 86_400 + 60)
            let later = try await t.enqueue([t.draft(a, purpose: .marketing, code: "campaign:4", period: "c4", source: .campaign),
                                            t.draft(a, purpose: .marketing, code: "campaign:5", period: "c5", source: .campaign)])
            #expect(later == EnqueueResult(queued: 1, refused: 1, holdout: 0, duplicates: 0))
        }
    }

    @Test("an SMS reply with an opt-out keyword records the opt-out, withdraws consent, audits; later drafts refused as optedOut")
    func optOutKeyword() async throws {
        try await withTestApp { t in
            let a = try await t.messagingMember(phone: "13800000001")
            let programme = try await t.store.programme().1
            #expect(try await t.store.recordInboundSMS(phone: "13800000001", text: "好的谢谢", programme: programme) == nil)
            #expect(try await t.store.recordInboundSMS(phone: "13800000001", text: " td ", programme: programme) == a)
            let optOuts = try await t.store.optOuts(memberId: a)
            #expect(optOuts.map(\.source) == [.smsKeyword])
            #expect(try await t.store.member(id: a)?.consentSMS == false)
            let audits = try await t.store.sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'message.optOut'").first()!
            #expect(try audits.decode(column: "n", as: Int.self) == 1)
            let r = try await t.enqueue([t.draft(a)])
            #expect(r.refused == 1)
            #expect(try await t.outboxRows().first?.refuseReason == .optedOut)
        }
    }
}
