import Foundation
@testable import MallVIPWeb
import NIOConcurrencyHelpers
import Testing
import Vapor
import _CryptoExtras

/// One call the simulated WeChat Pay API received.
struct SimulatedWechatCall: Sendable {
    var path: String
    var body: String
    /// The Authorization header verified with the merchant public key (scheme, mchid, serial, fresh timestamp,
    /// signature over METHOD\npath\ntimestamp\nnonce\nbody\n).
    var authorizationValid: Bool
    /// The body has the documented fields with the documented types.
    var fieldsValid: Bool
    var status: Int
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
}

/// The receiving side of the WeChat Pay simulator (issue 19, 19b): a real HTTP server on 127.0.0.1 standing in for
/// api.mch.weixin.qq.com's 智慧商圈 calls — POST /v3/businesscircle/points/notify and /v3/businesscircle/parkings.
/// It verifies each request's Authorization with the merchant public key, checks the body's fields, answers 204
/// signed with the platform key (Wechatpay-Serial/-Timestamp/-Nonce/-Signature), and can be told to fail the next
/// calls (500 SYSTEM_ERROR, 429 FREQUENCY_LIMITED, 400 PARAM_ERROR) or to answer with a bad signature.
final class WechatPaySimulatorServer: @unchecked Sendable {
    struct Keys: Sendable {
        var mchid: String
        var merchantSerial: String
        var merchantPublic: _RSA.Signing.PublicKey
        var platformSerial: String
        var platformPrivate: _RSA.Signing.PrivateKey
    }

    private struct State {
        var calls: [SimulatedWechatCall] = []
        var failures: [Int] = []
        var badSignatures = 0
    }

    private let state = NIOLockedValueBox(State())
    private var app: Application?
    private(set) var port = 0
    let keys: Keys
    let delay: Duration

    private init(keys: Keys, delay: Duration) {
        self.keys = keys
        self.delay = delay
    }

    var apiBase: String { "http://127.0.0.1:\(port)" }
    var calls: [SimulatedWechatCall] { state.withLockedValue { $0.calls } }
    /// Calls answered 2xx.
    var accepted: [SimulatedWechatCall] { calls.filter { (200..<300).contains($0.status) } }

    /// The next `count` calls are answered `status` (500, 429, 400 …) with the API's error body.
    func failNext(_ count: Int, status: Int = 500) {
        state.withLockedValue { $0.failures += Array(repeating: status, count: count) }
    }

    /// The next `count` 2xx answers carry a signature that does not verify.
    func badSignatureNext(_ count: Int) { state.withLockedValue { $0.badSignatures += count } }

    static func start(keys: Keys, delay: Duration = .zero) async throws -> WechatPaySimulatorServer {
        let s = WechatPaySimulatorServer(keys: keys, delay: delay)
        try await s.listen()
        return s
    }

    private func listen() async throws {
        let app = try await Application.make(Environment(name: "testing", arguments: ["wechatpay-simulator"]))
        app.logger.logLevel = .critical
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        let handler: @Sendable (Request) async throws -> Response = { [self] req in try await self.handle(req) }
        app.on(.POST, "v3", "businesscircle", "points", "notify", body: .collect(maxSize: "64kb"), use: handler)
        app.on(.POST, "v3", "businesscircle", "parkings", body: .collect(maxSize: "64kb"), use: handler)
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let bound = app.http.server.shared.localAddress?.port else {
            try await app.asyncShutdown()
            throw WechatSimError("the simulator did not report its port")
        }
        port = bound
        self.app = app
    }

    func stop() async {
        guard let app else { return }
        await app.server.shutdown()
        try? await app.asyncShutdown()
        self.app = nil
    }

    private func handle(_ req: Request) async throws -> Response {
        let body = req.body.string ?? ""
        let path = req.url.path
        let authValid = Self.verifyAuthorization(req.headers.first(name: "Authorization") ?? "", method: "POST", path: path,
                                                 body: body, keys: keys)
        let fieldsValid = path.hasSuffix("/parkings") ? Self.parkingFieldsValid(body) : Self.pointsFieldsValid(body)
        if delay > .zero { try await Task.sleep(for: delay) }
        let (failure, bad): (Int?, Bool) = state.withLockedValue { s in
            let f = s.failures.isEmpty ? nil : s.failures.removeFirst()
            let b = f == nil && s.badSignatures > 0
            if b { s.badSignatures -= 1 }
            return (f, b)
        }
        let status: Int
        var answer = ""
        if !authValid {
            status = 401
            answer = #"{"code":"SIGN_ERROR","message":"签名错误"}"#
        } else if !fieldsValid {
            status = 400
            answer = #"{"code":"PARAM_ERROR","message":"参数错误"}"#
        } else if let failure {
            status = failure
            answer = failure == 429 ? #"{"code":"FREQUENCY_LIMITED","message":"频率超限"}"#
                : failure >= 500 ? #"{"code":"SYSTEM_ERROR","message":"系统错误"}"# : #"{"code":"PARAM_ERROR","message":"参数错误"}"#
        } else {
            status = 204
        }
        state.withLockedValue {
            $0.calls.append(SimulatedWechatCall(path: path, body: body, authorizationValid: authValid, fieldsValid: fieldsValid, status: status))
        }
        let res = Response(status: HTTPResponseStatus(statusCode: status), body: answer.isEmpty ? .empty : .init(string: answer))
        if !answer.isEmpty { res.headers.replaceOrAdd(name: "Content-Type", value: "application/json") }
        // Every answer is signed by the platform key, as WeChat Pay's are.
        let timestamp = String(Int64(Date().timeIntervalSince1970))
        let nonce = WechatPayAuthorization.nonce()
        var signature = try WechatPayAuthorization.sign(WechatPayAuthorization.responseMessage(timestamp: timestamp, nonce: nonce, body: answer),
                                                        with: keys.platformPrivate)
        if bad { signature = try WechatPayAuthorization.sign("tampered", with: keys.platformPrivate) }
        res.headers.replaceOrAdd(name: "Wechatpay-Serial", value: keys.platformSerial)
        res.headers.replaceOrAdd(name: "Wechatpay-Timestamp", value: timestamp)
        res.headers.replaceOrAdd(name: "Wechatpay-Nonce", value: nonce)
        res.headers.replaceOrAdd(name: "Wechatpay-Signature", value: signature)
        res.headers.replaceOrAdd(name: "Request-ID", value: UUID().uuidString)
        return res
    }

