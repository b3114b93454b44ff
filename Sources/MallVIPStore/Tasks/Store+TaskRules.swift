import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A task a rule wants to exist; inserted only if no task has its cause key yet.
struct TaskDraft {
    var kind: ServiceTaskKind
    var causeKey: String
    var memberId: Int64?
    var staffId: Int64?
    var teamRole: StaffRole?
    var title: String
    var detail: String
    var dueDay: LocalDate
}

extension Store {
    /// The daily task rules (docs/domain.md §9.1, §10): churn call-backs, this month's birthday cakes, the monthly
    /// lapse lists and pending tier approvals. Each cause yields one task ever (`cause_key` is unique), so a rerun,
    /// a concurrent run or tomorrow's run adds nothing already raised. Recorded in `job_runs` like the other jobs.
    public func runTaskRules(on day: LocalDate) async throws -> TaskRulesSummary {
        var summary = TaskRulesSummary()
        if try await sql.row("SELECT day FROM job_runs WHERE job = 'serviceTasks' AND day = \(bind: day.dayNumber)") != nil {
            summary.alreadyRan = true
            return summary
        }
        let (_, programme) = try await self.programme()
        summary.settled = try await settleTasks(on: day)
        summary.churn = try await insertTasks(try await churnDrafts(programme, day))
        summary.birthday = try await insertTasks(try await birthdayDrafts(programme, day))
        summary.lapse = try await insertTasks(try await lapseDrafts(programme, day))
        summary.tierApproval = try await insertTasks(try await tierApprovalDrafts(programme, day))
        let text = "churn=\(summary.churn) birthday=\(summary.birthday) lapse=\(summary.lapse) tierApproval=\(summary.tierApproval) settled=\(summary.settled)"
        try await write { tx in
            try await tx.sql.exec("""
                INSERT INTO job_runs (job, day, finished_at_ms, summary) VALUES ('serviceTasks', \(bind: day.dayNumber), \(bind: epochMillis(self.now)), \(bind: text))
                ON CONFLICT (job, day) DO NOTHING
                """)
        }
        return summary
    }

    /// Inserts the drafts whose cause is new; returns how many were.
    func insertTasks(_ drafts: [TaskDraft]) async throws -> Int {
        guard !drafts.isEmpty else { return 0 }
        let nowMs = epochMillis(now)
        return try await write { tx in
            var created = 0
            for d in drafts {
                created += try await tx.sql.rows("""
                    INSERT INTO service_tasks (kind, cause_key, member_id, assigned_staff_id, team_role, title, detail, due_day,
                      status, outcome_note, created_at_ms)
                    VALUES (\(bind: d.kind.rawValue), \(bind: d.causeKey), \(bind: d.memberId), \(bind: d.staffId), \(bind: d.teamRole?.rawValue),
                      \(bind: d.title), \(bind: d.detail), \(bind: d.dueDay.dayNumber), 'open', '', \(bind: nowMs))
                    ON CONFLICT (cause_key) DO NOTHING RETURNING id
                    """).count
            }
            return created
        }
    }

    /// Each member's last purchase day up to `day` (fully refunded receipts do not count), or the enrolment day
    /// for members who never bought: the start of their inactivity either way.
    static func lastActivitySQL(upTo day: LocalDate) -> SQLQueryString {
        """
        COALESCE((SELECT MAX(p.business_day) FROM purchases p WHERE p.member_id = m.id AND p.business_day <= \(bind: day.dayNumber)
          AND p.total_fen > p.refunded_fen), m.enrolled_day)
        """
    }

    /// Important members with no purchase for `inactiveMonths` full calendar months: one call-back per lapse
    /// (the cause is the member and the last purchase day, so buying and lapsing again raises a new one).
    func churnDrafts(_ programme: Programme, _ day: LocalDate) async throws -> [TaskDraft] {
        let policy = programme.churn
        let cutoff = policy.lastActiveDay(checkedOn: day)
        let important = programme.importantTierCodes
        guard !important.isEmpty else { return [] }
        return try await sql.rows("""
            SELECT id, name, account_manager_id, last_day FROM (
              SELECT m.id, m.name, m.account_manager_id, \(Store.lastActivitySQL(upTo: day)) AS last_day FROM members m
              WHERE m.status = 'active' AND \(SegmentSQL.effectiveTier(programme, today: day.dayNumber)) IN (\(binds: important))
            ) x WHERE last_day < \(bind: cutoff.dayNumber) ORDER BY id
            """).map { r in
            let last = LocalDate(dayNumber: try r.int("last_day"))
            let manager = try r.optInt64("account_manager_id")
            return TaskDraft(kind: .churn, causeKey: "churn:\(try r.int64("id")):\(last)", memberId: try r.int64("id"),
                             staffId: manager, teamRole: manager == nil ? .desk : nil,
                             title: "流失关怀回访：\(try r.string("name"))",
                             detail: "最后消费 \(last)，已满 \(policy.inactiveMonths) 个月未消费",
                             dueDay: day.adding(days: policy.dueDays))
        }
    }

