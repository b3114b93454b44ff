import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// One member a journey is due to reach on a day, with what makes the message unique and what it is about.
struct JourneyCandidate: Sendable {
    var memberId: Int64
    /// Unique per send (see `Store.journeyAudience`).
    var periodKey: String
    /// A season date's own template.
    var templateCode: String?
    var holiday: String?
    var coupon: (name: String, expiry: LocalDate)?
    var expiring: (points: Int64, date: LocalDate)?
    /// A tier upgrade's new tier (the message congratulates on that one even if a later change followed).
    var tier: String?

    init(_ memberId: Int64, _ periodKey: String) {
        self.memberId = memberId
        self.periodKey = periodKey
    }
}

extension Store {
    /// Who `journey` is due to reach on `day`, each with the period that makes the send happen once:
    /// welcome: once per member ("enrol"); birthday: per birthday year ("2026"); holiday: per holiday
    /// ("holiday:<id>"); season: per season date ("season:2026-12-01"); missYou: per lapse, keyed by the last
    /// visit ("lapse:2026-08-01": a new purchase and a new gap is a new lapse); pointsExpiring: per expiry date
    /// ("points:2026-12-31"); couponExpiring: per coupon ("coupon:<id>"); tierUpgrade: per tier change
    /// ("change:<id>"); tierAtRisk: per review date ("review:2027-03-01"). Active members only.
    func journeyAudience(_ j: Journey, on day: LocalDate, programme: Programme) async throws -> [JourneyCandidate] {
        let d = day.dayNumber
        let catchUp = j.params.catchUp
        switch j.kind {
        case .welcome:
            // The job runs early in the day: yesterday's enrolments always count.
            return try await sql.rows("""
                SELECT id FROM members WHERE status = 'active' AND enrolled_day >= \(bind: d - catchUp - 1) AND enrolled_day <= \(bind: d)
                ORDER BY id
                """).map { JourneyCandidate(try $0.int64("id"), "enrol") }

        case .birthday:
            if j.params.mode == .month {
                return try await sql.rows("""
                    SELECT id FROM members WHERE status = 'active' AND birth_month = \(bind: day.month) ORDER BY id
                    """).map { JourneyCandidate(try $0.int64("id"), "\(day.year)") }
            }
            var year: [Int: Int] = [:]
            for b in JourneyTiming.birthdaysAhead(from: day, days: j.params.days(for: .birthday)) { year[b.month * 100 + b.day] = b.year }
            return try await sql.rows("""
                SELECT id, birth_month, birth_day FROM members WHERE status = 'active' AND birth_month IS NOT NULL
                  AND birth_month * 100 + birth_day IN \(list: Array(year.keys).sorted()) ORDER BY id
                """).compactMap { r in
                    try year[r.int("birth_month") * 100 + r.int("birth_day")].map { JourneyCandidate(try r.int64("id"), "\($0)") }
                }

        case .holiday:
            var out: [JourneyCandidate] = []
            for h in try await sql.rows("SELECT id, name FROM holidays WHERE day = \(bind: d) AND active = \(bind: true) ORDER BY id") {
                let (id, name) = (try h.int64("id"), try h.string("name"))
                out += try await activeMemberIds().map { var c = JourneyCandidate($0, "holiday:\(id)"); c.holiday = name; return c }
            }
            return out

        case .season:
            guard let season = JourneyTiming.season(on: day, dates: j.params.dates ?? []) else { return [] }
            return try await activeMemberIds().map { var c = JourneyCandidate($0, "season:\(day)"); c.templateCode = season.template; return c }

        case .missYou:
            // The last visit is the last purchase day, or the enrolment day for a member who never bought.
            let days = j.params.days(for: .missYou)
            return try await sql.rows("""
                SELECT m.id, COALESCE(p.last_day, m.enrolled_day) AS last_day FROM members m
                LEFT JOIN (SELECT member_id, MAX(business_day) AS last_day FROM purchases WHERE member_id IS NOT NULL GROUP BY member_id) p
                  ON p.member_id = m.id
                WHERE m.status = 'active' AND COALESCE(p.last_day, m.enrolled_day) >= \(bind: d - days - catchUp)
                  AND COALESCE(p.last_day, m.enrolled_day) <= \(bind: d - days)
                ORDER BY m.id
                """).map { JourneyCandidate(try $0.int64("id"), "lapse:\(LocalDate(dayNumber: try $0.int("last_day")))") }

        case .pointsExpiring:
            var byKey: [Int64: [LocalDate: Int64]] = [:]
            for e in try await pointsExpiring(withinDays: j.params.days(for: .pointsExpiring), on: day) where e.expiresOn >= day && e.points > 0 {
                byKey[e.memberId, default: [:]][e.expiresOn, default: 0] += e.points
            }
            let active = Set(try await activeMemberIds(among: Array(byKey.keys)))
            return byKey.keys.sorted().filter(active.contains).flatMap { id in
                byKey[id]!.sorted { $0.key < $1.key }.map { date, points in
                    var c = JourneyCandidate(id, "points:\(date)")
                    c.expiring = (points, date)
                    return c
                }
            }

        case .couponExpiring:
            return try await sql.rows("""
                SELECT c.id, c.member_id, c.name_zh, c.valid_to_day FROM coupons c JOIN members m ON m.id = c.member_id
                WHERE c.status = 'issued' AND m.status = 'active' AND c.valid_to_day >= \(bind: d)
                  AND c.valid_to_day <= \(bind: d + j.params.days(for: .couponExpiring))
                ORDER BY c.member_id, c.id
                """).map {
                    var c = JourneyCandidate(try $0.int64("member_id"), "coupon:\(try $0.int64("id"))")
                    c.coupon = (try $0.string("name_zh"), LocalDate(dayNumber: try $0.int("valid_to_day")))
                    return c
                }

        case .tierUpgrade:
            // Any change to a higher tier but enrolment (welcomed already): upgrades, approvals, reviews, manual grants.
            let tz = programme.timeZone
            let from = epochMillis(day.adding(days: -catchUp - 1).start(in: tz)), to = epochMillis(day.adding(days: 1).start(in: tz))
            return try await sql.rows("""
                SELECT tc.id, tc.member_id, tc.from_tier, tc.to_tier FROM tier_changes tc JOIN members m ON m.id = tc.member_id
                WHERE m.status = 'active' AND tc.kind <> 'enrol' AND tc.at_ms >= \(bind: from) AND tc.at_ms < \(bind: to)
                ORDER BY tc.id
                """).compactMap { r in
                    let (fromTier, toTier) = (try r.string("from_tier"), try r.string("to_tier"))
                    guard let a = programme.rank(of: fromTier), let b = programme.rank(of: toTier), b > a else { return nil }
                    var c = JourneyCandidate(try r.int64("member_id"), "change:\(try r.int64("id"))")
                    c.tier = programme.tier(toTier)?.name.zh ?? toTier
                    return c
                }

        case .tierAtRisk:
            return try await tierAtRiskAudience(days: j.params.days(for: .tierAtRisk), on: day, programme: programme)
        }
    }

