import MallVIPCore
import Testing

@Suite("Referral codes") struct ReferralCodeTests {
    @Test("codes are 7 Crockford characters, distinct for 200,000 consecutive members, and neighbours look unrelated")
    func unique() {
        var seen = Set<String>()
        for id in Int64(1)...200_000 {
            let code = ReferralCode.forMember(id)
            #expect(code.count == 7)
            seen.insert(code)
        }
        #expect(seen.count == 200_000)
        #expect(seen.allSatisfy { $0.allSatisfy { "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains($0) } })
        let (a, b) = (ReferralCode.forMember(1000), ReferralCode.forMember(1001))
        #expect(zip(a, b).filter { $0 != $1 }.count >= 4)
    }

    @Test("typed codes are normalised: case, spaces and dashes, O for 0, I and L for 1; anything else is refused")
    func normalize() {
        let code = ReferralCode.forMember(42)
        #expect(ReferralCode.normalize(code.lowercased()) == code)
        #expect(ReferralCode.normalize(" " + code.prefix(3) + "-" + code.dropFirst(3) + " ") == code)
        #expect(ReferralCode.normalize("0O1IL23") == "0011123")
        #expect(ReferralCode.normalize("ABCDEFU") == nil)       // U is not in the alphabet
        #expect(ReferralCode.normalize("ABC") == nil)
        #expect(ReferralCode.normalize("") == nil)
    }
}