    /// The top N members by points among this month's birthdays, chosen once per month (the first run of the
    /// month fixes the list: later point changes do not add more cakes).
    func birthdayDrafts(_ programme: Programme, _ day: LocalDate) async throws -> [TaskDraft] {
        let n = programme.churn.birthdayTopN
        let month = Store.monthText(day)
        guard n > 0 else { return [] }
        if try await sql.row("SELECT id FROM service_tasks WHERE kind = 'birthday' AND cause_key LIKE \(bind: "birthday:\(month):%")") != nil {
            return []
        }
        return try await sql.rows("""
            SELECT id, name, account_manager_id, birth_day, points_balance FROM members
            WHERE status = 'active' AND birth_month = \(bind: day.month) ORDER BY points_balance DESC, id LIMIT \(literal: n)
            """).map { r in
            let manager = try r.optInt64("account_manager_id")
            let bday = LocalDate(year: day.year, month: day.month,
                                 day: min(try r.optInt("birth_day") ?? 1, LocalDate.daysIn(year: day.year, month: day.month)))
            return TaskDraft(kind: .birthday, causeKey: "birthday:\(month):\(try r.int64("id"))", memberId: try r.int64("id"),
                             staffId: manager, teamRole: manager == nil ? .planner : nil,
                             title: "生日蛋糕鲜花：\(try r.string("name"))",
                             detail: "生日 \(bday)，积分 \(try r.int64("points_balance"))",
                             dueDay: max(bday, day))
        }
    }

    /// Once a month, per account manager, the cards about to lapse (see `lapsingMembers`); unassigned members go
    /// to the service desk as one team list.
    func lapseDrafts(_ programme: Programme, _ day: LocalDate) async throws -> [TaskDraft] {
        let month = Store.monthText(day)
        var byManager: [Int64?: Int] = [:]
        for m in try await lapsingMembers(programme, asOf: day, staffId: nil, unassignedOnly: false) {
            byManager[m.accountManagerId, default: 0] += 1
        }
        return byManager.sorted { ($0.key ?? 0) < ($1.key ?? 0) }.map { manager, count in
            TaskDraft(kind: .lapse, causeKey: "lapse:\(month):\(manager.map(String.init) ?? "team")", memberId: nil,
                      staffId: manager, teamRole: manager == nil ? .desk : nil,
                      title: "\(month) 即将失效卡清单（\(count) 张）",
                      detail: "最后消费在 \(Store.monthText(programme.churn.lapseSourceMonth(listedOn: day)))，即将满 \(programme.churn.lapseMonths) 个月未消费：请导出清单逐一联系",
                      dueDay: day.adding(days: programme.churn.dueDays))
        }
    }

    /// One task for the managers per pending tier request (紫金 vetting).
    func tierApprovalDrafts(_ programme: Programme, _ day: LocalDate) async throws -> [TaskDraft] {
        try await sql.rows("""
            SELECT r.id, r.member_id, r.tier, r.reason, r.created_at_ms, m.name FROM tier_requests r JOIN members m ON m.id = r.member_id
            WHERE r.status = 'pending' ORDER BY r.id
            """).map { r in
            let tier = try r.string("tier")
            let created = LocalDate.of(dateFromMillis(try r.int64("created_at_ms")), in: programme.timeZone)
            return TaskDraft(kind: .tierApproval, causeKey: "tierApproval:\(try r.int64("id"))", memberId: try r.int64("member_id"),
                             staffId: nil, teamRole: .manager,
                             title: "升级审批：\(try r.string("name")) → \(programme.tier(tier)?.name.zh ?? tier)",
                             detail: try r.string("reason"), dueDay: created.adding(days: programme.churn.dueDays))
        }
    }

    /// Closes open tasks whose cause has gone: a decided tier request, a churn call-back after the member bought.
    func settleTasks(on day: LocalDate) async throws -> Int {
        let nowMs = epochMillis(now)
        return try await write { tx in
            let decided = try await tx.sql.rows("""
                UPDATE service_tasks SET status = 'done', closed_at_ms = \(bind: nowMs), closed_by = 'job',
                  outcome_note = (SELECT r.status FROM tier_requests r WHERE 'tierApproval:' || CAST(r.id AS TEXT) = service_tasks.cause_key)
                WHERE kind = 'tierApproval' AND status = 'open' AND EXISTS (SELECT 1 FROM tier_requests r
                  WHERE 'tierApproval:' || CAST(r.id AS TEXT) = service_tasks.cause_key AND r.status <> 'pending')
                RETURNING id
                """).count
            let bought = try await tx.sql.rows("""
                UPDATE service_tasks SET status = 'cancelled', closed_at_ms = \(bind: nowMs), closed_by = 'job', outcome_note = '会员已回购'
                WHERE kind = 'churn' AND status = 'open' AND EXISTS (SELECT 1 FROM purchases p
                  WHERE p.member_id = service_tasks.member_id AND p.business_day <= \(bind: day.dayNumber) AND p.total_fen > p.refunded_fen
                    AND p.created_at_ms > service_tasks.created_at_ms)
                RETURNING id
                """).count
            return decided + bought
        }
    }

    static func monthText(_ day: LocalDate) -> String { String(day.description.prefix(7)) }
}
