import SQLKit

extension Store {
    /// The statements of a batch's writes. Lines and ledger rows find their purchase by (mall, receipt number),
    /// joining `purchases` (SQLite, separate statements) or the CTE that inserted them (PostgreSQL, one statement).
    /// Each is one `BulkInsert.Statement` (numbers inline, text bound; see BulkInsert.swift), unchunked: the caller
    /// keeps a batch under the bind limit. The ledger rows go through `LedgerWriter`.
    struct BatchWrites {
        var rows: [PurchaseRow]
        /// The batch's earn rows, pointing into `rows` by index (`BatchRows.ledger`).
        var ledger: [(row: Int, memberId: Int64, points: Int64, balance: Int64, note: String, at: Int64)]
        var members: [LockedMember]
        var daily: [(key: DailyKey, spend: Int64, count: Int)]
        var nowMs: Int64

        func purchases(_ chunk: ArraySlice<PurchaseRow>) -> SQLQueryString {
            var q = BulkInsert.Statement(table: "purchases", columns: Self.purchaseColumns, returning: "id, mall_id, receipt_no")
            for r in chunk { q.add(purchaseValues(r)) }
            return q.query ?? ""
        }

        /// The purchases row's columns and values, also for the import's row-at-a-time insert on SQLite.
        static let purchaseColumns = [
            "mall_id", "receipt_no", "member_id", "card_no", "phone", "occurred_at_ms", "business_day", "total_fen", "eligible_fen",
            "refunded_fen", "refunded_eligible_fen", "points_earned", "points_reversed", "factor_permille", "programme_version",
            "request_hash", "response_json", "created_at_ms", "channel", "channel_ref",
        ]
        func purchaseValues(_ r: PurchaseRow) -> [BulkInsert.Value] {
            let it = r.item
            return [.int(it.mallId), .text(it.request.receiptNo), .int(r.memberId), .text(r.cardNo), .text(it.request.phone),
                    .int(epochMillis(it.request.occurredAt)), .int(it.day.dayNumber), .int(it.total), .int(it.eligible), .int(0), .int(0),
                    .int(r.earned), .int(0), .int(r.factor), .int(it.programmeVersion), .text(it.hash), .text(r.json), .int(nowMs),
                    .text(it.request.channel.rawValue), .text(it.request.channelRef)]
        }

        static let lineColumns = [
            "purchase_id", "member_id", "line_no", "counter_id", "amount_fen", "special_price", "earns_points", "refunded_fen",
            "business_day",   // the purchase's: lines partition with it on PostgreSQL (migration 046)
        ]

        func lines(_ rows: ArraySlice<PurchaseRow>, from source: String) -> SQLQueryString? {
            var q = BulkInsert.Statement(table: "purchase_lines", columns: Self.lineColumns,
                                         join: .init(source: source, on: ["mall_id", "receipt_no"], take: ["purchase_id": "id"]))
            for r in rows {
                for (i, l) in r.item.lines.enumerated() {
                    q.add([.int(r.item.mallId), .text(r.item.request.receiptNo), .int(r.memberId), .int(i + 1), .int(l.counter.id),
                           .int(l.request.amountFen), .bool(l.request.specialPrice), .bool(l.counter.earnsPoints), .int(0),
                           .int(r.item.day.dayNumber)])
                }
            }
            return q.query
        }

        /// The batch's `earn` rows, through the one ledger writer; each finds its purchase by (mall, receipt) in `source`.
        func ledger(from source: String) -> SQLQueryString? {
            LedgerWriter.statement(ledger.map { e in
                let item = rows[e.row].item
                return NewLedgerEntry(memberId: e.memberId, kind: .earn, points: e.points, balanceAfter: e.balance,
                                      purchase: .receipt(mallId: item.mallId, receiptNo: item.request.receiptNo),
                                      note: e.note, actor: "pos", atMs: e.at)
            }, purchasesFrom: source)
        }

        func memberUpdate() -> SQLQueryString? {
            guard !members.isEmpty else { return nil }
            var q = SQLQueryString("UPDATE members SET points_balance = v.column2, earned_tier = v.column3, tier_since_day = v.column4, updated_at_ms = v.column5 FROM (VALUES")
            for (n, m) in members.enumerated() {
                q.appendInterpolation("\(unsafeRaw: n == 0 ? " " : ", ")(\(int: m.id), \(int: m.balance), CAST(\(bind: m.earnedTier) AS TEXT), \(int: m.tierSinceDay), \(int: nowMs))" as SQLQueryString)
            }
            q.appendLiteral(") AS v WHERE members.id = v.column1")
            return q
        }

        static let dailyColumns = ["member_id", "mall_id", "day", "spend_fen", "purchases"]
        static let dailyConflict = SQLStoreDialect.onConflict(["member_id", "mall_id", "day"], doUpdate: """
            spend_fen = member_daily_spend.spend_fen + excluded.spend_fen, \
            purchases = member_daily_spend.purchases + excluded.purchases
            """)
        /// In key order: concurrent writers take the row locks in the same order.
        var dailySorted: [(key: DailyKey, spend: Int64, count: Int)] {
            daily.sorted(by: { ($0.key.memberId, $0.key.day) < ($1.key.memberId, $1.key.day) })
        }

        func dailyUpsert() -> SQLQueryString? {
            var q = BulkInsert.Statement(table: "member_daily_spend", columns: Self.dailyColumns, onConflict: Self.dailyConflict)
            for d in dailySorted {
                q.add([.int(d.key.memberId), .int(d.key.mallId), .int(d.key.day), .int(d.spend), .int(d.count)])
            }
            return q.query
        }
    }

    struct PurchaseRow {
        var item: PreparedPurchase
        var memberId: Int64?
        var cardNo: String?
        var earned: Int64
        var factor: Int
        var json: String
    }

    struct DailyKey: Hashable {
        var memberId: Int64
        var mallId: Int64
        var day: Int
    }
}

extension SQLQueryString {
    /// A number as a typed SQL literal (`CAST(42 AS BIGINT)`, `CAST(NULL AS BIGINT)`): safe to inline, and typed so
    /// a VALUES column of NULLs still has a type. On SQLite's direct writer it is bound instead (`CAST(? AS BIGINT)`,
    /// see `SQLNumber`).
    mutating func appendInterpolation<I: BinaryInteger>(int value: I?) {
        appendInterpolation(SQLNumber(value: value.map { Int64($0) }))
    }
}

/// A number that is inlined as a literal, except on SQLite's direct writer, where it is bound. The writer keeps
/// statements prepared by their text (SQLiteDirectWriter's cache): with numbers inline every batch's text was new
/// (prepared, parsed and then thrown out of the cache, 16 % of a post at c = 1), bound the text depends only on the
/// statement's shape (how many rows) and is prepared once. Elsewhere inline is cheaper (PostgreSQL encodes each bind).
struct SQLNumber: SQLExpression {
    let value: Int64?

    func serialize(to serializer: inout SQLSerializer) {
        guard let value else { return serializer.write("CAST(NULL AS BIGINT)") }
        if serializer.database is SQLiteDirectDatabase {
            serializer.write("CAST(")
            serializer.write(bind: value)
            serializer.write(" AS BIGINT)")
        } else {
            serializer.write("CAST(\(value) AS BIGINT)")
        }
    }
}
