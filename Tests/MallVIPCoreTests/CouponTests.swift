import Foundation
import Testing
@testable import MallVIPCore

@Suite("Code 128")
struct Code128Tests {
    // References produced independently by python-barcode 0.15 (Code128, set B), start through stop, no quiet zone.
    @Test("encodes set B with start, checksum and stop as a reference encoder does", arguments: [
        ("Wikipedia", [104, 55, 73, 75, 73, 80, 69, 68, 73, 65, 88, 106],
         "11010010000111010001101000011010011000010010100001101001010011110010110010000100001001101000011010010010110000111100100101100011101011"),
        ("CP7K3M9QX2", [104, 35, 48, 23, 43, 19, 45, 25, 49, 56, 18, 32, 106],
         "1101001000010001000110111011101101110110111010110001110110010111001011101100011100101100110100011101110001011011001110010110001101101100011101011"),
    ])
    func reference(text: String, symbols: [Int], modules: String) {
        #expect(Code128.symbols(text) == symbols)
        #expect(Code128.modules(text) == modules)
    }

    @Test("checksum: start value plus position-weighted data values, modulo 103")
    func checksum() {
        // "Wikipedia": 104 + 55·1 + 73·2 + 75·3 + 73·4 + 80·5 + 69·6 + 68·7 + 73·8 + 65·9 = 3281 = 31·103 + 88.
        #expect(Code128.checksum([104, 55, 73, 75, 73, 80, 69, 68, 73, 65]) == 88)
        // "CP7K3M9QX2": 104 + 35 + 96 + 69 + 172 + 95 + 270 + 175 + 392 + 504 + 180 = 2092 = 20·103 + 32.
        #expect(Code128.checksum([104, 35, 48, 23, 43, 19, 45, 25, 49, 56, 18]) == 32)
        #expect(Code128.checksum([104]) == 1)
    }

    @Test("every symbol is 11 modules (stop 13), and widths alternate bar/space starting with a bar")
    func shape() throws {
        for (i, p) in Code128.patterns.enumerated() {
            #expect(p.reduce(0) { $0 + Int(String($1))! } == (i == 106 ? 13 : 11))
        }
        let w = try #require(Code128.widths("CP1"))
        #expect(w.count % 2 == 1)   // bar … bar
        let modules: Int = w.reduce(0, +)
        #expect(modules == 68)   // start, "C", "P", "1", checksum: 11 each; stop 13
    }

    @Test("characters outside printable ASCII cannot be encoded in set B")
    func outside() {
        #expect(Code128.symbols("券") == nil)
        #expect(Code128.symbols("A\nB") == nil)
    }
}

@Suite("Coupon codes, values and use checks")
struct CouponCoreTests {
    @Test("codes carry the prefix and Crockford characters of the configured length")
    func generate() {
        var rng = SplitMix64(seed: 7)
        let policy = CouponPolicy(codePrefix: "CP", codeLength: 10)
        let codes = (0..<200).map { _ in CouponCode.generate(policy, using: &rng) }
        for c in codes {
            #expect(c.hasPrefix("CP") && c.count == 12)
            #expect(c.dropFirst(2).allSatisfy { "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains($0) })
        }
        #expect(Set(codes).count == codes.count)
    }

    @Test("typed codes are normalised: case, separators, O→0 and I/L→1 in the random part")
    func normalize() {
        #expect(CouponCode.normalize("cp-7k3m 9qxo", prefix: "CP") == "CP7K3M9QX0")
        #expect(CouponCode.normalize("CPIL00", prefix: "CP") == "CP1100")
        #expect(CouponCode.normalize("CP7K#", prefix: "CP") == nil)
        #expect(CouponCode.normalize("", prefix: "CP") == nil)
    }

    @Test("face value is capped at the amount; a percentage rounds half up like other discounts", arguments: [
        (Int64?(5_000), Int?.none, Int64(30_000), Int64(5_000)),
        (5_000, nil, 3_000, 3_000),
        (nil, 880, 30_000, 3_600),     // 8.8折: 12% off
        (nil, 950, 999, 50),           // 5% of 9.99 = 0.4995 → payable 9.49 (949.05 rounds to 949), discount 50
        (nil, 500, 1, 0),              // payable rounds 0.5 up to 1 fen
    ])
    func value(face: Int64?, permille: Int?, amount: Int64, discount: Int64) {
        #expect(CouponValue(faceFen: face, discountPermille: permille).discount(onAmountFen: amount) == discount)
    }

    static let d = LocalDate(year: 2026, month: 3, day: 10)
    static func terms(status: CouponTerms.Status = .issued, member: Int64? = 7, counters: [String] = []) -> CouponTerms {
        CouponTerms(code: "CPX", status: status, memberId: member, value: CouponValue(faceFen: 5_000, discountPermille: nil),
                    minSpendFen: 20_000, validFrom: d, validTo: d.adding(days: 29), counterCodes: counters)
    }

    func rule(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let e as DomainError { return e.rule } catch { return "?" }
    }

    @Test("each refusal names its rule")
    func refusals() throws {
        let t = Self.terms()
        func use(_ t: CouponTerms, day: LocalDate = Self.d, counter: String = "C1", participates: Bool = true, amount: Int64 = 30_000,
                 member: Int64? = 7) -> String? {
            rule { _ = try t.checkUse(on: day, counter: counter, counterParticipates: participates, amountFen: amount, presentedMember: member) }
        }
        #expect(use(t) == nil)
        #expect(use(Self.terms(status: .used)) == "coupon.used")
        #expect(use(Self.terms(status: .void)) == "coupon.void")
        #expect(use(t, day: Self.d.adding(days: -1)) == "coupon.validity")
        #expect(use(t, day: Self.d.adding(days: 29)) == nil)
        #expect(use(t, day: Self.d.adding(days: 30)) == "coupon.validity")
        #expect(use(t, member: nil) == "coupon.member")
        #expect(use(t, member: 8) == "coupon.member")
        #expect(use(Self.terms(member: nil), member: nil) == nil)
        #expect(use(t, participates: false) == "coupon.counter")
        #expect(use(Self.terms(counters: ["C2"])) == "coupon.counter")
        #expect(use(Self.terms(counters: ["C2"]), counter: "C2", participates: false) == nil)
        #expect(use(t, amount: 19_999) == "coupon.minSpend")
        let ok = try t.checkUse(on: Self.d, counter: "C1", counterParticipates: true, amountFen: 20_000, presentedMember: 7)
        #expect(ok == CouponTerms.Use(discountFen: 5_000, payableFen: 15_000))
    }
}
