import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// What WeChat Pay 智慧商圈 told the mall, decrypted and checked by the web edge (MallVIPWeb/WechatPay): the store
/// turns it into bindings, purchases (through `postFromChannel`, channel `wechat_pay`) and refunds. Every handler is
/// idempotent: WeChat delivers the same notification more than once.
public struct WechatPayPaymentNotice: Sendable {
    public var mallId: Int64
    public var appid: String
    public var openid: String
    public var shopNumber: String
    public var transactionId: String
    public var amountFen: Int64
    public var paidAt: Date
    public init(mallId: Int64, appid: String, openid: String, shopNumber: String, transactionId: String, amountFen: Int64, paidAt: Date) {
        self.mallId = mallId
        self.appid = appid
        self.openid = openid
        self.shopNumber = shopNumber
        self.transactionId = transactionId
        self.amountFen = amountFen
        self.paidAt = paidAt
    }
}

public struct WechatPayRefundNotice: Sendable {
    public var mallId: Int64
    public var refundId: String
    public var transactionId: String
    public var refundFen: Int64
    public var refundedAt: Date
    public init(mallId: Int64, refundId: String, transactionId: String, refundFen: Int64, refundedAt: Date) {
        self.mallId = mallId
        self.refundId = refundId
        self.transactionId = transactionId
        self.refundFen = refundFen
        self.refundedAt = refundedAt
    }
}

public struct WechatPayBinding: Sendable, Equatable {
    public var id: Int64
    public var mallId: Int64
    public var appid: String
    public var openid: String
    public var memberId: Int64?
    public var cardCode: String?
    public var state: String
    public var updatedAt: Date
}

/// A replayed `Wechatpay-Nonce` (seen within the window): refused, nothing written.
public struct WechatPayReplayError: Error, Sendable {}

extension Store {
    /// Receipt number of a WeChat purchase (unique per mall, so WeChat's redelivery posts nothing twice).
    public static func wechatReceiptNo(_ transactionId: String) -> String { "WX" + transactionId }
    static func wechatRefundNo(_ refundId: String) -> String { "WXR" + refundId }
    /// Nonces are kept this long (twice the timestamp window): an older request is already refused by its timestamp.
    static let wechatNonceKeepMs: Int64 = 600_000

    public func mallId(code: String) async throws -> Int64? {
        try await sql.row("SELECT id FROM malls WHERE code = \(bind: code)").map { try $0.int64("id") }
    }

    /// Records a verified request's nonce; throws WechatPayReplayError if it was seen within the window.
    public func wechatPayRecordNonce(_ nonce: String) async throws {
        let nowMs = epochMillis(now)
        do {
            try await write { tx in
                try await tx.sql.exec("DELETE FROM wechatpay_nonces WHERE seen_at_ms < \(bind: nowMs - Self.wechatNonceKeepMs)")
                try await tx.sql.exec("INSERT INTO wechatpay_nonces (nonce, seen_at_ms) VALUES (\(bind: nonce), \(bind: nowMs))")
            }
        } catch where isUniqueViolation(error) {
            throw WechatPayReplayError()
        }
    }

    /// The result recorded for a notification id already handled, if any.
    public func wechatPayHandled(notificationId: String) async throws -> String? {
        try await sql.row("SELECT result FROM wechatpay_notifications WHERE notification_id = \(bind: notificationId)")
            .map { try $0.string("result") }
    }

    public func wechatPayRecordHandled(notificationId: String, mallId: Int64, eventType: String, result: String) async throws {
        let nowMs = epochMillis(now)
        try await write { tx in
            try await tx.sql.exec("""
                INSERT INTO wechatpay_notifications (notification_id, mall_id, event_type, result, received_at_ms)
                VALUES (\(bind: notificationId), \(bind: mallId), \(bind: eventType), \(bind: String(result.prefix(200))), \(bind: nowMs))
                \(unsafeRaw: SQLStoreDialect.onConflictDoNothing(["notification_id"]))
                """)
        }
    }

