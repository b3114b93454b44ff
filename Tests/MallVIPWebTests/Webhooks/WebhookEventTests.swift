import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// The triggers of migration 023: each event is recorded once per change, in the change's own transaction,
/// and only when someone subscribed.
@Suite("Webhook events")
struct WebhookEventTests {
    static let tables: [WebhookEvent: String] = [
        .memberEnrolled: "members", .tierChanged: "tier_changes", .pointsChanged: "points_ledger",
        .couponIssued: "coupons", .purchasePosted: "purchases",
    ]

    @Test func nothingIsWrittenWithoutASubscription() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13900000001")
            try await t.purchase("NO-SUB-1", fen: 80_000, card: card)
            _ = try await t.issueCoupon(member: try await t.memberId(card: card))
            #expect(try await t.count("webhook_deliveries") == 0)
            // A subscription to one event records only that event.
            _ = try await t.subscribe([.couponIssued])
            try await t.purchase("NO-SUB-2", fen: 80_000, card: card)
            #expect(try await t.count("webhook_deliveries") == 0)
            _ = try await t.issueCoupon(member: try await t.memberId(card: card))
            #expect(try await t.webhookRows().map(\.event) == ["coupon.issued"])
        }
    }

    @Test func everyInsertEventFiresOncePerRowWithTheRowsOwnTime() async throws {
        try await withTestApp { t in
            let (subId, _) = try await t.subscribe()
            var before: [String: Int64] = [:]
            for table in Self.tables.values { before[table] = try await t.maxId(table) }

            // Enrolment through a qualifying receipt (purchase, member, tier, ledger), member purchases, a refund,
            // a points adjustment, a coupon, a manual tier.
            let card = try await t.enrolMember(phone: "13900000002")
            let memberId = try await t.memberId(card: card)
            t.clock.advance(60)
            try await t.purchase("EV-1", fen: 300_000, card: card)
            try await t.purchase("EV-2", fen: 1_200_000, card: card)
            let refund = try await t.postRaw("/api/v1/refunds", t.refundJSON("EV-R1", receipt: "EV-1", lines: [Line(100_000)]))
            #expect(refund.status == .created, "\(refund.text)")
            _ = try await t.store.adjustPoints(memberId: memberId, points: 50, reason: "test", actor: "test")
            _ = try await t.issueCoupon(member: memberId)
            _ = try await t.issueCoupon(member: nil)

            let rows = try await t.webhookRows()
            #expect(rows.allSatisfy { $0.subscriptionId == subId && $0.status == .pending && $0.attempts == 0 })
            #expect(Set(rows.map(\.eventId)).count == rows.count, "every delivery has its own event id")
            for (event, table) in Self.tables {
                let created = try await t.rowIds(table, after: before[table] ?? 0)
                let fired = rows.filter { $0.event == event.rawValue }
                #expect(!created.isEmpty, "the scenario made \(table) rows")
                #expect(fired.map(\.subjectId).sorted() == created, "\(event.rawValue): one delivery per \(table) row")
                #expect(fired.allSatisfy { $0.subjectTable == table })
            }
            // The event time is the source row's, which the injected clock wrote.
            let ledger = try await t.store.sql.raw("SELECT id, at_ms FROM points_ledger").all()
            for r in ledger {
                let id = try r.decode(column: "id", as: Int64.self), at = try r.decode(column: "at_ms", as: Int64.self)
                #expect(rows.first { $0.event == "points.changed" && $0.subjectId == id }.map { epochMillis($0.occurredAt) } == at)
            }
            #expect(rows.filter { $0.event == "points.changed" }.allSatisfy { $0.memberId == memberId })
        }
    }

    @Test func memberUpdatedFiresOnRealProfileChangesOnly() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13900000003")
            let memberId = try await t.memberId(card: card)
            _ = try await t.subscribe([.memberUpdated])

            // A purchase moves the balance, tier and updated_at: not a profile change.
            try await t.purchase("MU-1", fen: 2_000_000, card: card)
            _ = try await t.store.adjustPoints(memberId: memberId, points: 10, reason: "test", actor: "test")
            #expect(try await t.webhookRows().isEmpty)

            let update = ProfileUpdate(name: "李四", gender: .female, birthday: LocalDate("1990-05-06"), email: "li@example.com",
                                       address: nil, profile: MemberProfile(), notes: "", consentSMS: true, consentEmail: false,
                                       consentPhone: false)
            // One edit (profile, then consent, in two statements) is one event.
            try await t.store.updateProfile(memberId: memberId, update, actor: "test")
            var rows = try await t.webhookRows()
            #expect(rows.count == 1)
            #expect(rows.first?.event == "member.updated" && rows.first?.subjectId == memberId)
            #expect(rows.first.map { epochMillis($0.occurredAt) } == epochMillis(t.clock.now))
            let sender = FakeWebhookSender()
            #expect(try await t.store.deliverWebhooks(sender: sender).delivered == 1)
            let sent = try #require(sender.requests.first)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(sent.body.utf8)) as? [String: Any])
            #expect(body["phoneMasked"] as? String == "139****0003" && body["cardNo"] as? String == card)
            #expect((body["consent"] as? [String: Any])?["sms"] as? Bool == true)
            #expect(body["name"] == nil && body["email"] == nil && body["birthday"] == nil)

            // Saving the same values again changes nothing, so nothing fires; a real change fires again.
            try await t.store.updateProfile(memberId: memberId, update, actor: "test")
            #expect(try await t.webhookRows().count == 1)
            var changed = update
            changed.notes = "prefers e-mail"
            try await t.store.updateProfile(memberId: memberId, changed, actor: "test")
            rows = try await t.webhookRows()
            #expect(rows.count == 2 && rows.last?.status == .pending)
        }
    }

    @Test func aRolledBackWriteLeavesNoDelivery() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13900000004")
            let memberId = try await t.memberId(card: card)
            _ = try await t.subscribe()
            struct Abandon: Error {}
            // The trigger's row is part of the transaction: when it rolls back, so does the event.
            await #expect(throws: Abandon.self) {
                try await t.store.write { tx in
                    try await tx.sql.raw("""
                        INSERT INTO points_ledger (member_id, kind, points, balance_after, note, actor, at_ms)
                        VALUES (\(bind: memberId), 'adjust', 5, 5, 'x', 'test', 1)
                        """).run()
                    try await tx.sql.raw("UPDATE members SET notes = 'changed' WHERE id = \(bind: memberId)").run()
                    let inside = try await tx.sql.raw("SELECT COUNT(*) AS n FROM webhook_deliveries").first()!.decode(column: "n", as: Int.self)
                    #expect(inside == 2, "written inside the transaction")
                    throw Abandon()
                }
            }
            #expect(try await t.count("webhook_deliveries") == 0)
            // A refused POS purchase (unknown counter) writes nothing either.
            let refused = try await t.purchase("RB-1", lines: [Line(10_000, counter: "NOPE")])
            #expect(refused.status.code >= 400)
            #expect(try await t.count("webhook_deliveries") == 0)
        }
    }

    @Test func aDeactivatedSubscriptionStopsRecordingAndCancelsWhatWaits() async throws {
        try await withTestApp { t in
            let (id, _) = try await t.subscribe([.purchasePosted])
            try await t.purchase("DA-1", fen: 10_000, phone: "13900000005")
            try await t.store.deactivateWebhook(id: id, actor: "test")
            try await t.purchase("DA-2", fen: 10_000, phone: "13900000005")
            let rows = try await t.webhookRows()
            #expect(rows.map(\.status) == [.cancelled])
            let audit = try await t.store.sql.raw("SELECT action FROM audit_log WHERE subject = \(bind: "webhook:\(id)") ORDER BY id").all()
                .map { try $0.decode(column: "action", as: String.self) }
            #expect(audit == ["webhook.create", "webhook.deactivate"])
        }
    }

    @Test func urlsAndEventNamesAreValidated() async throws {
        #expect(throws: DomainError.self) { try Store.validateWebhookURL("ftp://example.com/x") }
        #expect(throws: DomainError.self) { try Store.validateWebhookURL("example.com/hook") }
        #expect(throws: DomainError.self) { try Store.validateWebhookURL("https://user:pw@example.com/hook") }
        #expect(try Store.validateWebhookURL(" https://crm.example.com/hooks ") == "https://crm.example.com/hooks")
        #expect(try WebhookEvent.parseList("points.changed, member.enrolled") == [.pointsChanged, .memberEnrolled])
        do {
            _ = try WebhookEvent.parseList("points.changed,points.spent")
            Issue.record("an unknown event was accepted")
        } catch let e as DomainError {
            #expect(e.rule == "webhook.event.known" && e.en.contains("points.spent"))
        }
        #expect(throws: DomainError.self) { try WebhookEvent.parseList(" , ") }
    }
}
