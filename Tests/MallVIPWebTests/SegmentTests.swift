import FluentKit
import Foundation
import MallVIPCore
import MallVIPStore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

/// Seven members built to tell every condition apart (today 2026-11-25 on the test clock):
/// - A: enrolled 2025-01-10, never bought; SMS consent; born in March; tag 高尔夫.
/// - B: enrolled 2025-06-01; bought 2026-11-10 (1,000 yuan, 一课) and 2026-11-20 (3,000 yuan, 二课 珠宝): silver;
///   e-mail consent; born in November; account manager am1.
/// - C: enrolled 2026-02-01; bought 2026-05-01 (20,000 yuan, 一课 服饰): diamond; phone consent; tag 亲子.
/// - D: enrolled 2026-11-01; bought today (500 yuan) and refunded all of it.
/// - E: like A and B together but deactivated: never matches.
/// - F: enrolled 2026-03-15, never bought, manual gold until 2026-12-31.
/// - G: enrolled 2026-01-05; bought on five days (10-30, 11-05, 11-15, 11-20, 11-24), 3,000 yuan each: gold.
struct SegmentWorld {
    var a: Int64, b: Int64, c: Int64, d: Int64, e: Int64, f: Int64, g: Int64
    var am1: Int64
    var dept1: Int64, dept2: Int64
    var all: Set<Int64> { [a, b, c, d, f, g] }
}

extension TestContext {
    /// A member enrolled under a manager's override on `day` (no purchase of their own).
    func segmentMember(_ phone: String, _ name: String, enrolled day: LocalDate, birthday: String? = nil,
                       sms: Bool = false, email: Bool = false, phoneConsent: Bool = false) async throws -> (id: Int64, card: String) {
        let saved = clock.now
        clock.set(shanghai(day.year, day.month, day.day, 10))
        defer { clock.set(saved) }
        let r = try await store.enrol(EnrolmentRequest(phone: phone, name: name, birthday: birthday.flatMap(LocalDate.init),
                                                       email: email ? "\(phone)@example.com" : nil, overrideReason: "测试",
                                                       consentSMS: sms, consentEmail: email, consentPhone: phoneConsent),
                                      actor: "test", mallId: nil)
        return (r.memberId, r.cardNo)
    }

    func buy(_ receipt: String, card: String, _ day: (Int, Int, Int), fen: Int64, counter: String = "C0001") async throws {
        let r = try await purchase(receipt, at: shanghai(day.0, day.1, day.2, 9), card: card, lines: [Line(fen, counter: counter)])
        #expect(r.status == .created, "\(receipt): \(r.text)")
    }

