import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

#if canImport(Glibc)
import Glibc
#endif

/// The sync queue across a real crash: `mallvip serve`, pointed at the simulator by MALLVIP_WECHATPAY_CONFIG
/// (apiBase), sends points/notify for WeChat Pay purchases to a simulator that first answers 500 and then answers
/// slowly; it is SIGKILLed mid-delivery and started again. Every transaction arrives, signed; only the call in
/// flight at the kill may arrive twice, with the same body.
@Suite("WeChat Pay sync: serve SIGKILL and restart")
struct WechatPaySyncKillTests {
    static let purchases = 12

    @Test("500 for a while, then killed mid-delivery and restarted: every points/notify arrives, only the one in flight twice",
          .timeLimit(.minutes(20)))
    func syncSurvivesKill() async throws {
        let rig = try await WechatSyncRig.start(delay: .milliseconds(200))
        do {
            try await scenario(rig)
            await rig.server.stop()
        } catch {
            await rig.server.stop()
            throw error
        }
    }

    private func scenario(_ rig: WechatSyncRig) async throws {
        try await withTestApp(now: Date()) { t in
            let (card, memberId) = try await t.boundWechatMember(phone: "13900000011", openid: "oKill")
            var ids: Set<String> = []
            for i in 0..<Self.purchases {
                let tx = "42000000002026120799" + String(format: "%02d", i)
                ids.insert(tx)
                try await t.wechatPurchase(tx, card: card, fen: 10_000 + Int64(i) * 100)
            }
            #expect(try await t.syncRows().count == Self.purchases)
            rig.server.failNext(3, status: 500)

            var env = try KillEnvironment.beside(t, tag: "wechatpay-kill", extraEnvironment: [:])
            defer { try? FileManager.default.removeItem(at: env.dir) }
            let config = try rig.writeConfigFile(in: env.dir)
            env.extraEnvironment = [
                "MALLVIP_WECHATPAY_CONFIG": config.path, "MALLVIP_WECHATPAY_SYNC_INTERVAL": "0.5", "MALLVIP_WECHATPAY_SYNC_LEASE": "12",
                "MALLVIP_WECHATPAY_SYNC_BACKOFF": "0.5", "MALLVIP_WECHATPAY_SYNC_TIMEOUT": "10",
                "MALLVIP_WEBHOOK_INTERVAL": "3600", "MALLVIP_OUTBOX_INTERVAL": "3600", "MALLVIP_DB_POOL": "2",
                "MALLVIP_DATA_KEY": Data("test-key-0123456789-0123456789-01".utf8).base64EncodedString()]
            let atKill = try await killMidway(
                env: env, started: ("a third of the points/notify calls did not arrive", 60),
                finished: ("not every sync row was sent after the restart", 90),
                progress: { rig.server.accepted.count }, atLeast: Self.purchases / 3,
                done: { try await t.syncRows().allSatisfy { $0.state == .sent } })
            #expect(atKill < Self.purchases, "everything arrived before the kill; nothing was tested mid-delivery")

            let calls = rig.server.calls
            print("wechat pay sync kill test: \(atKill)/\(Self.purchases) at the kill, \(calls.count) calls received in all")
            #expect(calls.prefix(3).allSatisfy { $0.status == 500 }, "the simulator failed the first calls")
            #expect(calls.allSatisfy { $0.authorizationValid && $0.fieldsValid }, "every call is signed and well formed")
            let accepted = rig.server.accepted
            #expect(Set(accepted.compactMap { $0.json["transaction_id"] as? String }) == ids, "every transaction was told")
            var times: [String: Int] = [:]
            for c in accepted { times[c.json["transaction_id"] as? String ?? "", default: 0] += 1 }
            let repeated = times.filter { $0.value > 1 }
            #expect(repeated.count <= 1 && repeated.values.allSatisfy { $0 == 2 },
                    "only the call in flight at the kill may be repeated, once: \(repeated)")
            for (tx, _) in repeated {
                #expect(Set(accepted.filter { $0.json["transaction_id"] as? String == tx }.map(\.body)).count == 1)
            }
            // The last notify carries the member's total after all of them.
            let totals = accepted.compactMap { ($0.json["total_points"] as? NSNumber)?.int64Value }
            #expect(totals.max() == (try await t.balance(memberId)))
        }
    }
}
