import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Which WeChat app an openid belongs to.
public enum WechatAppKind: String, Sendable, Codable, CaseIterable {
    case miniProgram, officialAccount
}

/// An openid seen by MallVIP (migration 047) and the member it signs in as, if bound.
public struct WechatIdentity: Sendable, Equatable {
    public var id: Int64
    public var mallId: Int64
    public var appid: String
    public var openid: String
    public var unionid: String?
    public var kind: WechatAppKind
    public var memberId: Int64?
}

extension Store {
    public func wechatIdentity(appid: String, openid: String) async throws -> WechatIdentity? {
        try await sql.row("SELECT * FROM wechat_identities WHERE appid = \(bind: appid) AND openid = \(bind: openid)").map(wechatIdentityFrom)
    }

    public func wechatIdentities(memberId: Int64) async throws -> [WechatIdentity] {
        try await sql.rows("SELECT * FROM wechat_identities WHERE member_id = \(bind: memberId) ORDER BY id").map(wechatIdentityFrom)
    }

    func wechatIdentityFrom(_ r: any SQLRow) throws -> WechatIdentity {
        WechatIdentity(id: try r.int64("id"), mallId: try r.int64("mall_id"), appid: try r.string("appid"), openid: try r.string("openid"),
                       unionid: try r.optString("unionid"), kind: WechatAppKind(rawValue: try r.string("kind")) ?? .miniProgram,
                       memberId: try r.optInt64("member_id"))
    }

    /// Records a sign-in by `openid` (code2Session or 网页授权): inserts the identity or refreshes its unionid and
    /// last-seen time; the member link is left as it is. When the openid is new but its unionid is bound (the same
    /// person through the mall's other app), the new identity is bound to that member at once.
    @discardableResult
    public func recordWechatIdentity(mallId: Int64, appid: String, openid: String, unionid: String?, kind: WechatAppKind) async throws -> WechatIdentity {
        let nowMs = epochMillis(now)
        try await write { tx in
            if try await tx.sql.row("SELECT id FROM wechat_identities WHERE appid = \(bind: appid) AND openid = \(bind: openid)") != nil {
                try await tx.sql.exec("""
                    UPDATE wechat_identities SET unionid = COALESCE(\(bind: unionid), unionid), last_seen_at_ms = \(bind: nowMs)
                    WHERE appid = \(bind: appid) AND openid = \(bind: openid)
                    """)
                return
            }
            var member: Int64? = nil
            if let unionid, let r = try await tx.sql.row("""
                SELECT member_id FROM wechat_identities WHERE unionid = \(bind: unionid) AND member_id IS NOT NULL ORDER BY updated_at_ms DESC LIMIT 1
                """) {
                member = try r.optInt64("member_id")
            }
            try await tx.sql.exec("""
                INSERT INTO wechat_identities (mall_id, appid, openid, unionid, kind, member_id, created_at_ms, updated_at_ms, last_seen_at_ms)
                VALUES (\(bind: mallId), \(bind: appid), \(bind: openid), \(bind: unionid), \(bind: kind.rawValue), \(bind: member),
                        \(bind: nowMs), \(bind: nowMs), \(bind: nowMs))
                ON CONFLICT (appid, openid) DO NOTHING
                """)
        }
        guard let identity = try await wechatIdentity(appid: appid, openid: openid) else {
            throw DomainError.invalid("openid", "wechat.identity", zh: "微信身份未能记录", en: "the WeChat identity could not be recorded")
        }
        return identity
    }

    /// Binds an identity to `memberId` (after the member proved the phone by SMS code, or at the desk). A binding to
    /// another member is replaced (the code proved this member) and audited. A pending WeChat Pay binding of the same
    /// payer is bound too, and its held payments post. Returns how many held payments posted.
    @discardableResult
    public func bindWechatIdentity(appid: String, openid: String, memberId: Int64, actor: String) async throws -> Int {
        let nowMs = epochMillis(now)
        let wechatPay: Bool = try await write { tx in
            guard let r = try await tx.sql.row("SELECT * FROM wechat_identities WHERE appid = \(bind: appid) AND openid = \(bind: openid)\(unsafeRaw: tx.sql.storeDialect.forUpdate)") else {
                throw DomainError(.notFound, field: "openid", rule: "wechat.identity", zh: "未找到该微信身份", en: "no such WeChat identity")
            }
            let before = try r.optInt64("member_id")
            guard before != memberId else { return false }
            try await tx.sql.exec("""
                UPDATE wechat_identities SET member_id = \(bind: memberId), updated_at_ms = \(bind: nowMs)
                WHERE appid = \(bind: appid) AND openid = \(bind: openid)
                """)
            try await self.audit(tx, actor: actor, action: "wechat.bind", subject: "member:\(memberId)",
                                 detail: before.map { "\(appid) rebound from member \($0)" } ?? appid)
            let pending = try await tx.sql.rows("""
                SELECT id FROM wechatpay_bindings WHERE appid = \(bind: appid) AND openid = \(bind: openid) AND state <> 'bound'
                """)
            guard !pending.isEmpty else { return false }
            try await tx.sql.exec("""
                UPDATE wechatpay_bindings SET member_id = \(bind: memberId), state = 'bound', updated_at_ms = \(bind: nowMs)
                WHERE appid = \(bind: appid) AND openid = \(bind: openid) AND state <> 'bound'
                """)
            try await self.audit(tx, actor: actor, action: "wechatpay.link", subject: "openid:\(openid)", detail: "member \(memberId)")
            return true
        }
        return wechatPay ? try await postHeldWechatPayments(appid: appid, openid: openid) : 0
    }

    /// Removes the member link of every identity of `memberId` (member signs out of WeChat everywhere, erasure).
    public func unbindWechatIdentities(memberId: Int64, actor: String) async throws {
        let nowMs = epochMillis(now)
        try await write { tx in
            try await tx.sql.exec("UPDATE wechat_identities SET member_id = NULL, updated_at_ms = \(bind: nowMs) WHERE member_id = \(bind: memberId)")
            try await self.audit(tx, actor: actor, action: "wechat.unbind", subject: "member:\(memberId)")
        }
    }
}