    func segmentWorld() async throws -> SegmentWorld {
        let dept1 = try #require(try await store.departments().first).id
        let mall = try #require(try await store.malls().first).id
        let dept2 = try await store.createDepartment(mallId: mall, code: "D2", name: "二课", actor: "test")
        try await store.saveCounter(id: nil, CounterInput(departmentId: dept2, code: "C0101", name: "珠宝柜", brand: "周大福", category: "珠宝",
                                                          floor: "1F", participatesInDiscount: true, earnsPoints: true), actor: "test")
        try await store.saveCounter(id: nil, CounterInput(departmentId: dept1, code: "C0201", name: "女装柜", brand: "测试", category: "服饰",
                                                          floor: "2F", participatesInDiscount: true, earnsPoints: true), actor: "test")
        let am1 = try await makeStaff("am1", .accountManager)

        let a = try await segmentMember("13800000001", "安娜", enrolled: LocalDate(year: 2025, month: 1, day: 10), birthday: "1990-03-05", sms: true)
        let b = try await segmentMember("13800000002", "包贝", enrolled: LocalDate(year: 2025, month: 6, day: 1), birthday: "1985-11-02", email: true)
        try await buy("B-1", card: b.card, (2026, 11, 10), fen: 100_000)
        try await buy("B-2", card: b.card, (2026, 11, 20), fen: 300_000, counter: "C0101")
        let c = try await segmentMember("13800000003", "陈晨", enrolled: LocalDate(year: 2026, month: 2, day: 1), phoneConsent: true)
        try await buy("C-1", card: c.card, (2026, 5, 1), fen: 2_000_000, counter: "C0201")
        let d = try await segmentMember("13800000004", "丁丁", enrolled: LocalDate(year: 2026, month: 11, day: 1))
        try await buy("D-1", card: d.card, (2026, 11, 25), fen: 50_000)
        #expect(try await refund("RD-1", receipt: "D-1", fen: 50_000).status == .created)
        let e = try await segmentMember("13800000005", "鄂尔", enrolled: LocalDate(year: 2025, month: 3, day: 1), birthday: "1990-03-09",
                                        sms: true, email: true, phoneConsent: true)
        try await buy("E-1", card: e.card, (2026, 11, 20), fen: 2_000_000, counter: "C0101")
        let f = try await segmentMember("13800000006", "范凡", enrolled: LocalDate(year: 2026, month: 3, day: 15))
        try await store.setManualTier(memberId: f.id, tier: "gold", until: LocalDate(year: 2026, month: 12, day: 31), reason: "荣誉", actor: "test")
        let g = try await segmentMember("13800000007", "龚工", enrolled: LocalDate(year: 2026, month: 1, day: 5))
        for (i, day) in [(2026, 10, 30), (2026, 11, 5), (2026, 11, 15), (2026, 11, 20), (2026, 11, 24)].enumerated() {
            try await buy("G-\(i)", card: g.card, day, fen: 300_000)
        }
        try await store.sql.raw("UPDATE members SET account_manager_id = \(bind: am1) WHERE id IN (\(bind: b.id), \(bind: e.id))").run()
        try await store.sql.raw("UPDATE members SET status = 'deactivated' WHERE id = \(bind: e.id)").run()
        _ = try await store.setMemberTags(memberId: a.id, text: "高尔夫", actor: "test")
        _ = try await store.setMemberTags(memberId: c.id, text: "亲子、 读书", actor: "test")
        _ = try await store.setMemberTags(memberId: e.id, text: "高尔夫, 亲子", actor: "test")
        return SegmentWorld(a: a.id, b: b.id, c: c.id, d: d.id, e: e.id, f: f.id, g: g.id, am1: am1, dept1: dept1, dept2: dept2)
    }

    var today: LocalDate { LocalDate(year: 2026, month: 11, day: 25) }

    func matching(_ c: SegmentConditions) async throws -> Set<Int64> {
        let ids = try await store.segmentMemberIds(c, on: today)
        #expect(ids == ids.sorted(), "ids ascending")
        #expect(try await store.segmentCount(c, on: today) == ids.count)
        return Set(ids)
    }
}

/// Counts the statements a store sends through SQLKit, to prove a segment is one query however many members match.
final class CountingDatabase: Database, SQLDatabase, @unchecked Sendable {
    let base: any Database
    let statements = NIOLockedValueBox<[String]>([])
    init(_ base: any Database) { self.base = base }

    var context: DatabaseContext { base.context }
    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> ()) -> EventLoopFuture<Void> {
        base.execute(query: query, onOutput: onOutput)
    }
    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { base.execute(schema: schema) }
    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { base.execute(enum: `enum`) }
    var inTransaction: Bool { base.inTransaction }
    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> { base.transaction(closure) }
    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> { base.withConnection(closure) }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var dialect: any SQLDialect { base.sql.dialect }
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        var serializer = SQLSerializer(database: self)
        query.serialize(to: &serializer)
        statements.withLockedValue { $0.append(serializer.sql) }
        return base.sql.execute(sql: query, onRow)
    }
}

