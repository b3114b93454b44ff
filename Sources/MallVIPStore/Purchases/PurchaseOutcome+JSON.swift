/// The stored answer of a purchase, written by hand: JSONEncoder was a measurable share of a purchase post.
/// It is read back with JSONDecoder for replays; a test checks the round trip.
extension PurchaseOutcome {
    public var json: String {
        var out = "{"
        func key(_ k: String) { out += (out.utf8.count > 1 ? ",\"" : "\"") + k + "\":" }   // utf8.count: O(1); count walks the text
        key("basePoints"); out += String(basePoints)
        key("bonusPoints"); out += String(bonusPoints)
        key("businessDate"); out += jsonString(businessDate)
        if let cardNo { key("cardNo"); out += jsonString(cardNo) }
        key("eligibleFen"); out += String(eligibleFen)
        key("eligibleToEnrol"); out += eligibleToEnrol ? "true" : "false"
        key("factorPermille"); out += String(factorPermille)
        key("mall"); out += jsonString(mall)
        key("member"); out += member ? "true" : "false"
        key("multipliers"); out += "[" + multipliers.map(jsonString).joined(separator: ",") + "]"
        if let pointsBalance { key("pointsBalance"); out += String(pointsBalance) }
        key("pointsEarned"); out += String(pointsEarned)
        if let previousTier { key("previousTier"); out += jsonString(previousTier) }
        key("receiptNo"); out += jsonString(receiptNo)
        if let tier { key("tier"); out += jsonString(tier) }
        if let tierApprovalRequested { key("tierApprovalRequested"); out += jsonString(tierApprovalRequested) }
        key("tierChanged"); out += tierChanged ? "true" : "false"
        key("totalFen"); out += String(totalFen)
        return out + "}"
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