    // MARK: bindings

    public func wechatPayBinding(appid: String, openid: String) async throws -> WechatPayBinding? {
        try await sql.row("SELECT * FROM wechatpay_bindings WHERE appid = \(bind: appid) AND openid = \(bind: openid)").map(bindingFrom)
    }

    func bindingFrom(_ r: any SQLRow) throws -> WechatPayBinding {
        WechatPayBinding(id: try r.int64("id"), mallId: try r.int64("mall_id"), appid: try r.string("appid"), openid: try r.string("openid"),
                         memberId: try r.optInt64("member_id"), cardCode: try r.optString("card_code"), state: try r.string("state"),
                         updatedAt: dateFromMillis(try r.int64("updated_at_ms")))
    }

    /// An authorization (MALL_AUTH.ACTIVATE_CARD): binds the payer. When `cardCode` is an active MallVIP card the
    /// binding is `bound` to its member at once; otherwise `pending` until the desk links it (linkWechatPayBinding).
    /// An existing bound binding keeps its member. Returns the binding's state.
    @discardableResult
    public func wechatPayAuthorize(mallId: Int64, appid: String, openid: String, cardCode: String?) async throws -> String {
        var found: Int64? = nil
        if let cardCode, let row = try await sql.row("SELECT member_id FROM cards WHERE card_no = \(bind: cardCode) AND state = 'active'") {
            found = try row.optInt64("member_id")
        }
        let memberId = found
        let nowMs = epochMillis(now)
        let state: String = try await write { tx in
            if let existing = try await tx.sql.row("SELECT * FROM wechatpay_bindings WHERE appid = \(bind: appid) AND openid = \(bind: openid)\(unsafeRaw: tx.sql.storeDialect.forUpdate)") {
                let b = try self.bindingFrom(existing)
                let member = b.state == "bound" ? b.memberId : memberId
                let state = member == nil ? "pending" : "bound"
                try await tx.sql.exec("""
                    UPDATE wechatpay_bindings SET member_id = \(bind: member), card_code = \(bind: cardCode), state = \(bind: state),
                      updated_at_ms = \(bind: nowMs) WHERE id = \(bind: b.id)
                    """)
                return state
            }
            let state = memberId == nil ? "pending" : "bound"
            try await tx.sql.exec("""
                INSERT INTO wechatpay_bindings (mall_id, appid, openid, member_id, card_code, state, created_at_ms, updated_at_ms)
                VALUES (\(bind: mallId), \(bind: appid), \(bind: openid), \(bind: memberId), \(bind: cardCode), \(bind: state), \(bind: nowMs), \(bind: nowMs))
                """)
            try await self.audit(tx, actor: "wechatpay", action: "wechatpay.bind", subject: "openid:\(openid)", detail: state)
            return state
        }
        if state == "bound" { _ = try await postHeldWechatPayments(appid: appid, openid: openid) }
        return state
    }

    /// The desk links a pending (or revoked) binding to the member holding `card`; held payments then post.
    public func linkWechatPayBinding(id: Int64, card: String, actor: String) async throws -> Int {
        guard let row = try await sql.row("SELECT member_id FROM cards WHERE card_no = \(bind: card) AND state = 'active'"),
              let memberId = try row.optInt64("member_id") else {
            throw DomainError(.notFound, field: "card", rule: "card.exists", zh: "卡号不存在或未激活：\(card)", en: "no active card \(card)")
        }
        guard let b = try await sql.row("SELECT * FROM wechatpay_bindings WHERE id = \(bind: id)").map(bindingFrom) else {
            throw DomainError(.notFound, field: "binding", rule: "binding.exists", zh: "绑定不存在", en: "no such binding")
        }
        let nowMs = epochMillis(now)
        try await write { tx in
            try await tx.sql.exec("UPDATE wechatpay_bindings SET member_id = \(bind: memberId), state = 'bound', updated_at_ms = \(bind: nowMs) WHERE id = \(bind: id)")
            try await self.audit(tx, actor: actor, action: "wechatpay.link", subject: "binding:\(id)", detail: "member \(memberId)")
        }
        return try await postHeldWechatPayments(appid: b.appid, openid: b.openid)
    }

