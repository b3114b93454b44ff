import Foundation
import MallVIPStore

extension MemberLoginPolicy {
    /// MALLVIP_MEMBER_CODE_MINUTES, _CODE_TRIES, _RESEND_SECONDS, _CODES_PER_PHONE, _CODES_PER_IP,
    /// _VERIFIES_PER_IP (per hour), _SESSION_DAYS; unset ones keep their defaults.
    static func fromEnvironment(_ env: [String: String]) throws -> MemberLoginPolicy {
        var p = MemberLoginPolicy()
        func positive(_ name: String) throws -> Double? {
            guard let v = env[name], !v.isEmpty else { return nil }
            guard let d = Double(v), d > 0 else { throw StoreConfigurationError("\(name) must be a positive number") }
            return d
        }
        if let v = try positive("MALLVIP_MEMBER_CODE_MINUTES") { p.codeTTL = v * 60 }
        if let v = try positive("MALLVIP_MEMBER_CODE_TRIES") { p.maxTries = Int(v) }
        if let v = try positive("MALLVIP_MEMBER_RESEND_SECONDS") { p.resendAfter = v }
        if let v = try positive("MALLVIP_MEMBER_CODES_PER_PHONE") { p.codesPerPhone = Int(v) }
        if let v = try positive("MALLVIP_MEMBER_CODES_PER_IP") { p.codesPerIP = Int(v) }
        if let v = try positive("MALLVIP_MEMBER_VERIFIES_PER_IP") { p.verifiesPerIP = Int(v) }
        if let v = try positive("MALLVIP_MEMBER_SESSION_DAYS") { p.sessionTTL = v * 86_400 }
        return p
    }
}
