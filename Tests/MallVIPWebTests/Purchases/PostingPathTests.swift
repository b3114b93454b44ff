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
}