    /// Checked by the documented recipe, independently of the parser under test.
    static func verifyAuthorization(_ header: String, method: String, path: String, body: String, keys: Keys) -> Bool {
        let prefix = "WECHATPAY2-SHA256-RSA2048 "
        guard header.hasPrefix(prefix) else { return false }
        var fields: [String: String] = [:]
        let pattern = try! NSRegularExpression(pattern: #"([a-z_]+)="([^"]*)""#)
        let text = String(header.dropFirst(prefix.count))
        for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            fields[String(text[Range(m.range(at: 1), in: text)!])] = String(text[Range(m.range(at: 2), in: text)!])
        }
        guard fields["mchid"] == keys.mchid, fields["serial_no"] == keys.merchantSerial,
              let nonce = fields["nonce_str"], !nonce.isEmpty, let ts = fields["timestamp"], let t = Double(ts),
              abs(Date().timeIntervalSince1970 - t) < 300,
              let sig = fields["signature"], let raw = Data(base64Encoded: sig) else { return false }
        let message = "\(method)\n\(path)\n\(ts)\n\(nonce)\n\(body)\n"
        return keys.merchantPublic.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: raw), for: Data(message.utf8),
                                                    padding: .insecurePKCS1v1_5)
    }

    static func pointsFieldsValid(_ body: String) -> Bool {
        guard let j = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] else { return false }
        let allowed: Set = ["sub_mchid", "transaction_id", "appid", "openid", "earn_points", "increased_points",
                            "points_update_time", "no_points_remarks", "total_points"]
        guard Set(j.keys).isSubset(of: allowed) else { return false }
        guard let tx = j["transaction_id"] as? String, !tx.isEmpty, tx.count <= 64,
              let appid = j["appid"] as? String, !appid.isEmpty, let openid = j["openid"] as? String, !openid.isEmpty,
              // JSON types read from the text: a boolean, integers (Foundation would bridge 1 and true alike).
              let earnText = match(body, #""earn_points":\s*(true|false)"#),
              match(body, #""increased_points":\s*-?[0-9]+[,}]"#) != nil,
              let time = j["points_update_time"] as? String, isRFC3339(time) else { return false }
        let earn = earnText == "true"
        if j["total_points"] != nil, match(body, #""total_points":\s*-?[0-9]+[,}]"#) == nil { return false }
        if let remarks = j["no_points_remarks"] { guard let r = remarks as? String, r.count <= 128 else { return false } }
        // Nothing earned must say why.
        if !earn, j["no_points_remarks"] == nil { return false }
        return true
    }

    static func parkingFieldsValid(_ body: String) -> Bool {
        guard let j = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] else { return false }
        let allowed: Set = ["sub_mchid", "brandid", "appid", "openid", "plate_number", "state", "time"]
        guard Set(j.keys).isSubset(of: allowed),
              let appid = j["appid"] as? String, !appid.isEmpty, let openid = j["openid"] as? String, !openid.isEmpty,
              let plate = j["plate_number"] as? String, !plate.isEmpty, let state = j["state"] as? String, ["IN", "OUT"].contains(state),
              let time = j["time"] as? String, isRFC3339(time) else { return false }
        return true
    }

    /// The first capture group (or the whole match) of `pattern` in `text`.
    static func match(_ text: String, _ pattern: String) -> String? {
        guard let re = try? NSRegularExpression(pattern: pattern),
              let m = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        let r = m.numberOfRanges > 1 ? m.range(at: 1) : m.range
        return Range(r, in: text).map { String(text[$0]) }
    }

    static func isRFC3339(_ s: String) -> Bool {
        s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$"#, options: .regularExpression) != nil
    }
}

struct WechatSimError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
