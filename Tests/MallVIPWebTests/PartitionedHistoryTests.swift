import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

/// Monthly partitioned history on PostgreSQL (issue 21 part b, migration 046, docs/scaling.md "Partitioned history").
/// On SQLite the same tests assert the no-op (plain tables, nothing to create or detach) and the lines' business day.
@Suite("Partitioned history") struct PartitionedHistoryTests {
    func partitionOf(_ t: TestContext, _ table: String, where cond: SQLQueryString) async throws -> [String] {
        var q = SQLQueryString("SELECT DISTINCT tableoid::regclass::text AS p FROM \(ident: table) WHERE ")
        q.appendInterpolation(cond)
        return try await t.store.sql.raw(q).all().map { try $0.decode(column: "p", as: String.self) }
    }

    @Test("every writer fills purchase_lines.business_day with its purchase's day (both stores)")
    func linesCarryTheDay() async throws {
        try await withTestApp(now: shanghai(2026, 3, 4, 10)) { t in
            let card = try await t.enrolMember(phone: "13800000001")
            #expect(try await t.purchase("R-1", fen: 20_000, card: card).status == .created)
            #expect(try await t.purchase("R-2", fen: 30_000, at: shanghai(2026, 2, 27), card: card).status == .created)
            let bad = try await t.store.sql.raw("""
                SELECT COUNT(*) AS n FROM purchase_lines l JOIN purchases p ON p.id = l.purchase_id WHERE l.business_day <> p.business_day
                """).first()!.decode(column: "n", as: Int.self)
            #expect(bad == 0)
            #expect(try await t.count("purchase_lines") == 3)
            #expect(try await t.store.historyPartitioned() == TestDatabase.isPostgres)
        }
    }

    @Test("SQLite: nothing to create, detach refused with the rule")
    func sqliteNoOp() async throws {
        guard !TestDatabase.isPostgres else { return }
        try await withTestApp { t in
            let created = try await t.store.ensureHistoryPartitions(on: LocalDate(year: 2026, month: 11, day: 25))
            #expect(created.isEmpty)
            let parts = try await t.store.historyPartitions()
            #expect(parts.isEmpty)
            await #expect(throws: DomainError.self) { try await t.store.detachHistoryPartitions(before: FinanceMonth(year: 2026, month: 1), actor: "t") }
        }
    }

    @Test("the job creates months ahead; rows already in the default move in; a new month's purchase lands in its partition")
    func monthsAheadAndDefault() async throws {
        guard TestDatabase.isPostgres else { return }
        // A year before the migration's months (it creates from the real current month): posts go to the default.
        try await withTestApp(now: shanghai(2025, 11, 28, 10)) { t in
            let card = try await t.enrolMember(phone: "13800000002")
            #expect(try await t.purchase("R-1", fen: 20_000, card: card).status == .created)
            #expect(try await partitionOf(t, "purchases", where: "receipt_no = 'R-1'") == ["purchases_default"])
            #expect(try await partitionOf(t, "purchase_lines", where: "business_day = \(bind: LocalDate(year: 2025, month: 11, day: 28).dayNumber)") == ["purchase_lines_default"])

            let created = try await t.store.ensureHistoryPartitions(on: LocalDate(year: 2025, month: 11, day: 28), monthsAhead: 2)
            #expect(created.contains("purchases_p202511") && created.contains("points_ledger_p202601") && created.count == 9)
            // The rows of November left the default for their month, lines and ledger with them.
            #expect(try await partitionOf(t, "purchases", where: "receipt_no = 'R-1'") == ["purchases_p202511"])
            #expect(try await partitionOf(t, "purchase_lines", where: "TRUE") == ["purchase_lines_p202511"])
            #expect(try await partitionOf(t, "points_ledger", where: "TRUE") == ["points_ledger_p202511"])
            #expect(try await t.store.ensureHistoryPartitions(on: LocalDate(year: 2025, month: 11, day: 28), monthsAhead: 2).isEmpty)

            // The first day of a new month, after the job: straight into that month's partitions.
            t.clock.set(shanghai(2026, 1, 1, 0, 5))
            #expect(try await t.purchase("R-2", fen: 30_000, card: card).status == .created)
            #expect(try await partitionOf(t, "purchases", where: "receipt_no = 'R-2'") == ["purchases_p202601"])
            #expect(try await partitionOf(t, "points_ledger", where: "note LIKE 'R-2%'") == ["points_ledger_p202601"])
            let report = try await t.store.verify()
            #expect(report.ok, "\(report.mismatches)")
            #expect(try await t.count("purchase_receipts") == 3)   // the enrolment's receipt, R-1, R-2
        }
    }

