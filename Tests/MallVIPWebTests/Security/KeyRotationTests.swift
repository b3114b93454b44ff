import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// Issue 14, finding 5: `mallvip keys rotate` re-encrypts national IDs (with their keyed uniqueness hash) and
/// webhook secrets under a new key, in batches, resumably.
@Suite("Data key rotation (issue 14)") struct KeyRotationTests {
    static let oldKey = TestDataKey.data
    static let newKey = Data(repeating: 0x5a, count: 32)

    /// The test app's database seen through another key.
    static func store(_ t: TestContext, key: Data) -> Store {
        Store(db: t.app.db, isSQLite: t.app.appConfig.database.isSQLite, env: StoreEnvironment(cipher: PersonalDataCipher(keyData: key)))
    }

    /// Three members with national IDs and a webhook with a secret, written under the test app's key.
    static func seed(_ t: TestContext) async throws -> (members: [Int64: String], secret: String) {
        var members: [Int64: String] = [:]
        for i in 1...3 {
            let phone = "1380000000\(i)"
            _ = try await t.purchase("R-\(i)", fen: 60_000, phone: phone)
            let id = nationalID(10 + i)
            #expect(try await t.enrol(phone: phone, receipts: ["R-\(i)"], idNumber: id).status == .created)
            members[try #require(try await t.store.lookup(card: nil, phone: phone)).id] = id
        }
        let (_, secret) = try await t.subscribe([.purchasePosted])
        return (members, secret)
    }

    /// After rotation: reveal, the uniqueness check and webhook signing work under the new key, not the old one.
    static func checkRotated(_ t: TestContext, _ members: [Int64: String], secret: String) async throws {
        let new = store(t, key: newKey), old = store(t, key: oldKey)
        for (member, id) in members {
            #expect(try await new.revealNationalID(memberId: member, actor: "test") == id)
            await #expect(throws: (any Error).self) { _ = try await old.revealNationalID(memberId: member, actor: "test") }
        }
        // One person, one card: an ID already held is found through the new hash.
        let phone = "13800000099"
        _ = try await t.purchase("R-99", fen: 60_000, phone: phone)
        let dup = EnrolmentRequest(phone: phone, name: "王五", gender: .unknown, birthday: nil, idNumber: members.values.first!,
                                   email: nil, address: nil, receipts: ["R-99"], cardNo: nil, overrideReason: nil,
                                   consentSMS: false, consentEmail: false, consentPhone: false, referralCode: nil)
        do {
            _ = try await new.enrol(dup, actor: "test", mallId: nil)
            Issue.record("a national ID already held enrolled again after rotation")
        } catch let e as DomainError {
            #expect(e.field == "idNumber", "\(e)")
        }
        // Webhook signing: the new store signs with the subscription's secret; the old one cannot read it.
        _ = try await t.purchase("R-100", fen: 10_000, phone: "13800000001")
        let sender = FakeWebhookSender()
        _ = try await old.deliverWebhooks(now: Date(), sender: sender)
        #expect(sender.requests.isEmpty, "the old key still opens the secret")
        try await t.store.sql.raw("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at_ms = 0").run()
        _ = try await new.deliverWebhooks(now: Date(), sender: sender)
        let sent = try #require(sender.requests.first)
        #expect(WebhookSignature.verify(secret: secret, timestamp: sent.header("X-MallVIP-Timestamp") ?? "", body: sent.body,
                                        signature: sent.header("X-MallVIP-Signature") ?? ""))
    }

    @Test("rotate in batches: an interrupted run resumes, a second run changes nothing, the new key is the only key")
    func rotateResumeAndRepeat() async throws {
        try await withTestApp(now: Date()) { t in
            let (members, secret) = try await Self.seed(t)
            let new = Self.store(t, key: Self.newKey)
            let cipher = PersonalDataCipher(keyData: Self.oldKey)

            // Interrupted after two batches of one row.
            let first = try await new.rotateDataKey(from: cipher, batchSize: 1, maxBatches: 2)
            #expect(!first.finished && first.nationalIDs.rotated == 2 && first.webhookSecrets.rotated == 0)
            // The rerun finishes and re-encrypts nothing twice.
            let before = try await Self.ciphertexts(t)
            let second = try await new.rotateDataKey(from: cipher, batchSize: 1)
            #expect(second.finished && second.ok)
            #expect(second.nationalIDs.rotated == 1 && second.nationalIDs.alreadyNew == 2)
            #expect(second.webhookSecrets.rotated == 1)
            let after = try await Self.ciphertexts(t)
            #expect(after.filter { before[$0.key] == $0.value }.count == 2, "the two rows done before were left alone")
            // A third run changes nothing.
            let third = try await new.rotateDataKey(from: cipher)
            #expect(third.nationalIDs.rotated == 0 && third.nationalIDs.alreadyNew == 3 && third.webhookSecrets.alreadyNew == 1)
            #expect(try await Self.ciphertexts(t) == after)
            #expect(try await t.auditCount("dataKey.rotate") == 2)
            try await Self.checkRotated(t, members, secret: secret)
        }
    }

    /// id_cipher and id_hash per member, secret_cipher per webhook.
    static func ciphertexts(_ t: TestContext) async throws -> [String: String] {
        var out: [String: String] = [:]
        for r in try await t.store.sql.raw("SELECT id, id_cipher, id_hash FROM members WHERE id_cipher IS NOT NULL").all() {
            let id = try r.decode(column: "id", as: Int64.self)
            out["m\(id)"] = try r.decode(column: "id_cipher", as: String.self) + "|" + r.decode(column: "id_hash", as: String.self)
        }
        for r in try await t.store.sql.raw("SELECT id, secret_cipher FROM webhook_subscriptions").all() {
            out["w\(try r.decode(column: "id", as: Int64.self))"] = try r.decode(column: "secret_cipher", as: String.self)
        }
        return out
    }

    @Test("mallvip keys rotate: MALLVIP_DATA_KEY_OLD to MALLVIP_DATA_KEY, counts printed, exit 1 on rows neither key opens")
    func cli() async throws {
        try await withTestApp(now: Date()) { t in
            let (members, secret) = try await Self.seed(t)
            let env = try KillEnvironment.beside(t, tag: "keys-rotate", extraEnvironment: [
                "MALLVIP_DATA_KEY": Self.newKey.base64EncodedString(), "MALLVIP_DATA_KEY_OLD": Self.oldKey.base64EncodedString()])
            defer { try? FileManager.default.removeItem(at: env.dir) }

            let interrupted = try await env.run(["keys", "rotate", "--batch-size", "1", "--max-batches", "1"])
            #expect(interrupted.status == 0 && interrupted.output.contains("run again"), "\(interrupted.output)")
            let run = try await env.run(["keys", "rotate", "--batch-size", "2"])
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("national IDs: 2 re-encrypted, 1 already under the new key, 0 unreadable"), "\(run.output)")
            #expect(run.output.contains("webhook secrets: 1 re-encrypted"), "\(run.output)")
            let again = try await env.run(["keys", "rotate"])
            #expect(again.status == 0 && again.output.contains("national IDs: 0 re-encrypted, 3 already under the new key"), "\(again.output)")
            try await Self.checkRotated(t, members, secret: secret)

            // A row under a third key: reported, left alone, exit 1.
            let stranger = PersonalDataCipher(keyData: Data(repeating: 1, count: 32))
            let member = members.keys.sorted().first!
            try await t.store.sql.raw("UPDATE members SET id_cipher = \(bind: try stranger.encrypt("X")) WHERE id = \(bind: member)").run()
            let bad = try await env.run(["keys", "rotate"])
            #expect(bad.status == 1 && bad.output.contains("1 unreadable") && bad.output.contains("ids \(member)"), "\(bad.output)")

            // Without the old key, or with the same key twice, nothing runs.
            var missing = env
            missing.extraEnvironment.removeValue(forKey: "MALLVIP_DATA_KEY_OLD")
            let noOld = try await missing.run(["keys", "rotate"])
            #expect(noOld.status != 0 && noOld.output.contains("MALLVIP_DATA_KEY_OLD"), "\(noOld.output)")
            var same = env
            same.extraEnvironment["MALLVIP_DATA_KEY_OLD"] = Self.newKey.base64EncodedString()
            let sameRun = try await same.run(["keys", "rotate"])
            #expect(sameRun.status != 0 && sameRun.output.contains("the same"), "\(sameRun.output)")
        }
    }
}
