/// The one error type of the domain. Each case names the rule that was broken and carries a message a
/// cashier or clerk can act on, in Chinese and English; the web layer maps `kind` to an HTTP status.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case invalid        // malformed or out-of-range input (422)
        case notFound       // a referenced thing does not exist (404 on lookups, 422 inside a body)
        case conflict       // uniqueness or idempotency conflict (409)
        case notEligible    // a programme rule is not met (422)
        case forbidden      // the caller may not do this (403)
    }

    public var kind: Kind
    /// The request field the error is about, e.g. `lines[2].amountFen`; nil when it concerns the whole request.
    public var field: String?
    /// A stable machine-readable rule code, e.g. `amount.positive`.
    public var rule: String
    public var zh: String
    public var en: String

    public init(_ kind: Kind, field: String?, rule: String, zh: String, en: String) {
        self.kind = kind
        self.field = field
        self.rule = rule
        self.zh = zh
        self.en = en
    }

    public var description: String { (field.map { "\($0): " } ?? "") + en }

    public static func invalid(_ field: String, _ rule: String, zh: String, en: String) -> DomainError {
        DomainError(.invalid, field: field, rule: rule, zh: zh, en: en)
    }
}
