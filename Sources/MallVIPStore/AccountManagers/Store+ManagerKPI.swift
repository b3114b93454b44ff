import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A month's recorded winner and the reward's cost booked for it.
public struct ManagerAward: Sendable, Equatable {
    public var month: String
    public var staffId: Int64
    public var staffName: String
    public var members: Int
    public var purchases: Int
    public var rewardFen: Int64
    public var rewardText: String
    public var recordedBy: String
    public var recordedAt: Date
}

extension LocalDate {
    /// "2026-11"
    var monthKeyText: String { String(description.prefix(7)) }
    var monthFirstDay: LocalDate { LocalDate(year: year, month: month, day: 1) }
    var monthLastDay: LocalDate { LocalDate(year: year, month: month, day: LocalDate.daysIn(year: year, month: month)) }
}

extension Store {
    /// Each maintainer's KPI for the month containing `month`. Members count for whoever had them at the end of
    /// the month (today, while the month runs), so a reassignment mid-month moves the member's whole month.
    public func managerKPIs(month: LocalDate, programme: Programme) async throws -> [ManagerKPI] {
        let today = LocalDate.of(now, in: programme.timeZone)
        let start = month.monthFirstDay, end = month.monthLastDay
        let asOf = min(end, today)
        guard asOf >= start else { return [] }
        var names: [Int64: String] = [:]
        var membersOf: [Int64: [Int64]] = [:]
        for r in try await sql.rows("""
            SELECT h.staff_id, h.member_id, s.display_name FROM member_manager_history h JOIN staff_users s ON s.id = h.staff_id
            WHERE h.from_day <= \(bind: asOf.dayNumber) AND (h.to_day IS NULL OR h.to_day > \(bind: asOf.dayNumber))
            """) {
            let staff = try r.int64("staff_id")
            names[staff] = try r.string("display_name")
            membersOf[staff, default: []].append(try r.int64("member_id"))
        }
        let all = membersOf.values.flatMap { $0 }
        guard !all.isEmpty else { return [] }
        let thisMonth = try await purchaseTotals(memberIds: all, from: start, to: end)
        let lastYear = try await purchaseTotals(memberIds: all, from: start.adding(months: -12), to: start.adding(months: -12).monthLastDay)
        let downgraded = try await downgradedMembers(memberIds: all, from: start, to: end, programme: programme)
        let contacts = try await contactCounts(staffIds: Array(membersOf.keys), from: start, to: end, programme: programme)
        return membersOf.map { staff, ids in
            ManagerKPI(staffId: staff, name: names[staff] ?? "",
                       members: ids.count, purchases: ids.reduce(0) { $0 + (thisMonth[$1]?.count ?? 0) },
                       spendFen: ids.reduce(0) { $0 + (thisMonth[$1]?.fen ?? 0) },
                       spendLastYearFen: ids.reduce(0) { $0 + (lastYear[$1]?.fen ?? 0) },
                       keptInTier: ids.filter { !downgraded.contains($0) }.count, contacts: contacts[staff] ?? 0)
        }.sorted { $0.ranksAbove($1) }
    }

    /// Purchases (not refunded in full) and net spend per member between two business days.
    private func purchaseTotals(memberIds: [Int64], from: LocalDate, to: LocalDate) async throws -> [Int64: (count: Int, fen: Int64)] {
        var out: [Int64: (count: Int, fen: Int64)] = [:]
        for r in try await sql.rows("""
            SELECT member_id, COUNT(*) AS n, CAST(SUM(total_fen - refunded_fen) AS BIGINT) AS fen FROM purchases
            WHERE member_id IN (\(binds: memberIds)) AND business_day >= \(bind: from.dayNumber) AND business_day <= \(bind: to.dayNumber)
              AND refunded_fen < total_fen
            GROUP BY member_id
            """) {
            out[try r.int64("member_id")] = (try r.int("n"), try r.int64("fen"))
        }
        return out
    }

    /// Contacts each maintainer logged between two business days.
    private func contactCounts(staffIds: [Int64], from: LocalDate, to: LocalDate, programme: Programme) async throws -> [Int64: Int] {
        let tz = programme.timeZone
        var out: [Int64: Int] = [:]
        for r in try await sql.rows("""
            SELECT staff_id, COUNT(*) AS n FROM member_contacts
            WHERE staff_id IN (\(binds: staffIds)) AND at_ms >= \(bind: epochMillis(from.start(in: tz)))
              AND at_ms < \(bind: epochMillis(to.adding(days: 1).start(in: tz)))
            GROUP BY staff_id
            """) {
            out[try r.int64("staff_id")] = try r.int("n")
        }
        return out
    }

