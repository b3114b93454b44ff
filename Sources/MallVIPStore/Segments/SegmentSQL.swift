import MallVIPCore
import SQLKit

/// Compiles segment conditions to the `FROM … WHERE …` of one SQL statement (bound parameters only; the same text
/// runs on SQLite and PostgreSQL). Callers put the SELECT list in front and ORDER/LIMIT behind, so a count, a sample
/// and the full id list are each one statement, never a query per member.
///
/// Purchase-history conditions read one aggregate of `member_daily_spend` (net spend per member and day; `purchases`
/// counts sales, refunds only lower the spend), joined once. Its columns are computed only when a condition needs them.
enum SegmentSQL {
    /// `cheapestReward`: the points of the cheapest reward on offer today (`Store.cheapestRewardPoints`), read only
    /// when the conditions ask "can redeem now"; nil there means no reward is on offer and nobody matches.
    static func from(_ raw: SegmentConditions, programme: Programme, today: LocalDate, cheapestReward: Int64? = nil) -> SQLQueryString {
        let c = raw.normalized()
        let t = today.dayNumber
        var conds: [SQLQueryString] = ["m.status = 'active'"]
        var aggregates: [SQLQueryString] = []
        var needsLastDay = false

        if let tiers = c.tiers {
            conds.append("\(effectiveTier(programme, today: t)) IN (\(binds: tiers))")
        }
        if let f = c.enrolledFrom { conds.append("m.enrolled_day >= \(bind: f.dayNumber)") }
        if let to = c.enrolledTo { conds.append("m.enrolled_day <= \(bind: to.dayNumber)") }
        if let s = c.spend {
            aggregates.append("SUM(CASE WHEN day >= \(bind: today.windowStart(months: s.months).dayNumber) THEN spend_fen ELSE 0 END) AS spend_w")
            if let lo = s.minFen { conds.append("COALESCE(a.spend_w, 0) >= \(bind: lo)") }
            if let hi = s.maxFen { conds.append("COALESCE(a.spend_w, 0) <= \(bind: hi)") }
        }
        if let n = c.lastPurchaseAtLeastDays {
            needsLastDay = true
            conds.append("(a.last_day IS NULL OR a.last_day <= \(bind: t - n))")
        }
        if let n = c.lastPurchaseAtMostDays {
            needsLastDay = true
            conds.append("a.last_day >= \(bind: t - n)")
        }
        if let p = c.purchaseDays {
            aggregates.append("COUNT(DISTINCT CASE WHEN purchases > 0 AND day > \(bind: t - p.withinDays) THEN day END) AS purchase_days")
            conds.append("COALESCE(a.purchase_days, 0) >= \(bind: p.atLeast)")
        }
        if let b = c.bought {
            var which: [SQLQueryString] = []
            if !b.departmentIds.isEmpty { which.append("c.department_id IN (\(binds: b.departmentIds))") }
            if !b.categories.isEmpty { which.append("c.category IN (\(binds: b.categories))") }
            conds.append("""
                EXISTS (SELECT 1 FROM purchases p JOIN purchase_lines pl ON pl.purchase_id = p.id AND pl.business_day = p.business_day JOIN counters c ON c.id = pl.counter_id
                  WHERE p.member_id = m.id AND p.business_day >= \(bind: today.windowStart(months: b.months).dayNumber)
                  AND p.business_day <= \(bind: t) AND pl.amount_fen > pl.refunded_fen AND (\(which.joined(separator: " OR "))))
                """)
        }
        if let months = c.birthMonths { conds.append("m.birth_month IN (\(binds: months))") }
        if let r = c.rfm {
            let d = r.definition ?? RFMDefinition()
            needsLastDay = true
            let start = today.windowStart(months: d.months).dayNumber
            aggregates.append("SUM(CASE WHEN purchases > 0 AND day >= \(bind: start) THEN purchases ELSE 0 END) AS rfm_f")
            aggregates.append("SUM(CASE WHEN day >= \(bind: start) THEN spend_fen ELSE 0 END) AS rfm_m")
            // Score ≥ highFrom is one comparison against the matching cut-off (see RFMDefinition.score).
            let rHigh: SQLQueryString = "COALESCE(a.last_day, \(bind: Int.min / 2)) >= \(bind: t - d.recencyDays[5 - d.highFrom])"
            let fHigh: SQLQueryString = "COALESCE(a.rfm_f, 0) >= \(bind: d.frequency[d.highFrom - 2])"
            let mHigh: SQLQueryString = "COALESCE(a.rfm_m, 0) >= \(bind: d.monetaryFen[d.highFrom - 2])"
            let classes = r.classes.map { k -> SQLQueryString in
                func bit(_ e: SQLQueryString, _ high: Bool) -> SQLQueryString { high ? "(\(e))" : "NOT (\(e))" }
                return "(\(bit(rHigh, k.rHigh)) AND \(bit(fHigh, k.fHigh)) AND \(bit(mHigh, k.mHigh)))"
            }
            conds.append("(\(classes.joined(separator: " OR ")))")
        }
        if let managers = c.accountManagers {
            var any: [SQLQueryString] = []
            let ids: [Int64] = managers.compactMap { if case .staff(let id) = $0 { id } else { nil } }
            if !ids.isEmpty { any.append("m.account_manager_id IN (\(binds: ids))") }
            if managers.contains(.none) { any.append("m.account_manager_id IS NULL") }
            conds.append("(\(any.joined(separator: " OR ")))")
        }
        if let channels = c.consent {
            let any = channels.map { ch -> SQLQueryString in "m.\(ident: "consent_" + ch.rawValue) = \(bind: true)" }
            conds.append("(\(any.joined(separator: " OR ")))")
        }
        conds += profileConditions(c, programme: programme, today: today, cheapestReward: cheapestReward)
        if let tags = c.tags {
            conds.append("EXISTS (SELECT 1 FROM member_tags mt WHERE mt.member_id = m.id AND mt.tag IN (\(binds: tags)))")
        }

        var from: SQLQueryString = "FROM members m"
        if needsLastDay { aggregates.insert("MAX(CASE WHEN purchases > 0 THEN day END) AS last_day", at: 0) }
        if !aggregates.isEmpty {
            from += """
                 LEFT JOIN (SELECT member_id, \(aggregates.joined(separator: ", "))
                  FROM member_daily_spend WHERE day <= \(bind: t) GROUP BY member_id) a ON a.member_id = m.id
                """
        }
        return from + " WHERE " + conds.joined(separator: " AND ")
    }

    /// The tier a member holds today, as `Programme.effectiveTier` decides it: a manual tier while valid and above
    /// the earned one.
    static func effectiveTier(_ programme: Programme, today: Int) -> SQLQueryString {
        func rank(_ column: String, unknown: Int) -> SQLQueryString {
            let whens = programme.tiers.enumerated().map { i, tier -> SQLQueryString in "WHEN \(bind: tier.code) THEN \(literal: i)" }
            return "CASE \(unsafeRaw: column) \(whens.joined(separator: " ")) ELSE \(literal: unknown) END"
        }
        return """
            (CASE WHEN m.manual_tier IS NOT NULL AND m.manual_until_day >= \(bind: today)
              AND \(rank("m.manual_tier", unknown: -1)) > \(rank("m.earned_tier", unknown: 0)) THEN m.manual_tier ELSE m.earned_tier END)
            """
    }
}
