import Foundation
import MallVIPCore
import SQLKit

/// PostgreSQL live posting in two round trips per batch (issue 15, "one round trip per batch"). The profile of
/// fd8b104 at c = 8 counted 6.7 statements per batch (BEGIN, receipts seen, member lock, daily spend, pending tier
/// requests for half the batches, the CTE write, tier rows, COMMIT), each a round trip, and the backends waited on
/// them. PostgresNIO speaks only the extended protocol (no multi-statement simple query), so BEGIN cannot ride along
/// with a read; instead neither statement needs a transaction around it:
///
/// 1. **One read, no locks**: one statement (CTEs, rows tagged by kind) returns the receipts already recorded, how
///    each post identifies its member (card or phone), the members with their row version (`xmin`), their daily
///    spend over the longest tier window, their pending approval requests and, when the programme has a "first N
///    member purchases of the day" rule, the malls' day counts. All from one snapshot.
/// 2. Core decides every receipt (`decideBatch` → `ReceiptDecision`), as on SQLite and in the import.
/// 3. **One write, atomic on its own**: the purchases, lines, ledger rows, members, daily spend, report aggregates,
///    tier changes and approval requests, and the day counts, as one statement (data-modifying CTEs). It is
///    optimistic: a member row is updated only while its `xmin` is still the one read, a day count only while it
///    still holds the value read, and `mallvip_expect_rows` (migration 035) fails the whole statement with SQLSTATE
///    40001 when fewer rows matched. Then the batch is read and decided again (at most `attempts` times, then the
///    locking path `insertBatch` in a transaction, which cannot go stale).
///
/// Why a member's `xmin` guards everything the decision read of them: every write of a member's balance, tier,
/// daily spend or status also updates the member row in the same transaction (purchases, imports, refunds,
/// adjustments, redemptions, tier approvals), and a new row version carries a new `xmin`; under READ COMMITTED the
/// UPDATE re-checks its WHERE on the newest committed version. So "xmin unchanged" means "nothing the decision read
/// has changed" (a frozen row reports a different xmin too: that only costs a retry). Identification (card state)
/// is not guarded, as before: the old path did not lock cards either.
extension Store {
    static let postgresBatchAttempts = 4

    /// Writes a batch on PostgreSQL in two statements (see above); nil when the batch is too large for one
    /// statement's binds (the caller then takes the locking path).
    /// `beforeWrite` (tests): runs between the read and the write of each attempt (1, 2, …).
    func postgresBatch(_ items: [PreparedPurchase],
                       beforeWrite: (@Sendable (Int) async throws -> Void)? = nil) async throws -> [BatchItemResult]? {
        let lineCount = items.reduce(0) { $0 + $1.lines.count }
        // Per purchase at most 16 bound values, 8 per line, 3 per ledger row, 5 per tier change, 2 per request.
        guard items.count * (16 + 3 + 5 + 2) + lineCount * 8 <= SQLStoreDialect.postgresql.maxBinds else { return nil }
        var attempt = 0
        while true {
            attempt += 1
            do {
                let n = attempt
                var hook: (@Sendable () async throws -> Void)? = nil
                if let beforeWrite { hook = { @Sendable in try await beforeWrite(n) } }
                return try await postgresBatchOnce(items, beforeWrite: hook)
            } catch where SQLStoreDialect.isSerializationFailure(error) && attempt < Self.postgresBatchAttempts {
                continue   // a guarded row changed between the read and the write: read and decide again
            }
        }
    }

