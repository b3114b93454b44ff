import Foundation
import MallVIPCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One address a webhook host resolved to.
public struct ResolvedAddress: Sendable, Equatable {
    /// 4 or 16 bytes, network order.
    public var bytes: [UInt8]
    /// "203.0.113.7", "2001:db8::1"
    public var text: String
    public var kind: NetworkAddressClass { NetworkAddressClass.of(bytes) }

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        self.text = ResolvedAddress.format(bytes)
    }

    static func format(_ b: [UInt8]) -> String {
        if b.count == 4 { return b.map(String.init).joined(separator: ".") }
        guard b.count == 16 else { return b.map { String($0) }.joined(separator: ",") }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var addr = in6_addr()
        withUnsafeMutableBytes(of: &addr) { raw in for i in 0..<16 { raw[i] = b[i] } }
        guard inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A webhook URL that passed the address check just now.
public struct WebhookTarget: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Every address the host resolved to (all checked).
    public var addresses: [ResolvedAddress]
    /// The checked address the request must connect to, so that a DNS answer that changes between the check and
    /// the connection (rebinding) cannot send it elsewhere. Nil when private receivers are allowed (no check).
    public var pinned: String?
}

/// A send refused before any byte left: the reason is recorded on the delivery's attempt as it is.
public struct WebhookTargetRefused: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public var description: String { reason }
}

/// The SSRF rule of outgoing webhooks, applied when a subscription is created (console, CLI: a 4xx naming `url`)
/// and again right before each send (DNS can change after creation): http or https only, no credentials, and
/// every address the host resolves to must be public — not loopback, private, link-local, unspecified, CGNAT,
/// multicast, broadcast or reserved, nor an IPv4-mapped/NAT64/6to4 IPv6 form of those. `allowPrivate`
/// (`MALLVIP_WEBHOOK_ALLOW_PRIVATE=1`) lifts the address rule for receivers inside the mall's own network.
public struct WebhookTargetPolicy: Sendable {
    public var allowPrivate: Bool
    /// Host → addresses; `getaddrinfo` unless a test puts a fake here. Throws (or returns nothing) when the
    /// name does not resolve.
    public var resolve: @Sendable (String) async throws -> [ResolvedAddress]

    public init(allowPrivate: Bool = false,
                resolve: @escaping @Sendable (String) async throws -> [ResolvedAddress] = WebhookTargetPolicy.systemResolve) {
        self.allowPrivate = allowPrivate
        self.resolve = resolve
    }

    /// Public receivers only: the default everywhere a policy is not given.
    public static var strict: WebhookTargetPolicy { WebhookTargetPolicy() }

    struct Refusal: Error {
        var rule: String
        var zh: String
        var en: String
        /// The host did not resolve (no address to judge).
        var unresolved = false
    }

    /// At creation: throws a `DomainError` on `url` naming the rule. A host that does not resolve yet is accepted
    /// (a receiver may be set up before its DNS name): the check before each send refuses it until it resolves to
    /// a public address.
    public func checkSubscription(_ url: String) async throws {
        do {
            _ = try await check(url)
        } catch let r as Refusal where r.unresolved {
            return
        } catch let r as Refusal {
            throw DomainError.invalid("url", r.rule, zh: r.zh, en: r.en)
        }
    }

    /// Right before a send: the target to connect to, or `WebhookTargetRefused` with the reason.
    public func checkBeforeSending(_ url: String) async throws -> WebhookTarget {
        do {
            return try await check(url)
        } catch let r as Refusal {
            throw WebhookTargetRefused(reason: "not sent: " + r.en)
        }
    }

