import Foundation

/// Header encodings for a 7-bit message: RFC 2047 encoded words for non-ASCII text, base64 bodies wrapped at 76.
enum MIMEHeader {
    /// Longest UTF-8 run per encoded word. 42 bytes give 56 base64 characters, so a word is 68 characters and
    /// `Subject: ` plus one word stays under the 78-character line the RFCs recommend; a multiple of 3 avoids padding.
    static let bytesPerWord = 42

    /// Free text (Subject): left alone when it is plain printable ASCII that cannot be mistaken for an encoded word,
    /// otherwise `=?UTF-8?B?…?=` words folded onto continuation lines.
    static func text(_ value: String) -> String {
        let flat = oneLine(value)
        return isPlainASCII(flat) ? flat : encodedWords(flat)
    }

    /// A display name: atoms as they are, a quoted string when it has specials, encoded words when not ASCII.
    static func phrase(_ value: String) -> String {
        let flat = oneLine(value)
        guard isPlainASCII(flat) else { return encodedWords(flat) }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ".utf8)
        if flat.utf8.allSatisfy({ atext.contains($0) }) { return flat }
        return "\"" + flat.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A header value is one line: a line break in the input would end the header (or start a forged one).
    static func oneLine(_ value: String) -> String {
        value.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            .joined(separator: " ")
    }

    static func isPlainASCII(_ value: String) -> Bool {
        value.utf8.allSatisfy({ (32...126).contains($0) }) && !value.contains("=?") && value.utf8.count <= 900
    }

    static func encodedWords(_ value: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in value.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            // Never split a character across words: each word must decode on its own.
            if chunk.count + bytes.count > bytesPerWord {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Base64 of the text in canonical form (CRLF line breaks, RFC 2045 §6.8), in lines of 76.
    static func base64Body(_ text: String) -> String {
        let canonical = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
        let encoded = Array(Data(canonical.utf8).base64EncodedString().utf8)
        var lines: [String] = []
        var i = 0
        while i < encoded.count {
            let end = min(i + 76, encoded.count)
            lines.append(String(decoding: encoded[i..<end], as: UTF8.self))
            i = end
        }
        return lines.joined(separator: "\r\n")
    }

    /// RFC 5322 date: `Fri, 20 Nov 2026 10:00:00 +0800`.
    static func date(_ date: Date, timeZone: TimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = timeZone
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return f.string(from: date)
    }
}