    private func postgresBatchOnce(_ items: [PreparedPurchase],
                                   beforeWrite: (@Sendable () async throws -> Void)?) async throws -> [BatchItemResult] {
        let sql = self.sql
        let nowMs = epochMillis(now)
        let programme = items[0].programme   // every item of a batch was prepared within the same few ms
        let today = LocalDate.of(now, in: programme.timeZone)

        // 1. The one read.
        let state = try await readBatchState(sql, items, programme: programme)
        let identities = items.map { Self.identify($0, cards: state.cards, byPhone: state.byPhone) }
        var members = state.members

        // 2. The decision. Day ordinals are counted in memory from the counts read (guarded in the write).
        var dayCount = state.dayCounts
        var dayAdded: [DayKey: Int] = [:]
        let decided = try await decideBatch(items, recorded: state.recorded, identities: identities, members: &members,
                                            programme: programme, today: today, nowMs: nowMs, ordinal: { item in
            let key = DayKey(mallId: item.mallId, day: item.day.dayNumber)
            guard let n = dayCount[key] else {
                // Not read (the programme had no first-N rule when the read was built): cannot happen for one
                // programme; fail safe by going the locking path.
                throw PostgresBatchUnread()
            }
            dayCount[key] = n + 1
            dayAdded[key, default: 0] += 1
            return n + 1
        }, pending: { memberId in state.pending[memberId] ?? [] })
        let rows = decided.rows
        guard !rows.isEmpty else { return decided.results }

        // 3. The one write.
        let changed = members.values.filter(\.changed).map(\.locked).sorted { $0.id < $1.id }
        let writes = BatchWrites(rows: rows, ledger: decided.ledger, members: [], daily: decided.dailyRows, nowMs: nowMs)
        var report = ReportDelta(policy: programme.reports, shard: items[0].shard)   // the lane's own rows (migration 031)
        for r in rows {
            report.purchase(mall: r.item.mallId, day: r.item.day, member: r.memberId,
                            lines: r.item.lines.map { ReportDelta.Line(counter: $0.counter.id, amount: $0.request.amountFen) })
        }
        // CTE order matters for the webhook triggers' order (migration 023): PostgreSQL finishes the CTEs the main
        // query did not read in reverse order of the list, so tier changes (listed right after `p`) come last, after
        // the ledger rows, as when they were separate statements after the batch.
        var parts: [(String, SQLQueryString?)] = [
            ("tc", try tierChangeInsert(decided.tierChanges, rows: rows, from: "p")),
            ("tr", try tierRequestInsert(decided.tierRequests)),
            ("l", writes.lines(rows[...], from: "p")), ("g", writes.ledger(from: "p")),
            ("u", guardedMemberUpdate(changed, versions: state.versions, nowMs: nowMs)), ("d", writes.dailyUpsert()),
        ]
        parts += report.statements().enumerated().map { ("r\($0.offset)", Optional($0.element)) }
        parts.append(("dc", guardedDayCounts(dayAdded, read: state.dayCounts)))

        var q = SQLQueryString("WITH p AS (")
        q.appendInterpolation(writes.purchases(rows[...]))
        q.appendLiteral(")")
        for (name, part) in parts {
            guard let part else { continue }
            q.appendLiteral(", \(name) AS (")
            q.appendInterpolation(part)
            q.appendLiteral(")")
        }
        var guarded: [String] = []
        if !changed.isEmpty { guarded.append("(SELECT count(*) FROM u)") }
        if !dayAdded.isEmpty { guarded.append("(SELECT count(*) FROM dc)") }
        let expected = changed.count + dayAdded.count
        q.appendLiteral(" SELECT id, mall_id, receipt_no")
        if !guarded.isEmpty {
            q.appendLiteral(", mallvip_expect_rows(\(guarded.joined(separator: " + ")), \(expected)) AS guarded")
        }
        q.appendLiteral(" FROM p")
        try await beforeWrite?()
        _ = try await sql.rows(q)   // the ids are not needed: tier changes found theirs in `p`
        return decided.results
    }

