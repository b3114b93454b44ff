import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

/// Regular-customer conversion (docs/domain.md §9.3) through the store: registration, the monthly invite list from purchases
/// matched by phone, the conversion credited at enrolment, and the weekly department award.
@Suite("Regular-customer conversion") struct ConversionTests {
    @Test("registering: phone format, one registration per phone, never a member's phone; nothing written on refusal")
    func register() async throws {
        try await withTestApp { t in
            let w = try await t.conversionWorld()
            let id = try await t.store.registerProspect(phone: "13900000001", name: "王女士", counterId: w.c2, actor: "test")
            let p = try #require(try await t.store.prospect(id: id))
            #expect(p.counterCode == "C0002")
            #expect(p.departmentId == w.d2)
            #expect(p.name == "王女士")
            #expect(p.memberId == nil)

            await #expect { try await t.store.registerProspect(phone: "1390000", name: nil, counterId: w.c1, actor: "test") } throws: {
                ($0 as? DomainError)?.field == "phone" && ($0 as? DomainError)?.rule == "phone.format"
            }
            await #expect { try await t.store.registerProspect(phone: "13900000001", name: nil, counterId: w.c1, actor: "test") } throws: {
                ($0 as? DomainError)?.rule == "prospect.phone.unique" && ($0 as? DomainError)?.kind == .conflict
            }
            _ = try await t.enrolMember(phone: "13800000009")
            await #expect { try await t.store.registerProspect(phone: "13800000009", name: nil, counterId: w.c1, actor: "test") } throws: {
                ($0 as? DomainError)?.rule == "prospect.member"
            }
            await #expect { try await t.store.registerProspect(phone: "13900000002", name: nil, counterId: 9_999, actor: "test") } throws: {
                ($0 as? DomainError)?.field == "counterId"
            }
            #expect(try await t.conversionCount("prospects") == 1)
        }
    }

    @Test("invite list: 2 purchase days or 500 yuan in the calendar month; several purchases on one day count once")
    func inviteRule() async throws {
        try await withTestApp(now: shanghai(2026, 11, 25, 10)) { t in
            let w = try await t.conversionWorld()
            for (phone, counter) in [("13900000001", w.c1), ("13900000002", w.c1), ("13900000003", w.c2), ("13900000004", w.c1), ("13900000005", w.c2)] {
                try await t.store.registerProspect(phone: phone, name: nil, counterId: counter, actor: "test")
            }
            // 1: two days this month → invite. 2: three purchases on one day, 300 yuan → not yet.
            // 3: one 500-yuan purchase → invite. 4: one day in October, one in November → not yet. 5: nothing.
            try await t.purchase("P1-A", fen: 5_000, at: shanghai(2026, 11, 2, 15), phone: "13900000001")
            try await t.purchase("P1-B", fen: 3_000, at: shanghai(2026, 11, 20, 15), phone: "13900000001")
            for i in 0..<3 { try await t.purchase("P2-\(i)", fen: 10_000, at: shanghai(2026, 11, 10, 10 + i), phone: "13900000002") }
            try await t.purchase("P3", fen: 50_000, at: shanghai(2026, 11, 11, 15), phone: "13900000003")
            try await t.purchase("P4-A", fen: 5_000, at: shanghai(2026, 10, 31, 20), phone: "13900000004")
            try await t.purchase("P4-B", fen: 5_000, at: shanghai(2026, 11, 1, 10), phone: "13900000004")

            let all = try await t.store.monthlyAssessments(year: 2026, month: 11, scope: .init())
            let byPhone = Dictionary(uniqueKeysWithValues: all.map { ($0.prospect.phone, $0.assessment) })
            #expect(byPhone["13900000001"]?.purchaseDays == 2)
            #expect(byPhone["13900000002"]?.purchaseDays == 1)
            #expect(byPhone["13900000002"]?.spendFen == 30_000)
            #expect(byPhone["13900000003"]?.bySpend == true)
            #expect(byPhone["13900000004"]?.purchaseDays == 1)
            #expect(byPhone["13900000005"]?.purchaseDays == 0)

            let invites = try await t.store.inviteList(year: 2026, month: 11, scope: .init())
            #expect(Set(invites.map(\.prospect.phone)) == ["13900000001", "13900000003"])
            // Per counter.
            #expect(try await t.store.inviteList(year: 2026, month: 11, scope: .init(counterId: w.c1)).map(\.prospect.phone) == ["13900000001"])
            #expect(try await t.store.inviteList(year: 2026, month: 11, scope: .init(departmentId: w.d2)).map(\.prospect.phone) == ["13900000003"])
            // October: customer 4 had one day only.
            #expect(try await t.store.inviteList(year: 2026, month: 10, scope: .init()).isEmpty)

            // A refund of the whole 500-yuan purchase takes customer 3 off the list.
            let r = try await t.postRaw("/api/v1/refunds", t.refundJSON("R3", receipt: "P3", lines: [Line(50_000)]))
            #expect(r.status == .created, "\(r.text)")
            #expect(Set(try await t.store.inviteList(year: 2026, month: 11, scope: .init()).map(\.prospect.phone)) == ["13900000001"])
        }
    }

    @Test("enrolment credits the conversion to the registering counter and its department, once")
    func conversionCredited() async throws {
        try await withTestApp(now: shanghai(2026, 11, 18, 10)) { t in
            let w = try await t.conversionWorld()
            let id = try await t.store.registerProspect(phone: "13900000003", name: nil, counterId: w.c2, actor: "test")
            try await t.purchase("P3-A", fen: 5_000, at: shanghai(2026, 11, 2, 15), phone: "13900000003")
            try await t.purchase("P3-B", fen: 5_000, at: shanghai(2026, 11, 9, 15), phone: "13900000003")
            #expect(try await t.store.inviteList(year: 2026, month: 11, scope: .init()).count == 1)

            let card = try await t.enrolMember(phone: "13900000003")
            let memberId = try await t.memberId(card: card)
            let p = try #require(try await t.store.prospect(id: id))
            #expect(p.memberId == memberId)
            #expect(p.convertedAt == t.clock.now)
            let row = try #require(try await t.store.sql.raw("SELECT counter_id, department_id, converted_day FROM prospect_conversions").first())
            #expect(try row.decode(column: "counter_id", as: Int64.self) == w.c2)
            #expect(try row.decode(column: "department_id", as: Int64.self) == w.d2)
            #expect(try row.decode(column: "converted_day", as: Int.self) == LocalDate(year: 2026, month: 11, day: 18).dayNumber)
            // Converted: off the invite list.
            #expect(try await t.store.inviteList(year: 2026, month: 11, scope: .init()).isEmpty)

            let week = try await t.store.departmentConversions(mallId: w.mallId, from: LocalDate(year: 2026, month: 11, day: 16),
                                                               through: LocalDate(year: 2026, month: 11, day: 22))
            #expect(week.map(\.code) == ["D2", "D1"])
            #expect(week.map(\.conversions) == [1, 0])
            let counters = try await t.store.counterConversions(mallId: w.mallId, from: LocalDate(year: 2026, month: 11, day: 16),
                                                                through: LocalDate(year: 2026, month: 11, day: 22))
            #expect(counters.map(\.counterCode) == ["C0002"])
            // An enrolment of someone never registered credits nobody.
            _ = try await t.enrolMember(phone: "13800000001")
            #expect(try await t.conversionCount("prospect_conversions") == 1)
        }
    }

    @Test("weekly award: the department with most conversions wins the snack pack, once per week; not before the week ends")
    func weeklyAward() async throws {
        // Week of Monday 16 November 2026.
        try await withTestApp(now: shanghai(2026, 11, 17, 10)) { t in
            let w = try await t.conversionWorld()
            for (i, counter) in [w.c1, w.c2, w.c2].enumerated() {
                try await t.store.registerProspect(phone: "1390000000\(i)", name: nil, counterId: counter, actor: "test")
            }
            _ = try await t.enrolMember(phone: "13900000000")
            t.clock.set(shanghai(2026, 11, 19, 10))
            _ = try await t.enrolMember(phone: "13900000001")
            _ = try await t.enrolMember(phone: "13900000002")
            // Next week's conversions do not count for this one.
            try await t.store.registerProspect(phone: "13900000009", name: nil, counterId: w.c1, actor: "test")
            t.clock.set(shanghai(2026, 11, 23, 9))
            _ = try await t.enrolMember(phone: "13900000009")

            t.clock.set(shanghai(2026, 11, 22, 20))
            await #expect { try await t.store.recordConversionAward(mallId: w.mallId, week: LocalDate(year: 2026, month: 11, day: 18), actor: "test") } throws: {
                ($0 as? DomainError)?.rule == "week.notOver"
            }
            t.clock.set(shanghai(2026, 11, 25, 10))
            let award = try #require(try await t.store.recordConversionAward(mallId: w.mallId, week: LocalDate(year: 2026, month: 11, day: 18), actor: "staff:planner"))
            #expect(award.weekStart == LocalDate(year: 2026, month: 11, day: 16))
            #expect(award.departmentId == w.d2)
            #expect(award.conversions == 2)
            #expect(award.rewardText == "50元零食大礼包")
            #expect(award.rewardFen == 5_000)
            // Again, by hand or by the job: the same award, no second row.
            let again = try await t.store.recordConversionAward(mallId: w.mallId, week: LocalDate(year: 2026, month: 11, day: 22), actor: "test")
            #expect(again == award)
            #expect(try await t.store.awardLastConversionWeek(on: LocalDate(year: 2026, month: 11, day: 25)) == 0)
            #expect(try await t.conversionCount("conversion_awards") == 1)

            // A week without conversions has no winner.
            #expect(try await t.store.recordConversionAward(mallId: w.mallId, week: LocalDate(year: 2026, month: 11, day: 9), actor: "test") == nil)
            #expect(try await t.conversionCount("conversion_awards") == 1)
            // The following week is awarded by the job once it is over, once.
            t.clock.set(shanghai(2026, 12, 1, 10))
            let monday = LocalDate(year: 2026, month: 11, day: 30)
            #expect(try await t.store.awardLastConversionWeek(on: LocalDate(year: 2026, month: 12, day: 7)) == 0)   // a week not yet over
            #expect(try await t.store.awardLastConversionWeek(on: monday) == 1)
            #expect(try await t.store.awardLastConversionWeek(on: monday) == 0)
            let history = try await t.store.conversionAwards(mallId: w.mallId)
            #expect(history.map(\.weekStart) == [LocalDate(year: 2026, month: 11, day: 23), LocalDate(year: 2026, month: 11, day: 16)])
            #expect(history.first?.departmentId == w.d1)
        }
    }

    @Test("awards recorded at the same moment: one row, every caller sees the same winner")
    func concurrentAward() async throws {
        try await withTestApp(now: shanghai(2026, 11, 17, 10)) { t in
            let w = try await t.conversionWorld()
            try await t.store.registerProspect(phone: "13900000001", name: nil, counterId: w.c2, actor: "test")
            _ = try await t.enrolMember(phone: "13900000001")
            t.clock.set(shanghai(2026, 11, 25, 10))
            let store = t.store
            let awards = try await withThrowingTaskGroup(of: ConversionAward?.self) { group in
                for i in 0..<8 {
                    group.addTask { try await store.recordConversionAward(mallId: w.mallId, week: LocalDate(year: 2026, month: 11, day: 17), actor: "a\(i)") }
                }
                return try await group.reduce(into: [ConversionAward?]()) { $0.append($1) }
            }
            #expect(awards.count == 8)
            #expect(Set(awards.compactMap { $0?.departmentId }) == [w.d2])
            #expect(awards.allSatisfy { $0 != nil })
            #expect(try await t.conversionCount("conversion_awards") == 1)
        }
    }

    @Test("the same registration posted concurrently: one prospect, the rest refused as duplicates")
    func concurrentRegistration() async throws {
        try await withTestApp { t in
            let w = try await t.conversionWorld()
            let store = t.store
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        do {
                            try await store.registerProspect(phone: "13900000001", name: nil, counterId: w.c1, actor: "test")
                            return "ok"
                        } catch let e as DomainError { return e.rule }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "ok" }.count == 1)
            #expect(outcomes.filter { $0 == "prospect.phone.unique" }.count == 5)
            #expect(try await t.conversionCount("prospects") == 1)
        }
    }
}
