import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A target as stored, with who set it.
public struct StoredTarget: Sendable, Equatable {
    public var id: Int64
    public var target: KPITarget
    public var note: String
    public var setBy: String
    public var setAtMs: Int64
}

/// One target with this year's actual and last year's (for relative targets), and the gap.
public struct TargetLine: Sendable, Equatable {
    public var stored: StoredTarget
    public var actual: Int64?
    public var lastYear: Int64?
    public var progress: TargetProgress { TargetProgress(target: stored.target.resolved(lastYear: lastYear), actual: actual) }
}

/// Sales of one department in a year: all and members' (net of refunds), for the VIP share.
public struct DepartmentSales: Sendable, Equatable {
    public var departmentId: Int64
    public var salesFen: Int64
    public var vipSalesFen: Int64
    public init(departmentId: Int64, salesFen: Int64, vipSalesFen: Int64) {
        self.departmentId = departmentId
        self.salesFen = salesFen
        self.vipSalesFen = vipSalesFen
    }
    public var vipSharePermille: Int64? { salesFen > 0 ? Uplift.roundedDivision(Saturating.multiply(vipSalesFen, 1000), salesFen) : nil }
}

extension Store {
    /// Sets (or replaces) the target of a metric for a year and scope.
    @discardableResult
    public func setTarget(_ t: KPITarget, note: String = "", actor: String) async throws -> Int64 {
        guard (2000...2999).contains(t.year) else {
            throw DomainError.invalid("year", "target.year", zh: "年份无效", en: "the year is not valid")
        }
        if t.departmentId != nil && !t.metric.byDepartment {
            throw DomainError.invalid("department", "target.department",
                                      zh: "\(t.metric.label.zh) 不能按课设定目标", en: "\(t.metric.label.en) cannot be set per department")
        }
        var mallId = t.mallId
        if let d = t.departmentId {
            guard let dept = try await departments().first(where: { $0.id == d }) else {
                throw DomainError(.notFound, field: "department", rule: "department.exists", zh: "课不存在", en: "no such department")
            }
            if let m = mallId, m != dept.mallId {
                throw DomainError.invalid("department", "target.departmentMall", zh: "该课不属于所选商场", en: "the department belongs to another mall")
            }
            mallId = dept.mallId
        }
        let scope = "\(mallId ?? 0):\(t.departmentId ?? 0)"
        let targetMall = mallId
        let nowMs = epochMillis(now)
        let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await write { tx in
            try await tx.sql.exec("""
                DELETE FROM kpi_targets WHERE year = \(bind: t.year) AND scope_key = \(bind: scope) AND metric = \(bind: t.metric.rawValue)
                """)
            let id = try await tx.sql.row("""
                INSERT INTO kpi_targets (year, mall_id, department_id, scope_key, metric, mode, value, note, set_by, set_at_ms)
                VALUES (\(bind: t.year), \(bind: targetMall), \(bind: t.departmentId), \(bind: scope), \(bind: t.metric.rawValue), \(bind: t.mode.rawValue),
                  \(bind: t.value), \(bind: trimmed), \(bind: actor), \(bind: nowMs))
                RETURNING id
                """)!.int64("id")
            try await self.audit(tx, actor: actor, action: "target.set", subject: "target:\(id)",
                                 detail: "\(t.year) \(scope) \(t.metric.rawValue) \(t.mode.rawValue) \(t.value)")
            return id
        }
    }

    public func deleteTarget(id: Int64, actor: String) async throws {
        try await write { tx in
            guard try await tx.sql.row("SELECT id FROM kpi_targets WHERE id = \(bind: id)") != nil else {
                throw DomainError(.notFound, field: "id", rule: "target.exists", zh: "目标不存在", en: "no such target")
            }
            try await tx.sql.exec("DELETE FROM kpi_targets WHERE id = \(bind: id)")
            try await self.audit(tx, actor: actor, action: "target.delete", subject: "target:\(id)")
        }
    }

    public func targets(year: Int) async throws -> [StoredTarget] {
        try await sql.rows("SELECT * FROM kpi_targets WHERE year = \(bind: year) ORDER BY scope_key, metric").compactMap { r in
            guard let metric = KPIMetric(rawValue: try r.string("metric")), let mode = TargetMode(rawValue: try r.string("mode")) else { return nil }
            return StoredTarget(id: try r.int64("id"),
                                target: KPITarget(year: try r.int("year"), mallId: try r.optInt64("mall_id"), departmentId: try r.optInt64("department_id"),
                                                  metric: metric, mode: mode, value: try r.int64("value")),
                                note: try r.string("note"), setBy: try r.string("set_by"), setAtMs: try r.int64("set_at_ms"))
        }
    }

    /// The year's targets with their actuals (and last year's for relative ones).
    public func targetLines(year: Int) async throws -> [TargetLine] {
        var cache: [String: [KPIMetric: Int64]] = [:]
        func actuals(_ y: Int, _ mall: Int64?, _ dept: Int64?) async throws -> [KPIMetric: Int64] {
            let key = "\(y):\(mall ?? 0):\(dept ?? 0)"
            if let hit = cache[key] { return hit }
            let v = try await kpiActuals(year: y, mallId: mall, departmentId: dept)
            cache[key] = v
            return v
        }
        var out: [TargetLine] = []
        for s in try await targets(year: year) {
            let t = s.target
            let actual = try await actuals(year, t.mallId, t.departmentId)[t.metric]
            let last = t.mode == .relative ? try await actuals(year - 1, t.mallId, t.departmentId)[t.metric] : nil
            out.append(TargetLine(stored: s, actual: actual, lastYear: last))
        }
        return out
    }