    /// The members' update, only where each row is still the version read (`xmin`); returns the ids updated.
    private func guardedMemberUpdate(_ members: [LockedMember], versions: [Int64: String], nowMs: Int64) -> SQLQueryString? {
        guard !members.isEmpty else { return nil }
        var q = SQLQueryString("""
            UPDATE members SET points_balance = v.column2, earned_tier = v.column3, tier_since_day = v.column4, updated_at_ms = v.column5 \
            FROM (VALUES
            """)
        for (n, m) in members.enumerated() {
            // The version is digits only (PostgreSQL's own xid as text): safe to inline.
            let version = versions[m.id] ?? "0"
            q.appendInterpolation("\(unsafeRaw: n == 0 ? " " : ", ")(\(int: m.id), \(int: m.balance), CAST(\(bind: m.earnedTier) AS TEXT), \(int: m.tierSinceDay), \(int: nowMs), CAST('\(unsafeRaw: version)' AS TEXT))" as SQLQueryString)
        }
        q.appendLiteral(") AS v WHERE members.id = v.column1 AND CAST(members.xmin AS TEXT) = v.column6 RETURNING members.id")
        return q
    }

    /// What the batch adds to the malls' day counts, only where each still holds the count read (0 for a row that
    /// did not exist: then it must still not exist, or hold 0); returns the rows written.
    private func guardedDayCounts(_ added: [DayKey: Int], read: [DayKey: Int]) -> SQLQueryString? {
        guard !added.isEmpty else { return nil }
        var q = SQLQueryString("INSERT INTO mall_day_counts AS t (mall_id, day, member_purchases) SELECT v.column1, v.column2, v.column3 FROM (VALUES")
        for (n, (k, count)) in added.sorted(by: { ($0.key.mallId, $0.key.day) < ($1.key.mallId, $1.key.day) }).enumerated() {
            q.appendInterpolation("\(unsafeRaw: n == 0 ? " " : ", ")(\(int: k.mallId), \(int: k.day), \(int: count), \(int: read[k] ?? 0))" as SQLQueryString)
        }
        // ON CONFLICT's WHERE sees only the target row and `excluded`: the expected count per key comes from the same
        // VALUES again.
        q.appendLiteral(") AS v ON CONFLICT (mall_id, day) DO UPDATE SET member_purchases = t.member_purchases + excluded.member_purchases")
        q.appendLiteral(" WHERE t.member_purchases = (SELECT w.column4 FROM (VALUES")
        for (n, (k, count)) in added.sorted(by: { ($0.key.mallId, $0.key.day) < ($1.key.mallId, $1.key.day) }).enumerated() {
            q.appendInterpolation("\(unsafeRaw: n == 0 ? " " : ", ")(\(int: k.mallId), \(int: k.day), \(int: count), \(int: read[k] ?? 0))" as SQLQueryString)
        }
        q.appendLiteral(") AS w WHERE w.column1 = t.mall_id AND w.column2 = t.day) RETURNING 1")
        return q
    }

    private func tierChangeInsert(_ changes: [(row: Int, memberId: Int64, from: String, to: String, reason: TierReason?, at: Int64)],
                                  rows: [PurchaseRow], from source: String) throws -> SQLQueryString? {
        var s = BulkInsert.Statement(table: "tier_changes", columns: [
            "member_id", "from_tier", "to_tier", "kind", "reason", "purchase_id", "actor", "at_ms",
        ], join: .init(source: source, on: ["mall_id", "receipt_no"], take: ["purchase_id": "id"]))
        for c in changes {
            let item = rows[c.row].item
            // The reason as `recordTierChange` writes it.
            s.add([.int(item.mallId), .text(item.request.receiptNo), .int(c.memberId), .text(c.from), .text(c.to), .literal("upgrade"),
                   .text(try c.reason.map { try encodeJSON($0) } ?? ""), .literal("pos"), .int(c.at)])
        }
        return s.query
    }

    private func tierRequestInsert(_ requests: [(memberId: Int64, tier: String, reason: TierReason?, at: Int64)]) throws -> SQLQueryString? {
        var s = BulkInsert.Statement(table: "tier_requests", columns: ["member_id", "tier", "reason", "status", "created_at_ms"])
        for r in requests {
            s.add([.int(r.memberId), .text(r.tier), .text(try encodeJSON(r.reason)), .literal("pending"), .int(r.at)])
        }
        return s.query
    }

