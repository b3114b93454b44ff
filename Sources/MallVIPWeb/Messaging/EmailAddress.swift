import Foundation

/// A mailbox: `VIP中心 <vip@example.com>` or a bare `vip@example.com`. Addresses are ASCII only: an
/// internationalised address needs SMTPUTF8, which we do not assume the relay offers.
public struct EmailAddress: Sendable, Equatable, CustomStringConvertible {
    public var name: String?
    public var address: String

    public init(_ address: String, name: String? = nil) throws {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        guard Self.isValid(trimmed) else {
            throw SMTPError(.invalidMessage, text: "not a usable e-mail address: \(address.prefix(80))")
        }
        self.address = trimmed
        let n = name?.trimmingCharacters(in: .whitespaces)
        self.name = (n?.isEmpty ?? true) ? nil : n
    }

    /// Parses `Name <addr>`, `"Name" <addr>` or `addr`.
    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.hasSuffix(">"), let open = t.lastIndex(of: "<") else {
            try self.init(t)
            return
        }
        var name = t[..<open].trimmingCharacters(in: .whitespaces)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }
        try self.init(String(t[t.index(after: open)..<t.index(before: t.endIndex)]), name: name)
    }

    public var domain: String { String(address[address.index(after: address.lastIndex(of: "@")!)...]) }

    public var description: String { name.map { "\($0) <\(address)>" } ?? address }

    /// The header form: the display name as an atom, a quoted string or RFC 2047 encoded words.
    var headerValue: String {
        guard let name else { return address }
        return "\(MIMEHeader.phrase(name)) <\(address)>"
    }

    static func isValid(_ a: String) -> Bool {
        let parts = a.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix("."), a.utf8.count <= 254 else { return false }
        // Printable ASCII without the characters that would end the address or the line in a command or header.
        let forbidden = Set("<>()[]\\,;:\" ".utf8)
        return a.utf8.allSatisfy { (33...126).contains($0) && !forbidden.contains($0) }
    }
}
