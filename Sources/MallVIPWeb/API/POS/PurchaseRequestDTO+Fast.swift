import Vapor

/// The purchase body read without Foundation's JSONDecoder, for the plain shape every till sends (issue 15, part c:
/// JSONDecoder was 8 % of serve's CPU per purchase, the largest item of our own after SQLite's). Anything not plainly
/// that shape — an unknown or repeated key, an escape or a non-ASCII byte in a string, a number that is not a plain
/// integer, a missing field, a null where a value is needed, another content type — gives nil, and the caller decodes
/// with JSONDecoder as before, so every error answer (the field's JSON path and the rule) stays exactly what it was.
/// Whatever this returns, JSONDecoder returns too for the same bytes (PurchaseFastDecodeTests holds the two together).
extension PurchaseRequestDTO {
    static func fastDecode(_ req: Request) -> PurchaseRequestDTO? {
        guard let type = req.headers.first(name: .contentType), isPlainJSON(type), let body = req.body.data else { return nil }
        return body.withUnsafeReadableBytes { fastDecode(bytes: $0) }
    }

    /// `application/json`, alone or with `charset=utf-8`, spelled as tills send it. Compared as bytes: Vapor's
    /// `headers.contentType` parses the header with Foundation (3.6 % of serve's CPU per purchase in perf); any other
    /// spelling takes the full path, which parses it.
    static func isPlainJSON(_ type: String) -> Bool {
        let u = type.utf8, json = "application/json".utf8
        guard u.starts(with: json) else { return false }
        let rest = u.dropFirst(json.count)
        return rest.isEmpty || rest.elementsEqual("; charset=utf-8".utf8) || rest.elementsEqual(";charset=utf-8".utf8)
            || rest.elementsEqual("; charset=UTF-8".utf8)
    }

    static func fastDecode(bytes: UnsafeRawBufferPointer) -> PurchaseRequestDTO? {
        var p = FastJSON(bytes: bytes)
        var receiptNo: String?, occurredAt: String?, card: String??, phone: String??, lines: [PurchaseLineDTO]?
        guard p.objectStart() else { return nil }
        var more = p.objectFirst()
        while more {
            guard let key = p.key() else { return nil }
            switch key {
            case "receiptNo" where receiptNo == nil: guard let v = p.string() else { return nil }; receiptNo = v
            case "occurredAt" where occurredAt == nil: guard let v = p.string() else { return nil }; occurredAt = v
            case "card" where card == nil: guard let v = p.optionalString() else { return nil }; card = .some(v)
            case "phone" where phone == nil: guard let v = p.optionalString() else { return nil }; phone = .some(v)
            case "lines" where lines == nil: guard let v = p.lines() else { return nil }; lines = v
            default: return nil
            }
            guard let next = p.objectNext() else { return nil }
            more = next
        }
        guard p.atEnd(), let receiptNo, let occurredAt, let lines else { return nil }
        return PurchaseRequestDTO(receiptNo: receiptNo, occurredAt: occurredAt, card: card ?? nil, phone: phone ?? nil, lines: lines)
    }
}

extension PurchaseLineDTO {
    init(counter: String, amountFen: Int64, specialPrice: Bool?) {
        self.counter = counter
        self.amountFen = amountFen
        self.specialPrice = specialPrice
    }
}

/// A cursor over JSON bytes that accepts only the plain forms above; every method returns nil (or false) to give up.
private struct FastJSON {
    let bytes: UnsafeRawBufferPointer
    var i = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }
    mutating func take(_ c: UInt8) -> Bool {
        skipSpace()
        guard i < bytes.count, bytes[i] == c else { return false }
        i += 1
        return true
    }
    mutating func literal(_ word: StaticString) -> Bool {
        skipSpace()
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { return false }
        for k in 0..<n where bytes[i + k] != word.utf8Start[k] { return false }
        i += n
        return true
    }
    mutating func objectStart() -> Bool { take(UInt8(ascii: "{")) }
    /// After `{`: true when a member follows, false for `{}`.
    mutating func objectFirst() -> Bool { !take(UInt8(ascii: "}")) }
    /// After a member: true when another follows (`,`), false at `}`, nil otherwise.
    mutating func objectNext() -> Bool? {
        if take(UInt8(ascii: ",")) { return true }
        if take(UInt8(ascii: "}")) { return false }
        return nil
    }
    mutating func key() -> String? {
        guard let k = string(), take(UInt8(ascii: ":")) else { return nil }
        return k
    }
    /// A string of printable ASCII without escapes.
    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            guard b >= 0x20, b < 0x80, b != UInt8(ascii: "\\") else { return nil }
            i += 1
        }
        return nil
    }
    /// A string or null: `.some(nil)` for null.
    mutating func optionalString() -> String?? {
        if literal("null") { return .some(nil) }
        return string().map { .some($0) }
    }
    /// A plain integer (`-`? digits, no leading zero before another digit), within Int64.
    mutating func integer() -> Int64? {
        skipSpace()
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        let start = i
        var value: Int64 = 0
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let d = Int64(bytes[i] - UInt8(ascii: "0"))
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
            guard !o1, !o2 else { return nil }
            value = s
            i += 1
        }
        let digits = i - start
        guard digits > 0, !(digits > 1 && bytes[start] == UInt8(ascii: "0")) else { return nil }
        // A fraction or exponent follows: not a plain integer (JSONDecoder decides what it is).
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") { return nil }
        return value
    }
    mutating func optionalBool() -> Bool?? {
        if literal("true") { return .some(true) }
        if literal("false") { return .some(false) }
        if literal("null") { return .some(nil) }
        return nil
    }
    mutating func lines() -> [PurchaseLineDTO]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var out: [PurchaseLineDTO] = []
        if take(UInt8(ascii: "]")) { return out }
        repeat {
            guard let line = line() else { return nil }
            out.append(line)
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "]")) else { return nil }
        return out
    }
    mutating func line() -> PurchaseLineDTO? {
        guard objectStart() else { return nil }
        var counter: String?, amount: Int64?, special: Bool??
        var more = objectFirst()
        while more {
            guard let k = key() else { return nil }
            switch k {
            case "counter" where counter == nil: guard let v = string() else { return nil }; counter = v
            case "amountFen" where amount == nil: guard let v = integer() else { return nil }; amount = v
            case "specialPrice" where special == nil: guard let v = optionalBool() else { return nil }; special = .some(v)
            default: return nil
            }
            guard let next = objectNext() else { return nil }
            more = next
        }
        guard let counter, let amount else { return nil }
        return PurchaseLineDTO(counter: counter, amountFen: amount, specialPrice: special ?? nil)
    }
    mutating func atEnd() -> Bool {
        skipSpace()
        return i == bytes.count
    }
}
