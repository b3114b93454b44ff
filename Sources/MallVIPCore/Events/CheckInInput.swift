import Foundation

/// What the door staff typed or what a phone's camera app handed over: the invitation's `/e/{token}` URL (or the
/// bare token), a card number or a phone number. The store tries the token first, then card, then phone.
public struct CheckInInput: Sendable, Equatable {
    /// The text to match, trimmed; for a scanned invitation URL only its token.
    public var text: String
    /// True when the text came from an invitation URL: then it can only be a token.
    public var fromLink: Bool

    public init?(_ raw: String) {
        var s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !s.isEmpty else { return nil }
        if let r = s.range(of: "/e/") {
            s = String(s[r.upperBound...])
            if let cut = s.firstIndex(where: { $0 == "?" || $0 == "#" || $0 == "/" }) { s = String(s[..<cut]) }
            guard !s.isEmpty else { return nil }
            text = s
            fromLink = true
        } else {
            text = s.filter { $0 != " " && $0 != "-" }
            fromLink = false
        }
    }
}