    /// Members above the entry tier whose yearly review falls 1…`days` days after `day` and whose spend that will
    /// still count on the review day (nothing more bought) would not keep their tier. Only when the review may
    /// lower a tier (`review.downgrade`): otherwise nothing is at risk, and telling members so would be untrue.
    func tierAtRiskAudience(days: Int, on day: LocalDate, programme: Programme) async throws -> [JourneyCandidate] {
        guard programme.review.downgrade, programme.review.mode != .none, days > 0 else { return [] }
        let d = day.dayNumber
        let entry = programme.entryTier.code
        // Anniversary reviews fall a year after the later of the last change and the last review: look only at
        // members whose year ends near the window (exact dates are worked out below).
        let near: SQLQueryString = programme.review.mode == .anniversary ? """
             AND (CASE WHEN last_review_day IS NOT NULL AND last_review_day > tier_since_day THEN last_review_day ELSE tier_since_day END)
                 BETWEEN \(bind: d - 370) AND \(bind: d + days - 360)
            """ : ""
        var out: [JourneyCandidate] = []
        for r in try await sql.rows("""
            SELECT id, earned_tier, tier_since_day, last_review_day FROM members
            WHERE status = 'active' AND earned_tier <> \(bind: entry) \(near) ORDER BY id
            """) {
            let id = try r.int64("id"), earned = try r.string("earned_tier")
            guard let review = programme.review.nextReview(tierSince: LocalDate(dayNumber: try r.int("tier_since_day")),
                                                           lastReview: try r.optInt("last_review_day").map(LocalDate.init(dayNumber:)), on: day),
                  review.dayNumber > d, review.dayNumber <= d + days else { continue }
            let spend = try await rollingSpend(sql, memberId: id, endingOn: review, windows: programme.tierWindows)
            let kept = programme.evaluateTier(spend: spend, floor: entry).tier
            guard (programme.rank(of: kept) ?? 0) < (programme.rank(of: earned) ?? 0) else { continue }
            out.append(JourneyCandidate(id, "review:\(review)"))
        }
        return out
    }

    func activeMemberIds(among ids: [Int64]? = nil) async throws -> [Int64] {
        guard let ids else {
            return try await sql.rows("SELECT id FROM members WHERE status = 'active' ORDER BY id").map { try $0.int64("id") }
        }
        var out: [Int64] = []
        for chunk in ids.sorted().chunked(500) {
            out += try await sql.rows("SELECT id FROM members WHERE status = 'active' AND id IN \(list: Array(chunk)) ORDER BY id").map { try $0.int64("id") }
        }
        return out
    }
}
