import SQLKit

/// LIKE patterns built from what a user typed. `%` and `_` in the text are wildcards to the database, so a search
/// for "%" would match every row (issue 14): every LIKE on user text goes through here, which escapes them (and the
/// escape character itself) and appends `ESCAPE '\'`, read the same by SQLite and PostgreSQL.
public enum SQLLike {
    /// The text with `\`, `%` and `_` escaped by a backslash.
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            if ch == "\\" || ch == "%" || ch == "_" { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// `LIKE 'text%' ESCAPE '\'`: starts with `text`.
    public static func prefix(_ text: String) -> SQLQueryString {
        "LIKE \(bind: escaped(text) + "%") ESCAPE '\\'"
    }

    /// `LIKE '%text' ESCAPE '\'`: ends with `text`.
    public static func suffix(_ text: String) -> SQLQueryString {
        "LIKE \(bind: "%" + escaped(text)) ESCAPE '\\'"
    }

    /// `LIKE '%text%' ESCAPE '\'`: contains `text`.
    public static func contains(_ text: String) -> SQLQueryString {
        "LIKE \(bind: "%" + escaped(text) + "%") ESCAPE '\\'"
    }
}
