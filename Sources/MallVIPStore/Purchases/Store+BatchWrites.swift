import SQLKit

extension Store {
    /// The statements of a batch's writes. Lines and ledger rows find their purchase by (mall, receipt number),
    /// joining `purchases` (SQLite, separate statements) or the CTE that inserted them (PostgreSQL, one statement).
    /// VALUES columns are column1, column2 … on both stores. Numbers go in as typed literals and only text is bound:
    /// encoding a bind costs more than the number itself, and a batch carries thousands.
    struct BatchWrites {
        var rows: [PurchaseRow]
        var ledger: [(key: String, memberId: Int64, points: Int64, balance: Int64, note: String, at: Int64)]
        var members: [LockedMember]
        var daily: [(key: DailyKey, spend: Int64, count: Int)]
        var nowMs: Int64

        func purchases(_ chunk: ArraySlice<PurchaseRow>) -> SQLQueryString {
            var q = SQLQueryString("""
                INSERT INTO purchases (mall_id, receipt_no, member_id, card_no, phone, occurred_at_ms, business_day, total_fen, eligible_fen,
                  refunded_fen, refunded_eligible_fen, points_earned, points_reversed, factor_permille, programme_version, request_hash,
                  response_json, created_at_ms) VALUES
                """)
            for (n, r) in chunk.enumerated() {
                let it = r.item
                q.appendInterpolation("\(unsafeRaw: n == 0 ? " " : ", ")(\(int: it.mallId), \(bind: it.request.receiptNo), \(int: r.memberId), \(bind: r.cardNo), \(bind: it.request.phone), \(int: epochMillis(it.request.occurredAt)), \(int: it.day.dayNumber), \(int: it.total), \(int: it.eligible), 0, 0, \(int: r.earned), 0, \(int: r.factor), \(int: it.programmeVersion), \(bind: it.hash), \(bind: r.json), \(int: nowMs))" as SQLQueryString)
            }
            q.appendLiteral(" RETURNING id, mall_id, receipt_no")
            return q
        }

        func lines(_ rows: ArraySlice<PurchaseRow>, from source: String) -> SQLQueryString? {
            var q = SQLQueryString("""
                INSERT INTO purchase_lines (purchase_id, member_id, line_no, counter_id, amount_fen, special_price, earns_points, refunded_fen)
                SELECT s.id, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, 0 FROM (VALUES
                """)
            var n = 0
            for r in rows {
                for (i, l) in r.item.lines.enumerated() {
                    q.appendInterpolation("\(unsafeRaw: n == 0 ? " " : ", ")(\(int: r.item.mallId), CAST(\(bind: r.item.request.receiptNo) AS TEXT), \(int: r.memberId), \(int: i + 1), \(int: l.counter.id), \(int: l.request.amountFen), \(flag: l.request.specialPrice), \(flag: l.counter.earnsPoints))" as SQLQueryString)
                    n += 1
                }
            }
            q.appendLiteral(") AS v JOIN \(source) s ON s.mall_id = v.column1 AND s.receipt_no = v.column2")
            return n == 0 ? nil : q
        }

        func ledger(from source: String) -> SQLQueryString? {
            guard !ledger.isEmpty else { return nil }
            var q = SQLQueryString("""
                INSERT INTO points_ledger (member_id, kind, points, balance_after, purchase_id, note, actor, at_ms)
                SELECT v.column3, 'earn', v.column4, v.column5, s.id, v.column6, 'pos', v.column7 FROM (VALUES
                """)
            for (n, e) in ledger.enumerated() {
                let parts = e.key.split(separator: "|", maxSplits: 1)
                q.appendInterpolation("\(unsafeRaw: n == 0 ? " " : ", ")(\(int: Int64(parts[0])!), CAST(\(bind: String(parts[1])) AS TEXT), \(int: e.memberId), \(int: e.points), \(int: e.balance), CAST(\(bind: e.note) AS TEXT), \(int: e.at))" as SQLQueryString)
            }
            q.appendLiteral(") AS v JOIN \(source) s ON s.mall_id = v.column1 AND s.receipt_no = v.column2")
            return q
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

        func dailyUpsert() -> SQLQueryString? {
            guard !daily.isEmpty else { return nil }
            var q = SQLQueryString("INSERT INTO member_daily_spend (member_id, mall_id, day, spend_fen, purchases) VALUES")
            for (n, d) in daily.sorted(by: { ($0.key.memberId, $0.key.day) < ($1.key.memberId, $1.key.day) }).enumerated() {
                q.appendInterpolation("\(unsafeRaw: n == 0 ? " " : ", ")(\(int: d.key.memberId), \(int: d.key.mallId), \(int: d.key.day), \(int: d.spend), \(int: d.count))" as SQLQueryString)
            }
            q.appendLiteral("""
                 ON CONFLICT (member_id, mall_id, day) DO UPDATE SET spend_fen = member_daily_spend.spend_fen + excluded.spend_fen,
                  purchases = member_daily_spend.purchases + excluded.purchases
                """)
            return q
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
    /// a VALUES column of NULLs still has a type.
    mutating func appendInterpolation<I: BinaryInteger>(int value: I?) {
        appendLiteral("CAST(" + (value.map { String($0) } ?? "NULL") + " AS BIGINT)")
    }

    mutating func appendInterpolation(flag value: Bool) {
        appendLiteral(value ? "TRUE" : "FALSE")
    }
}
