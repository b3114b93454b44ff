import Vapor

/// The one place the product makes a cookie (issue 14): staff session, member session, language. Every cookie is
/// HttpOnly, SameSite=Lax and `Secure` unless `MALLVIP_INSECURE_COOKIES=1` (plain-HTTP development), so a session
/// never travels over plain HTTP by accident.
enum CookieBuilder {
    static func make(_ value: String, config: AppConfig, maxAge: Int?, path: String = "/") -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, expires: nil, maxAge: maxAge, domain: nil, path: path, isSecure: config.secureCookies,
                          isHTTPOnly: true, sameSite: .lax)
    }

    /// The language choice, shared by the console's and the member pages' switches.
    static func language(_ lang: UILanguage, config: AppConfig) -> HTTPCookies.Value {
        make(lang.rawValue, config: config, maxAge: 365 * 86_400)
    }
}
