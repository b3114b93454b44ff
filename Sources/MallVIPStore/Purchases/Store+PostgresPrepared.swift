import Foundation
import Logging
import MallVIPCore
import PostgresKit

/// PostgreSQL live posting with two FIXED statement texts, every value bound, prepared once per connection and
/// executed by name (issue 15, part 15a of the third pass). Before, each batch's read and write were new text (numbers
/// inline, row counts in the text, sent as unnamed statements), so PostgreSQL parsed and planned ~8 KB of SQL per
/// batch: ~70 % of its time on a batch. Now each value list is one bound array (`$3::bigint[]`, unnested server-side,
/// `WITH ORDINALITY … ORDER BY ord` keeps the order added), so the text is the same whatever the batch holds, and
/// PostgresNIO's `PostgresPreparedStatement` prepares it once per connection (Parse once, then Bind/Execute by name).
///
/// The texts are produced by the same builder that binds the values (`PGBinder`): the static `sql` is the builder run
/// on an empty batch, the bindings come from the builder run on the real one, so placeholders and values cannot drift
/// apart (checked in debug builds).
///
/// Optional parts (no tier changes, no day counts, …) are empty arrays, not missing CTEs: one text for every batch.
/// The CTE order is the one the text-built statement had (webhook rows come in the same order; see
/// Store+PostgresBatch.swift), and the optimistic guard (`mallvip_expect_rows`, 40001, retried by the caller) is the
/// same.

/// A one-dimensional PostgreSQL array in binary format whose elements may be NULL (PostgresNIO encodes arrays of
/// non-optional elements only).
struct PGNullableArray<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable & Sendable>: PostgresNonThrowingEncodable, Sendable {
    var values: [Element?]

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(values.isEmpty ? 0 : 1, as: Int32.self)                 // dimensions
        buffer.writeInteger(values.contains { $0 == nil } ? 1 : 0, as: Int32.self)  // has NULLs
        buffer.writeInteger(Element.psqlType.rawValue)                               // element type
        guard !values.isEmpty else { return }
        buffer.writeInteger(Int32(values.count), as: Int32.self)                     // length
        buffer.writeInteger(1, as: Int32.self)                                       // lower bound
        for value in values {
            guard let value else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let at = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            value.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - at - 4), at: at, as: Int32.self)
        }
    }
}

/// Builds a statement's text and its bindings together: each value call appends the binding and returns its
/// placeholder (`$n::type`).
struct PGBinder {
    var sql = ""
    var bindings = PostgresBindings()
    private var n = 0

    private mutating func next(_ type: String) -> String {
        n += 1
        return "$\(n)::\(type)"
    }
    mutating func ints(_ v: [Int64]) -> String { bindings.append(v); return next("bigint[]") }
    mutating func optInts(_ v: [Int64?]) -> String { bindings.append(PGNullableArray(values: v)); return next("bigint[]") }
    mutating func texts(_ v: [String]) -> String { bindings.append(v); return next("text[]") }
    mutating func optTexts(_ v: [String?]) -> String { bindings.append(PGNullableArray(values: v)); return next("text[]") }
    mutating func bools(_ v: [Bool]) -> String { bindings.append(v); return next("boolean[]") }
    mutating func int(_ v: Int64) -> String { bindings.append(v); return next("bigint") }
    mutating func text(_ v: String) -> String { bindings.append(v); return next("text") }

    /// `unnest(a, b, …) WITH ORDINALITY AS v(c1, c2, …, ord)`.
    static func unnest(_ arrays: [String], as alias: String = "v") -> String {
        "unnest(\(arrays.joined(separator: ", "))) WITH ORDINALITY AS \(alias)("
            + (1...arrays.count).map { "c\($0)" }.joined(separator: ", ") + ", ord)"
    }
}

