import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// The import's writer: the same decision as the live batch writer (`insertBatch`), item by item in the same
    /// order through the one Core function (`ReceiptDecision`, via `decideReceipt`: earning, multipliers and the day's
    /// ordinal, rolling spend, tier evaluation, approval requests), so every row comes out as live posting would write
    /// it; only the reading and writing differ, for
    /// batches of tens of thousands of receipts:
    /// - the mall's day ordinals (`mall_day_counts`) are counted in memory from the row read once per mall and day,
    ///   then added in one upsert, instead of one round trip per member purchase;
    /// - lines, ledger rows and tier changes carry the purchase ids `RETURNING` gave, as literals, instead of joining
    ///   back by receipt number; tier changes and requests go in multi-row inserts;
    /// - statements are built as plain text with only text bound, in chunks as large as the stores allow.
    /// Rows are inserted in the items' order in every table, so ids ascend in time order as when posted live, and the
    /// webhook triggers (migration 023) fire on the same rows: with subscribers, the same events are recorded.
    func insertImportBatch(_ tx: any Database, _ items: [PreparedPurchase]) async throws -> [BatchItemResult] {
        let sql = tx.sql
        let lock = sql.storeDialect.forUpdate
        let nowMs = epochMillis(now)
        let programme = items[0].programme
        let today = LocalDate.of(now, in: programme.timeZone)
        let windows = programme.tierWindows
        // SQLite as built here takes 32,766 variables per statement, PostgreSQL 65,535.
        let inChunk = 5_000

        // Receipts already recorded (replays), by mall through the unique (mall_id, receipt_no) index (migration 044).
        var receiptsByMall: [Int64: Set<String>] = [:]
        for item in items { receiptsByMall[item.mallId, default: []].insert(item.request.receiptNo) }
        var recorded: [String: (hash: String, json: String)] = [:]
        for (mallId, receipts) in receiptsByMall.sorted(by: { $0.key < $1.key }) {
            for part in Array(receipts).chunked(inChunk) {
                for r in try await sql.rows("""
                    SELECT mall_id, receipt_no, request_hash, response_json FROM purchases
                    WHERE mall_id = \(bind: mallId) AND receipt_no IN \(Self.inKeys(sql, Array(part)))
                    """) {
                    recorded["\(try r.int64("mall_id"))|\(try r.string("receipt_no"))"] = (try r.string("request_hash"), try r.string("response_json"))
                }
            }
        }
        // How each receipt identifies its member: by card, else by phone (active members only), as `insertBatch`.
        let cardNos = Array(Set(items.compactMap(\.request.card)))
        let phones = Array(Set(items.filter { $0.request.card == nil }.compactMap(\.request.phone)))
        var cards: [String: (memberId: Int64?, state: CardState, status: String?)] = [:]
        for part in cardNos.chunked(inChunk) {
            for r in try await sql.rows("""
                SELECT c.card_no, c.member_id, c.state, m.status FROM cards c LEFT JOIN members m ON m.id = c.member_id
                WHERE c.card_no IN \(Self.inKeys(sql, Array(part)))
                """) {
                cards[try r.string("card_no")] = (try r.optInt64("member_id"), CardState(rawValue: try r.string("state")) ?? .closed, try r.optString("status"))
            }
        }
        var byPhone: [String: (memberId: Int64, cardNo: String?)] = [:]
        for part in phones.chunked(inChunk) {
            for r in try await sql.rows("""
                SELECT m.id, m.phone, (SELECT c.card_no FROM cards c WHERE c.member_id = m.id AND c.state = 'active' LIMIT 1) AS card_no
                FROM members m WHERE m.phone IN \(Self.inKeys(sql, Array(part))) AND m.status = 'active'
                """) {
                byPhone[try r.string("phone")] = (try r.int64("id"), try r.optString("card_no"))
            }
        }
        let identities = items.map { Self.identify($0, cards: cards, byPhone: byPhone) }

        // The members, locked in id order, and their spend in the longest window before the batch's last day.
        let memberIds = Array(Set(identities.compactMap { try? $0.get().0 })).sorted()
        var members: [Int64: BatchMember] = [:]
        members.reserveCapacity(memberIds.count)
        for part in memberIds.chunked(inChunk) {
            for r in try await sql.rows("""
                SELECT id, earned_tier, tier_since_day, manual_tier, manual_until_day, points_balance, birth_month, birth_day, status,
                  referral_pending
                FROM members WHERE id IN \(Self.inIds(sql, part)) ORDER BY id\(unsafeRaw: lock)
                """) {
                let m = try lockedMember(r)
                members[m.id] = BatchMember(locked: m, spendByDay: [:])
            }
        }
        if let longest = windows.max(), !memberIds.isEmpty {
            let from = items.map { $0.day.windowStart(months: longest).dayNumber }.min()!
            let to = items.map(\.day.dayNumber).max()!
            for part in memberIds.chunked(inChunk) {
                for r in try await sql.rows("""
                    SELECT member_id, day, spend_fen FROM member_daily_spend
                    WHERE member_id IN \(Self.inIds(sql, part)) AND day >= \(int: from) AND day <= \(int: to)
                    """) {
                    members[try r.int64("member_id")]?.spendByDay[try r.int("day"), default: 0] += try r.int64("spend_fen")
                }
            }
        }

        // The mall's member purchases of each day so far, read once per mall and day (locked on PostgreSQL, where
        // the live path's upsert takes the same row lock); `dayCountAdded` is what this batch adds.
        var dayCount: [DayKey: Int] = [:]
        var dayCountAdded: [DayKey: Int] = [:]
        func nextOrdinal(mallId: Int64, day: LocalDate) async throws -> Int {
            let key = DayKey(mallId: mallId, day: day.dayNumber)
            if dayCount[key] == nil {
                dayCount[key] = try await sql.row("""
                    SELECT member_purchases FROM mall_day_counts WHERE mall_id = \(int: mallId) AND day = \(int: day.dayNumber)\(unsafeRaw: lock)
                    """)?.int("member_purchases") ?? 0
            }
            dayCount[key]! += 1
            dayCountAdded[key, default: 0] += 1
            return dayCount[key]!
        }

        // The receipt loop and its accumulator are shared with live posting (Store+BatchDecide.swift); the day's
        // ordinals are counted in memory here (`nextOrdinal`).
        let decided = try await decideBatch(items, recorded: recorded, identities: identities, members: &members, programme: programme,
                                            today: today, nowMs: nowMs, ordinal: { item in
            try await nextOrdinal(mallId: item.mallId, day: item.day)
        }, pending: { memberId in
            Set(try await sql.rows("""
                SELECT tier FROM tier_requests WHERE member_id = \(int: memberId) AND status = 'pending'
                """).map { try $0.string("tier") })
        })
        let (results, rows, ledger, daily) = (decided.results, decided.rows, decided.ledger, decided.daily)
        let (tierChanges, tierRequests) = (decided.tierChanges, decided.tierRequests)
        guard !rows.isEmpty else { return results }

        // Purchases first: their ids, in the order inserted, key the lines, ledger rows and tier changes.
        var ids: [Int64] = []
        ids.reserveCapacity(rows.count)
        let writes = BatchWrites(rows: rows, ledger: [], members: members.values.filter(\.changed).map(\.locked).sorted { $0.id < $1.id },
                                 daily: daily.map { ($0.key, $0.value.spend, $0.value.count) }, nowMs: nowMs)
        // One BulkInsert on both stores: SQLite's writer steps one prepared row insert (ids back in order), PostgreSQL
        // sends one bound array per column (RETURNING promises no order there: matched by key).
        var insert = BulkInsert(sql, table: "purchases", columns: BatchWrites.purchaseColumns,
                                returning: sql is SQLiteDirectDatabase ? "id" : "id, mall_id, receipt_no", maxRows: 10_000)
        for r in rows { try await insert.add(writes.purchaseValues(r)) }
        try await insert.flush()
        if sql is SQLiteDirectDatabase {
            for r in insert.returned { ids.append(try r.int64("id")) }
        } else {
            var byKey: [String: Int64] = [:]
            byKey.reserveCapacity(rows.count)
            for r in insert.returned { byKey["\(try r.int64("mall_id"))|\(try r.string("receipt_no"))"] = try r.int64("id") }
            for r in rows { ids.append(byKey[r.item.key]!) }
        }

        // PostgreSQL checks `purchase_lines.counter_id → counters` once per line through a plan it makes once per
        // connection; for the small `counters` table it chose a full scan (20 M rows read for 200,000 lines).
        // `Store.indexedForeignKeyChecks` has that check planned with the primary key instead (see there).
        let fkPlans = try await Self.indexedForeignKeyChecks(sql)
        var lines = BulkInsert(sql, table: "purchase_lines", columns: [
            "purchase_id", "member_id", "line_no", "counter_id", "amount_fen", "special_price", "earns_points", "refunded_fen",
            "business_day",   // the purchase's (migration 046)
        ], maxRows: 10_000)
        for (n, r) in rows.enumerated() {
            for (i, l) in r.item.lines.enumerated() {
                try await lines.add([.int(ids[n]), .int(r.memberId), .int(i + 1), .int(l.counter.id), .int(l.request.amountFen),
                                     .bool(l.request.specialPrice), .bool(l.counter.earnsPoints), .int(0), .int(r.item.day.dayNumber)])
            }
        }
        try await lines.flush()
        try await fkPlans.end()

        try await LedgerWriter.write(sql, ledger.map { e in
            NewLedgerEntry(memberId: e.memberId, kind: .earn, points: e.points, balanceAfter: e.balance, purchase: .id(ids[e.row]),
                           note: e.note, actor: "pos", atMs: e.at)
        })

        try await Self.importMemberUpdate(sql, writes)
        try await Self.importDailyUpsert(sql, writes)
        if !dayCountAdded.isEmpty {
            var counts = BulkInsert(sql, table: "mall_day_counts", columns: ["mall_id", "day", "member_purchases"],
                                    onConflict: SQLStoreDialect.onConflict(["mall_id", "day"],
                                                                           doUpdate: "member_purchases = mall_day_counts.member_purchases + excluded.member_purchases"),
                                    maxRows: 5_000)
            for (k, n) in dayCountAdded.sorted(by: { ($0.key.mallId, $0.key.day) < ($1.key.mallId, $1.key.day) }) {
                try await counts.add([.int(k.mallId), .int(k.day), .int(n)])
            }
            try await counts.flush()
        }

        // The report aggregates (migration 025), as the live batch adds them.
        var report = ReportDelta(policy: programme.reports)
        for r in rows {
            report.purchase(mall: r.item.mallId, day: r.item.day, member: r.memberId,
                            lines: r.item.lines.map { ReportDelta.Line(counter: $0.counter.id, amount: $0.request.amountFen) })
        }
        try await report.writeBulk(sql)

        if !tierChanges.isEmpty {
            var changes = BulkInsert(sql, table: "tier_changes", columns: [
                "member_id", "from_tier", "to_tier", "kind", "reason", "purchase_id", "actor", "at_ms",
            ], maxRows: 5_000)
            for c in tierChanges {
                // The reason as `recordTierChange` writes it.
                let text = try c.reason.map { try encodeJSON($0) } ?? ""
                try await changes.add([.int(c.memberId), .text(c.from), .text(c.to), .literal("upgrade"), .text(text), .int(ids[c.row]),
                                       .literal("pos"), .int(c.at)])
            }
            try await changes.flush()
        }
        if !tierRequests.isEmpty {
            var requests = BulkInsert(sql, table: "tier_requests", columns: ["member_id", "tier", "reason", "status", "created_at_ms"],
                                      maxRows: 5_000)
            for r in tierRequests {
                try await requests.add([.int(r.memberId), .text(r.tier), .text(try encodeJSON(r.reason)), .literal("pending"), .int(r.at)])
            }
            try await requests.flush()
        }
        return results
    }

    struct DayKey: Hashable {
        var mallId: Int64
        var day: Int
    }

    /// `(1, 2, 3)`: ids inline, as literals (they are numbers; binding thousands costs more than the numbers).
    static func intList(_ ids: ArraySlice<Int64>) -> String {
        "(" + ids.map { String($0) }.joined(separator: ", ") + ")"
    }
}
