import Foundation
import MallVIPCore
import MallVIPStore
import NIOCore
import Vapor

/// The HTTP SMS gateway: where to POST, the Authorization header and the JSON body template. SMS is off unless
/// `MALLVIP_SMS_URL` is set.
public struct SMSGatewayConfiguration: Sendable, Equatable {
    public static let defaultBodyTemplate = #"{"to":"{phone}","text":"{text}","ref":"{id}"}"#
    public var url: String
    /// The whole value of the Authorization header ("Bearer …", "Basic …"), if the gateway wants one.
    public var authorization: String?
    /// JSON with `{phone}`, `{text}` and `{id}` (the outbox id: the gateway's de-duplication reference); the
    /// values are inserted JSON-escaped, so the placeholders belong inside string quotes.
    public var bodyTemplate: String

    public init(url: String, authorization: String? = nil, bodyTemplate: String = SMSGatewayConfiguration.defaultBodyTemplate) {
        self.url = url
        self.authorization = authorization
        self.bodyTemplate = bodyTemplate
    }

    /// `MALLVIP_SMS_URL`, `MALLVIP_SMS_AUTH`, `MALLVIP_SMS_BODY`; nil without a URL. A mistake stops the start.
    public static func fromEnvironment(_ env: [String: String]) throws -> SMSGatewayConfiguration? {
        func value(_ key: String) -> String? {
            env[key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let url = value("MALLVIP_SMS_URL") else { return nil }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw StoreConfigurationError("MALLVIP_SMS_URL must be an http(s) URL such as https://sms.example.com/send")
        }
        let config = SMSGatewayConfiguration(url: url, authorization: value("MALLVIP_SMS_AUTH"),
                                             bodyTemplate: value("MALLVIP_SMS_BODY") ?? defaultBodyTemplate)
        guard config.bodyTemplate.contains("{phone}"), config.bodyTemplate.contains("{text}") else {
            throw StoreConfigurationError("MALLVIP_SMS_BODY must contain {phone} and {text} (and should contain {id})")
        }
        // The template must be JSON once filled in; checked with sample values now rather than on the first send.
        let sample = config.body(phone: "13800000000", text: "测试 \"quoted\"", id: 1)
        guard (try? JSONSerialization.jsonObject(with: Data(sample.utf8))) != nil else {
            throw StoreConfigurationError("MALLVIP_SMS_BODY is not JSON once {phone}, {text} and {id} are filled in: \(config.bodyTemplate)")
        }
        return config
    }

    /// The request body for one message.
    public func body(phone: String, text: String, id: Int64) -> String {
        bodyTemplate.replacingOccurrences(of: "{phone}", with: Self.jsonEscaped(phone))
            .replacingOccurrences(of: "{id}", with: String(id))
            .replacingOccurrences(of: "{text}", with: Self.jsonEscaped(text))
    }

    /// The inside of a JSON string literal.
    static func jsonEscaped(_ s: String) -> String {
        let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}

/// A gateway answer that was not a success. 5xx, 429 and network trouble are worth retrying; other 4xx are not.
public struct SMSGatewayError: MessageSendFailure, CustomStringConvertible {
    public var status: UInt?
    public var text: String
    public var isTransient: Bool { status.map { $0 >= 500 || $0 == 429 || $0 == 408 } ?? true }
    public var description: String { "SMS gateway \(status.map { "HTTP \($0)" } ?? "unreachable"): \(text)" }
}

/// The outbox's SMS channel: one POST per message, the outbox id in the body as the gateway's reference, the
/// provider's message id read from the answer's `id` or `messageId`.
public struct SMSGatewaySender: MessageSender {
    public let configuration: SMSGatewayConfiguration
    let client: any Client
    let timeout: TimeAmount

    public init(configuration: SMSGatewayConfiguration, client: any Client, timeout: TimeAmount = .seconds(15)) {
        self.configuration = configuration
        self.client = client
        self.timeout = timeout
    }

    public func handles(_ channel: MessageChannel) -> Bool { channel == .sms }

    public func send(_ message: OutgoingMessage) async throws -> SendReceipt {
        var headers: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8"]
        if let auth = configuration.authorization { headers.replaceOrAdd(name: .authorization, value: auth) }
        let body = configuration.body(phone: message.to, text: message.body, id: message.id)
        let response: ClientResponse
        do {
            response = try await client.post(URI(string: configuration.url), headers: headers) { req in
                req.body = ByteBuffer(string: body)
                req.timeout = timeout
            }
        } catch {
            throw SMSGatewayError(status: nil, text: String(describing: error))
        }
        let text = response.body.map { String(buffer: $0) } ?? ""
        guard (200..<300).contains(response.status.code) else {
            throw SMSGatewayError(status: response.status.code, text: String(text.prefix(300)))
        }
        return SendReceipt(providerId: Self.providerId(text))
    }

    /// `id` or `messageId` of a JSON answer, string or number.
    static func providerId(_ text: String) -> String? {
        guard let obj = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return nil }
        for key in ["id", "messageId"] {
            if let s = obj[key] as? String, !s.isEmpty { return s }
            if let n = obj[key] as? NSNumber { return n.stringValue }
        }
        return nil
    }
}
