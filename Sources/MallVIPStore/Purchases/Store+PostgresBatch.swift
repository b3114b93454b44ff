import Foundation
import MallVIPCore
import PostgresKit
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
///
/// Both statements are fixed texts with every value bound as arrays, prepared once per connection and executed by
/// name (`PGBatchRead` / `PGBatchWrite`, Store+PostgresPrepared.swift): before, each batch's text was new and
/// PostgreSQL's parse and plan were ~70 % of its time per batch.
extension Store {
    static let postgresBatchAttempts = 4

    /// Writes a batch on PostgreSQL in two statements (see above); nil when the batch is too large for one
    /// statement's binds (the caller then takes the locking path).
    /// `beforeWrite` (tests): runs between the read and the write of each attempt (1, 2, …).
    func postgresBatch(_ items: [PreparedPurchase],
                       beforeWrite: (@Sendable (Int) async throws -> Void)? = nil) async throws -> [BatchItemResult]? {
        // Both statements bind one array per column (Store+PostgresPrepared.swift): no bind limit to keep under.
        guard db is any PostgresDatabase else { return nil }
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
                                   beforeWrite: (@Sendable () async throws -> Void)?) async throws -> [BatchItemResult]? {
        let nowMs = epochMillis(now)
        let programme = items[0].programme   // every item of a batch was prepared within the same few ms
        let today = LocalDate.of(now, in: programme.timeZone)

        // 1. The one read.
        guard let state = try await readBatchState(items, programme: programme) else { return nil }
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

        // 3. The one write: one prepared text (Store+PostgresPrepared.swift), every value bound.
        let changed = members.values.filter(\.changed).map(\.locked).sorted { $0.id < $1.id }
        let writes = BatchWrites(rows: rows, ledger: decided.ledger, members: [], daily: decided.dailyRows, nowMs: nowMs)
        var report = ReportDelta(policy: programme.reports, shard: items[0].shard)   // the lane's own rows (migration 031)
        for r in rows {
            report.purchase(mall: r.item.mallId, day: r.item.day, member: r.memberId,
                            lines: r.item.lines.map { ReportDelta.Line(counter: $0.counter.id, amount: $0.request.amountFen) })
        }
        var input = PGBatchWrite.Input()
        input.rows = rows
        input.ledger = decided.ledger
        // The reasons as `recordTierChange` writes them ("" when none) and as the approval requests store them.
        input.tierChanges = try decided.tierChanges.map { c in
            (c.row, c.memberId, c.from, c.to, try c.reason.map { try encodeJSON($0) } ?? "", c.at)
        }
        input.tierRequests = try decided.tierRequests.map { r in (r.memberId, r.tier, try encodeJSON(r.reason), r.at) }
        // The version is PostgreSQL's own xid as text, read with the member.
        input.members = changed.map { ($0, state.versions[$0.id] ?? "0") }
        input.daily = writes.dailySorted
        input.report = report
        input.dayCounts = dayAdded.sorted(by: { ($0.key.mallId, $0.key.day) < ($1.key.mallId, $1.key.day) })
            .map { ($0.key, $0.value, state.dayCounts[$0.key] ?? 0) }
        input.nowMs = nowMs
        let statement = PGBatchWrite(input)

        try await beforeWrite?()
        // The ids are not needed: tier changes found theirs in `p`.
        let written = try await withPostgresConnection { conn in
            for try await _ in try await conn.execute(statement, logger: Self.postgresBatchLogger) {}
            return true
        }
        guard written != nil else { return nil }
        return decided.results
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

    /// The one read (`PGBatchRead`, prepared once per connection): every kind of row the batch needs, tagged by `k`,
    /// in the columns i1…i7 (numbers) and t1…t4 (text). Nil when the store is not on PostgreSQL.
    func readBatchState(_ items: [PreparedPurchase], programme: Programme) async throws -> BatchState? {
        let cardNos = Array(Set(items.compactMap(\.request.card)))
        let phones = Array(Set(items.filter { $0.request.card == nil }.compactMap(\.request.phone)))
        // Daily spend over the longest tier window (none without one: an empty range).
        var spendFrom: Int64 = 1, spendTo: Int64 = 0
        if let longest = programme.tierWindows.max() {
            spendFrom = Int64(items.map { $0.day.windowStart(months: longest).dayNumber }.min()!)
            spendTo = Int64(items.map(\.day.dayNumber).max()!)
        }
        let dayKeys = Set(items.map { DayKey(mallId: $0.mallId, day: $0.day.dayNumber) })
        let countsDays = programme.earning.multipliers.contains { $0.firstMemberPurchasesOfDay != nil }
        let days = countsDays ? Array(dayKeys) : []
        let statement = PGBatchRead(cardNos: cardNos, phones: phones, receiptNos: items.map(\.request.receiptNo),
                                    spendFrom: spendFrom, spendTo: spendTo,
                                    dayMalls: days.map(\.mallId), dayDays: days.map { Int64($0.day) })
        typealias Tagged = (String, Int64?, Int64?, Int64?, Int64?, Int64?, Int64?, Int64?, String?, String?, String?, String?)
        guard let read = try await withPostgresConnection({ conn -> [Tagged] in
            var out: [Tagged] = []
            for try await row in try await conn.execute(statement, logger: Self.postgresBatchLogger) {
                out.append(try row.decode(Tagged.self))
            }
            return out
        }) else { return nil }

        struct Missing: Error {}
        func need<T>(_ v: T?) throws -> T { guard let v else { throw Missing() }; return v }
        var out = BatchState()
        var spend: [(Int64, Int, Int64)] = []
        if countsDays { for k in dayKeys { out.dayCounts[k] = 0 } }
        for (k, i1, i2, i3, i4, i5, i6, i7, t1, t2, t3, t4) in read {
            switch k {
            case "r":
                out.recorded["\(try need(i1))|\(try need(t1))"] = (try need(t2), try need(t3))
            case "c":
                out.cards[try need(t1)] = (i1, CardState(rawValue: try need(t2)) ?? .closed, t3)
            case "p":
                out.byPhone[try need(t1)] = (try need(i1), t2)
            case "m":
                let m = LockedMember(id: try need(i1), earnedTier: try need(t1), tierSinceDay: Int(try need(i2)),
                                     manualTier: t2, manualUntil: i3.map { LocalDate(dayNumber: Int($0)) },
                                     balance: try need(i4), birthday: i5.flatMap { m in i6.map { MonthDay(month: Int(m), day: Int($0)) } },
                                     status: try need(t3), referralPending: try need(i7) != 0)
                out.members[m.id] = BatchMember(locked: m, spendByDay: [:])
                out.versions[m.id] = try need(t4)
            case "t":
                out.pending[try need(i1), default: []].insert(try need(t1))
            case "s":
                spend.append((try need(i1), Int(try need(i2)), try need(i3)))
            case "d":
                out.dayCounts[DayKey(mallId: try need(i1), day: Int(try need(i2)))] = Int(try need(i3))
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
