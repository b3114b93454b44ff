import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// The import's writer: the same decisions as the live batch writer (`insertBatch`), item by item in the same
    /// order with the same Core functions (earning, multipliers and the day's ordinal, rolling spend, tier evaluation,
    /// approval requests), so every row comes out as live posting would write it; only the writing differs, for
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
        let isPostgres = sql.dialect.name == "postgresql"
        let lock = isPostgres ? " FOR UPDATE" : ""
        let nowMs = epochMillis(now)
        let programme = items[0].programme
        let today = LocalDate.of(now, in: programme.timeZone)
        let windows = programme.tierWindows
        // SQLite as built here takes 32,766 variables per statement, PostgreSQL 65,535.
        let inChunk = 5_000

        // Receipts already recorded (replays).
        var recorded: [String: (hash: String, json: String)] = [:]
        for part in Array(Set(items.map(\.request.receiptNo))).chunked(inChunk) {
            for r in try await sql.rows("""
                SELECT mall_id, receipt_no, request_hash, response_json FROM purchases WHERE receipt_no IN \(list: Array(part))
                """) {
                recorded["\(try r.int64("mall_id"))|\(try r.string("receipt_no"))"] = (try r.string("request_hash"), try r.string("response_json"))
            }
        }
        // How each receipt identifies its member: by card, else by phone (active members only), as `insertBatch`.
        let cardNos = Array(Set(items.compactMap(\.request.card)))
        let phones = Array(Set(items.filter { $0.request.card == nil }.compactMap(\.request.phone)))
        var cards: [String: (memberId: Int64?, state: CardState, status: String?)] = [:]
        for part in cardNos.chunked(inChunk) {
            for r in try await sql.rows("""
                SELECT c.card_no, c.member_id, c.state, m.status FROM cards c LEFT JOIN members m ON m.id = c.member_id
                WHERE c.card_no IN \(list: Array(part))
                """) {
                cards[try r.string("card_no")] = (try r.optInt64("member_id"), CardState(rawValue: try r.string("state")) ?? .closed, try r.optString("status"))
            }
        }
        var byPhone: [String: (memberId: Int64, cardNo: String?)] = [:]
        for part in phones.chunked(inChunk) {
            for r in try await sql.rows("""
                SELECT m.id, m.phone, (SELECT c.card_no FROM cards c WHERE c.member_id = m.id AND c.state = 'active' LIMIT 1) AS card_no
                FROM members m WHERE m.phone IN \(list: Array(part)) AND m.status = 'active'
                """) {
                byPhone[try r.string("phone")] = (try r.int64("id"), try r.optString("card_no"))
            }
        }
        func identify(_ item: PreparedPurchase) -> Result<(Int64?, String?), DomainError> {
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
        let identities = items.map(identify)

        // The members, locked in id order, and their spend in the longest window before the batch's last day.
        let memberIds = Array(Set(identities.compactMap { try? $0.get().0 })).sorted()
        var members: [Int64: BatchMember] = [:]
        members.reserveCapacity(memberIds.count)
        for part in memberIds.chunked(inChunk) {
            for r in try await sql.rows("""
                SELECT id, earned_tier, tier_since_day, manual_tier, manual_until_day, points_balance, birth_month, birth_day, status,
                  referral_pending
                FROM members WHERE id IN \(unsafeRaw: Self.intList(part)) ORDER BY id\(unsafeRaw: lock)
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
                    WHERE member_id IN \(unsafeRaw: Self.intList(part)) AND day >= \(int: from) AND day <= \(int: to)
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
        let dayRules = programme.earning.multipliers.filter { $0.firstMemberPurchasesOfDay != nil }

        var results: [BatchItemResult] = []
        results.reserveCapacity(items.count)
        var firstInBatch: [String: Int] = [:]
        var rows: [PurchaseRow] = []
        rows.reserveCapacity(items.count)
        var ledger: [(row: Int, memberId: Int64, points: Int64, balance: Int64, note: String, at: Int64)] = []
        var daily: [DailyKey: (spend: Int64, count: Int)] = [:]
        var tierChanges: [(row: Int, memberId: Int64, from: String, to: String, reason: TierReason?, at: Int64)] = []
        var tierRequests: [(memberId: Int64, tier: String, reason: TierReason?, at: Int64)] = []
        var pendingRequests: [Int64: Set<String>] = [:]

        for (i, item) in items.enumerated() {
            if let prior = recorded[item.key] {
                results.append(prior.hash == item.hash
                    ? .replayed(try JSONDecoder().decode(PurchaseOutcome.self, from: Data(prior.json.utf8)))
                    : .failed(receiptConflict(item.request.receiptNo)))
                continue
            }
            if let j = firstInBatch[item.key] {
                switch results[j] {
                case .created(let o, _) where items[j].hash == item.hash: results.append(.replayed(o))
                case .failed(let e) where items[j].hash == item.hash: results.append(.failed(e))
                default: results.append(.failed(receiptConflict(item.request.receiptNo)))
                }
                continue
            }
            firstInBatch[item.key] = i
            let who: (Int64?, String?)
            switch identities[i] {
            case .failure(let e): results.append(.failed(e)); continue
            case .success(let w): who = w
            }
            var outcome = PurchaseOutcome(
                receiptNo: item.request.receiptNo, mall: item.mallCode, businessDate: item.day.description, member: who.0 != nil,
                cardNo: who.1, totalFen: item.total, eligibleFen: item.eligible, basePoints: 0, bonusPoints: 0, factorPermille: 1000,
                multipliers: [], pointsEarned: 0, pointsBalance: nil, tier: nil, previousTier: nil, tierChanged: false,
                tierApprovalRequested: nil, eligibleToEnrol: false)

            guard let memberId = who.0, var state = members[memberId] else {
                let receipt = QualifyingReceipt(receiptNo: item.request.receiptNo, businessDate: item.day, amountFen: item.total)
                if case .eligible = programme.enrolment.evaluate([receipt], on: item.day, programme: programme) { outcome.eligibleToEnrol = true }
                rows.append(PurchaseRow(item: item, memberId: nil, cardNo: nil, earned: 0, factor: 1000, json: outcome.json))
                results.append(.created(outcome))
                continue
            }
            let m = state.locked
            let asOf = item.postedAsOf.map { LocalDate.of($0, in: programme.timeZone) } ?? today
            let atMs = item.postedAsOf.map(epochMillis) ?? nowMs
            var context = EarningContext(businessDate: item.day, birthday: m.birthday)
            let dayRulesApply = dayRules.contains {
                $0.applies(EarningContext(businessDate: item.day, birthday: m.birthday, memberPurchaseOrdinalOfDay: 1))
            }
            if dayRulesApply {
                context.memberPurchaseOrdinalOfDay = try await nextOrdinal(mallId: item.mallId, day: item.day)
            }
            let earning = programme.earning.earn(eligibleFen: item.eligible, context: context)

            let dayNumber = item.day.dayNumber
            state.spendByDay[dayNumber, default: 0] += item.total
            var byMonths: [Int: Int64] = [:]
            for w in windows {
                let start = item.day.windowStart(months: w).dayNumber
                var sum: Int64 = 0
                for (d, fen) in state.spendByDay where d >= start && d <= dayNumber { sum += fen }
                byMonths[w] = sum
            }
            let evaluation = programme.evaluateTier(spend: RollingSpend(byMonths), floor: m.earnedTier)
            let before = programme.effectiveTier(earned: m.earnedTier, manual: m.manualTier, manualUntil: m.manualUntil, on: asOf)
            let after = programme.effectiveTier(earned: evaluation.tier, manual: m.manualTier, manualUntil: m.manualUntil, on: asOf)
            let balance = Saturating.add(m.balance, earning.points)   // never a trap (issue 14)

            outcome.basePoints = earning.basePoints
            outcome.bonusPoints = earning.bonusPoints
            outcome.factorPermille = earning.factorPermille
            outcome.multipliers = earning.multiplierNames
            outcome.pointsEarned = earning.points
            outcome.pointsBalance = balance
            outcome.tier = after
            outcome.previousTier = before
            outcome.tierChanged = after != before

            if let candidate = evaluation.approvalCandidate {
                if pendingRequests[memberId] == nil {
                    pendingRequests[memberId] = Set(try await sql.rows("""
                        SELECT tier FROM tier_requests WHERE member_id = \(int: memberId) AND status = 'pending'
                        """).map { try $0.string("tier") })
                }
                if !pendingRequests[memberId]!.contains(candidate) {
                    pendingRequests[memberId]!.insert(candidate)
                    tierRequests.append((memberId, candidate, evaluation.approvalReason, atMs))
                    outcome.tierApprovalRequested = candidate
                }
            }
            if earning.points != 0 {
                ledger.append((rows.count, memberId, earning.points, balance,
                               ([item.request.receiptNo] + earning.multiplierNames).joined(separator: " · "), atMs))
            }
            if evaluation.tier != m.earnedTier {
                tierChanges.append((rows.count, memberId, m.earnedTier, evaluation.tier, evaluation.reason, atMs))
                state.locked.earnedTier = evaluation.tier
                state.locked.tierSinceDay = asOf.dayNumber
            }
            state.locked.balance = balance
            state.changed = true
            members[memberId] = state
            let dk = DailyKey(memberId: memberId, mallId: item.mallId, day: dayNumber)
            daily[dk, default: (0, 0)].spend += item.total
            daily[dk]!.count += 1
            rows.append(PurchaseRow(item: item, memberId: memberId, cardNo: who.1, earned: earning.points,
                                    factor: earning.factorPermille, json: outcome.json))
            results.append(.created(outcome, referralPending: m.referralPending))
        }
        guard !rows.isEmpty else { return results }

        // Purchases first: their ids, in the order inserted, key the lines, ledger rows and tier changes.
        var ids: [Int64] = []
        ids.reserveCapacity(rows.count)
        let writes = BatchWrites(rows: rows, ledger: [], members: members.values.filter(\.changed).map(\.locked).sorted { $0.id < $1.id },
                                 daily: daily.map { ($0.key, $0.value.spend, $0.value.count) }, nowMs: nowMs)
        for chunk in rows.chunked(1_000) {
            var byKey: [String: Int64] = [:]
            for r in try await sql.rows(writes.purchases(chunk)) {
                byKey["\(try r.int64("mall_id"))|\(try r.string("receipt_no"))"] = try r.int64("id")
            }
            // RETURNING promises no order: match by key.
            for r in chunk { ids.append(byKey[r.item.key]!) }
        }

        var lines = LiteralInsert(sql, """
            INSERT INTO purchase_lines (purchase_id, member_id, line_no, counter_id, amount_fen, special_price, earns_points, refunded_fen) VALUES
            """)
        for (n, r) in rows.enumerated() {
            for (i, l) in r.item.lines.enumerated() {
                try await lines.row("\(ids[n]), \(r.memberId.map { String($0) } ?? "NULL"), \(i + 1), \(l.counter.id), \(l.request.amountFen), \(l.request.specialPrice ? "TRUE" : "FALSE"), \(l.counter.earnsPoints ? "TRUE" : "FALSE"), 0")
            }
        }
        try await lines.flush()

        var points = LiteralInsert(sql, "INSERT INTO points_ledger (member_id, kind, points, balance_after, purchase_id, note, actor, at_ms) VALUES")
        for e in ledger {
            try await points.row("\(e.memberId), 'earn', \(e.points), \(e.balance), \(ids[e.row]), ", bind: e.note, ", 'pos', \(e.at)")
        }
        try await points.flush()

        for part in writes.members.chunked(inChunk) {
            var w = writes
            w.members = Array(part)
            if let q = w.memberUpdate() { try await sql.exec(q) }
        }
        for part in writes.daily.chunked(inChunk) {
            var w = writes
            w.daily = Array(part)
            if let q = w.dailyUpsert() { try await sql.exec(q) }
        }
        if !dayCountAdded.isEmpty {
            var counts = LiteralInsert(sql, "INSERT INTO mall_day_counts (mall_id, day, member_purchases) VALUES",
                                       tail: " ON CONFLICT (mall_id, day) DO UPDATE SET member_purchases = mall_day_counts.member_purchases + excluded.member_purchases")
            for (k, n) in dayCountAdded.sorted(by: { ($0.key.mallId, $0.key.day) < ($1.key.mallId, $1.key.day) }) {
                try await counts.row("\(k.mallId), \(k.day), \(n)")
            }
            try await counts.flush()
        }

        // The report aggregates (migration 025), as the live batch adds them.
        var report = ReportDelta(policy: programme.reports)
        for r in rows {
            report.purchase(mall: r.item.mallId, day: r.item.day, member: r.memberId,
                            lines: r.item.lines.map { ReportDelta.Line(counter: $0.counter.id, amount: $0.request.amountFen) })
        }
        try await report.write(sql)

        if !tierChanges.isEmpty {
            var changes = LiteralInsert(sql, "INSERT INTO tier_changes (member_id, from_tier, to_tier, kind, reason, purchase_id, actor, at_ms) VALUES")
            for c in tierChanges {
                // The reason as `recordTierChange` writes it.
                let text = try c.reason.map { try encodeJSON($0) } ?? ""
                try await changes.row("\(c.memberId), ", bind: c.from, ", ", bind: c.to, ", 'upgrade', ", bind: text, ", \(ids[c.row]), 'pos', \(c.at)")
            }
            try await changes.flush()
        }
        if !tierRequests.isEmpty {
            var requests = LiteralInsert(sql, "INSERT INTO tier_requests (member_id, tier, reason, status, created_at_ms) VALUES")
            for r in tierRequests {
                try await requests.row("\(r.memberId), ", bind: r.tier, ", ", bind: try encodeJSON(r.reason), ", 'pending', \(r.at)")
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

/// A multi-row INSERT built as text, numbers as literals and text bound, sent when it reaches `maxRows` rows or
/// `maxBinds` bound values. Rows go in the order added (ids ascend in that order).
struct LiteralInsert {
    let db: any SQLDatabase
    let head: String
    let tail: String
    let maxRows: Int
    let maxBinds = 20_000
    private var query = SQLQueryString("")
    private var text = ""
    private var rows = 0
    private var binds = 0

    init(_ db: any SQLDatabase, _ head: String, tail: String = "", maxRows: Int = 5_000) {
        self.db = db
        self.head = head
        self.tail = tail
        self.maxRows = maxRows
    }

    /// A row of literals only.
    mutating func row(_ literals: String) async throws {
        text += rows == 0 ? head + " (" : ", ("
        text += literals
        text += ")"
        rows += 1
        if rows >= maxRows { try await flush() }
    }

    /// A row of literal parts with text bound between them: `a, bind: b, c` is `a ? c`.
    mutating func row(_ a: String, bind b: String, _ c: String) async throws {
        try await row([a, c], binds: [b])
    }

    mutating func row(_ a: String, bind b: String, _ c: String, bind d: String, _ e: String, bind f: String, _ g: String) async throws {
        try await row([a, c, e, g], binds: [b, d, f])
    }

    mutating func row(_ a: String, bind b: String, _ c: String, bind d: String, _ e: String) async throws {
        try await row([a, c, e], binds: [b, d])
    }

    private mutating func row(_ parts: [String], binds values: [String]) async throws {
        if binds + values.count > maxBinds { try await flush() }
        text += rows == 0 ? head + " (" : ", ("
        for (i, part) in parts.enumerated() {
            text += part
            if i < values.count {
                query.appendLiteral(text)
                text = ""
                query.appendInterpolation(bind: values[i])
                binds += 1
            }
        }
        text += ")"
        rows += 1
        if rows >= maxRows { try await flush() }
    }

    mutating func flush() async throws {
        guard rows > 0 else { return }
        query.appendLiteral(text + tail)
        try await db.raw(query).run()
        query = SQLQueryString("")
        text = ""
        rows = 0
        binds = 0
    }
}