@Suite("Segments: conditions compiled to SQL")
struct SegmentTests {
    @Test("each condition alone selects exactly the members built for it; inactive members never match")
    func eachCondition() async throws {
        try await withTestApp { t in
            let w = try await t.segmentWorld()
            typealias C = SegmentConditions
            #expect(try await t.matching(C()) == w.all)

            #expect(try await t.matching(C(tiers: ["gold"])) == [w.f, w.g])                 // F by manual tier
            #expect(try await t.matching(C(tiers: ["diamond", "silver"])) == [w.b, w.c])
            #expect(try await t.matching(C(tiers: ["regular"])) == [w.a, w.d])

            #expect(try await t.matching(C(enrolledFrom: LocalDate("2025-01-01"), enrolledTo: LocalDate("2025-12-31"))) == [w.a, w.b])
            #expect(try await t.matching(C(enrolledFrom: LocalDate("2026-11-01"))) == [w.d])
            #expect(try await t.matching(C(enrolledTo: LocalDate("2025-01-10"))) == [w.a])   // inclusive

            #expect(try await t.matching(C(spend: SpendCondition(months: 12, minFen: 1_000_000))) == [w.c, w.g])
            #expect(try await t.matching(C(spend: SpendCondition(months: 12, maxFen: 0))) == [w.a, w.d, w.f])  // D refunded all
            #expect(try await t.matching(C(spend: SpendCondition(months: 1, minFen: 1, maxFen: 400_000))) == [w.b])
            #expect(try await t.matching(C(spend: SpendCondition(months: 6, minFen: 2_000_000))) == [])   // 6 months start 2026-05-26
            #expect(try await t.matching(C(spend: SpendCondition(months: 7, minFen: 2_000_000))) == [w.c])

            #expect(try await t.matching(C(lastPurchaseAtLeastDays: 90)) == [w.a, w.c, w.f])  // never bought counts
            #expect(try await t.matching(C(lastPurchaseAtMostDays: 7)) == [w.b, w.d, w.g])
            #expect(try await t.matching(C(lastPurchaseAtMostDays: 0)) == [w.d])
            #expect(try await t.matching(C(lastPurchaseAtLeastDays: 1, lastPurchaseAtMostDays: 5)) == [w.b, w.g])

            #expect(try await t.matching(C(purchaseDays: PurchaseDaysCondition(withinDays: 30, atLeast: 3))) == [w.g])
            #expect(try await t.matching(C(purchaseDays: PurchaseDaysCondition(withinDays: 30, atLeast: 2))) == [w.b, w.g])
            #expect(try await t.matching(C(purchaseDays: PurchaseDaysCondition(withinDays: 10, atLeast: 2))) == [w.g])  // 11-20, 11-24
            #expect(try await t.matching(C(purchaseDays: PurchaseDaysCondition(withinDays: 1, atLeast: 1))) == [w.d])

            #expect(try await t.matching(C(bought: BoughtCondition(months: 12, departmentIds: [w.dept2]))) == [w.b])
            #expect(try await t.matching(C(bought: BoughtCondition(months: 12, categories: ["服饰"]))) == [w.c])
            #expect(try await t.matching(C(bought: BoughtCondition(months: 12, departmentIds: [w.dept2], categories: ["服饰"]))) == [w.b, w.c])
            #expect(try await t.matching(C(bought: BoughtCondition(months: 3, categories: ["服饰"]))) == [])
            #expect(try await t.matching(C(bought: BoughtCondition(months: 1, departmentIds: [w.dept1]))) == [w.b, w.g])  // D's line refunded

            #expect(try await t.matching(C(birthMonths: [3])) == [w.a])
            #expect(try await t.matching(C(birthMonths: [11, 3])) == [w.a, w.b])

            #expect(try await t.matching(C(rfm: RFMCondition(classes: [.importantValue]))) == [w.g])
            #expect(try await t.matching(C(rfm: RFMCondition(classes: [.importantRetain]))) == [w.c])
            #expect(try await t.matching(C(rfm: RFMCondition(classes: [.generalDevelop]))) == [w.b, w.d])
            #expect(try await t.matching(C(rfm: RFMCondition(classes: [.generalRetain]))) == [w.a, w.f])
            #expect(try await t.matching(C(rfm: RFMCondition(classes: [.generalValue, .generalKeep, .importantKeep, .importantDevelop]))) == [])
            // Own cut-offs: a 3-purchase, 3,000-yuan bar makes B's 2 purchases and 4,000 yuan important but still infrequent.
            let loose = RFMDefinition(recencyDays: [10, 20, 30, 40], frequency: [1, 3, 5, 7], monetaryFen: [1, 300_000, 600_000, 900_000])
            #expect(try await t.matching(C(rfm: RFMCondition(classes: [.importantDevelop], definition: loose))) == [w.b])

            #expect(try await t.matching(C(accountManagers: [.staff(w.am1)])) == [w.b])
            #expect(try await t.matching(C(accountManagers: [.none])) == [w.a, w.c, w.d, w.f, w.g])
            #expect(try await t.matching(C(accountManagers: [.none, .staff(w.am1)])) == w.all)

            #expect(try await t.matching(C(consent: [.sms])) == [w.a])
            #expect(try await t.matching(C(consent: [.email, .phone])) == [w.b, w.c])

            #expect(try await t.matching(C(tags: ["高尔夫"])) == [w.a])
            #expect(try await t.matching(C(tags: ["高尔夫", "亲子"])) == [w.a, w.c])
            #expect(try await t.matching(C(tags: ["读书"])) == [w.c])
        }
    }