    /// Each department's sales and VIP sales over the year (business days), net of refunds: VIP share by
    /// department (docs/domain.md §12.2 "needs VIP share by section"). Read from purchase lines joined to counters.
    public func departmentSales(year: Int) async throws -> [DepartmentSales] {
        let (a, b) = Self.yearDays(year)
        return try await sql.rows("""
            SELECT c.department_id, CAST(COALESCE(SUM(l.amount_fen - l.refunded_fen), 0) AS BIGINT) AS total,
              CAST(COALESCE(SUM(CASE WHEN p.member_id IS NOT NULL THEN l.amount_fen - l.refunded_fen ELSE 0 END), 0) AS BIGINT) AS vip
            FROM purchase_lines l JOIN purchases p ON p.id = l.purchase_id JOIN counters c ON c.id = l.counter_id
            WHERE p.business_day >= \(bind: a) AND p.business_day <= \(bind: b)
            GROUP BY c.department_id ORDER BY c.department_id
            """).map { DepartmentSales(departmentId: try $0.int64("department_id"), salesFen: try $0.int64("total"), vipSalesFen: try $0.int64("vip")) }
    }

    static func yearDays(_ year: Int) -> (Int, Int) {
        (LocalDate(year: year, month: 1, day: 1).dayNumber, LocalDate(year: year, month: 12, day: 31).dayNumber)
    }

    /// The year's figures for a scope (the group, a mall, or a department for the sales figures). VIP sales are
    /// every cardholder's purchases (Chengdu: each card is a VIP card, docs/domain.md C23); NPS and CSAT are group-wide.
    public func kpiActuals(year: Int, mallId: Int64?, departmentId: Int64?) async throws -> [KPIMetric: Int64] {
        let (a, b) = Self.yearDays(year)
        var out: [KPIMetric: Int64] = [:]
        func share(_ vip: Int64, _ total: Int64) {
            out[.vipSales] = vip
            if total > 0 { out[.vipShare] = Uplift.roundedDivision(Saturating.multiply(vip, 1000), total) }
        }
        if let departmentId {
            let r = try await sql.row("""
                SELECT CAST(COALESCE(SUM(l.amount_fen - l.refunded_fen), 0) AS BIGINT) AS total,
                  CAST(COALESCE(SUM(CASE WHEN p.member_id IS NOT NULL THEN l.amount_fen - l.refunded_fen ELSE 0 END), 0) AS BIGINT) AS vip
                FROM purchase_lines l JOIN purchases p ON p.id = l.purchase_id JOIN counters c ON c.id = l.counter_id
                WHERE p.business_day >= \(bind: a) AND p.business_day <= \(bind: b) AND c.department_id = \(bind: departmentId)
                """)!
            share(try r.int64("vip"), try r.int64("total"))
            return out
        }
        let mall: SQLQueryString = mallId.map { "AND mall_id = \(bind: $0)" } ?? ""
        let enrolledMall: SQLQueryString = mallId.map { "AND enrolled_mall_id = \(bind: $0)" } ?? ""
        let s = try await sql.row("""
            SELECT CAST(COALESCE(SUM(total_fen - refunded_fen), 0) AS BIGINT) AS total,
              CAST(COALESCE(SUM(CASE WHEN member_id IS NOT NULL THEN total_fen - refunded_fen ELSE 0 END), 0) AS BIGINT) AS vip,
              COUNT(DISTINCT member_id) AS active
            FROM purchases WHERE business_day >= \(bind: a) AND business_day <= \(bind: b) \(mall)
            """)!
        let vip = try s.int64("vip"), active = try s.int64("active")
        share(vip, try s.int64("total"))
        out[.activeCards] = active
        if active > 0 { out[.spendPerActiveCard] = Uplift.roundedDivision(vip, active) }
        let repeaters = try await sql.row("""
            SELECT COUNT(*) AS n FROM (SELECT member_id FROM purchases
              WHERE member_id IS NOT NULL AND business_day >= \(bind: a) AND business_day <= \(bind: b) \(mall)
              GROUP BY member_id HAVING COUNT(DISTINCT business_day) >= 2) t
            """)!.int64("n")
        if active > 0 { out[.repurchaseRate] = Uplift.roundedDivision(Saturating.multiply(repeaters, 1000), active) }
        out[.newCards] = try await sql.row("""
            SELECT COUNT(*) AS n FROM members WHERE enrolled_day >= \(bind: a) AND enrolled_day <= \(bind: b) \(enrolledMall)
            """)!.int64("n")
        out[.vipCount] = try await sql.row("""
            SELECT COUNT(*) AS n FROM members WHERE enrolled_day <= \(bind: b) AND status = 'active' \(enrolledMall)
            """)!.int64("n")
        let zone = try await programme().1.timeZone
        let from = epochMillis(LocalDate(dayNumber: a).start(in: zone)), to = epochMillis(LocalDate(dayNumber: b + 1).start(in: zone))
        let answers = try await sql.rows("""
            SELECT nps, csat FROM survey_links WHERE answered_at_ms >= \(bind: from) AND answered_at_ms < \(bind: to)
            """)
        if let nps = SurveyScore.nps(scores: try answers.compactMap { try $0.optInt("nps") }) { out[.nps] = Int64(nps) }
        if let csat = SurveyScore.csat(scores: try answers.compactMap { try $0.optInt("csat") }) { out[.csat] = Int64(csat) }
        return out
    }
}
