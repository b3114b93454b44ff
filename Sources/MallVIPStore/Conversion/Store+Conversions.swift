import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Every unconverted registered customer in `scope` with the month's purchases (matched by phone, in the
    /// registering counter's mall, not yet credited to a member) measured against the invite rule.
    public func monthlyAssessments(year: Int, month: Int, scope: ProspectScope) async throws -> [InviteCandidate] {
        let (_, programme) = try await self.programme()
        let first = LocalDate(year: year, month: month, day: 1)
        let last = LocalDate(year: year, month: month, day: LocalDate.daysIn(year: year, month: month))
        let open = try await prospects(scope).filter { $0.memberId == nil }
        let rows = try await sql.rows("""
            SELECT p.id AS prospect_id, pu.business_day, pu.total_fen - pu.refunded_fen AS net_fen
            FROM prospects p JOIN counters c ON c.id = p.counter_id
            JOIN purchases pu ON pu.phone = p.phone AND pu.mall_id = c.mall_id AND pu.member_id IS NULL
            WHERE pu.business_day BETWEEN \(bind: first.dayNumber) AND \(bind: last.dayNumber) AND \(scope.whereClause)
            """)
        var purchases: [Int64: [ProspectPurchase]] = [:]
        for r in rows {
            purchases[try r.int64("prospect_id"), default: []]
                .append(ProspectPurchase(day: LocalDate(dayNumber: try r.int("business_day")), netFen: try r.int64("net_fen")))
        }
        return open.map { p in
            let mine = purchases[p.id] ?? []
            return InviteCandidate(prospect: p, assessment: programme.conversion.assess(mine, year: year, month: month),
                                   lastPurchaseDay: mine.map(\.day).max())
        }
    }

    /// The month's invite list: customers who meet the rule, most purchase days first.
    public func inviteList(year: Int, month: Int, scope: ProspectScope) async throws -> [InviteCandidate] {
        try await monthlyAssessments(year: year, month: month, scope: scope)
            .filter(\.assessment.invite)
            .sorted { ($0.assessment.purchaseDays, $0.assessment.spendFen, $1.prospect.id) > ($1.assessment.purchaseDays, $1.assessment.spendFen, $0.prospect.id) }
    }

    /// Conversions per department of a mall in the days `from`…`through`, every department listed, ranked.
    public func departmentConversions(mallId: Int64, from: LocalDate, through: LocalDate) async throws -> [DepartmentConversions] {
        try await departmentConversions(sql, mallId: mallId, from: from, through: through)
    }

    func departmentConversions(_ sql: any SQLDatabase, mallId: Int64, from: LocalDate, through: LocalDate) async throws -> [DepartmentConversions] {
        let rows = try await sql.rows("""
            SELECT d.id, d.code, d.name, COUNT(x.id) AS n, MAX(x.converted_at_ms) AS last_ms
            FROM departments d LEFT JOIN prospect_conversions x ON x.department_id = d.id
              AND x.converted_day BETWEEN \(bind: from.dayNumber) AND \(bind: through.dayNumber)
            WHERE d.mall_id = \(bind: mallId) GROUP BY d.id, d.code, d.name
            """)
        return ConversionRanking.ranked(try rows.map {
            DepartmentConversions(departmentId: try $0.int64("id"), code: try $0.string("code"), name: try $0.string("name"),
                                  conversions: try $0.int("n"), lastConversionAtMs: try $0.optInt64("last_ms"))
        })
    }

    /// Conversions credited to each counter of a mall in the days `from`…`through` (counters with none left out).
    public func counterConversions(mallId: Int64, from: LocalDate, through: LocalDate) async throws -> [CounterConversions] {
        let rows = try await sql.rows("""
            SELECT c.id, c.code, c.name, d.name AS department_name, COUNT(x.id) AS n
            FROM prospect_conversions x JOIN counters c ON c.id = x.counter_id JOIN departments d ON d.id = x.department_id
            WHERE x.mall_id = \(bind: mallId) AND x.converted_day BETWEEN \(bind: from.dayNumber) AND \(bind: through.dayNumber)
            GROUP BY c.id, c.code, c.name, d.name ORDER BY COUNT(x.id) DESC, c.code
            """)
        return try rows.map {
            CounterConversions(counterId: try $0.int64("id"), counterCode: try $0.string("code"), counterName: try $0.string("name"),
                               departmentName: try $0.string("department_name"), conversions: try $0.int("n"))
        }
    }

    /// Records the winner of the ranking week holding `week` and the reward it gets. Once per mall and week: a
    /// second call returns the award already recorded. Nil when nobody converted anyone that week.
    @discardableResult
    public func recordConversionAward(mallId: Int64, week: LocalDate, actor: String) async throws -> ConversionAward? {
        let (_, programme) = try await self.programme()
        let policy = programme.conversion
        let start = policy.weekStart(of: week)
        let today = LocalDate.of(now, in: programme.timeZone)
        guard start.adding(days: 7) <= today else {
            throw DomainError.invalid("week", "week.notOver", zh: "该周尚未结束，不能评奖", en: "the week is not over yet")
        }
        if let existing = try await conversionAward(mallId: mallId, weekStart: start) { return existing }
        let nowMs = epochMillis(now)
        do {
            let created: Bool = try await write { tx in
                let ranking = try await self.departmentConversions(tx.sql, mallId: mallId, from: start, through: start.adding(days: 6))
                guard let winner = ConversionRanking.winner(ranking) else { return false }
                try await tx.sql.exec("""
                    INSERT INTO conversion_awards (mall_id, week_start_day, department_id, conversions, reward_text, reward_fen, recorded_by, recorded_at_ms)
                    VALUES (\(bind: mallId), \(bind: start.dayNumber), \(bind: winner.departmentId), \(bind: winner.conversions),
                            \(bind: policy.weeklyRewardText), \(bind: policy.weeklyRewardFen), \(bind: actor), \(bind: nowMs))
                    """)
                try await self.audit(tx, actor: actor, action: "conversion.award", subject: "department:\(winner.departmentId)",
                                     detail: "week \(start) · \(winner.conversions) · \(policy.weeklyRewardText) \(Money.yuan(policy.weeklyRewardFen))")
                return true
            }
            guard created else { return nil }
        } catch where isUniqueViolation(error) {
            // Recorded at the same moment by someone else: theirs stands.
        }
        return try await conversionAward(mallId: mallId, weekStart: start)
    }

    /// Awards the week before the one holding `day` in every mall; safe to run as often as the scheduler likes.
    /// Returns how many awards it recorded.
    public func awardLastConversionWeek(on day: LocalDate, actor: String = "job") async throws -> Int {
        let (_, programme) = try await self.programme()
        let lastWeek = programme.conversion.weekStart(of: day).adding(days: -7)
        guard lastWeek.adding(days: 7) <= LocalDate.of(now, in: programme.timeZone) else { return 0 }
        var recorded = 0
        for mall in try await malls() {
            let before = try await conversionAward(mallId: mall.id, weekStart: lastWeek)
            if before == nil, try await recordConversionAward(mallId: mall.id, week: lastWeek, actor: actor) != nil { recorded += 1 }
        }
        return recorded
    }

    public func conversionAward(mallId: Int64, weekStart: LocalDate) async throws -> ConversionAward? {
        try await sql.row("""
            SELECT \(unsafeRaw: Self.awardColumns) WHERE a.mall_id = \(bind: mallId) AND a.week_start_day = \(bind: weekStart.dayNumber)
            """).map(awardFrom)
    }

    /// The mall's recorded awards, latest week first.
    public func conversionAwards(mallId: Int64, limit: Int = 12) async throws -> [ConversionAward] {
        try await sql.rows("""
            SELECT \(unsafeRaw: Self.awardColumns) WHERE a.mall_id = \(bind: mallId) ORDER BY a.week_start_day DESC LIMIT \(bind: limit)
            """).map(awardFrom)
    }

    static let awardColumns = """
        a.mall_id, a.week_start_day, a.department_id, d.name AS department_name, a.conversions, a.reward_text, a.reward_fen,
        a.recorded_by, a.recorded_at_ms FROM conversion_awards a JOIN departments d ON d.id = a.department_id
        """

    func awardFrom(_ r: any SQLRow) throws -> ConversionAward {
        ConversionAward(mallId: try r.int64("mall_id"), weekStart: LocalDate(dayNumber: try r.int("week_start_day")),
                        departmentId: try r.int64("department_id"), departmentName: try r.string("department_name"),
                        conversions: try r.int("conversions"), rewardText: try r.string("reward_text"),
                        rewardFen: try r.int64("reward_fen"), recordedBy: try r.string("recorded_by"),
                        recordedAt: dateFromMillis(try r.int64("recorded_at_ms")))
    }
}
