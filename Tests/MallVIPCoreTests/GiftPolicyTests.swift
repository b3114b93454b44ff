import MallVIPCore
import Testing

/// Issue 18, gifts with a record: the programme key `gifts`, its bounds, and the pure schedule (which period is due).
@Suite("Gift policy") struct GiftPolicyTests {
    @Test("the shipped programme has the seeds' five gifts; the YAML and the built-in defaults agree")
    func defaults() throws {
        let p = Programme.defaultProgramme()
        #expect(p.gifts.items.map(\.kind) == [.birthday, .quarterly, .returnGift, .eventSouvenir, .activation])
        #expect(p.gifts == GiftPolicy())
        #expect(p.gifts.item("quarterly")?.tiers == ["diamond", "purple"])
        #expect(p.gifts.item("birthday")?.costFen == 3_000)
        #expect(p.gifts.item("returnGift")?.from == MonthDayText(month: 11, day: 1))
        #expect(p.validate().isEmpty)
        // A programme without `gifts` gets the defaults; an empty list means no gifts.
        let without = Programme.defaultYAML().components(separatedBy: "\n# Gifts with a record")[0]
        #expect(try Programme.parse(yaml: without).gifts == GiftPolicy())
        let none = without + "\ngifts:\n  items: []\n"
        #expect(try Programme.parse(yaml: none).gifts.items.isEmpty)
    }

    @Test("bounds are validated and named by their YAML path")
    func validation() throws {
        func paths(_ change: (inout GiftDefinition) -> Void) -> [String] {
            var p = Programme.defaultProgramme()
            change(&p.gifts.items[0])
            return p.validate().map(\.path)
        }
        #expect(paths { $0.validityDays = 0 } == ["gifts.items[0].validityDays"])
        #expect(paths { $0.validityDays = 367 } == ["gifts.items[0].validityDays"])
        #expect(paths { $0.costFen = -1 } == ["gifts.items[0].cost"])
        #expect(paths { $0.stock = -1 } == ["gifts.items[0].stock"])
        #expect(paths { $0.birthdayDaysAround = 32 } == ["gifts.items[0].birthdayDaysAround"])
        #expect(paths { $0.code = "a b" } == ["gifts.items[0].code"])
        #expect(paths { $0.code = "quarterly" } == ["gifts.items[1].code"])
        #expect(paths { $0.from = MonthDayText(month: 1, day: 1) } == ["gifts.items[0].from"])
        #expect(paths { $0.birthdayDaysAround = 31; $0.stock = 1_000_000 }.isEmpty)
        var p = Programme.defaultProgramme()
        p.gifts.items[2].to = MonthDayText(month: 10, day: 1)
        #expect(p.validate().map(\.path) == ["gifts.items[2].to"])
        #expect(throws: (any Error).self) {
            try Programme.parse(yaml: Programme.defaultYAML().replacingOccurrences(of: #"from: "11-01""#, with: #"from: "13-01""#))
        }
    }

    @Test("birthday: the birthday month, or from N days before through N days after, across the new year")
    func birthday() {
        let month = GiftDefinition(code: "b", kind: .birthday, name: .init(zh: "生日", en: "Birthday"))
        let may = MonthDay(month: 5, day: 20)
        #expect(GiftSchedule.birthdayPeriod(month, birthday: may, on: LocalDate(year: 2026, month: 5, day: 1)) == "2026")
        #expect(GiftSchedule.birthdayPeriod(month, birthday: may, on: LocalDate(year: 2026, month: 6, day: 1)) == nil)
        var days = month
        days.birthdayDaysAround = 7
        let jan2 = MonthDay(month: 1, day: 2)
        #expect(GiftSchedule.birthdayPeriod(days, birthday: jan2, on: LocalDate(year: 2026, month: 12, day: 26)) == "2027")
        #expect(GiftSchedule.birthdayPeriod(days, birthday: jan2, on: LocalDate(year: 2026, month: 12, day: 25)) == nil)
        #expect(GiftSchedule.birthdayPeriod(days, birthday: jan2, on: LocalDate(year: 2027, month: 1, day: 9)) == "2027")
        #expect(GiftSchedule.birthdayPeriod(days, birthday: jan2, on: LocalDate(year: 2027, month: 1, day: 10)) == nil)
        // 29 February in a common year is celebrated on the 28th.
        days.birthdayDaysAround = 0
        #expect(GiftSchedule.birthdayPeriod(days, birthday: MonthDay(month: 2, day: 29), on: LocalDate(year: 2027, month: 2, day: 28)) == "2027")
    }

    @Test("quarters, the return gift's range, and the last valid day")
    func periods() {
        #expect(GiftSchedule.quarterKey(LocalDate(year: 2026, month: 3, day: 31)) == "2026Q1")
        #expect(GiftSchedule.quarterKey(LocalDate(year: 2026, month: 4, day: 1)) == "2026Q2")
        #expect(GiftSchedule.quarterKey(LocalDate(year: 2026, month: 12, day: 31)) == "2026Q4")
        let r = GiftPolicy().item("returnGift")!
        #expect(GiftSchedule.returnGiftPeriod(r, on: LocalDate(year: 2026, month: 10, day: 31)) == nil)
        #expect(GiftSchedule.returnGiftPeriod(r, on: LocalDate(year: 2026, month: 11, day: 1)) == "2026")
        #expect(GiftSchedule.returnGiftPeriod(r, on: LocalDate(year: 2026, month: 11, day: 30)) == "2026")
        #expect(GiftSchedule.returnGiftPeriod(r, on: LocalDate(year: 2026, month: 12, day: 1)) == nil)
        // 30 validity days from 25 November would reach 24 December: the range ends it on 30 November.
        #expect(GiftSchedule.validUntil(r, issued: LocalDate(year: 2026, month: 11, day: 25)) == LocalDate(year: 2026, month: 11, day: 30))
        let b = GiftPolicy().item("birthday")!
        #expect(GiftSchedule.validUntil(b, issued: LocalDate(year: 2026, month: 11, day: 25)) == LocalDate(year: 2026, month: 12, day: 25))
    }

    @Test("describe(for:) lists a tier's gifts in both languages, for the handbook")
    func describe() {
        let g = GiftPolicy()
        #expect(g.describe(for: "diamond").map(\.code) == ["birthday", "quarterly", "returnGift", "eventSouvenir", "activation"])
        #expect(g.describe(for: "regular").map(\.code) == ["birthday", "returnGift", "eventSouvenir", "activation"])
        let q = g.describe(for: "purple")[1]
        #expect(q.name.zh == "季度礼品" && q.when.zh == "每季度一份" && q.when.en == "once a quarter")
    }
}