/// The batch's one read (what `Store.readBatchState` returns), as a prepared statement.
struct PGBatchRead: PostgresPreparedStatement {
    static let name = "mallvip_batch_read_v1"
    static let sql: String = {
        var b = PGBinder()
        build(&b, cardNos: [], phones: [], receiptNos: [], spendFrom: 1, spendTo: 0, dayMalls: [], dayDays: [])
        return b.sql
    }()
    typealias Row = PostgresRow

    let bindings: PostgresBindings

    init(cardNos: [String], phones: [String], receiptNos: [String], spendFrom: Int64, spendTo: Int64,
         dayMalls: [Int64], dayDays: [Int64]) {
        var b = PGBinder()
        Self.build(&b, cardNos: cardNos, phones: phones, receiptNos: receiptNos, spendFrom: spendFrom, spendTo: spendTo,
                   dayMalls: dayMalls, dayDays: dayDays)
        assert(b.sql == Self.sql, "the batch read's text must not depend on the batch")
        bindings = b.bindings
    }

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    /// Every kind of row the batch needs, tagged by `k`, in the columns i1…i7 (numbers) and t1…t4 (text). The spend
    /// rows come only for days in [spendFrom, spendTo] (an empty range when the programme has no tier window), the
    /// day counts only for the (mall, day) pairs given (none when the programme has no first-N rule).
    static func build(_ b: inout PGBinder, cardNos: [String], phones: [String], receiptNos: [String], spendFrom: Int64, spendTo: Int64,
                      dayMalls: [Int64], dayDays: [Int64]) {
        func branch(_ kind: String, _ ints: [String], _ texts: [String], _ rest: String) -> String {
            let i = (ints + Array(repeating: "NULL", count: 7 - ints.count)).enumerated()
                .map { "CAST(\($0.element) AS BIGINT) AS i\($0.offset + 1)" }
            let t = (texts + Array(repeating: "NULL", count: 4 - texts.count)).enumerated()
                .map { "CAST(\($0.element) AS TEXT) AS t\($0.offset + 1)" }
            return "SELECT '\(kind)' AS k, " + (i + t).joined(separator: ", ") + " " + rest
        }
        let cards = b.texts(cardNos), phoneList = b.texts(phones), receipts = b.texts(receiptNos)
        let from = b.int(spendFrom), to = b.int(spendTo), malls = b.ints(dayMalls), days = b.ints(dayDays)
        var q = "WITH c AS (SELECT c.card_no, c.member_id, c.state, m.status FROM cards c LEFT JOIN members m ON m.id = c.member_id"
        q += " WHERE c.card_no = ANY(\(cards)))"
        q += ", ph AS (SELECT m.id, m.phone, (SELECT c.card_no FROM cards c WHERE c.member_id = m.id AND c.state = 'active' LIMIT 1) AS card_no"
        q += " FROM members m WHERE m.status = 'active' AND m.phone = ANY(\(phoneList)))"
        q += ", ids AS (SELECT member_id AS id FROM c WHERE member_id IS NOT NULL UNION SELECT id FROM ph) "
        q += branch("r", ["mall_id"], ["receipt_no", "request_hash", "response_json"], "FROM purchases WHERE mall_id IN (SELECT id FROM malls) AND receipt_no = ANY(\(receipts))")
        q += " UNION ALL " + branch("c", ["member_id"], ["card_no", "state", "status"], "FROM c")
        q += " UNION ALL " + branch("p", ["id"], ["phone", "card_no"], "FROM ph")
        q += " UNION ALL " + branch("m", ["id", "tier_since_day", "manual_until_day", "points_balance", "birth_month", "birth_day",
                                          "CASE WHEN referral_pending THEN 1 ELSE 0 END"],
                                    ["earned_tier", "manual_tier", "status", "xmin"], "FROM members WHERE id IN (SELECT id FROM ids)")
        q += " UNION ALL " + branch("t", ["member_id"], ["tier"], "FROM tier_requests WHERE member_id IN (SELECT id FROM ids) AND status = 'pending'")
        q += " UNION ALL " + branch("s", ["member_id", "day", "spend_fen"], [],
                                    "FROM member_daily_spend WHERE member_id IN (SELECT id FROM ids) AND day >= \(from) AND day <= \(to)")
        q += " UNION ALL " + branch("d", ["mall_id", "day", "member_purchases"], [],
                                    "FROM mall_day_counts WHERE (mall_id, day) IN (SELECT k.c1, k.c2 FROM \(PGBinder.unnest([malls, days], as: "k")))")
        b.sql = q
    }
}

