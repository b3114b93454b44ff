#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What an import file is written in. `auto` reads a byte-order mark, else takes UTF-8 when the text is valid UTF-8
/// and GB18030 (the superset of GBK that Excel writes on Chinese Windows) when it is not.
public enum ImportEncoding: String, Sendable, CaseIterable {
    case auto, utf8, gb18030
}

/// Turns a file's bytes, chunk by chunk, into UTF-8: a file of any size is read in a few megabytes. GB18030 and
/// UTF-16 go through iconv (in the C library on Linux; Foundation there may not know GB18030).
public final class ImportTextDecoder {
    /// What was found: `utf8`, `utf8-bom`, `gb18030`, `utf16le`, `utf16be`; nil until the first non-ASCII byte
    /// (a file of plain ASCII is both UTF-8 and GB18030, and reads the same either way).
    public private(set) var detected: String?
    private let choice: ImportEncoding
    private var sawStart = false
    private var mode: Mode = .undecided
    private var converter: IconvConverter?
    private var held: [UInt8] = []
    private var validator = UTF8Validator()
    /// Bytes of the file consumed so far, for error messages.
    private var offset = 0

    private enum Mode { case undecided, utf8, iconv }

    public init(_ choice: ImportEncoding) {
        self.choice = choice
    }

    /// The UTF-8 text of `chunk` (and of bytes held back from the chunk before). `final`: no more bytes follow.
    public func decode(_ chunk: [UInt8], final: Bool) throws -> [UInt8] {
        var bytes = held + chunk
        held = []
        if !sawStart {
            // A byte-order mark may straddle chunks only in a file shorter than it; wait for four bytes.
            if bytes.count < 4 && !final { held = bytes; return [] }
            sawStart = true
            try start(&bytes)
        }
        let consumedBefore = offset
        offset += bytes.count
        switch mode {
        case .undecided:
            guard let firstHigh = bytes.firstIndex(where: { $0 >= 0x80 }) else { return bytes }
            // Decide on this chunk: valid UTF-8 (allowing a sequence cut at the chunk's end) or GB18030.
            var probe = UTF8Validator()
            let utf8OK = probe.feed(bytes[firstHigh...], final: final) == nil
            if utf8OK {
                mode = .utf8
                detected = "utf8"
                return try passUTF8(bytes, final: final, base: consumedBefore)
            }
            mode = .iconv
            detected = "gb18030"
            converter = try IconvConverter(from: "GB18030")
            return try convert(bytes, final: final, base: consumedBefore)
        case .utf8:
            return try passUTF8(bytes, final: final, base: consumedBefore)
        case .iconv:
            return try convert(bytes, final: final, base: consumedBefore)
        }
    }

    private func start(_ bytes: inout [UInt8]) throws {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes.removeFirst(3)
            offset += 3
            mode = .utf8
            detected = "utf8-bom"
        } else if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let le = bytes[0] == 0xFF
            bytes.removeFirst(2)
            offset += 2
            mode = .iconv
            detected = le ? "utf16le" : "utf16be"
            converter = try IconvConverter(from: le ? "UTF-16LE" : "UTF-16BE")
        } else {
            switch choice {
            case .auto: mode = .undecided
            case .utf8: mode = .utf8; detected = "utf8"
            case .gb18030:
                mode = .iconv
                detected = "gb18030"
                converter = try IconvConverter(from: "GB18030")
            }
        }
    }

    private func passUTF8(_ bytes: [UInt8], final: Bool, base: Int) throws -> [UInt8] {
        if let bad = validator.feed(bytes[...], final: final) {
            throw DomainError.invalid("file", "import.encoding",
                zh: "文件不是有效的 UTF-8（第 \(base + bad + 1) 字节）；如为 Excel 导出的 GBK 文件，请用 --encoding gb18030",
                en: "the file is not valid UTF-8 (byte \(base + bad + 1)); if Excel saved it as GBK, use --encoding gb18030")
        }
        // Hold back a sequence cut at the chunk's end so that no character is split between two chunks.
        let keep = final ? 0 : validator.pendingCount
        if keep > 0 {
            validator.dropPending()
            held = Array(bytes.suffix(keep))
            offset -= keep
            return Array(bytes.dropLast(keep))
        }
        return bytes
    }

    private func convert(_ bytes: [UInt8], final: Bool, base: Int) throws -> [UInt8] {
        let (out, rest, bad) = converter!.convert(bytes)
        if let bad {
            throw DomainError.invalid("file", "import.encoding",
                zh: "文件无法按 \(detected ?? "GB18030") 解码（第 \(base + bad + 1) 字节）",
                en: "the file cannot be decoded as \(detected ?? "GB18030") (byte \(base + bad + 1))")
        }
        if !rest.isEmpty {
            if final {
                throw DomainError.invalid("file", "import.encoding",
                    zh: "文件在一个字符中间结束（\(detected ?? "")）", en: "the file ends in the middle of a character (\(detected ?? ""))")
            }
            held = rest
            offset -= rest.count
        }
        return out
    }
}

