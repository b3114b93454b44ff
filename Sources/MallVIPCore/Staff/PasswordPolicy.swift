/// The one rule for staff passwords, checked wherever a password is set: the console's new-user form, the
/// change-password page, an admin's reset, `mallvip users create` and `reset-password` (issue 14). Only the plain
/// password passes through here; the store sees hashes.
public enum PasswordPolicy {
    public static let minimumLength = 12
    /// bcrypt reads only the first 72 bytes: a longer password would silently be cut.
    public static let maximumBytes = 72

    /// Throws `DomainError.invalid("password", …)` naming the rule broken: `password.length`, `password.common`
    /// (on the list, or a listed word with digits and symbols around it, a keyboard or alphabet run, too few distinct
    /// characters) or `password.username`.
    public static func check(_ password: String, username: String) throws {
        guard password.count >= minimumLength else {
            throw DomainError.invalid("password", "password.length", zh: "密码至少 \(minimumLength) 位",
                                      en: "the password must be at least \(minimumLength) characters")
        }
        guard password.utf8.count <= maximumBytes else {
            throw DomainError.invalid("password", "password.length", zh: "密码最长 \(maximumBytes) 字节",
                                      en: "the password may be at most \(maximumBytes) bytes long")
        }
        let lower = password.lowercased()
        let name = username.lowercased()
        let core = Self.core(lower)
        if !name.isEmpty, lower == name || core == name || core == String(name.reversed()) || lower.contains(name) && name.count >= 6 {
            throw DomainError.invalid("password", "password.username", zh: "密码不能是用户名或包含用户名",
                                      en: "the password may not be or contain the username")
        }
        if isCommon(lower) {
            throw DomainError.invalid("password", "password.common", zh: "密码太常见，容易被猜到，请换一个",
                                      en: "this password is too common and easily guessed; choose another")
        }
    }

    /// True for passwords on the list or built from it by the usual patterns.
    static func isCommon(_ lower: String) -> Bool {
        if CommonPasswords.set.contains(lower) { return true }
        // A listed word with digits, symbols or a year around it: Password2024!, !!qwerty123456.
        let core = Self.core(lower)
        if CommonPasswords.words.contains(core) || CommonPasswords.set.contains(core) { return true }
        // The same word twice (admin.admin.), or a word doubled with digits.
        if core.count.isMultiple(of: 2), core.prefix(core.count / 2) == core.suffix(core.count / 2),
           CommonPasswords.words.contains(String(core.prefix(core.count / 2))) { return true }
        // Too few distinct characters: aaaaaaaaaaaa, 121212121212, abcabcabcabc.
        if Set(lower).count < 5 { return true }
        // One run along the keyboard, the alphabet or the digits, either way: 1234567890-=, qwertyuiopas, zyxwvu…
        let runs = ["1234567890-=", "0123456789012345678901234567890", "abcdefghijklmnopqrstuvwxyz",
                    "qwertyuiop[]\\asdfghjkl;'zxcvbnm,./", "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
                    "1q2w3e4r5t6y7u8i9o0p", "qazwsxedcrfvtgbyhnujmikolp", "!@#$%^&*()_+", "zaq12wsxcde34rfvbgt56yhnmju78ik,.lo90p;/-["]
        for run in runs where run.contains(lower) || String(run.reversed()).contains(lower) { return true }
        return false
    }

    /// The password without the digits, symbols and spaces people put before and after a word.
    static func core(_ lower: String) -> String {
        let isDecoration: (Character) -> Bool = { !$0.isLetter }
        var s = Substring(lower)
        while let f = s.first, isDecoration(f) { s = s.dropFirst() }
        while let l = s.last, isDecoration(l) { s = s.dropLast() }
        return String(s)
    }

    /// A random temporary password (16 characters without look-alikes, about 92 bits) for first start and resets;
    /// it satisfies the policy and its holder must replace it at first sign-in.
    public static func temporary() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        while true {
            let p = String((0..<16).map { _ in alphabet.randomElement(using: &rng)! })
            if (try? check(p, username: "")) != nil { return p }
        }
    }
}
