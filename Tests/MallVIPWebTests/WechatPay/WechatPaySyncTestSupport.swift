import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor
import _CryptoExtras

/// Keys made for one test (2048-bit RSA, as WeChat Pay's), the simulator's receiving server, and the mall's config
/// pointing at it.
struct WechatSyncRig: Sendable {
    static let mchid = "1900000109"
    static let merchantSerial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    static let platformSerial = "PUB_KEY_ID_0114232134912410000000000000"
    static let appid = "wx8888888888888888"

    let merchantKey: _RSA.Signing.PrivateKey
    let platformKey: _RSA.Signing.PrivateKey
    let server: WechatPaySimulatorServer

    static func start(delay: Duration = .zero) async throws -> WechatSyncRig {
        let merchant = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let platform = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let server = try await WechatPaySimulatorServer.start(keys: .init(
            mchid: mchid, merchantSerial: merchantSerial, merchantPublic: merchant.publicKey,
            platformSerial: platformSerial, platformPrivate: platform), delay: delay)
        return WechatSyncRig(merchantKey: merchant, platformKey: platform, server: server)
    }

    func mallConfig(mall: String = "MAIN") -> WechatPayMallConfig {
        WechatPayMallConfig(mall: mall, mchid: Self.mchid, appid: Self.appid, merchantSerialNo: Self.merchantSerial,
                            merchantPrivateKey: merchantKey, platformSerialNo: Self.platformSerial,
                            platformPublicKey: platformKey.publicKey, apiV3Key: Array("0123456789abcdef0123456789abcdef".utf8),
                            apiBase: server.apiBase)
    }

    func sender(_ t: TestContext) -> WechatPayHTTPSender {
        WechatPayHTTPSender(config: WechatPayConfig(malls: [mallConfig()]), eventLoopGroup: t.app.eventLoopGroup, timeout: 5)
    }

    /// The config file `serve` reads (MALLVIP_WECHATPAY_CONFIG), keys in PEM files beside it.
    func writeConfigFile(in dir: URL) throws -> URL {
        try merchantKey.pemRepresentation.write(to: dir.appendingPathComponent("apiclient_key.pem"), atomically: true, encoding: .utf8)
        try platformKey.publicKey.pemRepresentation.write(to: dir.appendingPathComponent("pub_key.pem"), atomically: true, encoding: .utf8)
        try "0123456789abcdef0123456789abcdef".write(to: dir.appendingPathComponent("apiv3.key"), atomically: true, encoding: .utf8)
        let json = """
            {"malls":[{"mall":"MAIN","mchid":"\(Self.mchid)","appid":"\(Self.appid)","merchantSerialNo":"\(Self.merchantSerial)",
            "merchantPrivateKeyFile":"apiclient_key.pem","platformSerialNo":"\(Self.platformSerial)","platformPublicKeyFile":"pub_key.pem",
            "apiV3KeyFile":"apiv3.key","apiBase":"\(server.apiBase)"}]}
            """
        let file = dir.appendingPathComponent("wechatpay.json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}

extension TestContext {
    /// A member (card) with a bound 智慧商圈 authorization in MAIN under `openid`.
    func boundWechatMember(phone: String, openid: String) async throws -> (card: String, memberId: Int64) {
        let card = try await enrolMember(phone: phone)
        let memberId = try await memberId(card: card)
        let now = epochMillis(clock.now)
        try await store.sql.raw("""
            INSERT INTO wechatpay_bindings (mall_id, appid, openid, member_id, state, created_at_ms, updated_at_ms)
            SELECT id, \(bind: WechatSyncRig.appid), \(bind: openid), \(bind: memberId), 'bound', \(bind: now), \(bind: now) FROM malls WHERE code = 'MAIN'
            """).run()
        return (card, memberId)
    }

    /// A WeChat Pay payment posted as 19a's callback does: channel wechat_pay, receipt WX + transaction id.
    @discardableResult
    func wechatPurchase(_ transactionId: String, card: String, fen: Int64) async throws -> ChannelPosting {
        try await store.postFromChannel(PurchaseRequest(receiptNo: "WX" + transactionId, occurredAt: clock.now, card: card,
                                                        lines: [PurchaseLineRequest(counter: "C0001", amountFen: fen)],
                                                        channel: .wechatPay, channelRef: transactionId), actor: "wechatpay")
    }

    func syncRows() async throws -> [WechatPaySyncRow] {
        try await store.wechatPaySyncRows(limit: 10_000).sorted { $0.id < $1.id }
    }
}
