import MallVIPCore
import SQLKit

/// One row for `points_ledger`, as every writer hands it to `LedgerWriter` (the read side is `LedgerEntry`).
/// `balanceAfter` is the member's balance once this row counts.
struct NewLedgerEntry: Sendable {
    /// Which purchase the row belongs to, if any.
    enum Purchase: Sendable, Hashable {
        /// A purchase whose id is known.
        case id(Int64)
        /// A purchase inserted in the same batch, found by (mall, receipt number) in `purchases` or in the CTE that
        /// inserted it (`LedgerWriter`'s `purchasesFrom`).
        case receipt(mallId: Int64, receiptNo: String)
    }

    var memberId: Int64
    var kind: LedgerKind
    var points: Int64
    var balanceAfter: Int64
    var purchase: Purchase? = nil
    var refundId: Int64? = nil
    var note: String
    var actor: String
    var atMs: Int64
}

/// The one place that writes `points_ledger` — the store's only `INSERT INTO points_ledger` is built here (issue 15):
/// every points change (earn, reverse, adjust, redeem, …) is
/// a `NewLedgerEntry` and goes through here, so the columns, the kind values and the statement shape are decided
/// once. Built on `BulkInsert`: numbers inline, text bound, chunked under the bind limit, rows in the order given
/// (ids ascend in that order).
enum LedgerWriter {
    static let table = "points_ledger"
    static let columns = ["member_id", "kind", "points", "balance_after", "purchase_id", "refund_id", "note", "actor", "at_ms"]

    /// Writes the entries, in order. Runs that name their purchase by receipt join `purchasesFrom` (the `purchases`
    /// table, or a CTE of the same statement's caller).
    static func write(_ db: any SQLDatabase, _ entries: [NewLedgerEntry], purchasesFrom source: String = "purchases",
                      maxRows: Int = 5_000) async throws {
        var start = entries.startIndex
        while start < entries.endIndex {
            let joined = entries[start].joinsPurchase
            var end = start + 1
            while end < entries.endIndex && entries[end].joinsPurchase == joined { end += 1 }
            var insert = inserter(db, joined: joined, source: source, maxRows: maxRows)
            for e in entries[start..<end] { try await insert.add(e.values) }
            try await insert.flush()
            start = end
        }
    }

    /// Writes one entry and returns its id (e.g. for a row that another table refers to).
    static func writeReturningId(_ db: any SQLDatabase, _ entry: NewLedgerEntry) async throws -> Int64 {
        var s = statement(joined: entry.joinsPurchase, source: "purchases", returning: "id")
        s.add(entry.values)
        return try await db.raw(s.query!).first()!.decode(column: "id", as: Int64.self)
    }

    /// One statement for all entries (no chunking: the caller keeps it under the bind limit), for placing inside a
    /// larger statement such as PostgreSQL's one-statement batch CTE. The entries must all name their purchase the
    /// same way (all by receipt, or none); nil when there are none.
    static func statement(_ entries: [NewLedgerEntry], purchasesFrom source: String = "purchases") -> SQLQueryString? {
        guard let first = entries.first else { return nil }
        assert(entries.allSatisfy { $0.joinsPurchase == first.joinsPurchase }, "one statement takes one form")
        var s = statement(joined: first.joinsPurchase, source: source)
        for e in entries { s.add(e.values) }
        return s.query
    }

    /// The same insert as one fixed text for PostgreSQL's prepared batch write (Store+PostgresPrepared.swift): every
    /// value comes from bound arrays (placeholders given by the caller, e.g. `$7::bigint[]`), rows unnested in array
    /// order; each row finds its purchase by (mall, receipt) in `source`. The kind and actor are bound too. Written
    /// here so that this file stays the one place that inserts into the ledger.
    static func unnestStatement(purchasesFrom source: String, mall: String, receipt: String, member: String, kind: String,
                                points: String, balance: String, note: String, actor: String, at: String) -> String {
        "INSERT INTO \(table) (\(columns.joined(separator: ", "))) SELECT v.c3, \(kind), v.c4, v.c5, s.id, CAST(NULL AS BIGINT), v.c6, \(actor), v.c7"
            + " FROM unnest(\(mall), \(receipt), \(member), \(points), \(balance), \(note), \(at)) WITH ORDINALITY AS v(c1, c2, c3, c4, c5, c6, c7, ord)"
            + " JOIN \(source) s ON s.mall_id = v.c1 AND s.receipt_no = v.c2 ORDER BY v.ord"
    }

    private static func join(_ source: String) -> BulkInsert.Join {
        BulkInsert.Join(source: source, on: ["mall_id", "receipt_no"], take: ["purchase_id": "id"])
    }

    private static func statement(joined: Bool, source: String, returning: String? = nil) -> BulkInsert.Statement {
        BulkInsert.Statement(table: table, columns: columns, join: joined ? join(source) : nil, returning: returning)
    }

    private static func inserter(_ db: any SQLDatabase, joined: Bool, source: String, maxRows: Int) -> BulkInsert {
        BulkInsert(db, table: table, columns: columns, join: joined ? join(source) : nil, maxRows: maxRows)
    }
}

extension NewLedgerEntry {
    var joinsPurchase: Bool {
        if case .receipt = purchase { return true }
        return false
    }

    /// The row's values for `LedgerWriter.columns` (by receipt: the key first, then every column but purchase_id).
    var values: [BulkInsert.Value] {
        let tail: [BulkInsert.Value] = [.int(refundId), .text(note), .text(actor), .int(atMs)]
        switch purchase {
        case .receipt(let mallId, let receiptNo):
            return [.int(mallId), .text(receiptNo), .int(memberId), .literal(kind.rawValue), .int(points), .int(balanceAfter)] + tail
        case .id(let id):
            return [.int(memberId), .literal(kind.rawValue), .int(points), .int(balanceAfter), .int(id)] + tail
        case nil:
            return [.int(memberId), .literal(kind.rawValue), .int(points), .int(balanceAfter), .int(nil)] + tail
        }
    }
}
