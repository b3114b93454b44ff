import Testing
@testable import MallVIPCore

@Suite("Money")
struct MoneyTests {
    @Test("parseYuan reads plain yuan amounts exactly into fen", arguments: [
        ("3000", Int64(300_000)),
        ("2999.99", 299_999),
        ("1,240.5", 124_050),
        ("1,240.50", 124_050),
        ("0.01", 1),
        ("0", 0),
        ("  559.00 ", 55_900),
        ("9.99", 999),
        ("10.1", 1_010),
        ("007", 700),
    ])
    func parseValid(text: String, fen: Int64) {
        #expect(Money.parseYuan(text) == fen)
    }

    @Test("parseYuan rejects what is not a non-negative decimal with at most two decimals", arguments: [
        "", "   ", "abc", "-5", "+5", "1.234", "1.", ".5", "1.2.3", "1e3", "12a", "1.-5", "１２", "1 000",
        "99999999999999999999",
    ])
    func parseInvalid(text: String) {
        #expect(Money.parseYuan(text) == nil)
    }

    @Test("parseYuan rejects amounts whose fen overflow Int64")
    func parseOverflow() {
        // 92,233,720,368,547,758.07 yuan is Int64.max fen; one more whole yuan overflows.
        #expect(Money.parseYuan("92233720368547758") == 9_223_372_036_854_775_800)
        #expect(Money.parseYuan("92233720368547759") == nil)
    }

    @Test("yuan formats fen with grouping and two decimals", arguments: [
        (Int64(0), "0.00"),
        (1, "0.01"),
        (10, "0.10"),
        (99, "0.99"),
        (100, "1.00"),
        (124_000, "1,240.00"),
        (299_999, "2,999.99"),
        (100_000_000, "1,000,000.00"),
        (12_345_678_901, "123,456,789.01"),
        (-124_050, "-1,240.50"),
        (-5, "-0.05"),
    ])
    func format(fen: Int64, text: String) {
        #expect(Money.yuan(fen) == text)
    }

    @Test("yuan without decimals drops the fen")
    func formatWhole() {
        #expect(Money.yuan(124_099, decimals: false) == "1,240")
        #expect(Money.yuan(99_900, decimals: false) == "999")
        #expect(Money.yuan(-100_000, decimals: false) == "-1,000")
    }

    @Test("yuan and parseYuan round-trip")
    func roundTrip() {
        for fen: Int64 in [0, 1, 9, 10, 99, 100, 101, 55_900, 299_999, 123_456_789] {
            #expect(Money.parseYuan(Money.yuan(fen)) == fen)
        }
    }

    @Test("yuanCeil rounds a shortfall up to whole yuan", arguments: [
        (Int64(124_000), "1,240"),
        (123_901, "1,240"),
        (1, "1"),
        (100, "1"),
        (101, "2"),
        (0, "0"),
        (-500, "0"),
        (100_000_000, "1,000,000"),
    ])
    func ceilYuan(fen: Int64, text: String) {
        #expect(Money.yuanCeil(fen) == text)
    }

    @Test("apply(permille:) takes the per-mille share, rounding half up to the fen")
    func applyPermille() {
        #expect(Money.apply(permille: 880, to: 100_000) == 88_000)
        #expect(Money.apply(permille: 800, to: 100_000) == 80_000)
        #expect(Money.apply(permille: 880, to: 80_000) == 70_400)      // 8折 then 8.8折: 1,000 → 704
        #expect(Money.apply(permille: 1000, to: 12_345) == 12_345)
        #expect(Money.apply(permille: 880, to: 1) == 1)                // 0.88 fen → 1
        #expect(Money.apply(permille: 880, to: 5) == 4)                // 4.4 fen → 4
        #expect(Money.apply(permille: 500, to: 1) == 1)                // 0.5 fen rounds up
        #expect(Money.apply(permille: 500, to: 3) == 2)                // 1.5 → 2
        #expect(Money.apply(permille: 950, to: 9_999) == 9_499)        // 9,499.05 → 9,499
        #expect(Money.apply(permille: 0, to: 9_999) == 0)
    }
}

@Suite("Zhe (折)")
struct ZheTests {
    @Test("parse reads 折 as per mille paid", arguments: [
        ("8.8", 880), ("8", 800), ("9.55", 955), ("10", 1000), ("8.8折", 880), (" 9 ", 900), ("0.01", 1), ("9.5折", 950),
    ])
    func parseValid(text: String, permille: Int) {
        #expect(Zhe.parse(text) == permille)
    }

    @Test("parse rejects out-of-range and malformed discounts", arguments: [
        "12", "10.01", "0", "0.00", "-8", "abc", "8.888", "折",
    ])
    func parseInvalid(text: String) {
        #expect(Zhe.parse(text) == nil)
    }

    @Test("format writes per mille back as 折", arguments: [
        (880, "8.8折"), (800, "8折"), (955, "9.55折"), (950, "9.5折"), (1000, "无折扣"), (1200, "无折扣"), (5, "0.05折"),
    ])
    func format(permille: Int, text: String) {
        #expect(Zhe.format(permille) == text)
    }

    @Test("format and parse round-trip")
    func roundTrip() {
        for p in [1, 5, 50, 85, 500, 800, 850, 880, 900, 950, 955, 999] {
            #expect(Zhe.parse(Zhe.format(p)) == p)
        }
    }
}

@Suite("Money edge cases")
struct MoneyEdgeTests {
    @Test("parseYuan returns nil instead of trapping when the fen part overflows Int64")
    func fenOverflow() {
        #expect(Money.parseYuan("92233720368547758.07") == Int64.max)
        #expect(Money.parseYuan("92233720368547758.08") == nil)
        #expect(Money.parseYuan("92233720368547758.99") == nil)
    }
}