    /// Members whose tier went down during the period (by the programme's tier order).
    private func downgradedMembers(memberIds: [Int64], from: LocalDate, to: LocalDate, programme: Programme) async throws -> Set<Int64> {
        let tz = programme.timeZone
        let startMs = epochMillis(from.start(in: tz)), endMs = epochMillis(to.adding(days: 1).start(in: tz))
        var out = Set<Int64>()
        for r in try await sql.rows("""
            SELECT member_id, from_tier, to_tier FROM tier_changes
            WHERE member_id IN (\(binds: memberIds)) AND at_ms >= \(bind: startMs) AND at_ms < \(bind: endMs)
            """) {
            if let f = programme.rank(of: try r.string("from_tier")), let t = programme.rank(of: try r.string("to_tier")), t < f {
                out.insert(try r.int64("member_id"))
            }
        }
        return out
    }

    /// Records the winner of a finished month and books the reward's cost. Once per month: a second attempt is
    /// a conflict, whoever makes it.
    @discardableResult
    public func recordManagerAward(month: LocalDate, actor: String) async throws -> ManagerAward {
        let (_, programme) = try await self.programme()
        let today = LocalDate.of(now, in: programme.timeZone)
        let key = month.monthKeyText
        guard month.monthLastDay < today else {
            throw DomainError(.notEligible, field: "month", rule: "award.monthOpen",
                              zh: "\(key) 尚未结束，月底后才能评选", en: "\(key) is not over yet")
        }
        if try await managerAward(month: month) != nil { throw Self.awardExists(key) }
        guard let winner = ManagerKPI.winner(try await managerKPIs(month: month, programme: programme)) else {
            throw DomainError(.notEligible, field: "month", rule: "award.noWinner",
                              zh: "\(key) 没有维护会员的消费，无人获奖", en: "no maintained member bought anything in \(key)")
        }
        let policy = programme.accountManagers
        do {
            try await write { tx in
                try await tx.sql.exec("""
                    INSERT INTO manager_awards (month, staff_id, members, purchases, reward_fen, reward_text, recorded_by, recorded_at_ms)
                    VALUES (\(bind: key), \(bind: winner.staffId), \(bind: winner.members), \(bind: winner.purchases),
                            \(bind: policy.monthlyRewardFen), \(bind: policy.rewardText), \(bind: actor), \(bind: epochMillis(self.now)))
                    """)
                try await self.audit(tx, actor: actor, action: "manager.award", subject: "staff:\(winner.staffId)",
                                     detail: "\(key) \(winner.purchases)/\(winner.members) \(Money.yuan(policy.monthlyRewardFen))")
            }
        } catch where isUniqueViolation(error) {
            throw Self.awardExists(key)
        }
        return try await managerAward(month: month)!
    }

    static func awardExists(_ key: String) -> DomainError {
        DomainError(.conflict, field: "month", rule: "award.unique", zh: "\(key) 的获奖者已记录", en: "the winner of \(key) is already recorded")
    }

    public func managerAward(month: LocalDate) async throws -> ManagerAward? {
        try await managerAwards(where: "a.month = \(bind: month.monthKeyText)").first
    }

    /// The awards of a year, latest month first.
    public func managerAwards(year: Int) async throws -> [ManagerAward] {
        try await managerAwards(where: "a.month LIKE \(bind: "\(year)-%")")
    }

    private func managerAwards(where condition: SQLQueryString) async throws -> [ManagerAward] {
        try await sql.rows("""
            SELECT a.*, s.display_name FROM manager_awards a JOIN staff_users s ON s.id = a.staff_id WHERE \(condition) ORDER BY a.month DESC
            """).map { r in
            ManagerAward(month: try r.string("month"), staffId: try r.int64("staff_id"), staffName: try r.string("display_name"),
                         members: try r.int("members"), purchases: try r.int("purchases"), rewardFen: try r.int64("reward_fen"),
                         rewardText: try r.string("reward_text"), recordedBy: try r.string("recorded_by"),
                         recordedAt: dateFromMillis(try r.int64("recorded_at_ms")))
        }
    }

    /// Daily job: records last month's winner once the month is over (nothing when already recorded or nobody won).
    @discardableResult
    public func runManagerAward(on day: LocalDate) async throws -> ManagerAward? {
        let month = day.monthFirstDay.adding(months: -1)
        if try await managerAward(month: month) != nil { return nil }
        do {
            return try await recordManagerAward(month: month, actor: "job")
        } catch let e as DomainError where e.rule == "award.noWinner" || e.rule == "award.unique" || e.rule == "award.monthOpen" {
            return nil
        }
    }
}