/// Checks UTF-8 incrementally: `feed` returns the offset (in that slice) of the first invalid byte, or nil.
struct UTF8Validator {
    /// Continuation bytes still expected, and the bounds the next byte must fall in (overlongs, surrogates).
    private var need = 0
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF
    /// Bytes of an unfinished sequence at the end of the last slice fed.
    private(set) var pendingCount = 0

    /// Forgets an unfinished sequence whose bytes the caller will feed again with the next slice.
    mutating func dropPending() {
        need = 0
        pendingCount = 0
        lower = 0x80
        upper = 0xBF
    }

    mutating func feed(_ bytes: ArraySlice<UInt8>, final: Bool) -> Int? {
        var i = bytes.startIndex
        let base = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if need == 0 {
                if b < 0x80 { i += 1; continue }
                pendingCount = 0
                switch b {
                case 0xC2...0xDF: need = 1; lower = 0x80; upper = 0xBF
                case 0xE0: need = 2; lower = 0xA0; upper = 0xBF
                case 0xE1...0xEC, 0xEE, 0xEF: need = 2; lower = 0x80; upper = 0xBF
                case 0xED: need = 2; lower = 0x80; upper = 0x9F
                case 0xF0: need = 3; lower = 0x90; upper = 0xBF
                case 0xF1...0xF3: need = 3; lower = 0x80; upper = 0xBF
                case 0xF4: need = 3; lower = 0x80; upper = 0x8F
                default: return i - base
                }
                pendingCount = 1
            } else {
                guard b >= lower && b <= upper else { return i - base }
                lower = 0x80; upper = 0xBF
                need -= 1
                pendingCount = need == 0 ? 0 : pendingCount + 1
            }
            i += 1
        }
        if need > 0 && final { return bytes.count - pendingCount }
        if need == 0 { pendingCount = 0 }
        return nil
    }
}

extension ImportTextDecoder {
    /// `text` in another encoding ("GB18030", "UTF-16LE"): what Excel on Chinese Windows writes, for tests and sample files.
    public static func encode(_ text: String, as encoding: String) throws -> [UInt8] {
        let (out, rest, bad) = try IconvConverter(from: "UTF-8", to: encoding).convert(Array(text.utf8))
        guard bad == nil, rest.isEmpty else {
            throw DomainError.invalid("text", "import.encoding", zh: "无法转换为 \(encoding)", en: "cannot be written in \(encoding)")
        }
        return out
    }
}

/// A thin wrapper over iconv(3), by default into UTF-8.
final class IconvConverter {
    private let handle: iconv_t

    init(from encoding: String, to target: String = "UTF-8") throws {
        let h = iconv_open(target, encoding)
        guard let h, Int(bitPattern: h) != -1 else {
            throw DomainError.invalid("file", "import.encoding", zh: "系统不支持编码 \(encoding)（iconv）",
                                      en: "this system's iconv cannot decode \(encoding)")
        }
        handle = h
    }

    deinit { iconv_close(handle) }

    /// Converts as much as possible: the UTF-8 out, the bytes of an incomplete sequence left at the end, and the
    /// offset of an invalid byte (nil when none).
    func convert(_ input: [UInt8]) -> (out: [UInt8], rest: [UInt8], invalidAt: Int?) {
        guard !input.isEmpty else { return ([], [], nil) }
        var out = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var produced = 0
        var consumed = 0
        var src = input   // iconv wants a mutable pointer; it does not write through it
        while consumed < input.count {
            let result: (Int, Int, Int32) = src.withUnsafeMutableBufferPointer { inBuf in
                out.withUnsafeMutableBufferPointer { outBuf in
                    var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress! + consumed)
                        .assumingMemoryBound(to: CChar.self)
                    var inLeft = input.count - consumed
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress! + produced)
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuf.count - produced
                    let r = iconv(handle, &inPtr, &inLeft, &outPtr, &outLeft)
                    let err: Int32 = r == -1 ? errno : 0
                    return (input.count - consumed - inLeft, outBuf.count - produced - outLeft, err)
                }
            }
            consumed += result.0
            produced += result.1
            switch result.2 {
            case 0: break
            case E2BIG: out.append(contentsOf: [UInt8](repeating: 0, count: out.count))
            case EINVAL: return (Array(out[0..<produced]), Array(input[consumed...]), nil)
            default: return (Array(out[0..<produced]), [], consumed)
            }
        }
        return (Array(out[0..<produced]), [], nil)
    }
}
