import MallVIPCore

/// The console's language. Named apart from Plot's `Language` so both can be imported side by side.
public typealias UILanguage = MallVIPCore.Language

extension MallVIPCore.Language {
    /// Picks the text for this language: `lang.t("会员", "Members")`.
    func t(_ zh: String, _ en: String) -> String { self == .en ? en : zh }
}
