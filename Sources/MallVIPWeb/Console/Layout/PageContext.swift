import MallVIPCore
import MallVIPStore
import Vapor

/// What every console view needs besides its own model: language, who is signed in, the CSRF token.
struct PageContext: Sendable {
    var lang: UILanguage
    var user: StaffUser?
    var csrf: String
    /// The request's path: the member menu marks the page it is on.
    var path = ""

    init(lang: UILanguage, user: StaffUser?, csrf: String) {
        self.lang = lang
        self.user = user
        self.csrf = csrf
    }

    init(_ req: Request) {
        let s = req.storage[SessionKey.self]
        // Member pages (/m/) carry the member session's token instead.
        self.init(lang: req.lang, user: s?.user, csrf: s?.csrfToken ?? req.storage[MemberSessionKey.self]?.csrfToken ?? "")
        path = req.url.path
    }

    func t(_ zh: String, _ en: String) -> String { lang.t(zh, en) }
    func tier(_ code: String?, _ programme: Programme) -> String {
        guard let code else { return "—" }
        return programme.tier(code)?.name.text(lang) ?? code
    }
    var seesPersonalData: Bool { user?.role.seesPersonalData ?? false }
}
