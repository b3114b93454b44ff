import Testing
@testable import MallVIPCore

/// A valid 18-character ID for a 17-digit body, using the check character under test.
private func nationalID(_ body17: String) -> String { body17 + String(Identity.nationalIDCheck(body17)) }

@Suite("Identity: phones")
struct PhoneTests {
    @Test("mainland mobile numbers: 11 digits starting 1[3-9]", arguments: [
        "13800000001", "13912345678", "15000000000", "16600000000", "17700000000", "18612345678", "19900000000",
    ])
    func valid(phone: String) {
        #expect(Identity.isValidPhone(phone))
    }

    @Test("everything else is rejected", arguments: [
        "", "1380000000", "138000000012", "12800000001", "11800000001", "23800000001", "1380000000a", "+8613800000001",
        "138 0000 001", "１３８０００００００１",
    ])
    func invalid(phone: String) {
        #expect(!Identity.isValidPhone(phone))
    }
}

@Suite("Identity: national ID")
struct NationalIDTests {
    @Test("the check character follows ISO 7064 MOD 11-2")
    func knownExample() {
        #expect(Identity.nationalIDCheck("11010519491231002") == "X")
        #expect(Identity.isValidNationalID("11010519491231002X"))
        #expect(Identity.isValidNationalID("11010519491231002x"))     // lower-case x accepted
        #expect(!Identity.isValidNationalID("110105194912310021"))
    }

    @Test("computed IDs are valid; every other check character is not", arguments: [
        "11010519900307123", "31010419851120456", "44030520000229789", "51010719721010000", "65010219991231998",
    ])
    func computed(body: String) {
        let id = nationalID(body)
        #expect(id.count == 18)
        #expect(Identity.isValidNationalID(id))
        for wrong in "0123456789X" where wrong != id.last! {
            #expect(!Identity.isValidNationalID(body + String(wrong)))
        }
    }

    @Test("every check character occurs, including X")
    func allCheckCharacters() {
        var seen = Set<Character>()
        for n in 0..<200 {
            let body = "4403052000010" + String(format: "%04d", n)
            seen.insert(Identity.nationalIDCheck(body))
        }
        #expect(seen == Set("0123456789X"))
    }

    @Test("a single-digit typo in the body is detected")
    func typo() {
        let id = Array(nationalID("31010419851120456"))
        for position in 0..<17 {
            for digit in "0123456789" where digit != id[position] {
                var typo = id
                typo[position] = digit
                #expect(!Identity.isValidNationalID(String(typo)))
            }
        }
    }

    @Test("malformed IDs are rejected", arguments: [
        "", "11010519491231002", "11010519491231002XX", "1101051949123100X2", "A1010519491231002X", "110105194912310 2X",
    ])
    func malformed(id: String) {
        #expect(!Identity.isValidNationalID(id))
    }
}

@Suite("Identity: masks")
struct MaskTests {
    @Test("names keep the first character", arguments: [
        ("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "李*"), (" 王小明 ", "王**"), ("", "*"), ("Anna", "A***"),
    ])
    func names(name: String, masked: String) {
        #expect(Identity.maskName(name) == masked)
    }

    @Test("phones keep the first three and last four digits")
    func phones() {
        #expect(Identity.maskPhone("13800000001") == "138****0001")
        #expect(Identity.maskPhone("18612345678") == "186****5678")
        #expect(Identity.maskPhone("123456") == "******")
        #expect(Identity.maskPhone("1234567") == "123****4567")
        #expect(Identity.maskPhone("") == "")
    }

    @Test("national IDs keep the region and the last four")
    func nationalIDs() {
        #expect(Identity.maskNationalID("11010519491231002X") == "110105********002X")
        #expect(Identity.maskNationalID("123456789") == "*********")
        #expect(Identity.maskNationalID("1234567890") == "1234567890")
    }
}

@Suite("Identity: gender labels")
struct GenderTests {
    @Test("labels and greeting titles")
    func labels() {
        #expect(Gender.female.title.zh == "女士")
        #expect(Gender.male.title.zh == "先生")
        #expect(Gender.male.title.en == "Mr")
        #expect(Gender.unknown.title.zh.isEmpty)
        #expect(Gender.allCases.map(\.label.zh) == ["女", "男", "未知"])
    }
}
