import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Records a purchase: points, balance, ledger row, rolling spend and any tier change in one transaction.
    /// Idempotent on (mall, receipt number): the same body again replays the first answer; a different body
    /// under the same receipt number is a conflict. Concurrent posts are committed together (see PurchaseLanes).
    public func postPurchase(_ req: PurchaseRequest) async throws -> Posted<PurchaseOutcome> {
        let item = try await preparePurchase(req)
        let programme = item.programme
        let laneKey = req.card ?? req.phone ?? item.key
        switch try await lanes.lane(for: laneKey).submit(item, store: self) {
        case .created(let o, let referralPending):
            // Outside the batch: settling locks the referrer, a second member the batch must not hold. The flag comes
            // with the member row the batch read anyway, so purchases of members without a referral cost nothing more.
            if referralPending { await settleReferralAfterPurchase(mallId: item.mallId, receiptNo: o.receiptNo, programme: programme) }
            return .created(o)
        case .replayed(let o): return .replayed(o)
        case .failed(let e): throw e
        }
    }

    /// A purchase checked outside any transaction (`PreparedPurchase`), ready for a lane's batch.
    func preparePurchase(_ req: PurchaseRequest) async throws -> PreparedPurchase {
        let (version, programme) = try await self.programme()
        try req.validate(now: now, policy: programme.purchases)
        let counters = try await resolveCounters(req.lines.map(\.counter))
        let lines = zip(req.lines, counters).map { PostedLine(request: $0.0, counter: $0.1) }
        return PreparedPurchase(
            request: req, lines: lines, mallId: counters[0].mallId, mallCode: counters[0].mallCode,
            hash: sha256Hex(req.fingerprint), day: LocalDate.of(req.occurredAt, in: programme.timeZone),
            total: lines.reduce(0) { $0 + $1.request.amountFen },
            eligible: lines.filter(\.counter.earnsPoints).reduce(0) { $0 + $1.request.amountFen },
            programmeVersion: version, programme: programme)
    }

    struct PostedLine: Sendable {
        var request: PurchaseLineRequest
        var counter: Counter
    }

    func resolveCounters(_ codes: [String]) async throws -> [Counter] {
        var out: [Counter] = []
        for (i, code) in codes.enumerated() {
            guard let c = try await counter(code: code), c.active else {
                throw DomainError(.notFound, field: "lines[\(i)].counter", rule: "counter.exists",
                                  zh: "店柜不存在或已停用：\(code)", en: "unknown or inactive counter \(code)")
            }
            if let first = out.first, first.mallId != c.mallId {
                throw DomainError.invalid("lines[\(i)].counter", "counter.sameMall",
                                          zh: "一张小票的店柜必须属于同一商场", en: "all counters on one receipt must belong to the same mall")
            }
            out.append(c)
        }
        return out
    }

    /// Writes a batch in one transaction. If the transaction fails (a receipt raced in from another lane, a
    /// lost connection), each purchase is retried on its own so one bad post cannot fail its neighbours.
    func writeBatch(_ items: [PreparedPurchase]) async -> [Result<BatchItemResult, any Error>] {
        do {
            let results = try await writeOnce(items)
            return results.map { .success($0) }
        } catch {
            guard items.count > 1 || isUniqueViolation(error) || Self.isRetryable(error) else { return [.failure(error)] }
            var out: [Result<BatchItemResult, any Error>] = []
            for item in items {
                var attempt = 0
                while true {
                    attempt += 1
                    do {
                        out.append(.success(try await writeOnce([item])[0]))
                        break
                    } catch where (isUniqueViolation(error) || Self.isRetryable(error)) && attempt < 3 {
                        continue   // the other writer has committed now: the next attempt replays it (or reads anew)
                    } catch {
                        out.append(.failure(error))
                        break
                    }
                }
            }
            return out
        }
    }

    /// One batch, once: on PostgreSQL one read and one write (Store+PostgresBatch.swift), falling back to the locking
    /// path when it cannot (too many binds, still stale after its retries, a day ordinal it did not read); elsewhere
    /// (SQLite) the locking path on the direct writer.
    func writeOnce(_ items: [PreparedPurchase]) async throws -> [BatchItemResult] {
        if directWriter.writer == nil && sql.storeDialect == .postgresql {
            do {
                if let results = try await postgresBatch(items) { return results }
            } catch where SQLStoreDialect.isSerializationFailure(error) || error is PostgresBatchUnread {
                // fall through: the locking path below cannot go stale
            }
        }
        return try await writeBatched { tx in try await self.insertBatch(tx, items) }
    }

    /// A lost race a fresh attempt may win: a stale read (40001) or a deadlock PostgreSQL broke.
    static func isRetryable(_ error: any Error) -> Bool {
        SQLStoreDialect.isSerializationFailure(error) || SQLStoreDialect.isDeadlock(error)
    }

    /// Member state held in memory while a batch is computed, so several purchases of one member in a batch
    /// see each other.
    struct BatchMember {
        var locked: LockedMember
        var spendByDay: [Int: Int64]
        var changed = false
        /// Tiers the member waits on approval for, read when a receipt first reaches an approval tier.
        var pendingRequests: Set<String>? = nil
    }

    func insertBatch(_ tx: any Database, _ items: [PreparedPurchase]) async throws -> [BatchItemResult] {
        let sql = tx.sql
        let nowMs = epochMillis(now)
        let programme = items[0].programme   // every item of a batch was prepared within the same few ms
        let today = LocalDate.of(now, in: programme.timeZone)
        let windows = programme.tierWindows

        // Receipts already recorded (replays) and how each post identifies its member. By mall, through the unique
        // (mall_id, receipt_no) index (migration 044 dropped the index on the receipt number alone).
        var recorded: [String: (hash: String, json: String)] = [:]
        for (mallId, mallItems) in Dictionary(grouping: items, by: \.mallId).sorted(by: { $0.key < $1.key }) {
            for r in try await sql.rows("""
                SELECT mall_id, receipt_no, request_hash, response_json FROM purchases
                WHERE mall_id = \(bind: mallId) AND receipt_no IN \(list: mallItems.map(\.request.receiptNo))
                """) {
                recorded["\(try r.int64("mall_id"))|\(try r.string("receipt_no"))"] = (try r.string("request_hash"), try r.string("response_json"))
            }
        }
        let cardNos = Array(Set(items.compactMap(\.request.card)))
        let phones = Array(Set(items.filter { $0.request.card == nil }.compactMap(\.request.phone)))
        let lock = sql.storeDialect.forUpdate
        var cards: [String: (memberId: Int64?, state: CardState, status: String?)] = [:]
        var members: [Int64: BatchMember] = [:]
        if !cardNos.isEmpty && phones.isEmpty {
            // Every member of the batch comes by card: one statement identifies and locks them (in id order, so
            // lanes cannot deadlock). Mixed batches lock in one statement below instead.
            for r in try await sql.rows("""
                SELECT c.card_no, c.state, m.id, m.earned_tier, m.tier_since_day, m.manual_tier, m.manual_until_day, m.points_balance,
                  m.birth_month, m.birth_day, m.status, m.referral_pending
                FROM cards c JOIN members m ON m.id = c.member_id WHERE c.card_no IN \(list: cardNos) ORDER BY m.id\(unsafeRaw: lock.isEmpty ? "" : lock + " OF m")
                """) {
                let m = try lockedMember(r)
                cards[try r.string("card_no")] = (m.id, CardState(rawValue: try r.string("state")) ?? .closed, m.status)
                members[m.id] = BatchMember(locked: m, spendByDay: [:])
            }
        } else if !cardNos.isEmpty {
            for r in try await sql.rows("""
                SELECT c.card_no, c.member_id, c.state, m.status FROM cards c LEFT JOIN members m ON m.id = c.member_id
                WHERE c.card_no IN \(list: cardNos)
                """) {
                cards[try r.string("card_no")] = (try r.optInt64("member_id"), CardState(rawValue: try r.string("state")) ?? .closed, try r.optString("status"))
            }
        }
        var byPhone: [String: (memberId: Int64, cardNo: String?)] = [:]
        if !phones.isEmpty {
            for r in try await sql.rows("""
                SELECT m.id, m.phone, (SELECT c.card_no FROM cards c WHERE c.member_id = m.id AND c.state = 'active' LIMIT 1) AS card_no
                FROM members m WHERE m.phone IN \(list: phones) AND m.status = 'active'
                """) {
                byPhone[try r.string("phone")] = (try r.int64("id"), try r.optString("card_no"))
            }
        }
        let identities = items.map { Self.identify($0, cards: cards, byPhone: byPhone) }

        // Lock the members in id order (no deadlocks between lanes) and read their recent spend.
        let memberIds = Array(Set(identities.compactMap { try? $0.get().0 })).sorted()
        if !memberIds.isEmpty {
            let toLoad = memberIds.filter { members[$0] == nil }
            if !toLoad.isEmpty {
                for r in try await sql.rows("""
                    SELECT id, earned_tier, tier_since_day, manual_tier, manual_until_day, points_balance, birth_month, birth_day, status,
                      referral_pending
                    FROM members WHERE id IN \(list: toLoad) ORDER BY id\(unsafeRaw: lock)
                    """) {
                    let m = try lockedMember(r)
                    members[m.id] = BatchMember(locked: m, spendByDay: [:])
                }
            }
            if let longest = windows.max() {
                let from = items.map { $0.day.windowStart(months: longest).dayNumber }.min()!
                let to = items.map(\.day.dayNumber).max()!
                for r in try await sql.rows("""
                    SELECT member_id, day, spend_fen FROM member_daily_spend
                    WHERE member_id IN \(list: memberIds) AND day >= \(bind: from) AND day <= \(bind: to)
                    """) {
                    members[try r.int64("member_id")]?.spendByDay[try r.int("day"), default: 0] += try r.int64("spend_fen")
                }
            }
        }

        let decided = try await decideBatch(items, recorded: recorded, identities: identities, members: &members, programme: programme,
                                            today: today, nowMs: nowMs, ordinal: { item in
            try await nextDayOrdinal(sql, mallId: item.mallId, day: item.day)
        }, pending: { memberId in
            Set(try await sql.rows("""
                SELECT tier FROM tier_requests WHERE member_id = \(bind: memberId) AND status = 'pending'
                """).map { try $0.string("tier") })
        })
        let (results, rows) = (decided.results, decided.rows)
        guard !rows.isEmpty else { return results }

        // One statement per table for the whole batch; on PostgreSQL the five writes go as one statement (CTEs),
        // one round trip instead of five.
        // Bind budgets (the dialect knows each store's limit): a purchase row binds at most 16 values, a line 8.
        let dialect = sql.storeDialect
        let lineCount = rows.reduce(0) { $0 + $1.item.lines.count }
        let single = dialect == .postgresql && rows.count * 16 + lineCount * 8 <= dialect.maxBinds
        let changed = members.values.filter(\.changed).map(\.locked).sorted { $0.id < $1.id }
        var ids: [String: Int64] = [:]
        func collect(_ found: [any SQLRow]) throws {
            for r in found { ids["\(try r.int64("mall_id"))|\(try r.string("receipt_no"))"] = try r.int64("id") }
        }
        let writes = BatchWrites(rows: rows, ledger: decided.ledger, members: changed, daily: decided.dailyRows, nowMs: nowMs)
        // The report aggregates (migration 025) in the same statement or transaction.
        var report = ReportDelta(policy: programme.reports, shard: items[0].shard)   // the lane's own rows (migration 031)
        for r in rows {
            report.purchase(mall: r.item.mallId, day: r.item.day, member: r.memberId,
                            lines: r.item.lines.map { ReportDelta.Line(counter: $0.counter.id, amount: $0.request.amountFen) })
        }
        let reportWrites = report.statements()
        if single {
            var q = SQLQueryString("WITH p AS (")
            q.appendInterpolation(writes.purchases(rows[...]))
            q.appendLiteral(")")
            for (name, part) in [("l", writes.lines(rows[...], from: "p")), ("g", writes.ledger(from: "p")),
                                 ("u", writes.memberUpdate()), ("d", writes.dailyUpsert())]
                + reportWrites.enumerated().map({ ("r\($0.offset)", Optional($0.element)) }) {
                guard let part else { continue }
                q.appendLiteral(", \(name) AS (")
                q.appendInterpolation(part)
                q.appendLiteral(")")
            }
            q.appendLiteral(" SELECT id, mall_id, receipt_no FROM p")
            try collect(try await sql.rows(q))
        } else if sql is SQLiteDirectDatabase {
            // SQLite's writer: each row through a statement prepared once per table and kept (BulkInsert's direct path,
            // SQLiteDirectWriter+Bulk.swift), the rest with numbers bound (`SQLNumber`): no statement text is parsed
            // per batch. The purchases' ids come back in order and are written as they are, in the same tables'
            // order as the statements above (the webhook triggers fire in the same order).
            var purchases = BulkInsert(sql, table: "purchases", columns: BatchWrites.purchaseColumns, returning: "id")
            for r in rows { try await purchases.add(writes.purchaseValues(r)) }
            let pids = try purchases.returned.map { try $0.int64("id") }
            for (n, r) in rows.enumerated() { ids[r.item.key] = pids[n] }
            var lines = BulkInsert(sql, table: "purchase_lines", columns: BatchWrites.lineColumns)
            for (n, r) in rows.enumerated() {
                for (i, l) in r.item.lines.enumerated() {
                    try await lines.add([.int(pids[n]), .int(r.memberId), .int(i + 1), .int(l.counter.id), .int(l.request.amountFen),
                                         .bool(l.request.specialPrice), .bool(l.counter.earnsPoints), .int(0), .int(r.item.day.dayNumber)])
                }
            }
            try await LedgerWriter.write(sql, decided.ledger.map { e in
                NewLedgerEntry(memberId: e.memberId, kind: .earn, points: e.points, balanceAfter: e.balance, purchase: .id(pids[e.row]),
                               note: e.note, actor: "pos", atMs: e.at)
            })
            if let q = writes.memberUpdate() { try await sql.exec(q) }
            var daily = BulkInsert(sql, table: "member_daily_spend", columns: BatchWrites.dailyColumns, onConflict: BatchWrites.dailyConflict)
            for d in writes.dailySorted { try await daily.add([.int(d.key.memberId), .int(d.key.mallId), .int(d.key.day), .int(d.spend), .int(d.count)]) }
            for part in reportWrites { try await sql.exec(part) }
        } else {
            for chunk in dialect.chunks(rows, bindsPerRow: 16) { try collect(try await sql.rows(writes.purchases(chunk))) }
            // Lines in chunks under the store's bind limit.
            for part in dialect.chunks(rows, binds: { $0.item.lines.count * 8 }) {
                if let lines = writes.lines(part, from: "purchases") { try await sql.exec(lines) }
            }
            for part in [writes.ledger(from: "purchases"), writes.memberUpdate(), writes.dailyUpsert()] {
                if let part { try await sql.exec(part) }
            }
            for part in reportWrites { try await sql.exec(part) }
        }
        for c in decided.tierChanges {
            try await recordTierChange(sql, memberId: c.memberId, from: c.from, to: c.to, kind: "upgrade", reason: c.reason,
                                       purchaseId: ids[rows[c.row].item.key], actor: "pos", nowMs: c.at)
        }
        for r in decided.tierRequests {
            try await sql.exec("""
                INSERT INTO tier_requests (member_id, tier, reason, status, created_at_ms)
                VALUES (\(bind: r.memberId), \(bind: r.tier), \(bind: try encodeJSON(r.reason)), 'pending', \(bind: r.at))
                """)
        }
        return results
    }

    func receiptConflict(_ receiptNo: String) -> DomainError {
        DomainError(.conflict, field: "receiptNo", rule: "receipt.idempotency",
                    zh: "小票号 \(receiptNo) 已用于另一笔不同的交易", en: "receiptNo \(receiptNo) was already posted with different content")
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension SQLQueryString {
    /// `(?, ?, ?)` for an IN list.
    mutating func appendInterpolation<T: Encodable & Sendable>(list values: [T]) {
        appendLiteral("(")
        for (i, v) in values.enumerated() {
            if i > 0 { appendLiteral(", ") }
            appendInterpolation(bind: v)
        }
        appendLiteral(")")
    }
}

func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try e.encode(value), as: UTF8.self)
}
