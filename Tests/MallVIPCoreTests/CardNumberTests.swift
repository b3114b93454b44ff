import Testing
@testable import MallVIPCore

@Suite("Card numbers")
struct CardNumberTests {
    @Test("make: prefix, zero-padded serial, Luhn check digit")
    func make() {
        #expect(CardNumber.make(serial: 1) == "880000000013")
        let n = CardNumber.make(prefix: "66", serial: 12_345, width: 6)
        #expect(n.count == 2 + 6 + 1)
        #expect(n.hasPrefix("66012345"))
        #expect(CardNumber.isValid(n))
        // A serial longer than the width is kept whole.
        let long = CardNumber.make(prefix: "8", serial: 1_234_567, width: 3)
        #expect(long.hasPrefix("81234567"))
        #expect(long.count == 9)
        #expect(CardNumber.isValid(long))
    }

    @Test("the textbook Luhn example")
    func textbook() {
        #expect(CardNumber.checkDigit("7992739871") == 3)
        #expect(CardNumber.isValid("79927398713"))
        #expect(!CardNumber.isValid("79927398710"))
        #expect(CardNumber.isValid("4539148803436467"))   // a well-known valid test number
    }

    @Test("every made number is valid", arguments: [Int64(0), 1, 7, 42, 999, 100_000, 123_456_789, 999_999_999])
    func madeAreValid(serial: Int64) {
        let number = CardNumber.make(serial: serial)
        #expect(number.count == 12)
        #expect(CardNumber.isValid(number))
    }

    @Test("a single-digit typo anywhere is detected")
    func singleDigitTypo() {
        for serial: Int64 in [1, 2_026, 31_415_926, 999_999_999] {
            let number = Array(CardNumber.make(serial: serial))
            for position in number.indices {
                for digit in "0123456789" where digit != number[position] {
                    var typo = number
                    typo[position] = digit
                    #expect(!CardNumber.isValid(String(typo)), "\(String(typo)) should be caught")
                }
            }
        }
    }

    @Test("most adjacent transpositions are detected")
    func transposition() {
        let number = Array(CardNumber.make(serial: 123_456_789))
        for i in 0..<(number.count - 1) where number[i] != number[i + 1] {
            let pair = String([number[i], number[i + 1]])
            guard pair != "09" && pair != "90" else { continue }   // the one swap Luhn cannot see
            var swapped = number
            swapped.swapAt(i, i + 1)
            #expect(!CardNumber.isValid(String(swapped)))
        }
    }

    @Test("malformed numbers are rejected", arguments: ["", "0", "8800000000l3", "88000000001 3", "88-0000000013", "８８０"])
    func malformed(number: String) {
        #expect(!CardNumber.isValid(number))
    }

    @Test("check digits are 0…9 and all-zero bodies check to 0")
    func checkDigitRange() {
        #expect(CardNumber.checkDigit("0000") == 0)
        #expect(CardNumber.isValid("00"))
        for serial: Int64 in 0..<200 {
            let body = "88" + String(serial)
            #expect((0...9).contains(CardNumber.checkDigit(body)))
        }
    }

    @Test("card states have labels in both languages")
    func states() {
        #expect(CardState.allCases.count == 5)
        for state in CardState.allCases {
            #expect(!state.label.zh.isEmpty)
            #expect(!state.label.en.isEmpty)
        }
        #expect(CardState.lost.label.zh == "挂失")
        #expect(CardState(rawValue: "inactive") == .inactive)
    }
}