    /// Unbinds (the member or the desk revoked it; WeChat sends no revocation notice: docs/wechat-pay.md).
    public func revokeWechatPayBinding(id: Int64, actor: String) async throws {
        let nowMs = epochMillis(now)
        try await write { tx in
            try await tx.sql.exec("UPDATE wechatpay_bindings SET member_id = NULL, state = 'revoked', updated_at_ms = \(bind: nowMs) WHERE id = \(bind: id)")
            try await self.audit(tx, actor: actor, action: "wechatpay.revoke", subject: "binding:\(id)")
        }
    }

    public func wechatPayBindingCounts() async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for r in try await sql.rows("SELECT state, COUNT(*) AS n FROM wechatpay_bindings GROUP BY state") {
            out[try r.string("state")] = try r.int("n")
        }
        return out
    }

    public func wechatPayPendingBindings(limit: Int = 50) async throws -> [WechatPayBinding] {
        try await sql.rows("SELECT * FROM wechatpay_bindings WHERE state <> 'bound' ORDER BY updated_at_ms DESC LIMIT \(bind: limit)").map(bindingFrom)
    }

    // MARK: payments

    /// A payment (MALL_TRANSACTION.SUCCESS). Returns the payment's state: posted, held, skipped or refused.
    @discardableResult
    public func wechatPayPayment(_ n: WechatPayPaymentNotice) async throws -> String {
        if let row = try await sql.row("SELECT state FROM wechatpay_payments WHERE mall_id = \(bind: n.mallId) AND transaction_id = \(bind: n.transactionId)") {
            return try row.string("state")
        }
        let nowMs = epochMillis(now)
        do {
            try await write { tx in
                try await tx.sql.exec("""
                    INSERT INTO wechatpay_payments (mall_id, transaction_id, appid, openid, shop_number, amount_fen, paid_at_ms, state, detail,
                      created_at_ms, updated_at_ms)
                    VALUES (\(bind: n.mallId), \(bind: n.transactionId), \(bind: n.appid), \(bind: n.openid), \(bind: n.shopNumber),
                      \(bind: n.amountFen), \(bind: epochMillis(n.paidAt)), 'held', 'received', \(bind: nowMs), \(bind: nowMs))
                    """)
            }
        } catch where isUniqueViolation(error) {
            return try await sql.row("SELECT state FROM wechatpay_payments WHERE mall_id = \(bind: n.mallId) AND transaction_id = \(bind: n.transactionId)")
                .map { try $0.string("state") } ?? "held"
        }
        return try await settleWechatPayment(mallId: n.mallId, transactionId: n.transactionId)
    }

    /// Posts held payments of a payer now linked; returns how many were posted.
    func postHeldWechatPayments(appid: String, openid: String) async throws -> Int {
        var posted = 0
        for r in try await sql.rows("SELECT mall_id, transaction_id FROM wechatpay_payments WHERE appid = \(bind: appid) AND openid = \(bind: openid) AND state = 'held'") {
            if try await settleWechatPayment(mallId: r.int64("mall_id"), transactionId: r.string("transaction_id")) == "posted" { posted += 1 }
        }
        return posted
    }

    /// Posts held payments of a shop just mapped.
    func postHeldWechatPayments(mallId: Int64, shopNumber: String) async throws {
        for r in try await sql.rows("SELECT transaction_id FROM wechatpay_payments WHERE mall_id = \(bind: mallId) AND shop_number = \(bind: shopNumber) AND state = 'held'") {
            _ = try await settleWechatPayment(mallId: mallId, transactionId: r.string("transaction_id"))
        }
    }

    /// Decides a recorded payment that is not yet posted: post (payer bound, shop mapped), hold, skip or refuse.
    func settleWechatPayment(mallId: Int64, transactionId: String) async throws -> String {
        guard let p = try await sql.row("SELECT * FROM wechatpay_payments WHERE mall_id = \(bind: mallId) AND transaction_id = \(bind: transactionId)") else { return "missing" }
        let state = try p.string("state")
        guard state == "held" else { return state }
        let appid = try p.string("appid"), openid = try p.string("openid"), shop = try p.string("shop_number")
        let paidAt = dateFromMillis(try p.int64("paid_at_ms"))
        let policy = try await programme().programme.wechatPay
        func mark(_ state: String, _ detail: String, member: Int64? = nil, receipt: String? = nil) async throws -> String {
            let nowMs = epochMillis(now)
            try await write { tx in
                try await tx.sql.exec("""
                    UPDATE wechatpay_payments SET state = \(bind: state), detail = \(bind: String(detail.prefix(300))), member_id = \(bind: member),
                      receipt_no = \(bind: receipt), updated_at_ms = \(bind: nowMs)
                    WHERE mall_id = \(bind: mallId) AND transaction_id = \(bind: transactionId) AND state = 'held'
                    """)
            }
            return state
        }
        let binding = try await wechatPayBinding(appid: appid, openid: openid)
        guard let binding, binding.state == "bound", let memberId = binding.memberId else {
            if policy.unknownPayer == .ignore { return try await mark("skipped", "payer not linked to a member (wechatPay.unknownPayer: ignore)") }
            if now.timeIntervalSince(paidAt) > Double(policy.holdDays) * 86_400 {
                return try await mark("refused", "payer linked after wechatPay.holdDays")
            }
            _ = try await mark("held", "payer not linked to a member yet")
            return "held"
        }
        guard let counterRow = try await sql.row("""
            SELECT c.code FROM wechatpay_shops s JOIN counters c ON c.id = s.counter_id
            WHERE s.mall_id = \(bind: mallId) AND s.shop_number = \(bind: shop)
            """) else {
            _ = try await mark("held", "shop \(shop) is not mapped to a counter")
            return "held"
        }
        guard let cardRow = try await sql.row("SELECT card_no FROM cards WHERE member_id = \(bind: memberId) AND state = 'active' ORDER BY id DESC LIMIT 1") else {
            _ = try await mark("held", "member \(memberId) has no active card")
            return "held"
        }
        let receipt = Self.wechatReceiptNo(transactionId)
        let request = PurchaseRequest(receiptNo: receipt, occurredAt: paidAt, card: try cardRow.string("card_no"),
                                      lines: [PurchaseLineRequest(counter: try counterRow.string("code"), amountFen: try p.int64("amount_fen"))],
                                      channel: .wechatPay, channelRef: transactionId)
        do {
            let posting = try await postFromChannel(request, actor: "wechatpay")
            let result = try await mark(posting.result == .duplicate ? "duplicate" : "posted",
                                        posting.result == .duplicate ? "copy of purchase \(posting.duplicateOf.map(String.init) ?? "?") (\(posting.rule ?? ""))"
                                            : "\(posting.outcome?.pointsEarned ?? 0) points",
                                        member: memberId, receipt: posting.result == .duplicate ? nil : receipt)
            if result == "posted" { try await applyPendingWechatRefunds(mallId: mallId, transactionId: transactionId) }
            return result
        } catch let e as DomainError {
            return try await mark("refused", "\(e.rule): \(e.en)", member: memberId)
        }
    }

    // MARK: refunds

    /// A refund (MALL_REFUND.SUCCESS): reverses the posted purchase's points within `wechatPay.refundWindowDays`;
    /// held as `pending` while its payment has not arrived (out of order) or is not posted yet.
    @discardableResult
    public func wechatPayRefund(_ n: WechatPayRefundNotice) async throws -> String {
        if let row = try await sql.row("SELECT state FROM wechatpay_refunds WHERE mall_id = \(bind: n.mallId) AND refund_id = \(bind: n.refundId)") {
            return try row.string("state")
        }
        let nowMs = epochMillis(now)
        do {
            try await write { tx in
                try await tx.sql.exec("""
                    INSERT INTO wechatpay_refunds (mall_id, refund_id, transaction_id, refund_fen, refunded_at_ms, state, detail, created_at_ms, updated_at_ms)
                    VALUES (\(bind: n.mallId), \(bind: n.refundId), \(bind: n.transactionId), \(bind: n.refundFen), \(bind: epochMillis(n.refundedAt)),
                      'pending', 'payment not posted yet', \(bind: nowMs), \(bind: nowMs))
                    """)
            }
        } catch where isUniqueViolation(error) {}
        try await applyPendingWechatRefunds(mallId: n.mallId, transactionId: n.transactionId)
        return try await sql.row("SELECT state FROM wechatpay_refunds WHERE mall_id = \(bind: n.mallId) AND refund_id = \(bind: n.refundId)")
            .map { try $0.string("state") } ?? "pending"
    }

    func applyPendingWechatRefunds(mallId: Int64, transactionId: String) async throws {
        guard let p = try await sql.row("""
            SELECT w.state, w.paid_at_ms, w.receipt_no, (SELECT l.counter_id FROM purchase_lines l JOIN purchases pu ON pu.id = l.purchase_id
                WHERE pu.mall_id = w.mall_id AND pu.receipt_no = w.receipt_no ORDER BY l.id LIMIT 1) AS counter_id
            FROM wechatpay_payments w WHERE w.mall_id = \(bind: mallId) AND w.transaction_id = \(bind: transactionId)
            """) else { return }
        let state = try p.string("state")
        let refunds = try await sql.rows("SELECT refund_id, refund_fen, refunded_at_ms FROM wechatpay_refunds WHERE mall_id = \(bind: mallId) AND transaction_id = \(bind: transactionId) AND state = 'pending' ORDER BY id")
        guard !refunds.isEmpty else { return }
        let policy = try await programme().programme.wechatPay
        func mark(_ refundId: String, _ state: String, _ detail: String) async throws {
            let nowMs = epochMillis(now)
            try await write { tx in
                try await tx.sql.exec("""
                    UPDATE wechatpay_refunds SET state = \(bind: state), detail = \(bind: String(detail.prefix(300))), updated_at_ms = \(bind: nowMs)
                    WHERE mall_id = \(bind: mallId) AND refund_id = \(bind: refundId) AND state = 'pending'
                    """)
            }
        }
        for r in refunds {
            let refundId = try r.string("refund_id")
            if ["skipped", "refused", "duplicate"].contains(state) {
                try await mark(refundId, "refused", "payment \(state): it earned nothing here")
                continue
            }
            guard state == "posted", let receipt = try p.optString("receipt_no"), let counterId = try p.optInt64("counter_id"),
                  let counter = try await sql.row("SELECT code FROM counters WHERE id = \(bind: counterId)") else { continue }
            let paidAt = Double(try p.int64("paid_at_ms")) / 1000, refundedAt = Double(try r.int64("refunded_at_ms")) / 1000
            guard policy.refundInWindow(paidAt: paidAt, refundedAt: refundedAt) else {
                try await mark(refundId, "refused", "refund more than wechatPay.refundWindowDays (\(policy.refundWindowDays)) days after the payment")
                continue
            }
            do {
                let out = try await postRefund(RefundRequest(refundNo: Self.wechatRefundNo(refundId), receiptNo: receipt,
                                                             lines: [RefundLineRequest(counter: try counter.string("code"), amountFen: try r.int64("refund_fen"))]))
                try await mark(refundId, "applied", "\(out.value.pointsReversed) points reversed")
            } catch let e as DomainError {
                try await mark(refundId, "refused", "\(e.rule): \(e.en)")
            }
        }
    }

    // MARK: shop → counter mapping

    public struct WechatPayShop: Sendable, Equatable {
        public var id: Int64
        public var mallCode: String
        public var shopNumber: String
        public var counterCode: String
        public var counterName: String
    }

    public func wechatPayShops() async throws -> [WechatPayShop] {
        try await sql.rows("""
            SELECT s.id, m.code AS mall_code, s.shop_number, c.code AS counter_code, c.name AS counter_name
            FROM wechatpay_shops s JOIN malls m ON m.id = s.mall_id JOIN counters c ON c.id = s.counter_id ORDER BY m.code, s.shop_number
            """).map {
            WechatPayShop(id: try $0.int64("id"), mallCode: try $0.string("mall_code"), shopNumber: try $0.string("shop_number"),
                          counterCode: try $0.string("counter_code"), counterName: try $0.string("counter_name"))
        }
    }

    /// Maps a 商圈 shop (its shop_number) to a counter of the same mall; held payments of that shop then post.
    public func addWechatPayShop(shopNumber: String, counterCode: String, actor: String) async throws {
        let shop = shopNumber.trimmingCharacters(in: .whitespaces)
        guard !shop.isEmpty, shop.count <= 64, shop.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw DomainError.invalid("shopNumber", "shopNumber.format", zh: "门店编号须为 1–64 个字符（字母、数字、符号，无空格）",
                                      en: "shopNumber must be 1–64 printable characters without spaces")
        }
        guard let counter = try await counter(code: counterCode) else {
            throw DomainError(.notFound, field: "counter", rule: "counter.exists", zh: "专柜不存在：\(counterCode)", en: "unknown counter \(counterCode)")
        }
        let nowMs = epochMillis(now)
        do {
            try await write { tx in
                try await tx.sql.exec("""
                    INSERT INTO wechatpay_shops (mall_id, shop_number, counter_id, created_by, created_at_ms)
                    VALUES (\(bind: counter.mallId), \(bind: shop), \(bind: counter.id), \(bind: actor), \(bind: nowMs))
                    """)
                try await self.audit(tx, actor: actor, action: "wechatpay.shop.add", subject: "shop:\(shop)", detail: counter.code)
            }
        } catch where isUniqueViolation(error) {
            throw DomainError(.conflict, field: "shopNumber", rule: "shopNumber.unique", zh: "该商场已映射门店 \(shop)", en: "shop \(shop) is already mapped in mall \(counter.mallCode)")
        }
        try await postHeldWechatPayments(mallId: counter.mallId, shopNumber: shop)
    }

    public func removeWechatPayShop(id: Int64, actor: String) async throws {
        try await write { tx in
            try await tx.sql.exec("DELETE FROM wechatpay_shops WHERE id = \(bind: id)")
            try await self.audit(tx, actor: actor, action: "wechatpay.shop.remove", subject: "shop-mapping:\(id)")
        }
    }

    /// Payments and refunds by state, for the console page and tests.
    public func wechatPayPaymentStates() async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for r in try await sql.rows("SELECT state, COUNT(*) AS n FROM wechatpay_payments GROUP BY state") { out[try r.string("state")] = try r.int("n") }
        return out
    }

    public func wechatPayRefundState(refundId: String) async throws -> (state: String, detail: String)? {
        try await sql.row("SELECT state, detail FROM wechatpay_refunds WHERE refund_id = \(bind: refundId)").map { (try $0.string("state"), try $0.string("detail")) }
    }

    public func wechatPayPaymentState(transactionId: String) async throws -> (state: String, detail: String)? {
        try await sql.row("SELECT state, detail FROM wechatpay_payments WHERE transaction_id = \(bind: transactionId)").map { (try $0.string("state"), try $0.string("detail")) }
    }
}