    /// What the one read returns.
    struct BatchState {
        var recorded: [String: (hash: String, json: String)] = [:]
        var cards: [String: (memberId: Int64?, state: CardState, status: String?)] = [:]
        var byPhone: [String: (memberId: Int64, cardNo: String?)] = [:]
        var members: [Int64: BatchMember] = [:]
        /// Each member row's `xmin` as read.
        var versions: [Int64: String] = [:]
        var pending: [Int64: Set<String>] = [:]
        var dayCounts: [DayKey: Int] = [:]
    }

    /// The one read: every kind of row the batch needs, tagged by `k`, in the columns i1…i7 (numbers) and t1…t4 (text).
    func readBatchState(_ sql: any SQLDatabase, _ items: [PreparedPurchase], programme: Programme) async throws -> BatchState {
        func branch(_ kind: String, _ ints: [String], _ texts: [String], _ rest: String) -> String {
            let i = (ints + Array(repeating: "NULL", count: 7 - ints.count)).enumerated()
                .map { "CAST(\($0.element) AS BIGINT) AS i\($0.offset + 1)" }
            let t = (texts + Array(repeating: "NULL", count: 4 - texts.count)).enumerated()
                .map { "CAST(\($0.element) AS TEXT) AS t\($0.offset + 1)" }
            return "SELECT '\(kind)' AS k, " + (i + t).joined(separator: ", ") + " " + rest
        }
        let cardNos = Array(Set(items.compactMap(\.request.card)))
        let phones = Array(Set(items.filter { $0.request.card == nil }.compactMap(\.request.phone)))
        var q = SQLQueryString("WITH c AS (SELECT c.card_no, c.member_id, c.state, m.status FROM cards c LEFT JOIN members m ON m.id = c.member_id WHERE ")
        if cardNos.isEmpty { q.appendLiteral("FALSE") } else { q.appendLiteral("c.card_no IN "); q.appendInterpolation(list: cardNos) }
        q.appendLiteral("""
            ), ph AS (SELECT m.id, m.phone, (SELECT c.card_no FROM cards c WHERE c.member_id = m.id AND c.state = 'active' LIMIT 1) AS card_no \
            FROM members m WHERE m.status = 'active' AND 
            """)
        if phones.isEmpty { q.appendLiteral("FALSE") } else { q.appendLiteral("m.phone IN "); q.appendInterpolation(list: phones) }
        q.appendLiteral("), ids AS (SELECT member_id AS id FROM c WHERE member_id IS NOT NULL UNION SELECT id FROM ph) ")
        q.appendLiteral(branch("r", ["mall_id"], ["receipt_no", "request_hash", "response_json"], "FROM purchases WHERE receipt_no IN "))
        q.appendInterpolation(list: items.map(\.request.receiptNo))
        q.appendLiteral(" UNION ALL " + branch("c", ["member_id"], ["card_no", "state", "status"], "FROM c"))
        q.appendLiteral(" UNION ALL " + branch("p", ["id"], ["phone", "card_no"], "FROM ph"))
        q.appendLiteral(" UNION ALL " + branch("m", ["id", "tier_since_day", "manual_until_day", "points_balance", "birth_month", "birth_day",
                                                      "CASE WHEN referral_pending THEN 1 ELSE 0 END"],
                                               ["earned_tier", "manual_tier", "status", "xmin"], "FROM members WHERE id IN (SELECT id FROM ids)"))
        q.appendLiteral(" UNION ALL " + branch("t", ["member_id"], ["tier"],
                                               "FROM tier_requests WHERE member_id IN (SELECT id FROM ids) AND status = 'pending'"))
        if let longest = programme.tierWindows.max() {
            let from = items.map { $0.day.windowStart(months: longest).dayNumber }.min()!
            let to = items.map(\.day.dayNumber).max()!
            q.appendLiteral(" UNION ALL " + branch("s", ["member_id", "day", "spend_fen"], [],
                                                   "FROM member_daily_spend WHERE member_id IN (SELECT id FROM ids) AND day >= \(from) AND day <= \(to)"))
        }
        let dayKeys = Set(items.map { DayKey(mallId: $0.mallId, day: $0.day.dayNumber) })
        let countsDays = programme.earning.multipliers.contains { $0.firstMemberPurchasesOfDay != nil }
        if countsDays {
            let pairs = dayKeys.map { "(\($0.mallId), \($0.day))" }.joined(separator: ", ")
            q.appendLiteral(" UNION ALL " + branch("d", ["mall_id", "day", "member_purchases"], [],
                                                   "FROM mall_day_counts WHERE (mall_id, day) IN (\(pairs))"))
        }

        var out = BatchState()
        var spend: [(Int64, Int, Int64)] = []
        if countsDays { for k in dayKeys { out.dayCounts[k] = 0 } }
        for r in try await sql.rows(q) {
            switch try r.string("k") {
            case "r":
                out.recorded["\(try r.int64("i1"))|\(try r.string("t1"))"] = (try r.string("t2"), try r.string("t3"))
            case "c":
                out.cards[try r.string("t1")] = (try r.optInt64("i1"), CardState(rawValue: try r.string("t2")) ?? .closed, try r.optString("t3"))
            case "p":
                out.byPhone[try r.string("t1")] = (try r.int64("i1"), try r.optString("t2"))
            case "m":
                let bm = try r.optInt("i5"), bd = try r.optInt("i6")
                let m = LockedMember(id: try r.int64("i1"), earnedTier: try r.string("t1"), tierSinceDay: try r.int("i2"),
                                     manualTier: try r.optString("t2"), manualUntil: try r.optInt("i3").map { LocalDate(dayNumber: $0) },
                                     balance: try r.int64("i4"), birthday: bm.flatMap { m in bd.map { MonthDay(month: m, day: $0) } },
                                     status: try r.string("t3"), referralPending: try r.int("i7") != 0)
                out.members[m.id] = BatchMember(locked: m, spendByDay: [:])
                out.versions[m.id] = try r.string("t4")
            case "t":
                out.pending[try r.int64("i1"), default: []].insert(try r.string("t1"))
            case "s":
                spend.append((try r.int64("i1"), try r.int("i2"), try r.int64("i3")))
            case "d":
                out.dayCounts[DayKey(mallId: try r.int64("i1"), day: try r.int("i2"))] = try r.int("i3")
            default: break
            }
        }
        // After the loop: UNION ALL promises no order between the kinds.
        for (member, day, fen) in spend { out.members[member]?.spendByDay[day, default: 0] += fen }
        return out
    }

    /// How a post identifies its member: by card (which must be active, of an active member), else by phone (an
    /// active member), else none (a walk-in). The same rule as `insertBatch` and the import.
    static func identify(_ item: PreparedPurchase, cards: [String: (memberId: Int64?, state: CardState, status: String?)],
                         byPhone: [String: (memberId: Int64, cardNo: String?)]) -> Result<(Int64?, String?), DomainError> {
        if let card = item.request.card {
            guard let c = cards[card], let memberId = c.memberId else {
                return .failure(DomainError(.notFound, field: "card", rule: "card.exists", zh: "卡号不存在：\(card)", en: "unknown card \(card)"))
            }
            guard c.state == .active, c.status == "active" else {
                return .failure(DomainError.invalid("card", "card.state", zh: "此卡不可用（\(c.state.label.zh)）", en: "card \(card) cannot be used (\(c.state.label.en))"))
            }
            return .success((memberId, card))
        }
        if let phone = item.request.phone, let m = byPhone[phone] { return .success((m.memberId, m.cardNo)) }
        return .success((nil, nil))
    }
}

/// The decision asked for a day ordinal the read did not fetch: the batch goes the locking path.
struct PostgresBatchUnread: Error {}
