import Testing
@testable import MallVIPCore

@Suite("Card number policy") struct CardPolicyTests {
    @Test("the default programme numbers cards 88 + 9-digit serial + check digit")
    func defaultNumbers() {
        let n = Programme.defaultProgramme().cards.number(serial: 1)
        #expect(n == "880000000013")
        #expect(CardNumber.isValid(n))
    }

    @Test("a mall's own prefix and length come from the programme")
    func configured() throws {
        let yaml = Programme.defaultYAML().replacingOccurrences(of: "prefix: \"88\"", with: "prefix: \"6012\"")
            .replacingOccurrences(of: "serialDigits: 9", with: "serialDigits: 7")
        let n = try Programme.parse(yaml: yaml).cards.number(serial: 42)
        #expect(n.hasPrefix("60120000042"))
        #expect(n.count == 12)
        #expect(CardNumber.isValid(n))
    }

    @Test("a prefix that is not digits is refused with its path")
    func invalid() {
        let yaml = Programme.defaultYAML().replacingOccurrences(of: "prefix: \"88\"", with: "prefix: \"VIP\"")
        #expect(throws: ProgrammeInvalid.self) { try Programme.parse(yaml: yaml) }
        do { _ = try Programme.parse(yaml: yaml) } catch let e as ProgrammeInvalid {
            #expect(e.issues.map(\.path) == ["cards.prefix"])
        } catch { Issue.record(error) }
    }
}
