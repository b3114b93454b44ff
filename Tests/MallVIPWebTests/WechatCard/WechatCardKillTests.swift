import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// The card push queue across a real crash: `mallvip serve` with MALLVIP_WECHAT_CONFIG (apiBase = the simulator)
/// pushes a member's coalesced changes; the simulator holds the first updateuser (no answer), serve is SIGKILLed
/// with the push in flight and started again: after the lease the push goes again and the card shows the final
/// total — the change is not lost.
@Suite("WeChat card sync: serve SIGKILL and restart")
struct WechatCardKillTests {
    @Test("killed mid-push, restarted: the card shows the member's final points", .timeLimit(.minutes(20)))
    func pushSurvivesKill() async throws {
        try await withCardWorld(card: ["cardId": "pCARDADMIN0000001"], now: Date()) { w in
            w.sim.registerCard("pCARDADMIN0000001", appid: WechatCardTests.appid)
            let card = try await w.t.enrolMember(phone: "13900002311")
            let memberId = try await w.t.memberId(card: card)
            let (code, enc) = w.sim.userAddsCard("pCARDADMIN0000001", openid: "oKILL")
            _ = try await w.service.activate(memberId: memberId, cardId: "pCARDADMIN0000001", encryptCode: enc, openid: "oKILL")
            for i in 0..<5 { try await w.t.purchase("R-K-\(i)", fen: 2_000 + Int64(i), card: card) }
            let balance = try await w.t.balance(memberId)
            #expect(try await w.syncRows().first?.changes == 5)
            w.sim.withCard { $0.holdUpdates = 1 }

            var env = try KillEnvironment.beside(w.t, tag: "wechat-card-kill", extraEnvironment: [:])
            defer { try? FileManager.default.removeItem(at: env.dir) }
            let config = try writeWechatCardConfig(sim: w.sim, card: ["cardId": "pCARDADMIN0000001"], in: env.dir)
            env.extraEnvironment = [
                "MALLVIP_WECHAT_CONFIG": config.path, "MALLVIP_WECHAT_CARD_SYNC_INTERVAL": "0.5", "MALLVIP_WECHAT_CARD_SYNC_LEASE": "3",
                "MALLVIP_WECHAT_CARD_SYNC_BACKOFF": "0.5",
                "MALLVIP_WEBHOOK_INTERVAL": "3600", "MALLVIP_OUTBOX_INTERVAL": "3600", "MALLVIP_DB_POOL": "2",
                "MALLVIP_DATA_KEY": Data("test-key-0123456789-0123456789-01".utf8).base64EncodedString()]
            let atKill = try await killMidway(
                env: env, started: ("the first updateuser did not arrive", 60),
                finished: ("the card did not show the final points after the restart", 60),
                progress: { w.sim.card.arrivals }, atLeast: 1,
                done: { try await w.syncRows().isEmpty && w.sim.card.codes[code]?.bonus == balance })
            #expect(atKill == 1)
            #expect(w.sim.card.codes[code]?.bonus == balance)
            #expect(w.sim.card.codes[code]?.updates == 1, "one push applied: the held one never was")
        }
    }
}
