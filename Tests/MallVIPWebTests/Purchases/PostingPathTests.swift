import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// Live posting's write path (issue 15): on PostgreSQL a batch is one read without locks and one optimistic write
/// (Store+PostgresBatch.swift); on SQLite the batch's statements are bound and kept prepared on the direct writer.
@Suite("Posting: one read and one write on PostgreSQL, bound statements on SQLite") struct PostingPathTests {
    actor Attempts {
        var seen: [Int] = []
        func add(_ n: Int) { seen.append(n) }
    }

    func balance(_ t: TestContext, _ memberId: Int64) async throws -> Int64 {
        try await t.store.sql.raw("SELECT points_balance FROM members WHERE id = \(bind: memberId)").first()!
            .decode(column: "points_balance", as: Int64.self)
    }

    func ledgerSum(_ t: TestContext, _ memberId: Int64) async throws -> Int64 {
        try await t.store.sql.raw("SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) AS n FROM points_ledger WHERE member_id = \(bind: memberId)")
            .first()!.decode(column: "n", as: Int64.self)
    }

    @Test("PostgreSQL: a member changed between the batch's read and its write fails the write whole; the batch is read and decided again",
          .enabled(if: TestDatabase.isPostgres))
    func staleReadIsDecidedAgain() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13900000001", amountFen: 60_000)
            let memberId = try await t.memberId(card: card)
            let start = try await balance(t, memberId)
            let store = t.store
            let item = try await store.preparePurchase(PurchaseRequest(receiptNo: "STALE-1", occurredAt: t.clock.now, card: card,
                                                                      lines: [PurchaseLineRequest(counter: "C0001", amountFen: 10_000)]))
            let attempts = Attempts()
            // A manager adjusts the member's points after the first read, before its write.
            let results = try await store.postgresBatch([item], beforeWrite: { attempt in
                await attempts.add(attempt)
                if attempt == 1 { _ = try await store.adjustPoints(memberId: memberId, points: 500, reason: "测试", actor: "test") }
            })
            #expect(await attempts.seen == [1, 2])
            guard case .created(let o, _)? = results?.first else {
                Issue.record("not created: \(String(describing: results))")
                return
            }
            #expect(o.pointsEarned > 0)
            // The second decision saw the adjustment: nothing is lost, and the ledger agrees with the balance.
            #expect(o.pointsBalance == start + 500 + o.pointsEarned)
            #expect(try await balance(t, memberId) == start + 500 + o.pointsEarned)
            #expect(try await ledgerSum(t, memberId) == start + 500 + o.pointsEarned)
            let n = try await store.sql.raw("SELECT COUNT(*) AS n FROM purchases WHERE receipt_no = 'STALE-1'").first()!
                .decode(column: "n", as: Int.self)
            #expect(n == 1)
            // The same receipt again replays from the one read.
            let again = try await store.postgresBatch([item])
            guard case .replayed(let r)? = again?.first else {
                Issue.record("not replayed: \(String(describing: again))")
                return
            }
            #expect(r == o)
        }
    }

    @Test("PostgreSQL: a guard that never holds fails every attempt with SQLSTATE 40001 and writes nothing",
          .enabled(if: TestDatabase.isPostgres))
    func staleEveryTimeWritesNothing() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13900000002", amountFen: 60_000)
            let memberId = try await t.memberId(card: card)
            let start = try await balance(t, memberId)
            let store = t.store
            let item = try await store.preparePurchase(PurchaseRequest(receiptNo: "STALE-2", occurredAt: t.clock.now, card: card,
                                                                      lines: [PurchaseLineRequest(counter: "C0001", amountFen: 10_000)]))
            await #expect(throws: (any Error).self) {
                _ = try await store.postgresBatch([item], beforeWrite: { attempt in
                    _ = try await store.adjustPoints(memberId: memberId, points: 1, reason: "测试 \(attempt)", actor: "test")
                })
            }
            let attempts = Int64(Store.postgresBatchAttempts)
            #expect(try await balance(t, memberId) == start + attempts)
            #expect(try await ledgerSum(t, memberId) == start + attempts)
            let n = try await store.sql.raw("SELECT COUNT(*) AS n FROM purchases WHERE receipt_no = 'STALE-2'").first()!
                .decode(column: "n", as: Int.self)
            #expect(n == 0)
            // Through the API the locking path takes over after the retries: the post still succeeds.
            let r = try await t.purchase("STALE-2", fen: 10_000, card: card)
            #expect(r.status == .created, "\(r.text)")
        }
    }

    @Test("SQLite: the batch statements are prepared once per shape and reused, not once per purchase",
          .enabled(if: !TestDatabase.isPostgres))
    func sqliteStatementsAreReused() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13900000003", amountFen: 60_000)
            let writer = try #require(t.store.directWriter.writer)
            for i in 0..<5 {
                let r = try await t.purchase("BOUND-\(i)", card: card, lines: [Line(1_000 + Int64(i) * 37), Line(2_500)])
                #expect(r.status == .created, "\(r.text)")
            }
            let warm = writer.cachedStatementCount
            for i in 5..<30 {
                // Different amounts, receipts and balances each time: with numbers inline every text would be new.
                let r = try await t.purchase("BOUND-\(i)", card: card, lines: [Line(1_000 + Int64(i) * 37), Line(2_500)])
                #expect(r.status == .created, "\(r.text)")
            }
            #expect(writer.cachedStatementCount == warm, "the writer prepared new statements for the same shapes")
        }
    }

    /// The highest placeholder number (`$n`) in a statement text.
    static func placeholders(_ sql: String) -> Int {
        var highest = 0, i = sql.startIndex
        while let d = sql[i...].firstIndex(of: "$") {
            let digits = sql[sql.index(after: d)...].prefix(while: \.isNumber)
            highest = max(highest, Int(digits) ?? 0)
            i = sql.index(after: d)
        }
        return highest
    }

    @Test("PostgreSQL statements: the batch's read and write are one text each whatever the batch holds, every value bound")
    func postgresTextsDoNotDependOnTheBatch() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13900000004", amountFen: 60_000)
            let store = t.store
            var items: [PreparedPurchase] = []
            for i in 0..<3 {
                items.append(try await store.preparePurchase(PurchaseRequest(
                    receiptNo: "TEXT-\(i)", occurredAt: t.clock.now, card: i == 2 ? nil : card,
                    lines: (0...i).map { PurchaseLineRequest(counter: "C0001", amountFen: 1_000 + Int64($0) * 7) })))
            }
            // Empty, then one walk-in row, then three rows with everything the write can hold.
            var small = PGBatchWrite.Input()
            small.rows = [Store.PurchaseRow(item: items[2], memberId: nil, cardNo: nil, earned: 0, factor: 1000, json: "{}")]
            small.nowMs = 1
            var large = PGBatchWrite.Input()
            large.rows = items.enumerated().map { Store.PurchaseRow(item: $1, memberId: $0 == 2 ? nil : 7, cardNo: $0 == 2 ? nil : card,
                                                                    earned: Int64($0), factor: 1500, json: "{\"n\":\($0)}") }
            large.ledger = [(0, 7, 10, 110, "消费积分", 5), (1, 7, 20, 130, "消费积分", 5)]
            large.tierChanges = [(1, 7, "standard", "gold", "{}", 5)]
            large.tierRequests = [(7, "platinum", "{}", 5), (8, "gold", "{}", 5)]
            large.members = [(Store.LockedMember(id: 7, earnedTier: "gold", tierSinceDay: 3, manualTier: nil, manualUntil: nil, balance: 130,
                                                 birthday: nil, status: "active", referralPending: false), "1234")]
            large.daily = [(Store.DailyKey(memberId: 7, mallId: 1, day: 3), 3_000, 2)]
            large.report.purchase(mall: 1, day: LocalDate(dayNumber: 3), member: 7, lines: [.init(counter: 1, amount: 1_000), .init(counter: 2, amount: 9)])
            large.report.purchase(mall: 1, day: LocalDate(dayNumber: 3), member: nil, lines: [.init(counter: 1, amount: 50)])
            large.dayCounts = [(Store.DayKey(mallId: 1, day: 3), 2, 0), (Store.DayKey(mallId: 2, day: 3), 1, 4)]
            large.nowMs = 99
            var texts: Set<String> = []
            for input in [PGBatchWrite.Input(), small, large] {
                var b = PGBinder()
                PGBatchWrite.build(&b, input)
                texts.insert(b.sql)
                #expect(b.bindings.count == Self.placeholders(b.sql), "one binding per placeholder")
            }
            #expect(texts == [PGBatchWrite.sql])
            // Nothing of the batch is inline: no receipt number, no amount, no member id in the text.
            #expect(!PGBatchWrite.sql.contains("TEXT-") && !PGBatchWrite.sql.contains("1000") && !PGBatchWrite.sql.contains("1234"))

            var reads: Set<String> = []
            for (cards, receipts, days) in [([String](), [String](), [Int64]()), ([card], items.map(\.request.receiptNo), [3, 4])] {
                var b = PGBinder()
                PGBatchRead.build(&b, cardNos: cards, phones: ["13900000004"], receiptNos: receipts, spendFrom: 700, spendTo: 730,
                                  dayMalls: days.map { _ in 1 }, dayDays: days)
                reads.insert(b.sql)
                #expect(b.bindings.count == Self.placeholders(b.sql))
            }
            #expect(reads == [PGBatchRead.sql])
            #expect(!PGBatchRead.sql.contains("TEXT-") && !PGBatchRead.sql.contains("730"))
        }
    }

    @Test("PostgreSQL: the batch statements are prepared on the connection under their names and run again by name",
          .enabled(if: TestDatabase.isPostgres))
    func postgresStatementsArePrepared() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13900000005", amountFen: 60_000)
            for i in 0..<3 {
                let r = try await t.purchase("NAMED-\(i)", card: card, lines: Array(repeating: Line(1_000 + Int64(i)), count: i + 1))
                #expect(r.status == .created, "\(r.text)")
            }
            // On one connection: two batches of different sizes, then what the server holds prepared there.
            let names = try await t.store.withPostgresConnection { conn -> [String: String] in
                for receipts in [["NAMED-0"], ["NAMED-0", "NAMED-1", "NAMED-2"]] {
                    let read = PGBatchRead(cardNos: [card], phones: [], receiptNos: receipts, spendFrom: 1, spendTo: 0, dayMalls: [], dayDays: [])
                    var recorded = 0
                    for try await row in try await conn.execute(read, logger: Store.postgresBatchLogger) {
                        if try row.decode((String, Int64?).self).0 == "r" { recorded += 1 }
                    }
                    #expect(recorded == receipts.count)
                }
                var out: [String: String] = [:]
                for try await (name, statement) in try await conn.query("SELECT name, statement FROM pg_prepared_statements", logger: Store.postgresBatchLogger)
                    .decode((String, String).self) { out[name] = statement }
                return out
            }
            let prepared = try #require(names)
            #expect(prepared[PGBatchRead.name] == PGBatchRead.sql)
            #expect(prepared.count(where: { $0.value == PGBatchRead.sql }) == 1, "prepared once per connection")
        }
    }

    @Test("PostgreSQL: the lanes' own connections plan the posting statements once (generic plans); the main pool keeps auto",
          .enabled(if: TestDatabase.isPostgres))
    func postingPoolUsesGenericPlans() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13900000006", amountFen: 60_000)
            for i in 0..<8 {   // more than the 5 custom plans `auto` would make first
                let r = try await t.purchase("GENERIC-\(i)", card: card, lines: [Line(1_000 + Int64(i))])
                #expect(r.status == .created, "\(r.text)")
            }
            #expect(t.store.postingDB != nil)
            let onLane = try await t.store.withPostgresConnection { conn -> (String, [String: (Int64, Int64)]) in
                var mode = ""
                for try await m in try await conn.query("SHOW plan_cache_mode", logger: Store.postgresBatchLogger).decode(String.self) { mode = m }
                var plans: [String: (Int64, Int64)] = [:]
                for try await (name, generic, custom) in try await conn.query(
                    "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements", logger: Store.postgresBatchLogger)
                    .decode((String, Int64, Int64).self) { plans[name] = (generic, custom) }
                return (mode, plans)
            }
            let (mode, plans) = try #require(onLane)
            #expect(mode == "force_generic_plan")
            // Every execution on this connection used the one generic plan: none was planned for its values.
            for name in [PGBatchRead.name, PGBatchWrite.name] {
                if let (generic, custom) = plans[name] {
                    #expect(custom == 0 && generic >= 1, "\(name): \(generic) generic, \(custom) custom")
                }
            }
            #expect(plans[PGBatchRead.name] != nil || plans[PGBatchWrite.name] != nil, "a posting statement was prepared on the lane's connection")
            let main = try await t.store.sql.raw("SHOW plan_cache_mode").first()!.decode(column: "plan_cache_mode", as: String.self)
            #expect(main == "auto")
        }
    }
}
