import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Replays the last `months` months of member purchases (and car park exits) under the active programme and under
    /// `draft`, side by side, with what the database recorded over the same window. Reads only. Members are read in
    /// id pages; each page's purchases come in one query ordered by member and time, so memory holds one page.
    public func simulateProgramme(draft: Programme, months: Int = 12, pageSize: Int = 500) async throws -> SimulationResult {
        let (_, current) = try await self.programme()
        let zone = current.timeZone
        let today = LocalDate.of(now, in: zone)
        let (from, through) = ProgrammeSimulation.window(months: max(1, months), endingOn: today)
        let history = ProgrammeSimulation.historyStart(current: current, draft: draft, from: from)
        let fromMs = epochMillis(from.start(in: zone)), endMs = epochMillis(through.adding(days: 1).start(in: zone))
        var sim = ProgrammeSimulation(current: current, draft: draft, from: from, through: through)

        // The mall-wide "first N member purchases of the day" ordinals, when either programme has such a rule.
        var ordinals: (current: [Int64: Int], draft: [Int64: Int]) = ([:], [:])
        if ProgrammeSimulation.needsDayOrdinals(current) || ProgrammeSimulation.needsDayOrdinals(draft) {
            let rows = try await sql.rows("""
                SELECT p.id, p.mall_id, p.business_day, p.created_at_ms, m.birth_month, m.birth_day, m.enrolled_at_ms
                FROM purchases p JOIN members m ON m.id = p.member_id
                WHERE p.business_day >= \(bind: from.dayNumber) AND p.business_day <= \(bind: through.dayNumber)
                ORDER BY p.mall_id, p.business_day, p.id
                """).map { r in
                OrdinalPurchase(id: try r.int64("id"), mallId: try r.int64("mall_id"), day: LocalDate(dayNumber: try r.int("business_day")),
                                birthday: Self.monthDay(try r.optInt("birth_month"), try r.optInt("birth_day")),
                                creditedAtEnrolment: try r.int64("created_at_ms") <= r.int64("enrolled_at_ms"))
            }
            ordinals = (ProgrammeSimulation.dayOrdinals(current, rows), ProgrammeSimulation.dayOrdinals(draft, rows))
        }

        var lastId: Int64 = 0
        while true {
            let members = try await sql.rows("""
                SELECT id, earned_tier, birth_month, birth_day, enrolled_day, enrolled_at_ms, points_balance FROM members
                WHERE id > \(bind: lastId) ORDER BY id LIMIT \(unsafeRaw: String(max(1, pageSize)))
                """)
            guard let last = members.last else { break }
            let firstId = try members[0].int64("id")
            lastId = try last.int64("id")

            // Tier history: the earned tier when the window opened (manual tiers aside).
            var changes: [Int64: [(from: String, to: String, kind: String, atMs: Int64)]] = [:]
            for r in try await sql.rows("""
                SELECT member_id, from_tier, to_tier, kind, at_ms FROM tier_changes
                WHERE member_id >= \(bind: firstId) AND member_id <= \(bind: lastId) AND kind NOT IN ('manual', 'manualEnd')
                ORDER BY member_id, at_ms, id
                """) {
                changes[try r.int64("member_id"), default: []].append((try r.string("from_tier"), try r.string("to_tier"), try r.string("kind"), try r.int64("at_ms")))
            }
            var purchases: [Int64: [SimulationPurchase]] = [:]
            for r in try await sql.rows("""
                SELECT p.id, p.member_id, p.occurred_at_ms, p.created_at_ms, p.business_day, p.mall_id, p.total_fen, p.eligible_fen, p.points_earned,
                  m.enrolled_at_ms,
                  (SELECT CAST(COALESCE(SUM(l.amount_fen), 0) AS BIGINT) FROM purchase_lines l JOIN counters c ON c.id = l.counter_id
                   WHERE l.purchase_id = p.id AND c.participates_in_discount = \(bind: true) AND l.special_price = \(bind: false)) AS disc
                FROM purchases p JOIN members m ON m.id = p.member_id
                WHERE p.member_id >= \(bind: firstId) AND p.member_id <= \(bind: lastId)
                  AND p.business_day >= \(bind: history.dayNumber) AND p.business_day <= \(bind: through.dayNumber)
                ORDER BY p.member_id, p.occurred_at_ms, p.id
                """) {
                let id = try r.int64("id")
                let credited = try r.int64("created_at_ms") <= r.int64("enrolled_at_ms")
                purchases[try r.int64("member_id"), default: []].append(SimulationPurchase(
                    id: id, atMs: try r.int64("occurred_at_ms"), day: LocalDate(dayNumber: try r.int("business_day")), mallId: try r.int64("mall_id"),
                    totalFen: try r.int64("total_fen"), eligibleFen: try r.int64("eligible_fen"),
                    discountableFen: credited ? 0 : try r.int64("disc"), recordedPoints: try r.int64("points_earned"),
                    dayOrdinal: ordinals.current[id], draftDayOrdinal: ordinals.draft[id]))
            }
            var exits: [Int64: [SimulationParkingExit]] = [:]
            for r in try await sql.rows("""
                SELECT member_id, exit_at_ms, business_day, mall_id, stay_minutes FROM parking_exits
                WHERE member_id >= \(bind: firstId) AND member_id <= \(bind: lastId)
                  AND business_day >= \(bind: from.dayNumber) AND business_day <= \(bind: through.dayNumber)
                ORDER BY member_id, exit_at_ms, id
                """) {
                exits[try r.int64("member_id"), default: []].append(SimulationParkingExit(
                    atMs: try r.int64("exit_at_ms"), day: LocalDate(dayNumber: try r.int("business_day")), mallId: try r.int64("mall_id"),
                    stayMinutes: try r.int("stay_minutes")))
            }
            for r in members {
                let id = try r.int64("id")
                let enrolled = LocalDate(dayNumber: try r.int("enrolled_day"))
                var start = (tier: try r.string("earned_tier"), since: enrolled)
                let history = changes[id] ?? []
                if let before = history.last(where: { $0.atMs < fromMs }) {
                    start = (before.to, LocalDate.of(dateFromMillis(before.atMs), in: zone))
                } else if let first = history.first {
                    start = (first.kind == "enrol" ? first.to : first.from, enrolled)
                }
                sim.add(SimulationMember(id: id, birthday: Self.monthDay(try r.optInt("birth_month"), try r.optInt("birth_day")),
                                         enrolledDay: enrolled, startTier: start.tier, tierSince: start.since,
                                         balanceNow: try r.int64("points_balance"), purchases: purchases[id] ?? [], parkingExits: exits[id] ?? []))
            }
        }
        var result = sim.result
        result.recorded = try await recordedFigures(current, fromMs: fromMs, endMs: endMs, from: from, through: through)
        return result
    }

    /// The window as the database recorded it: points earned on the window's receipts, tier changes (manual ones
    /// aside) by rank under the active programme, members by earned tier now, car park minutes the benefit covered,
    /// members who filed an approval request, and the outstanding points.
    func recordedFigures(_ programme: Programme, fromMs: Int64, endMs: Int64, from: LocalDate, through: LocalDate) async throws -> SimulationFigures {
        var f = SimulationFigures()
        f.discountFen = nil
        let (a, b) = (from.dayNumber, through.dayNumber)
        f.members = try await sql.row("SELECT COUNT(*) AS n FROM members")!.int("n")
        for r in try await sql.rows("SELECT earned_tier, COUNT(*) AS n FROM members GROUP BY earned_tier") {
            f.membersByTier[try r.string("earned_tier")] = try r.int("n")
        }
        let p = try await sql.row("""
            SELECT COUNT(*) AS n, CAST(COALESCE(SUM(points_earned), 0) AS BIGINT) AS pts FROM purchases
            WHERE member_id IS NOT NULL AND business_day >= \(bind: a) AND business_day <= \(bind: b)
            """)!
        f.purchases = try p.int("n")
        f.pointsIssued = try p.int64("pts")
        for r in try await sql.rows("""
            SELECT from_tier, to_tier FROM tier_changes WHERE kind NOT IN ('manual', 'manualEnd', 'enrol')
              AND at_ms >= \(bind: fromMs) AND at_ms < \(bind: endMs)
            """) {
            let x = programme.rank(of: try r.string("from_tier")) ?? 0, y = programme.rank(of: try r.string("to_tier")) ?? 0
            if y > x { f.upgrades += 1 } else if y < x { f.downgrades += 1 }
        }
        f.approvalCandidates = try await sql.row("""
            SELECT COUNT(DISTINCT member_id) AS n FROM tier_requests WHERE created_at_ms >= \(bind: fromMs) AND created_at_ms < \(bind: endMs)
            """)!.int("n")
        f.freeParkingMinutes = try await sql.row("""
            SELECT CAST(COALESCE(SUM(free_minutes), 0) AS BIGINT) AS m FROM parking_exits
            WHERE member_id IS NOT NULL AND business_day >= \(bind: a) AND business_day <= \(bind: b)
            """)!.int64("m")
        f.pointsOutstanding = try await sql.row("""
            SELECT CAST(COALESCE(SUM(points_balance), 0) AS BIGINT) AS pts FROM members WHERE points_balance > 0
            """)!.int64("pts")
        f.liabilityFen = f.pointsOutstanding * programme.redemption.fenPerThousandPoints / 1000
        return f
    }

    static func monthDay(_ month: Int?, _ day: Int?) -> MonthDay? {
        guard let month, let day else { return nil }
        return MonthDay(month: month, day: day)
    }
}