    @Test("conditions combine with AND; the SQL's RFM agrees with RFMDefinition on every member")
    func combinedAndRFMOracle() async throws {
        try await withTestApp { t in
            let w = try await t.segmentWorld()
            typealias C = SegmentConditions
            #expect(try await t.matching(C(tiers: ["diamond", "gold"], lastPurchaseAtLeastDays: 90)) == [w.c, w.f])
            #expect(try await t.matching(C(tiers: ["diamond", "gold"], lastPurchaseAtLeastDays: 90, consent: [.phone])) == [w.c])
            #expect(try await t.matching(C(enrolledFrom: LocalDate("2025-01-01"), birthMonths: [3, 11], accountManagers: [.none], tags: ["高尔夫"])) == [w.a])
            #expect(try await t.matching(C(spend: SpendCondition(months: 1, minFen: 1), purchaseDays: PurchaseDaysCondition(withinDays: 30, atLeast: 2),
                                           bought: BoughtCondition(months: 1, categories: ["珠宝"]), rfm: RFMCondition(classes: [.generalDevelop]),
                                           accountManagers: [.staff(w.am1)], consent: [.email])) == [w.b])
            #expect(try await t.matching(C(tiers: ["gold"], rfm: RFMCondition(classes: [.generalRetain]))) == [w.f])
            #expect(try await t.matching(C(birthMonths: [3], consent: [.email])) == [])

            // Oracle: each member's class computed in Swift from the member's own purchases.
            let def = RFMDefinition()
            var expected: [RFMClass: Set<Int64>] = [:]
            for id in w.all {
                let purchases = try await t.store.purchases(memberId: id)
                let start = t.today.windowStart(months: def.months)
                let inWindow = purchases.filter { $0.businessDate >= start }
                let last = purchases.map(\.businessDate).max()
                let score = def.score(daysSinceLast: last.map { t.today.dayNumber - $0.dayNumber }, purchases: inWindow.count,
                                      spendFen: inWindow.reduce(0) { $0 + $1.totalFen - $1.refundedFen })
                expected[def.classify(score), default: []].insert(id)
            }
            for k in RFMClass.allCases {
                #expect(try await t.matching(C(rfm: RFMCondition(classes: [k]))) == expected[k] ?? [], "\(k)")
            }
        }
    }

    @Test("one SQL statement per evaluation, however many members match (no query per member)")
    func oneStatement() async throws {
        try await withTestApp { t in
            let w = try await t.segmentWorld()
            let counting = CountingDatabase(t.store.db)
            let store = Store(db: counting, isSQLite: !TestDatabase.isPostgres, env: t.store.env)
            _ = try await store.programme()      // the programme is cached once per store
            counting.statements.withLockedValue { $0 = [] }
            let everything = SegmentConditions(tiers: ["regular", "silver", "gold", "diamond"], enrolledFrom: LocalDate("2020-01-01"),
                                               spend: SpendCondition(months: 12, minFen: 0), lastPurchaseAtMostDays: 3000,
                                               purchaseDays: PurchaseDaysCondition(withinDays: 365, atLeast: 1),
                                               bought: BoughtCondition(months: 12, departmentIds: [w.dept1, w.dept2], categories: ["服饰"]),
                                               birthMonths: Array(1...12), rfm: RFMCondition(classes: RFMClass.allCases),
                                               accountManagers: [.none, .staff(w.am1)], consent: ConsentChannel.allCases, tags: ["高尔夫"])
            let ids = try await store.segmentMemberIds(everything, on: t.today)
            #expect(ids.isEmpty)   // A has the tag but never bought
            var loose = everything
            loose.tags = nil
            loose.birthMonths = nil
            let more = try await store.segmentMemberIds(loose, on: t.today)
            #expect(Set(more) == [w.b, w.c])
            let statements = counting.statements.withLockedValue { $0 }
            #expect(statements.count == 2, "\(statements)")
            #expect(statements.allSatisfy { $0.hasPrefix("SELECT m.id FROM members m") && !$0.contains(";") })
            // The saved segment's ids: one read of the segment, one evaluation.
            let saved = try await t.store.saveSegment(id: nil, name: "全部条件", description: "", conditions: loose, on: t.today, actor: "test")
            counting.statements.withLockedValue { $0 = [] }
            #expect(try await store.segmentMemberIds(segmentId: saved.id, on: t.today) == more)
            #expect(counting.statements.withLockedValue { $0.count } == 2)
        }
    }

    @Test("saved segments: preview count = saved count = ids; update, unique name, delete; audited")
    func saveAndPreview() async throws {
        try await withTestApp { t in
            let w = try await t.segmentWorld()
            let conditions = SegmentConditions(lastPurchaseAtMostDays: 30)
            let preview = try await t.store.segmentPreview(conditions, on: t.today, sample: 2)
            #expect(preview.count == 3)
            #expect(preview.sample.map(\.id) == [w.b, w.d])
            #expect(preview.sample.first?.tier == "silver")
            #expect(preview.sample.first?.phone == "13800000002")
            let s = try await t.store.saveSegment(id: nil, name: " 近30天活跃 ", description: "最近一个月买过", conditions: conditions, on: t.today, actor: "staff:p")
            #expect(s.name == "近30天活跃")
            #expect(s.lastCount == preview.count)
            #expect(s.createdBy == "staff:p")
            #expect(try await t.store.segmentMemberIds(segmentId: s.id, on: t.today) == [w.b, w.d, w.g])
            #expect(try await t.store.segment(id: s.id)?.conditions == conditions)

            await #expect { try await t.store.saveSegment(id: nil, name: "近30天活跃", description: "", conditions: SegmentConditions(), on: t.today, actor: "x") }
                throws: { ($0 as? DomainError)?.field == "name" && ($0 as? DomainError)?.kind == .conflict }

            let updated = try await t.store.saveSegment(id: s.id, name: "近30天活跃", description: "", conditions: SegmentConditions(consent: [.sms]),
                                                        on: t.today, actor: "staff:p")
            #expect(updated.lastCount == 1)
            #expect(try await t.store.segments().map(\.name) == ["近30天活跃"])
            #expect(try await t.auditCount("segment.create") == 1)
            #expect(try await t.auditCount("segment.update") == 1)

            // Bad references are refused by name, nothing written.
            await #expect { try await t.store.saveSegment(id: nil, name: "坏", description: "", conditions: SegmentConditions(tiers: ["platinum"]), on: t.today, actor: "x") }
                throws: { ($0 as? DomainError)?.field == "tiers" }
            await #expect { try await t.store.saveSegment(id: nil, name: "坏", description: "", conditions: SegmentConditions(bought: BoughtCondition(months: 3, departmentIds: [999])), on: t.today, actor: "x") }
                throws: { ($0 as? DomainError)?.field == "bought.departmentIds" }
            await #expect { try await t.store.saveSegment(id: nil, name: "坏", description: "", conditions: SegmentConditions(accountManagers: [.staff(999)]), on: t.today, actor: "x") }
                throws: { ($0 as? DomainError)?.field == "accountManagers" }
            #expect(try await t.count("segments") == 1)

            try await t.store.deleteSegment(id: s.id, actor: "staff:m")
            #expect(try await t.store.segment(id: s.id) == nil)
            #expect(try await t.auditCount("segment.delete") == 1)
            await #expect { try await t.store.segmentMemberIds(segmentId: s.id, on: t.today) } throws: { ($0 as? DomainError)?.kind == .notFound }
        }
    }

    @Test("the day matters: the same segment evaluated on another day moves its windows")
    func dayMovesWindows() async throws {
        try await withTestApp { t in
            let w = try await t.segmentWorld()
            let c = SegmentConditions(lastPurchaseAtMostDays: 7)
            #expect(Set(try await t.store.segmentMemberIds(c, on: LocalDate(year: 2026, month: 12, day: 1))) == [w.d, w.g])
            #expect(Set(try await t.store.segmentMemberIds(c, on: LocalDate(year: 2026, month: 12, day: 2))) == [w.d])
            #expect(Set(try await t.store.segmentMemberIds(c, on: LocalDate(year: 2026, month: 5, day: 3))) == [w.c])
        }
    }

    @Test("tags: set by text, replaced, too long refused")
    func tags() async throws {
        try await withTestApp { t in
            let w = try await t.segmentWorld()
            #expect(try await t.store.memberTags(memberId: w.c) == ["亲子", "读书"])
            #expect(try await t.store.setMemberTags(memberId: w.c, text: "读书，旅行 读书", actor: "test") == ["旅行", "读书"])
            #expect(try await t.store.memberTags(memberId: w.c) == ["旅行", "读书"])
            let usage = try await t.store.tagUsage()
            #expect(usage.first { $0.tag == "读书" }?.members == 1)
            #expect(usage.first { $0.tag == "高尔夫" }?.members == 2)
            await #expect { _ = try await t.store.setMemberTags(memberId: w.c, text: String(repeating: "长", count: 21), actor: "test") }
                throws: { ($0 as? DomainError)?.field == "tags" }
            #expect(try await t.store.memberTags(memberId: w.c) == ["旅行", "读书"])
        }
    }
}