/// The batch's one write, as a prepared statement. `Input` is everything the decision produced.
struct PGBatchWrite: PostgresPreparedStatement {
    static let name = "mallvip_batch_write_v1"
    static let sql: String = {
        var b = PGBinder()
        build(&b, Input())
        return b.sql
    }()
    typealias Row = PostgresRow

    struct Input {
        var rows: [Store.PurchaseRow] = []
        var ledger: [(row: Int, memberId: Int64, points: Int64, balance: Int64, note: String, at: Int64)] = []
        var tierChanges: [(row: Int, memberId: Int64, from: String, to: String, reason: String, at: Int64)] = []
        var tierRequests: [(memberId: Int64, tier: String, reason: String, at: Int64)] = []
        /// Changed members with the row version (`xmin`) each was read at.
        var members: [(member: Store.LockedMember, version: String)] = []
        var daily: [(key: Store.DailyKey, spend: Int64, count: Int)] = []
        var report = ReportDelta(policy: ReportsPolicy(), shard: 0)
        /// What the batch adds to each mall-day count, with the count read.
        var dayCounts: [(key: Store.DayKey, added: Int, read: Int)] = []
        var nowMs: Int64 = 0
    }

    let bindings: PostgresBindings

    init(_ input: Input) {
        var b = PGBinder()
        Self.build(&b, input)
        assert(b.sql == Self.sql, "the batch write's text must not depend on the batch")
        bindings = b.bindings
    }

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    static func build(_ b: inout PGBinder, _ w: Input) {
        let now = b.int(w.nowMs)
        func sum(_ names: [String], _ table: String) -> String {
            names.map { "\($0) = \(table).\($0) + excluded.\($0)" }.joined(separator: ", ")
        }

        // p: the purchases, in the order added (ids ascend in that order).
        let rows = w.rows
        let p = [
            b.ints(rows.map(\.item.mallId)), b.texts(rows.map(\.item.request.receiptNo)), b.optInts(rows.map(\.memberId)),
            b.optTexts(rows.map(\.cardNo)), b.optTexts(rows.map(\.item.request.phone)),
            b.ints(rows.map { epochMillis($0.item.request.occurredAt) }), b.ints(rows.map { Int64($0.item.day.dayNumber) }),
            b.ints(rows.map(\.item.total)), b.ints(rows.map(\.item.eligible)), b.ints(rows.map(\.earned)),
            b.ints(rows.map { Int64($0.factor) }), b.ints(rows.map { Int64($0.item.programmeVersion) }),
            b.texts(rows.map(\.item.hash)), b.texts(rows.map(\.json)),
            b.texts(rows.map(\.item.request.channel.rawValue)), b.optTexts(rows.map(\.item.request.channelRef)),
        ]
        // Values for Store.BatchWrites.purchaseColumns, in that order.
        let purchaseValues = "v.c1, v.c2, v.c3, v.c4, v.c5, v.c6, v.c7, v.c8, v.c9, 0, 0, v.c10, 0, v.c11, v.c12, v.c13, v.c14, \(now), v.c15, v.c16"
        var q = "WITH p AS (INSERT INTO purchases (\(Store.BatchWrites.purchaseColumns.joined(separator: ", "))) SELECT \(purchaseValues)"
        q += " FROM \(PGBinder.unnest(p)) ORDER BY v.ord RETURNING id, mall_id, receipt_no)"

        // tc: tier changes (listed right after p: PostgreSQL finishes them last, after the ledger rows).
        let tc = w.tierChanges
        let tcArrays = [
            b.ints(tc.map { rows[$0.row].item.mallId }), b.texts(tc.map { rows[$0.row].item.request.receiptNo }), b.ints(tc.map(\.memberId)),
            b.texts(tc.map(\.from)), b.texts(tc.map(\.to)), b.texts(tc.map(\.reason)), b.ints(tc.map(\.at)),
        ]
        q += ", tc AS (INSERT INTO tier_changes (member_id, from_tier, to_tier, kind, reason, purchase_id, actor, at_ms)"
        q += " SELECT v.c3, v.c4, v.c5, 'upgrade', v.c6, s.id, 'pos', v.c7 FROM \(PGBinder.unnest(tcArrays))"
        q += " JOIN p s ON s.mall_id = v.c1 AND s.receipt_no = v.c2 ORDER BY v.ord)"

        // tr: approval requests.
        let tr = w.tierRequests
        let trArrays = [b.ints(tr.map(\.memberId)), b.texts(tr.map(\.tier)), b.texts(tr.map(\.reason)), b.ints(tr.map(\.at))]
        q += ", tr AS (INSERT INTO tier_requests (member_id, tier, reason, status, created_at_ms)"
        q += " SELECT v.c1, v.c2, v.c3, 'pending', v.c4 FROM \(PGBinder.unnest(trArrays)) ORDER BY v.ord)"

        // l: the lines.
        var lMall: [Int64] = [], lReceipt: [String] = [], lMember: [Int64?] = [], lNo: [Int64] = [], lCounter: [Int64] = []
        var lAmount: [Int64] = [], lSpecial: [Bool] = [], lEarns: [Bool] = [], lDay: [Int64] = []
        for r in rows {
            for (i, l) in r.item.lines.enumerated() {
                lMall.append(r.item.mallId); lReceipt.append(r.item.request.receiptNo); lMember.append(r.memberId)
                lNo.append(Int64(i + 1)); lCounter.append(l.counter.id); lAmount.append(l.request.amountFen)
                lSpecial.append(l.request.specialPrice); lEarns.append(l.counter.earnsPoints); lDay.append(Int64(r.item.day.dayNumber))
            }
        }
        let lArrays = [b.ints(lMall), b.texts(lReceipt), b.optInts(lMember), b.ints(lNo), b.ints(lCounter), b.ints(lAmount),
                       b.bools(lSpecial), b.bools(lEarns), b.ints(lDay)]
        q += ", l AS (INSERT INTO purchase_lines (\(Store.BatchWrites.lineColumns.joined(separator: ", ")))"
        q += " SELECT s.id, v.c3, v.c4, v.c5, v.c6, v.c7, v.c8, 0, v.c9 FROM \(PGBinder.unnest(lArrays))"
        q += " JOIN p s ON s.mall_id = v.c1 AND s.receipt_no = v.c2 ORDER BY v.ord)"

        // g: the earn rows, through the one ledger writer.
        let g = w.ledger
        let ledger = LedgerWriter.unnestStatement(
            purchasesFrom: "p", mall: b.ints(g.map { rows[$0.row].item.mallId }), receipt: b.texts(g.map { rows[$0.row].item.request.receiptNo }),
            member: b.ints(g.map(\.memberId)), kind: b.text(LedgerKind.earn.rawValue), points: b.ints(g.map(\.points)),
            balance: b.ints(g.map(\.balance)), note: b.texts(g.map(\.note)), actor: b.text("pos"), at: b.ints(g.map(\.at)))
        q += ", g AS (\(ledger))"

        // u: the members, only where each row is still the version read.
        let m = w.members
        let uArrays = [b.ints(m.map(\.member.id)), b.ints(m.map(\.member.balance)), b.texts(m.map(\.member.earnedTier)),
                       b.ints(m.map { Int64($0.member.tierSinceDay) }), b.texts(m.map(\.version))]
        q += ", u AS (UPDATE members SET points_balance = v.c2, earned_tier = v.c3, tier_since_day = v.c4, updated_at_ms = \(now)"
        q += " FROM \(PGBinder.unnest(uArrays)) WHERE members.id = v.c1 AND CAST(members.xmin AS TEXT) = v.c5 RETURNING members.id)"

        // d: daily spend, in key order.
        let d = w.daily
        let dArrays = [b.ints(d.map(\.key.memberId)), b.ints(d.map(\.key.mallId)), b.ints(d.map { Int64($0.key.day) }),
                       b.ints(d.map(\.spend)), b.ints(d.map { Int64($0.count) })]
        q += ", d AS (INSERT INTO member_daily_spend (\(Store.BatchWrites.dailyColumns.joined(separator: ", ")))"
        q += " SELECT v.c1, v.c2, v.c3, v.c4, v.c5 FROM \(PGBinder.unnest(dArrays)) ORDER BY v.ord\(Store.BatchWrites.dailyConflict))"

        // r0…r3: the report aggregates (ReportDelta.statements(), one text), rows in key order, the lane's shard.
        let report = w.report
        let shard = b.int(Int64(report.shard))
        let counterKeys = report.counters.keys.sorted(), counters = counterKeys.map { report.counters[$0]! }
        let cArrays = [
            b.ints(counterKeys.map(\.mall)), b.ints(counterKeys.map(\.counter)), b.ints(counterKeys.map { Int64($0.day) }),
            b.ints(counters.map(\.sales)), b.ints(counters.map(\.memberSales)), b.ints(counters.map(\.lines)),
            b.ints(counters.map(\.memberLines)), b.ints(counters.map(\.receipts)), b.ints(counters.map(\.memberReceipts)),
            b.ints(counters.map(\.lead)), b.ints(counters.map(\.memberLead)), b.ints(counters.map(\.refunded)),
            b.ints(counters.map(\.memberRefunded)),
        ]
        q += ", r0 AS (INSERT INTO counter_day_sales (mall_id, counter_id, day, shard, sales_fen, member_sales_fen, lines, member_lines,"
        q += " receipts, member_receipts, lead_receipts, member_lead_receipts, refunded_fen, member_refunded_fen)"
        q += " SELECT v.c1, v.c2, v.c3, \(shard), v.c4, v.c5, v.c6, v.c7, v.c8, v.c9, v.c10, v.c11, v.c12, v.c13"
        q += " FROM \(PGBinder.unnest(cArrays)) ORDER BY v.ord ON CONFLICT (counter_id, day, shard) DO UPDATE SET "
        q += sum(["sales_fen", "member_sales_fen", "lines", "member_lines", "receipts", "member_receipts", "lead_receipts",
                  "member_lead_receipts", "refunded_fen", "member_refunded_fen"], "counter_day_sales") + ")"

        let bandKeys = report.bands.keys.sorted(), bands = bandKeys.map { report.bands[$0]! }
        let bArrays = [b.ints(bandKeys.map(\.mall)), b.ints(bandKeys.map { Int64($0.day) }), b.ints(bandKeys.map(\.band)),
                       b.ints(bands.map(\.lines)), b.ints(bands.map(\.sales)), b.ints(bands.map(\.memberLines)), b.ints(bands.map(\.memberSales))]
        q += ", r1 AS (INSERT INTO price_band_day_sales (mall_id, day, band_fen, shard, lines, sales_fen, member_lines, member_sales_fen)"
        q += " SELECT v.c1, v.c2, v.c3, \(shard), v.c4, v.c5, v.c6, v.c7 FROM \(PGBinder.unnest(bArrays))"
        q += " ORDER BY v.ord ON CONFLICT (mall_id, day, band_fen, shard) DO UPDATE SET "
        q += sum(["lines", "sales_fen", "member_lines", "member_sales_fen"], "price_band_day_sales") + ")"

        let monthKeys = report.months.keys.sorted(), months = monthKeys.map { report.months[$0]! }
        let mArrays = [b.ints(monthKeys.map(\.member)), b.ints(monthKeys.map(\.mall)), b.ints(monthKeys.map { Int64($0.month) }),
                       b.ints(months.map(\.spend)), b.ints(months.map(\.purchases)), b.ints(months.map(\.mask)),
                       b.ints(months.map { Int64($0.lastDay) })]
        q += ", r2 AS (INSERT INTO member_month_stats (member_id, mall_id, month, spend_fen, purchases, days_mask, last_day)"
        q += " SELECT v.c1, v.c2, v.c3, v.c4, v.c5, v.c6, v.c7 FROM \(PGBinder.unnest(mArrays)) ORDER BY v.ord"
        q += " ON CONFLICT (member_id, mall_id, month) DO UPDATE SET spend_fen = member_month_stats.spend_fen + excluded.spend_fen,"
        q += " purchases = member_month_stats.purchases + excluded.purchases, days_mask = member_month_stats.days_mask | excluded.days_mask,"
        q += " last_day = CASE WHEN excluded.last_day > member_month_stats.last_day THEN excluded.last_day ELSE member_month_stats.last_day END)"

        let changes = report.changes.sorted()
        let chArrays = [b.ints(changes.map(\.member)), b.ints(changes.map { Int64($0.day) })]
        q += ", r3 AS (INSERT INTO report_member_changes (member_id, day) SELECT v.c1, v.c2 FROM \(PGBinder.unnest(chArrays))"
        q += " ORDER BY v.ord ON CONFLICT (member_id, day) DO NOTHING)"

        // dc: the malls' day counts, only where each still holds the count read (0 for a row that did not exist).
        let dc = w.dayCounts
        let dcArrays = [b.ints(dc.map(\.key.mallId)), b.ints(dc.map { Int64($0.key.day) }), b.ints(dc.map { Int64($0.added) }),
                        b.ints(dc.map { Int64($0.read) })]
        q += ", dc AS (INSERT INTO mall_day_counts AS t (mall_id, day, member_purchases) SELECT v.c1, v.c2, v.c3 FROM \(PGBinder.unnest(dcArrays))"
        q += " ON CONFLICT (mall_id, day) DO UPDATE SET member_purchases = t.member_purchases + excluded.member_purchases"
        q += " WHERE t.member_purchases = (SELECT w.c4 FROM \(PGBinder.unnest(dcArrays, as: "w")) WHERE w.c1 = t.mall_id AND w.c2 = t.day)"
        q += " RETURNING 1)"

        // Every guarded row must have matched, else 40001 and nothing is written.
        let expected = b.int(Int64(m.count + dc.count))
        q += " SELECT id, mall_id, receipt_no, mallvip_expect_rows((SELECT count(*) FROM u) + (SELECT count(*) FROM dc), \(expected)) AS guarded FROM p"
        b.sql = q
    }
}

extension Store {
    static let postgresBatchLogger = Logger(label: "mallvip.store.postgres-batch")

    /// Runs `body` on one connection of the purchase lanes' PostgreSQL pool (below Fluent, so prepared statements can
    /// be executed by name): the posting pool when one is attached (generic plans, StoreLocation+Posting.swift), else
    /// the main pool; nil when the store's database is not a PostgreSQL one.
    func withPostgresConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T? {
        guard let pg = (postingDB ?? db) as? any PostgresDatabase else { return nil }
        return try await pg.withConnection { conn in
            conn.eventLoop.makeFutureWithTask { try await body(conn) }
        }.get()
    }
}
