import Foundation

/// The rules of member sign-in by SMS code. Operational settings (environment, AppConfig), not loyalty
/// programme rules: they protect the SMS budget and the accounts, not members' entitlements.
public struct MemberLoginPolicy: Sendable, Equatable {
    /// How long a code stays valid.
    public var codeTTL: TimeInterval = 5 * 60
    /// Wrong entries before a code is dead and a new one must be requested.
    public var maxTries: Int = 5
    /// The shortest wait between two codes for one phone.
    public var resendAfter: TimeInterval = 60
    /// Codes per phone, and code requests per IP address, within `limitWindow`.
    public var codesPerPhone: Int = 5
    public var codesPerIP: Int = 20
    /// Code entries per IP address within `limitWindow` (guessing across many phones).
    public var verifiesPerIP: Int = 50
    public var limitWindow: TimeInterval = 3600
    /// Member session lifetime.
    public var sessionTTL: TimeInterval = 30 * 86_400

    public init() {}
}

/// The answer to "send me a code". `sent` is also the answer for phones that are not members (no SMS goes out),
/// so that the page never tells who is a member.
public enum MemberCodeRequestOutcome: Sendable, Equatable {
    case sent
    /// Asked again before `resendAfter`: wait this many seconds.
    case tooSoon(seconds: Int)
    /// A rate limit was reached: wait this many seconds.
    case limited(seconds: Int)
}

public enum MemberCodeVerifyOutcome: Sendable, Equatable {
    case signedIn(memberId: Int64)
    /// Wrong code; `triesLeft` entries remain for this code (0: request a new one).
    case wrong(triesLeft: Int)
    /// No live code for this phone: never sent, used, or replaced.
    case noCode
    case expired
    /// The code has had its `maxTries`.
    case tooManyTries
    case limited(seconds: Int)
}
