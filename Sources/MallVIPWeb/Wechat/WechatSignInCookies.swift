import Crypto
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The two short-lived cookies of the official-account sign-in (issue 22, part b; docs/wechat.md). Both are HttpOnly,
/// SameSite=Lax, Secure unless MALLVIP_INSECURE_COOKIES=1 (CookieBuilder), and signed with an HMAC key derived from the
/// data key, so a browser can neither forge nor alter them:
/// - `mallvip_wx_state` (path /m/wechat, 10 minutes): the OAuth `state` sent to WeChat, the mall and the page the
///   member wanted. The callback compares it with the `state` WeChat sends back (constant time); a state is accepted
///   once (WechatStateLedger), so a callback with someone else's code, without the cookie or replayed is refused.
/// - `mallvip_wx_pending` (path /m, 15 minutes): an openid WeChat vouched for that is not bound to a member yet; the
///   SMS-code sign-in binds it on success (MemberLoginController → WechatSignIn.bindPending) and clears it.
enum WechatSignInCookie {
    static let stateName = "mallvip_wx_state"
    static let pendingName = "mallvip_wx_pending"
    static let stateTTL: TimeInterval = 600
    static let pendingTTL: TimeInterval = 900

    struct State: Equatable {
        var state: String
        var mall: String
        var next: String?
        var expires: Date
    }

    struct Pending: Equatable {
        var appid: String
        var openid: String
        var next: String?
        var expires: Date
    }

    // MARK: signing

    /// HMAC-SHA256 key for these cookies, derived from the data key (PersonalDataCipher) with its own label.
    private static func key(_ req: Request) -> SymmetricKey {
        SymmetricKey(data: Data(req.store.env.cipher.hash("wechat-signin-cookie-key|v1").utf8))
    }

    private static func b64(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func unb64(_ s: Substring) -> Data? {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        return Data(base64Encoded: t)
    }

    /// `base64url(fields joined by \n).base64url(HMAC)`; `kind` is inside the MAC so one cookie cannot pass as the other.
    static func seal(_ req: Request, kind: String, _ fields: [String]) -> String {
        let payload = Data(([kind] + fields).joined(separator: "\n").utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: key(req))
        return b64(payload) + "." + b64(Data(mac))
    }

    static func open(_ req: Request, kind: String, _ value: String?) -> [String]? {
        guard let value, value.count <= 2048 else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = unb64(parts[0]), let mac = unb64(parts[1]),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key(req)),
              let text = String(data: payload, encoding: .utf8) else { return nil }
        let fields = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard fields.first == kind else { return nil }
        return Array(fields.dropFirst())
    }

    private static func millis(_ d: Date) -> String { String(Int64(d.timeIntervalSince1970 * 1000)) }
    private static func date(_ s: String) -> Date? { Int64(s).map { Date(timeIntervalSince1970: Double($0) / 1000) } }

    // MARK: the state cookie

    static func stateCookie(_ req: Request, _ s: State) -> HTTPCookies.Value {
        let v = seal(req, kind: "state", [s.state, s.mall, s.next ?? "", millis(s.expires)])
        return CookieBuilder.make(v, config: req.application.appConfig, maxAge: Int(stateTTL), path: SiteRoute.memberSiteWechat.path())
    }

    static func clearState(_ req: Request) -> HTTPCookies.Value {
        CookieBuilder.make("", config: req.application.appConfig, maxAge: 0, path: SiteRoute.memberSiteWechat.path())
    }

    /// The state cookie of this request when its signature holds and it has not expired.
    static func state(_ req: Request, now: Date) -> State? {
        guard let f = open(req, kind: "state", req.cookies[stateName]?.string), f.count == 4, let expires = date(f[3]),
              expires > now else { return nil }
        return State(state: f[0], mall: f[1], next: f[2].isEmpty ? nil : f[2], expires: expires)
    }

    // MARK: the pending-identity cookie

    static func pendingCookie(_ req: Request, _ p: Pending) -> HTTPCookies.Value {
        let v = seal(req, kind: "pending", [p.appid, p.openid, p.next ?? "", millis(p.expires)])
        return CookieBuilder.make(v, config: req.application.appConfig, maxAge: Int(pendingTTL), path: SiteRoute.memberSiteHome.path())
    }

    static func clearPending(_ req: Request) -> HTTPCookies.Value {
        CookieBuilder.make("", config: req.application.appConfig, maxAge: 0, path: SiteRoute.memberSiteHome.path())
    }

    static func pending(_ req: Request, now: Date) -> Pending? {
        guard let f = open(req, kind: "pending", req.cookies[pendingName]?.string), f.count == 4, let expires = date(f[3]),
              expires > now, !f[0].isEmpty, !f[1].isEmpty else { return nil }
        return Pending(appid: f[0], openid: f[1], next: f[2].isEmpty ? nil : f[2], expires: expires)
    }
}

/// OAuth states already used by a callback, kept until they would have expired anyway: a state (and its cookie) is
/// accepted once. In memory, per process: behind several servers a replay reaching another server is still bound to
/// the same browser's cookie and WeChat refuses the reused code (40163), so nothing is signed in twice.
final class WechatStateLedger: Sendable {
    /// One per process (states are random, so apps sharing a test process do not collide).
    static let shared = WechatStateLedger()
    private let used = NIOLockedValueBox([String: Date]())

    /// True the first time `state` is presented (and records it); false afterwards.
    func use(_ state: String, until expires: Date, now: Date) -> Bool {
        used.withLockedValue { u in
            if u.count > 1000 { u = u.filter { $0.value > now } }
            if let e = u[state], e > now { return false }
            u[state] = expires
            return true
        }
    }
}
