import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

/// `/console/wechat-pay/sync`: managers and admins see the queue's state and retry dead rows; others are refused.
@Suite("WeChat Pay sync queue console")
struct WechatPaySyncConsoleTests {
    @Test("a manager sees pending, sent and dead rows with their last error, filters by state, and retries a dead row; a desk clerk is refused")
    func queuePage() async throws {
        try await withTestApp(now: Date()) { t in
            let (card, _) = try await t.boundWechatMember(phone: "13900000021", openid: "oConsole")
            try await t.wechatPurchase("4200000000202612070021", card: card, fen: 10_000)
            try await t.wechatPurchase("4200000000202612070022", card: card, fen: 10_000)
            // The first answered 400 by WeChat: dead.
            let ids = try await t.syncRows().map(\.id)
            try await t.store.sql.raw("""
                UPDATE wechatpay_sync SET state = 'dead', attempts = 1, last_http_status = 400,
                  last_error = 'HTTP 400 PARAM_ERROR: 参数错误' WHERE id = \(bind: ids[0])
                """).run()

            let desk = try await t.console(as: "desk1", .desk)
            #expect(try await desk.get("/console/wechat-pay/sync").status == .forbidden)
            #expect(try await desk.post("/console/wechat-pay/sync/\(ids[0])/retry", []).status == .forbidden)
            #expect(try await t.syncRows()[0].state == .dead)

            let manager = try await t.console(as: "mgr1", .manager)
            #expect(try await manager.get("/console").contains("/console/wechat-pay/sync"), "the menu links the page")
            let page = try await manager.get("/console/wechat-pay/sync")
            #expect(page.status == .ok)
            #expect(page.contains("PARAM_ERROR") && page.contains("失败") && page.contains("待发送"))
            #expect(page.contains("/console/wechat-pay/sync/\(ids[0])/retry") && !page.contains("/console/wechat-pay/sync/\(ids[1])/retry"),
                    "only the dead row has a retry button")
            let dead = try await manager.get("/console/wechat-pay/sync?state=dead")
            #expect(dead.contains("PARAM_ERROR") && !dead.contains(">\(ids[1])<"))
            let bogus = try await manager.get("/console/wechat-pay/sync?state=bogus")
            #expect((400..<500).contains(bogus.status.code) && bogus.contains("state"), "a bad filter is a 4xx naming the field")

            let retried = try await manager.follow(try await manager.post("/console/wechat-pay/sync/\(ids[0])/retry", []))
            #expect(retried.contains("已重新排队") || retried.contains("queued again"))
            let row = try await t.syncRows()[0]
            #expect(row.state == .pending && row.attempts == 0 && row.lastError?.contains("mgr1") == true)
        }
    }
}