@Suite("Segments: demo scale")
struct SegmentScaleTests {
    @Test("12,118 demo members: every segment is one quick query, and spend, recency, purchase days and RFM agree with a Swift oracle")
    func demoScale() async throws {
        try await withTestApp { t in
            _ = try await t.store.generateDemo(DemoPlan(seed: 7, scale: 1.0), staffPasswordHash: "locked")
            let today = t.today
            let rows = try await t.store.sql.raw("""
                SELECT s.member_id, s.day, s.spend_fen, s.purchases FROM member_daily_spend s JOIN members m ON m.id = s.member_id
                WHERE m.status = 'active' AND s.day <= \(bind: today.dayNumber)
                """).all()
            struct Day { var day: Int; var spend: Int64; var purchases: Int }
            var byMember: [Int64: [Day]] = [:]
            for r in rows {
                byMember[try r.decode(column: "member_id", as: Int64.self), default: []].append(
                    Day(day: try r.decode(column: "day", as: Int.self), spend: try r.decode(column: "spend_fen", as: Int64.self),
                        purchases: try r.decode(column: "purchases", as: Int.self)))
            }
            let active = try await t.store.sql.raw("SELECT id FROM members WHERE status = 'active'").all()
                .map { try $0.decode(column: "id", as: Int64.self) }
            #expect(active.count > 12_000)

            func timed(_ c: SegmentConditions) async throws -> Set<Int64> {
                let start = Date()
                let ids = try await t.store.segmentMemberIds(c, on: today)
                let seconds = Date().timeIntervalSince(start)
                #expect(seconds < 3, "\(seconds)s for \(c)")
                return Set(ids)
            }
            let spendStart = today.windowStart(months: 12).dayNumber
            func oracle(_ keep: ([Day]) -> Bool) -> Set<Int64> { Set(active.filter { keep(byMember[$0] ?? []) }) }

            let big = try await timed(SegmentConditions(spend: SpendCondition(months: 12, minFen: 500_000), lastPurchaseAtMostDays: 90))
            let bigOracle = oracle { days in
                days.filter { $0.day >= spendStart }.reduce(0) { $0 + $1.spend } >= 500_000
                    && (days.filter { $0.purchases > 0 }.map(\.day).max().map { today.dayNumber - $0 <= 90 } ?? false)
            }
            #expect(big == bigOracle)
            #expect(big.count > 100)

            let lapsed = try await timed(SegmentConditions(lastPurchaseAtLeastDays: 90))
            #expect(lapsed == oracle { days in days.filter { $0.purchases > 0 }.map(\.day).max().map { today.dayNumber - $0 >= 90 } ?? true })

            let regulars = try await timed(SegmentConditions(purchaseDays: PurchaseDaysCondition(withinDays: 90, atLeast: 3)))
            #expect(regulars == oracle { days in Set(days.filter { $0.purchases > 0 && $0.day > today.dayNumber - 90 }.map(\.day)).count >= 3 })

            let def = RFMDefinition()
            var expected: [RFMClass: Set<Int64>] = [:]
            for id in active {
                let days = byMember[id] ?? []
                let inWindow = days.filter { $0.day >= spendStart }
                let score = def.score(daysSinceLast: days.filter { $0.purchases > 0 }.map(\.day).max().map { today.dayNumber - $0 },
                                      purchases: inWindow.reduce(0) { $0 + ($1.purchases > 0 ? $1.purchases : 0) },
                                      spendFen: inWindow.reduce(0) { $0 + $1.spend })
                expected[def.classify(score), default: []].insert(id)
            }
            for k in RFMClass.allCases {
                #expect(try await timed(SegmentConditions(rfm: RFMCondition(classes: [k]))) == expected[k] ?? [], "\(k)")
            }

            // Everything at once, departments and categories included.
            let departments = try await t.store.departments().map(\.id)
            let categories = Array(Set(try await t.store.counterList().map(\.category))).sorted()
            let all = try await timed(SegmentConditions(tiers: ["silver", "gold", "diamond"], enrolledFrom: LocalDate("2020-01-01"),
                                                        spend: SpendCondition(months: 6, minFen: 100_000), lastPurchaseAtMostDays: 180,
                                                        purchaseDays: PurchaseDaysCondition(withinDays: 180, atLeast: 2),
                                                        bought: BoughtCondition(months: 6, departmentIds: Array(departments.prefix(2)),
                                                                                categories: Array(categories.prefix(3))),
                                                        birthMonths: Array(1...6), rfm: RFMCondition(classes: [.importantValue, .generalValue, .importantDevelop]),
                                                        accountManagers: [.none], consent: [.sms, .email]))
            #expect(!all.isEmpty)
            let preview = try await t.store.segmentPreview(SegmentConditions(tiers: ["gold"]), on: today)
            #expect(preview.sample.count == 20)
            #expect(preview.count == (try await t.store.segmentMemberIds(SegmentConditions(tiers: ["gold"]), on: today).count))
        }
    }
}
