import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// The WeChat Pay 智慧商圈 callback (docs/wechat-pay.md): one POST path (`callbackPath`, default /wechatpay/notify)
/// for the authorization, payment and refund notifications. Outside staff auth: the request is authenticated by its
/// platform signature instead, over the exact body bytes (read raw, at most WechatPayConfig.maxBodyBytes). Registered
/// only when MALLVIP_WECHATPAY_CONFIG is set. Answers: 204 when handled (or already handled); otherwise 4xx/5xx with
/// {"code":"FAIL","message":"…"} as the protocol wants, and WeChat retries a 5xx later.
struct WechatPayController: RouteCollection {
    let config: WechatPayConfig

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, SiteRoute(config.callbackPath), body: .collect(maxSize: ByteCount(value: WechatPayConfig.maxBodyBytes)), use: notify)
    }

    /// Event types of the 智慧商圈 notifications (field `event_type`).
    enum Event {
        static let authorization = "MALL_AUTH.ACTIVATE_CARD"
        static let payment = "MALL_TRANSACTION.SUCCESS"
        static let refund = "MALL_REFUND.SUCCESS"
    }

    struct AuthResource: Decodable { var mchid: String; var openid: String; var code: String?; var auth_type: String? }
    struct PaymentResource: Decodable {
        var mchid: String; var merchant_name: String?; var shop_name: String?; var shop_number: String?; var appid: String?
        var openid: String; var transaction_id: String; var amount: Int64; var time_end: String; var commit_tag: String?
    }
    struct RefundResource: Decodable {
        var mchid: String; var shop_number: String?; var appid: String?; var openid: String?; var transaction_id: String
        var refund_id: String; var pay_amount: Int64?; var refund_amount: Int64; var refund_time: String
    }

    static func fail(_ status: HTTPStatus, _ message: String) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: ["code": "FAIL", "message": message], options: [.sortedKeys])) ?? Data()
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: status, headers: headers, body: .init(data: body))
    }

    func notify(req: Request) async throws -> Response {
        let body = req.body.data.map { Array($0.readableBytesView) } ?? []
        let h = req.headers
        let inbound = WechatPayInbound(serial: h.first(name: "Wechatpay-Serial") ?? "", signature: h.first(name: "Wechatpay-Signature") ?? "",
                                       timestamp: h.first(name: "Wechatpay-Timestamp") ?? "", nonce: h.first(name: "Wechatpay-Nonce") ?? "",
                                       body: body)
        let store = req.store
        let mall: WechatPayMallConfig
        let envelope: WechatPayEnvelope
        let plaintext: Data
        do {
            mall = try WechatPayCrypto.verify(inbound, config: config, now: store.env.now())
            envelope = try WechatPayCrypto.envelope(body)
            plaintext = try WechatPayCrypto.decrypt(envelope.resource, apiV3Key: mall.apiV3Key)
        } catch let r as WechatPayRefusal {
            req.logger.warning("wechatpay notification refused (\(r.kind.rawValue)): \(r.message); serial \(inbound.serial.prefix(64)), \(body.count) bytes")
            return Self.fail(r.kind == .envelope || r.kind == .decrypt ? .badRequest : .unauthorized, r.message)
        }
        guard let mallId = try await store.mallId(code: mall.mall) else {
            req.logger.error("wechatpay: configured mall \(mall.mall) does not exist")
            return Self.fail(.internalServerError, "mall \(mall.mall) is not set up")
        }
        do {
            try await store.wechatPayRecordNonce(inbound.nonce)
        } catch is WechatPayReplayError {
            req.logger.warning("wechatpay notification refused (replay): nonce seen before; id \(envelope.id.prefix(64))")
            return Self.fail(.unauthorized, "Wechatpay-Nonce was already used")
        }
        if let earlier = try await store.wechatPayHandled(notificationId: envelope.id) {
            req.logger.info("wechatpay notification \(envelope.id.prefix(64)) delivered again (was \(earlier)): nothing changes")
            return Response(status: .noContent)
        }
        let result: String
        do {
            result = try await handle(envelope, plaintext, mall: mall, mallId: mallId, store: store)
        } catch let r as WechatPayRefusal {
            req.logger.warning("wechatpay notification \(envelope.id.prefix(64)) refused (\(r.kind.rawValue)): \(r.message)")
            return Self.fail(.badRequest, r.message)
        } catch {
            req.logger.error("wechatpay notification \(envelope.id.prefix(64)) failed: \(String(describing: error).prefix(300))")
            return Self.fail(.internalServerError, "temporarily unavailable, retry later")
        }
        try await store.wechatPayRecordHandled(notificationId: envelope.id, mallId: mallId, eventType: envelope.event_type, result: result)
        req.logger.info("wechatpay \(envelope.event_type) \(envelope.id.prefix(64)): \(result)")
        return Response(status: .noContent)
    }

    func handle(_ e: WechatPayEnvelope, _ plaintext: Data, mall: WechatPayMallConfig, mallId: Int64, store: Store) async throws -> String {
        func decode<T: Decodable>(_ t: T.Type) throws -> T {
            guard let v = try? JSONDecoder().decode(T.self, from: plaintext) else {
                throw WechatPayRefusal(.resource, "the decrypted resource lacks the fields of \(e.event_type)")
            }
            return v
        }
        func checkMch(_ mchid: String) throws {
            guard mchid == mall.mchid else { throw WechatPayRefusal(.resource, "resource mchid is not this mall's merchant number") }
        }
        func checkID(_ v: String, _ field: String) throws -> String {
            guard !v.isEmpty, v.count <= 64, v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw WechatPayRefusal(.resource, "resource \(field) must be 1–64 letters, digits, _ or -")
            }
            return v
        }
        switch e.event_type {
        case Event.authorization:
            let r = try decode(AuthResource.self)
            try checkMch(r.mchid)
            let code = r.code.flatMap { $0.isEmpty ? nil : String($0.prefix(64)) }
            return "binding " + (try await store.wechatPayAuthorize(mallId: mallId, appid: mall.appid, openid: checkID(r.openid, "openid"), cardCode: code))
        case Event.payment:
            let r = try decode(PaymentResource.self)
            try checkMch(r.mchid)
            guard r.amount > 0, r.amount <= 100_000_000_00 else { throw WechatPayRefusal(.resource, "resource amount must be a positive number of fen") }
            guard let paidAt = Self.time(r.time_end) else { throw WechatPayRefusal(.resource, "resource time_end must be RFC 3339") }
            let n = WechatPayPaymentNotice(mallId: mallId, appid: try checkID(r.appid ?? mall.appid, "appid"), openid: try checkID(r.openid, "openid"),
                                           shopNumber: try checkID(r.shop_number ?? "", "shop_number"),
                                           transactionId: try checkID(r.transaction_id, "transaction_id"), amountFen: r.amount, paidAt: paidAt)
            return "payment " + (try await store.wechatPayPayment(n))
        case Event.refund:
            let r = try decode(RefundResource.self)
            try checkMch(r.mchid)
            guard r.refund_amount > 0 else { throw WechatPayRefusal(.resource, "resource refund_amount must be a positive number of fen") }
            guard let at = Self.time(r.refund_time) else { throw WechatPayRefusal(.resource, "resource refund_time must be RFC 3339") }
            let n = WechatPayRefundNotice(mallId: mallId, refundId: try checkID(r.refund_id, "refund_id"),
                                          transactionId: try checkID(r.transaction_id, "transaction_id"), refundFen: r.refund_amount, refundedAt: at)
            return "refund " + (try await store.wechatPayRefund(n))
        default:
            return "ignored \(e.event_type.prefix(64))"
        }
    }

    /// RFC 3339 as WeChat writes it: 2020-09-16T13:56:33+08:00.
    static func time(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)
    }
}