    @Test("receipt replay and 409 hold across months and under a race")
    func receiptIdempotencyAcrossMonths() async throws {
        try await withTestApp(now: shanghai(2026, 3, 4, 10)) { t in
            _ = try await t.store.ensureHistoryPartitions(on: LocalDate(year: 2026, month: 2, day: 1), monthsAhead: 3)
            let body = t.purchaseJSON("R-1", at: shanghai(2026, 2, 27), lines: [.init(20_000)])
            let first = try await t.postRaw("/api/v1/purchases", body)
            #expect(first.status == .created)
            let replay = try await t.postRaw("/api/v1/purchases", body)
            #expect(replay.status == .ok)
            #expect(sameJSON(replay.text, first.text))
            // The same number in another month (another partition) with another body: a conflict, not a second purchase.
            let other = try await t.purchase("R-1", fen: 20_000, at: shanghai(2026, 3, 4, 9))
            #expect(other.status == .conflict)
            // Two bodies under one new number at once, in two months: exactly one is recorded.
            async let a = t.purchase("R-9", fen: 10_000, at: shanghai(2026, 2, 27), phone: "13900000001")
            async let b = t.purchase("R-9", fen: 10_000, at: shanghai(2026, 3, 4, 9), phone: "13900000002")
            let statuses = [try await a.status, try await b.status].map(\.code).sorted()
            #expect(statuses == [201, 409])
            #expect(try await t.store.sql.raw("SELECT COUNT(*) AS n FROM purchases WHERE receipt_no = 'R-9'").first()!.decode(column: "n", as: Int.self) == 1)
        }
    }

    @Test("a refund of an old month's purchase; detach after the finance close keeps verify clean")
    func refundAndDetach() async throws {
        try await withTestApp(now: shanghai(2026, 3, 4, 10)) { t in
            _ = try await t.store.ensureHistoryPartitions(on: LocalDate(year: 2026, month: 3, day: 1), monthsAhead: 3)
            let card = try await t.enrolMember(phone: "13800000003")
            #expect(try await t.purchase("R-MAR", fen: 50_000, card: card).status == .created)
            t.clock.set(shanghai(2026, 5, 10, 10))
            #expect(try await t.purchase("R-MAY", fen: 40_000, card: card).status == .created)
            // March's purchase refunded in May: the row in March's partition changes, the reversal is May's.
            #expect(try await t.refund("F-1", receipt: "R-MAR", fen: 10_000).status == .created)
            let refunded = try await t.store.sql.raw("SELECT refunded_fen FROM purchases WHERE receipt_no = 'R-MAR'").first()!.decode(column: "refunded_fen", as: Int64.self)
            #expect(refunded == 10_000)
            var report = try await t.store.verify()
            #expect(report.ok, "\(report.mismatches)")
            guard TestDatabase.isPostgres else { return }
            #expect(try await partitionOf(t, "purchases", where: "receipt_no = 'R-MAR'") == ["purchases_p202603"])

            // Not closed yet: refused.
            do {
                try await t.store.detachHistoryPartitions(before: FinanceMonth(year: 2026, month: 4), actor: "t")
                Issue.record("detach of an open month was not refused")
            } catch let e as DomainError {
                #expect(e.rule == "partitions.month.open")
            }
            try await t.store.closeFinanceMonth(FinanceMonth(year: 2026, month: 3), actor: "t")
            let balance = try await t.balance(try await t.memberId(card: card))
            let detached = try await t.store.detachHistoryPartitions(before: FinanceMonth(year: 2026, month: 4), actor: "t")
            #expect(detached == ["purchase_lines_p202603", "purchases_p202603", "points_ledger_p202603"])
            // What remains: May's purchase and the refund's reversal; the balance and the rest still agree.
            #expect(try await t.count("purchases") == 1)
            #expect(try await t.balance(try await t.memberId(card: card)) == balance)
            report = try await t.store.verify()
            #expect(report.ok, "\(report.mismatches)")
            let parts = try await t.store.historyPartitions()
            #expect(parts.filter { !$0.attached }.map(\.name).sorted() == ["points_ledger_p202603", "purchase_lines_p202603", "purchases_p202603"])
            // The current month cannot be detached.
            await #expect(throws: DomainError.self) { try await t.store.detachHistoryPartitions(before: FinanceMonth(year: 2026, month: 6), actor: "t") }
        }
    }
}