    func check(_ text: String) async throws -> WebhookTarget {
        let url: String
        do {
            url = try Store.validateWebhookURL(text)
        } catch let e as DomainError {
            throw Refusal(rule: e.rule, zh: e.zh, en: e.en)
        }
        // The host as AsyncHTTPClient will read it (Foundation's URL), so the name checked is the name connected to.
        guard let parsed = URL(string: url), let rawHost = parsed.host, !rawHost.isEmpty else {
            throw Refusal(rule: "webhook.url.http", zh: "接收地址须是 http:// 或 https:// 开头的完整网址",
                          en: "url must be a full http:// or https:// address")
        }
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        let port = parsed.port ?? (parsed.scheme?.lowercased() == "https" ? 443 : 80)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:")
        guard host.allSatisfy({ allowed.contains($0) }) else {
            throw Refusal(rule: "webhook.url.host", zh: "接收地址的主机名只能含英文字母、数字、点和连字符（中文域名请写成 xn-- 形式），或是 IP 地址",
                          en: "url host must be letters, digits, dots and hyphens (an internationalised name in its xn-- form) or an IP address")
        }
        guard !allowPrivate else { return WebhookTarget(host: host, port: port, addresses: [], pinned: nil) }
        let lower = host.lowercased()
        if ["localhost", "localhost."].contains(lower) || lower.hasSuffix(".localhost") || lower.hasSuffix(".localhost.") {
            throw Self.refusal(host: host, address: nil, .loopback)
        }
        let addresses: [ResolvedAddress]
        do {
            addresses = try await resolve(host)
        } catch {
            addresses = []
        }
        guard !addresses.isEmpty else {
            throw Refusal(rule: "webhook.url.resolve", zh: "接收地址的主机名 \(host) 无法解析", en: "url host \(host) does not resolve to any address",
                          unresolved: true)
        }
        if let bad = addresses.first(where: { !$0.kind.isPublic }) {
            throw Self.refusal(host: host, address: bad, bad.kind)
        }
        return WebhookTarget(host: host, port: port, addresses: addresses, pinned: addresses[0].text)
    }

    static func refusal(host: String, address: ResolvedAddress?, _ kind: NetworkAddressClass) -> Refusal {
        let at = address.map { $0.text == host ? host : "\(host) (\($0.text))" } ?? host
        return Refusal(rule: "webhook.url.private",
                       zh: "接收地址（url）\(at) 是\(kind.label.zh)：推送只能发往公网地址（内网接收方须设置 MALLVIP_WEBHOOK_ALLOW_PRIVATE=1）",
                       en: "url \(at) is \(kind.label.en): webhooks go to public addresses only (set MALLVIP_WEBHOOK_ALLOW_PRIVATE=1 for receivers inside your network)")
    }

    /// Every IPv4 and IPv6 address of `host` (`getaddrinfo`, on a background thread: it blocks).
    public static let systemResolve: @Sendable (String) async throws -> [ResolvedAddress] = { host in
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<[ResolvedAddress], any Error>) in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_family = AF_UNSPEC
                #if canImport(Glibc)
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                #else
                hints.ai_socktype = SOCK_STREAM
                #endif
                var list: UnsafeMutablePointer<addrinfo>?
                let rc = getaddrinfo(host, nil, &hints, &list)
                guard rc == 0, let first = list else {
                    cont.resume(throwing: WebhookTargetRefused(reason: "cannot resolve \(host) (getaddrinfo \(rc))"))
                    return
                }
                defer { freeaddrinfo(first) }
                var out: [ResolvedAddress] = []
                var p: UnsafeMutablePointer<addrinfo>? = first
                while let ai = p {
                    if let sa = ai.pointee.ai_addr {
                        switch Int32(ai.pointee.ai_family) {
                        case AF_INET:
                            let a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                            out.append(ResolvedAddress(bytes: withUnsafeBytes(of: a) { Array($0) }))
                        case AF_INET6:
                            let a = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                            out.append(ResolvedAddress(bytes: withUnsafeBytes(of: a) { Array($0) }))
                        default: break
                        }
                    }
                    p = ai.pointee.ai_next
                }
                var seen = Set<[UInt8]>()
                cont.resume(returning: out.filter { seen.insert($0.bytes).inserted })
            }
        }
    }
}
