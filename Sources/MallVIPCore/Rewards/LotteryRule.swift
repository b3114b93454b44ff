/// Lottery eligibility (docs/domain.md §5, the 003 plan: members whose points balance ends in "8" may take part in
/// the draw). The digit is the programme's (`redemption.lotteryDigit`, default 8). A balance of 0 or below never
/// qualifies, whatever the digit: "ends in 0" would otherwise admit everyone who has no points at all.
public enum LotteryRule {
    public static let defaultDigit = 8

    /// True when `balance` is positive and its last decimal digit is `digit` (8, 18, 1008 for digit 8; not 0, 80).
    public static func isEligible(balance: Int64, digit: Int) -> Bool {
        guard balance > 0, (0...9).contains(digit) else { return false }
        return balance % 10 == Int64(digit)
    }
}

extension Programme {
    /// `LotteryRule.isEligible` with this programme's digit (engineer 17C shows it on the member page).
    public func isLotteryEligible(balance: Int64) -> Bool {
        LotteryRule.isEligible(balance: balance, digit: redemption.lotteryDigit)
    }
}
