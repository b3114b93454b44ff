/// The stored answer of a purchase, written by hand: JSONEncoder was a measurable share of a purchase post.
/// It is read back with JSONDecoder for replays; a test checks the round trip.
extension PurchaseOutcome {
    public var json: String {
        // One buffer, appended in place (no temporary strings per key or value): the answer of every post.
        var out = "{"
        out.reserveCapacity(320 + receiptNo.utf8.count + mall.utf8.count)
        var first = true
        func key(_ k: String) {   // literals: immortal strings, appended without a copy of their own
            if first { first = false } else { out += "," }
            out += "\""
            out += k
            out += "\":"
        }
        func bool(_ b: Bool) { out += b ? "true" : "false" }
        key("basePoints"); out += String(basePoints)
        key("bonusPoints"); out += String(bonusPoints)
        key("businessDate"); appendJSONString(businessDate, to: &out)
        if let cardNo { key("cardNo"); appendJSONString(cardNo, to: &out) }
        key("eligibleFen"); out += String(eligibleFen)
        key("eligibleToEnrol"); bool(eligibleToEnrol)
        key("factorPermille"); out += String(factorPermille)
        key("mall"); appendJSONString(mall, to: &out)
        key("member"); bool(member)
        key("multipliers"); out += "["
        for (i, m) in multipliers.enumerated() {
            if i > 0 { out += "," }
            appendJSONString(m, to: &out)
        }
        out += "]"
        if let pointsBalance { key("pointsBalance"); out += String(pointsBalance) }
        key("pointsEarned"); out += String(pointsEarned)
        if let previousTier { key("previousTier"); appendJSONString(previousTier, to: &out) }
        key("receiptNo"); appendJSONString(receiptNo, to: &out)
        if let tier { key("tier"); appendJSONString(tier, to: &out) }
        if let tierApprovalRequested { key("tierApprovalRequested"); appendJSONString(tierApprovalRequested, to: &out) }
        key("tierChanged"); bool(tierChanged)
        key("totalFen"); out += String(totalFen)
        out += "}"
        return out
    }
}

/// `jsonString(s)` appended to `out`; a string with nothing to escape (the usual case) is appended whole.
func appendJSONString(_ s: String, to out: inout String) {
    if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
        out += "\""
        out += s
        out += "\""
    } else {
        out += jsonString(s)
    }
}

/// A JSON string literal: quotes, backslashes and control characters escaped; everything else as UTF-8.
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
