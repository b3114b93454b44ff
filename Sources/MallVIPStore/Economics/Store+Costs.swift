import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Books a programme cost. With quantity and unit cost the amount is their product (an amount typed as well must
    /// agree: docs/domain.md §19's SMS line, 2,000 × 12 × 0.05 = 1,200, not the 14,400 the source wrote).
    @discardableResult
    public func bookCost(_ input: CostInput, actor: String) async throws -> Int64 {
        guard let period = CostPeriod(input.period) else {
            throw DomainError.invalid("period", "cost.period", zh: "月份须为 YYYY-MM，例如 2026-11", en: "period must be a month YYYY-MM, e.g. 2026-11")
        }
        var amount = input.amountFen
        if input.quantity != nil || input.unitCostFen != nil {
            guard let q = input.quantity, let u = input.unitCostFen else {
                throw DomainError.invalid(input.quantity == nil ? "quantity" : "unitCost", "cost.units",
                                          zh: "数量与单价须同时填写", en: "give both the quantity and the unit cost")
            }
            guard let computed = CostArithmetic.amount(quantity: q, unitCostFen: u) else {
                throw DomainError.invalid("quantity", "cost.units", zh: "数量或单价无效", en: "the quantity or unit cost is not valid")
            }
            if let typed = amount, typed != computed {
                throw DomainError.invalid("amount", "cost.amountMatchesUnits",
                                          zh: "金额 \(Money.yuan(typed)) 元与 数量 × 单价 = \(Money.yuan(computed)) 元 不符",
                                          en: "amount \(Money.yuan(typed)) differs from quantity × unit cost = \(Money.yuan(computed))")
            }
            amount = computed
        }
        guard let amount, amount > 0 else {
            throw DomainError.invalid("amount", "cost.amount", zh: "请填写金额，或数量与单价", en: "give an amount, or a quantity and a unit cost")
        }
        let bucket = input.bucket ?? input.kind.defaultBucket
        let note = input.note.trimmingCharacters(in: .whitespacesAndNewlines)
        let nowMs = epochMillis(now)
        return try await write { tx in
            let id = try await tx.sql.row("""
                INSERT INTO programme_costs (kind, bucket, period, amount_fen, quantity, unit_cost_fen, mall_id, note, created_by, created_at_ms)
                VALUES (\(bind: input.kind.rawValue), \(bind: bucket.rawValue), \(bind: period.description), \(bind: amount), \(bind: input.quantity),
                  \(bind: input.unitCostFen), \(bind: input.mallId), \(bind: note), \(bind: actor), \(bind: nowMs))
                RETURNING id
                """)!.int64("id")
            try await self.audit(tx, actor: actor, action: "cost.book", subject: "cost:\(id)",
                                 detail: "\(input.kind.rawValue) \(period) \(Money.yuan(amount, grouping: false))")
            return id
        }
    }

    /// Deletes a booked cost; returns its month.
    @discardableResult
    public func deleteCost(id: Int64, actor: String) async throws -> CostPeriod? {
        try await write { tx in
            guard let row = try await tx.sql.row("SELECT kind, period, amount_fen FROM programme_costs WHERE id = \(bind: id)") else {
                throw DomainError(.notFound, field: "id", rule: "cost.exists", zh: "费用记录不存在", en: "no such cost")
            }
            try await tx.sql.exec("DELETE FROM programme_costs WHERE id = \(bind: id)")
            try await self.audit(tx, actor: actor, action: "cost.delete", subject: "cost:\(id)",
                                 detail: "\(try row.string("kind")) \(try row.string("period")) \(Money.yuan(try row.int64("amount_fen"), grouping: false))")
            return CostPeriod(try row.string("period"))
        }
    }

    /// Booked and system-derived costs of the months `from…through`.
    public func costReport(from: CostPeriod, through: CostPeriod) async throws -> CostReport {
        let booked = try await sql.rows("""
            SELECT * FROM programme_costs WHERE period >= \(bind: from.description) AND period <= \(bind: through.description)
            ORDER BY period, id
            """).map { r in
            BookedCost(id: try r.int64("id"), kind: CostKind(rawValue: try r.string("kind")) ?? .other,
                       bucket: BudgetBucket(rawValue: try r.string("bucket")) ?? .other, period: CostPeriod(try r.string("period"))!,
                       amountFen: try r.int64("amount_fen"), quantity: try r.optInt64("quantity"), unitCostFen: try r.optInt64("unit_cost_fen"),
                       mallId: try r.optInt64("mall_id"), note: try r.string("note"), createdBy: try r.string("created_by"),
                       createdAtMs: try r.int64("created_at_ms"))
        }
        return CostReport(from: from, through: through, booked: booked, system: try await systemCosts(from: from, through: through))
    }

    /// Costs the system records itself, by month: messages sent (by channel, at the programme's prices), event
    /// budgets (by the month the event starts; cancelled events excluded), account-manager and conversion awards, and
    /// redemption gifts owed to counters (积分费用).
    public func systemCosts(from: CostPeriod, through: CostPeriod) async throws -> [SystemCost] {
        let zone = try await programme().1.timeZone
        var out: [SystemCost] = []
        var p = from
        while p <= through {
            let start = epochMillis(p.firstDay.start(in: zone)), end = epochMillis(p.next.firstDay.start(in: zone))
            let firstDay = p.firstDay.dayNumber, nextDay = p.next.firstDay.dayNumber
            for r in try await sql.rows("""
                SELECT channel, COUNT(*) AS n, CAST(COALESCE(SUM(cost_fen), 0) AS BIGINT) AS c FROM outbox_messages
                WHERE status IN ('sent', 'delivered') AND sent_at_ms >= \(bind: start) AND sent_at_ms < \(bind: end) GROUP BY channel ORDER BY channel
                """) {
                let kind: CostKind = switch try r.string("channel") { case "sms": .sms; case "email": .email; default: .calls }
                let c = try r.int64("c")
                if c != 0 { out.append(SystemCost(source: .outbox, kind: kind, period: p, amountFen: c, count: try r.int("n"))) }
            }
            let e = try await sql.row("""
                SELECT COUNT(*) AS n, CAST(COALESCE(SUM(budget_fen), 0) AS BIGINT) AS c FROM events
                WHERE status <> 'cancelled' AND status <> 'draft' AND starts_at_ms >= \(bind: start) AND starts_at_ms < \(bind: end)
                """)!
            if try e.int64("c") != 0 { out.append(SystemCost(source: .events, kind: .events, period: p, amountFen: try e.int64("c"), count: try e.int("n"))) }
            let a = try await sql.row("""
                SELECT COUNT(*) AS n, CAST(COALESCE(SUM(reward_fen), 0) AS BIGINT) AS c FROM manager_awards WHERE month = \(bind: p.description)
                """)!
            if try a.int64("c") != 0 {
                out.append(SystemCost(source: .managerAwards, kind: .staffRewards, period: p, amountFen: try a.int64("c"), count: try a.int("n")))
            }
            let w = try await sql.row("""
                SELECT COUNT(*) AS n, CAST(COALESCE(SUM(reward_fen), 0) AS BIGINT) AS c FROM conversion_awards
                WHERE week_start_day >= \(bind: firstDay) AND week_start_day < \(bind: nextDay)
                """)!
            if try w.int64("c") != 0 {
                out.append(SystemCost(source: .conversionAwards, kind: .rewards, period: p, amountFen: try w.int64("c"), count: try w.int("n")))
            }
            let x = try await sql.row("""
                SELECT COUNT(*) AS n, CAST(COALESCE(SUM(cost_fen), 0) AS BIGINT) AS c FROM redemptions
                WHERE status = 'done' AND business_day >= \(bind: firstDay) AND business_day < \(bind: nextDay)
                """)!
            if try x.int64("c") != 0 { out.append(SystemCost(source: .redemptions, kind: .points, period: p, amountFen: try x.int64("c"), count: try x.int("n"))) }
            // Gifts with a record (issue 18): counted in the month they were handed over.
            let g = try await sql.row("""
                SELECT COUNT(*) AS n, CAST(COALESCE(SUM(cost_fen), 0) AS BIGINT) AS c FROM gift_entitlements
                WHERE status = 'collected' AND handed_over_at_ms >= \(bind: start) AND handed_over_at_ms < \(bind: end)
                """)!
            if try g.int64("c") != 0 { out.append(SystemCost(source: .giftHandOvers, kind: .gifts, period: p, amountFen: try g.int64("c"), count: try g.int("n"))) }
            p = p.next
        }
        return out
    }
}
