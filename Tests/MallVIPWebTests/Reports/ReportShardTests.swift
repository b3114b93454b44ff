import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// No hot rows (issue 15, migration 031): each purchase lane adds to its own shard of `counter_day_sales` and
/// `price_band_day_sales`, so parallel lanes on PostgreSQL never wait on each other's rows; the reports sum the shards.
@Suite("Reports: aggregate shards") struct ReportShardTests {
    @Test("purchases add to their lane's shard; the reports sum the shards, equal the amounts posted and a rebuild")
    func shardsSumToTheSameFigures() async throws {
        try await withTestApp { t in
            var cards: [String] = []
            for i in 0..<12 { cards.append(try await t.enrolMember(phone: "1380000" + String(format: "%04d", i), amountFen: 60_000)) }
            var posted: Int64 = 12 * 60_000
            for (i, card) in cards.enumerated() {
                let fen = [5_000, 35_000, 128_000][i % 3] + Int64(i)
                let r = try await t.purchase("SHARD-\(i)", card: card, lines: [Line(fen), Line(9_900)])
                #expect(r.status == .created, "\(r.text)")
                posted += fen + 9_900
            }
            let sql = t.store.sql
            func shards(_ table: String, _ filter: String = "") async throws -> Int {
                try await sql.raw("SELECT COUNT(DISTINCT shard) AS n FROM \(ident: table)\(unsafeRaw: filter)").first()!.decode(column: "n", as: Int.self)
            }
            // The lanes' shards (0, 1, …): SQLite has one lane, the test app's PostgreSQL two, and twelve cards use both.
            #expect(try await shards("counter_day_sales", " WHERE shard >= 0") == (TestDatabase.isPostgres ? 2 : 1))
            #expect(try await shards("price_band_day_sales", " WHERE shard >= 0") == (TestDatabase.isPostgres ? 2 : 1))
            // The enrolment credits (outside the lanes) went to the off-lane shard, -1.
            #expect(try await shards("counter_day_sales", " WHERE shard = -1") == 1)

            let day = LocalDate(year: 2026, month: 11, day: 25)
            let scope = ReportScope(range: DayRange(from: day, to: day), mallId: nil)
            let sales = try await t.store.reportSales(scope, by: .counter)
            #expect(sales.count == 1)
            #expect(sales.first?.sales.salesFen == posted)
            #expect(sales.first?.sales.memberSalesFen == posted)   // the enrolment receipts were credited to the new members
            #expect(sales.first?.sales.receipts == 24)
            #expect(sales.first?.sales.lines == 36)
            let bands = try await t.store.reportPriceBands(scope)
            #expect(bands.reduce(0) { $0 + $1.lines } == 36)
            #expect(bands.reduce(0) { $0 + $1.salesFen } == posted)

            // A rebuild writes one shard (0) with the same figures.
            try await t.store.rebuildReportAggregates()
            #expect(try await shards("counter_day_sales") == 1)
            #expect(try await shards("counter_day_sales", " WHERE shard = 0") == 1)
            #expect(try await t.store.reportSales(scope, by: .counter) == sales)
            #expect(try await t.store.reportPriceBands(scope) == bands)
        }
    }
}
