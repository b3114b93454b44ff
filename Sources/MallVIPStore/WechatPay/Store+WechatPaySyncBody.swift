import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// The JSON body of a queued call, field names exactly as the 智慧商圈 API documents them. Built once, at the
    /// first attempt, then kept (so a retry sends the same bytes):
    /// - points/notify: `transaction_id` (the purchase's channel_ref), `appid` and `openid` of the member's bound
    ///   authorization in the mall, `earn_points`, `increased_points`, `points_update_time` (RFC 3339 in the
    ///   programme's time zone), `no_points_remarks` when nothing was earned, `total_points` = the balance right
    ///   after the purchase's ledger rows (or the current balance when it earned nothing). `sub_mchid` is left out:
    ///   the docs want it only when a service provider manages the 商圈's points (服务商模式).
    /// - refund: the same call on the same transaction_id, `earn_points` false, `increased_points` 0, the reversed
    ///   points in `no_points_remarks`, `total_points` the balance after the reversal.
    /// - parkings: `appid`, `openid`, `plate_number`, `state` IN/OUT, `time` (entry or exit time).
    func wechatPaySyncBody(_ c: ClaimedWechatPaySync, programme: Programme) async throws -> String {
        let sql = self.sql
        let tz = programme.timeZone
        func time(_ ms: Int64) -> String { Self.rfc3339(ms, in: tz) }
        /// The payer as the payment notification named them (the openid WeChat knows for this transaction), else
        /// the member's bound authorization in the mall.
        func payer(transactionId: String?) async throws -> (appid: String, openid: String) {
            if let transactionId, let r = try await sql.row("""
                SELECT appid, openid FROM wechatpay_payments WHERE mall_id = \(bind: c.mallId) AND transaction_id = \(bind: transactionId)
                """) {
                return (try r.string("appid"), try r.string("openid"))
            }
            guard let b = try await sql.row("""
                SELECT appid, openid FROM wechatpay_bindings
                WHERE member_id = \(bind: c.memberId) AND mall_id = \(bind: c.mallId) AND state = 'bound'
                ORDER BY id DESC LIMIT 1
                """) else {
                throw WechatPaySyncUnbuildable(reason: "the member has no bound WeChat authorization in this mall any more (revoked): nothing to tell")
            }
            return (try b.string("appid"), try b.string("openid"))
        }
        var body: [String: Any] = [:]
        switch c.kind {
        case .points, .refund:
            guard let purchaseId = c.purchaseId, let p = try await sql.row("""
                SELECT channel_ref, points_earned, created_at_ms FROM purchases WHERE id = \(bind: purchaseId)
                """), let transactionId = try p.optString("channel_ref"), !transactionId.isEmpty else {
                throw WechatPaySyncUnbuildable(reason: "the purchase has no WeChat transaction id")
            }
            body["transaction_id"] = transactionId
            let who = try await payer(transactionId: transactionId)
            body["appid"] = who.appid
            body["openid"] = who.openid
            if c.kind == .points {
                let earned = try p.int64("points_earned")
                body["earn_points"] = earned > 0
                body["increased_points"] = earned
                body["points_update_time"] = time(try p.int64("created_at_ms"))
                if earned <= 0 { body["no_points_remarks"] = "本单不积分 (no points for this purchase)" }
                body["total_points"] = try await balanceAfter(member: c.memberId, where: SQLQueryString("purchase_id = \(bind: purchaseId) AND refund_id IS NULL"))
            } else {
                guard let r = try await sql.row("SELECT points_reversed, created_at_ms FROM refunds WHERE id = \(bind: c.subjectId)") else {
                    throw WechatPaySyncUnbuildable(reason: "the refund is gone")
                }
                let reversed = try r.int64("points_reversed")
                body["earn_points"] = false
                body["increased_points"] = 0
                body["points_update_time"] = time(try r.int64("created_at_ms"))
                body["no_points_remarks"] = "退款扣回\(reversed)积分 (refund reversed \(reversed) points)"
                body["total_points"] = try await balanceAfter(member: c.memberId, where: SQLQueryString("refund_id = \(bind: c.subjectId)"))
            }
        case .parkingIn, .parkingOut:
            guard let e = try await sql.row("""
                SELECT plate, entry_at_ms, exit_at_ms FROM parking_exits WHERE id = \(bind: c.subjectId)
                """), let plate = try e.optString("plate"), !plate.isEmpty else {
                throw WechatPaySyncUnbuildable(reason: "the parking exit has no plate number")
            }
            let who = try await payer(transactionId: nil)
            body["appid"] = who.appid
            body["openid"] = who.openid
            body["plate_number"] = plate
            body["state"] = c.kind == .parkingIn ? "IN" : "OUT"
            body["time"] = time(try e.int64(c.kind == .parkingIn ? "entry_at_ms" : "exit_at_ms"))
        }
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The balance right after the last ledger row matching `filter`, else the member's balance now.
    func balanceAfter(member: Int64, where filter: SQLQueryString) async throws -> Int64 {
        var q = SQLQueryString("SELECT balance_after FROM points_ledger WHERE member_id = \(bind: member) AND ")
        q.appendInterpolation(filter)
        q.appendInterpolation(unsafeRaw: " ORDER BY id DESC LIMIT 1")
        if let r = try await sql.row(q) { return try r.int64("balance_after") }
        return try await sql.row("SELECT points_balance FROM members WHERE id = \(bind: member)").map { try $0.int64("points_balance") } ?? 0
    }

    /// "2026-12-07T18:30:05+08:00": RFC 3339 with the offset of the programme's zone, as the API's examples.
    static func rfc3339(_ ms: Int64, in zone: TimeZone) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = zone
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: dateFromMillis(ms))
    }
}
