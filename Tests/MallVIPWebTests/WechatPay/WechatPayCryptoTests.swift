import Foundation
@testable import MallVIPWeb
import MallVIPStore
import Testing
import _CryptoExtras

/// APIv3 notification verification and decryption (issue 19, 19a), with keys generated in the test.
@Suite("WeChat Pay notification crypto")
struct WechatPayCryptoTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    static func setUp() throws -> (WechatPaySimulator, WechatPayConfig) {
        let sim = try WechatPaySimulator()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxpay-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try WechatPayConfig.load(file: sim.writeConfig(dir: dir), env: [:])
        return (sim, config)
    }

    static func inbound(_ n: WechatPaySimulator.Notification) -> WechatPayInbound {
        WechatPayInbound(serial: n.serial, signature: n.signature, timestamp: n.timestamp, nonce: n.nonce, body: n.body)
    }

    static func refusal(_ body: () throws -> Void) -> WechatPayRefusal.Kind? {
        do { try body(); return nil } catch let r as WechatPayRefusal { return r.kind } catch { return nil }
    }

    @Test("a notification signed and encrypted as documented verifies and decrypts")
    func roundTrip() throws {
        let (sim, config) = try Self.setUp()
        let n = try sim.payment(openid: "oUser1", shop: "S1", transactionId: "4200000001", amountFen: 12_345, at: Self.now, now: Self.now)
        let mall = try WechatPayCrypto.verify(Self.inbound(n), config: config, now: Self.now.addingTimeInterval(120))
        #expect(mall.mall == "MAIN")
        let e = try WechatPayCrypto.envelope(n.body)
        #expect(e.event_type == "MALL_TRANSACTION.SUCCESS" && e.resource.algorithm == "AEAD_AES_256_GCM")
        let plain = try JSONSerialization.jsonObject(with: WechatPayCrypto.decrypt(e.resource, apiV3Key: mall.apiV3Key)) as? [String: Any]
        #expect(plain?["transaction_id"] as? String == "4200000001")
        #expect(plain?["amount"] as? Int == 12_345)
    }

    @Test("a tampered body, a wrong serial, a stale timestamp and a wrong APIv3 key are refused")
    func refusals() throws {
        let (sim, config) = try Self.setUp()
        let n = try sim.payment(openid: "oUser1", shop: "S1", transactionId: "4200000002", amountFen: 100, at: Self.now, now: Self.now)
        var tampered = Self.inbound(n)
        tampered.body = Array(String(decoding: n.body, as: UTF8.self).replacingOccurrences(of: "MALL_TRANSACTION", with: "MALL_TRANSACTIOX").utf8)
        #expect(Self.refusal { _ = try WechatPayCrypto.verify(tampered, config: config, now: Self.now) } == .signature)
        var serial = Self.inbound(n)
        serial.serial = "PUB_KEY_ID_OTHER"
        #expect(Self.refusal { _ = try WechatPayCrypto.verify(serial, config: config, now: Self.now) } == .serial)
        #expect(Self.refusal { _ = try WechatPayCrypto.verify(Self.inbound(n), config: config, now: Self.now.addingTimeInterval(301)) } == .timestamp)
        #expect(Self.refusal { _ = try WechatPayCrypto.verify(Self.inbound(n), config: config, now: Self.now.addingTimeInterval(-301)) } == .timestamp)
        var noNonce = Self.inbound(n)
        noNonce.nonce = ""
        #expect(Self.refusal { _ = try WechatPayCrypto.verify(noNonce, config: config, now: Self.now) } == .headers)
        // Signed by another key under the right serial.
        let other = try WechatPaySimulator()
        let forged = try other.payment(openid: "oUser1", shop: "S1", transactionId: "4200000002", amountFen: 100, at: Self.now, now: Self.now)
        var forgedIn = Self.inbound(forged)
        forgedIn.serial = sim.platformSerial
        #expect(Self.refusal { _ = try WechatPayCrypto.verify(forgedIn, config: config, now: Self.now) } == .signature)
        // Encrypted with another APIv3 key: verifies (the platform signed it) but does not decrypt.
        let wrongKey = try sim.notification(eventType: "MALL_TRANSACTION.SUCCESS", resource: ["mchid": sim.mchid], now: Self.now,
                                            apiV3Key: String(repeating: "k", count: 32))
        let mall = try WechatPayCrypto.verify(Self.inbound(wrongKey), config: config, now: Self.now)
        #expect(Self.refusal { _ = try WechatPayCrypto.decrypt(try WechatPayCrypto.envelope(wrongKey.body).resource, apiV3Key: mall.apiV3Key) } == .decrypt)
        #expect(Self.refusal { _ = try WechatPayCrypto.envelope(Array("{\"id\":1}".utf8)) } == .envelope)
    }

    @Test("the config file is checked field by field, naming the file and the field; secrets stay out of descriptions")
    func configErrors() throws {
        let sim = try WechatPaySimulator()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxpay-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try sim.writeConfig(dir: dir, callbackPath: "/wx/cb")
        let good = try WechatPayConfig.load(file: path, env: [:])
        #expect(good.callbackPath == "/wx/cb" && good.malls.count == 1 && good.malls[0].apiBase == WechatPayConfig.defaultAPIBase)
        #expect(!String(describing: good).contains(sim.apiV3Key))
        #expect(!String(describing: good.malls[0]).contains("PRIVATE"))
        #expect(try WechatPayConfig.fromEnvironment([:]) == nil)

        func error(_ mutate: (inout [String: Any]) -> Void, env: [String: String] = [:]) throws -> String {
            var root = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
            var m = (root["malls"] as! [[String: Any]])[0]
            mutate(&m)
            root["malls"] = [m]
            let p = dir.appendingPathComponent("bad.json").path
            try JSONSerialization.data(withJSONObject: root).write(to: URL(fileURLWithPath: p))
            do { _ = try WechatPayConfig.load(file: p, env: env); return "" } catch { return String(describing: error) }
        }
        #expect(try error { $0["mchid"] = "abc" }.contains("bad.json: malls[0].mchid"))
        #expect(try error { $0["apiV3KeyFile"] = "pub_key.pem" }.contains("malls[0].apiV3KeyFile must hold the 32-character APIv3 key"))
        #expect(try error { $0["platformPublicKeyFile"] = "missing.pem" }.contains("malls[0].platformPublicKeyFile names a file that cannot be read"))
        #expect(try error { $0["merchantPrivateKeyFile"] = "pub_key.pem" }.contains("malls[0].merchantPrivateKeyFile must hold an RSA private key"))
        #expect(try error { $0["apiBase"] = "ftp://x" }.contains("malls[0].apiBase must be an http(s) URL"))
        // A key from the environment instead of a file.
        #expect(try error({ $0["apiV3KeyFile"] = nil; $0["apiV3KeyEnv"] = "WX_V3" }, env: ["WX_V3": sim.apiV3Key]) == "")
        #expect(try error { $0["apiV3KeyFile"] = nil; $0["apiV3KeyEnv"] = "WX_V3" }.contains("malls[0].apiV3KeyEnv names an environment variable that is not set"))
        #expect(throws: StoreConfigurationError.self) { try WechatPayConfig.fromEnvironment(["MALLVIP_WECHATPAY_CONFIG": dir.appendingPathComponent("none.json").path]) }
    }
}
