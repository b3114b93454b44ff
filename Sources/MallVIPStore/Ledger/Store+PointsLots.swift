import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Each member's ledger summarised by credit year (`PointsLots`; the kinds are described there). `memberId` nil:
    /// every member with a positive balance. Reads only through `sql`, so it may run inside a write transaction.
    func pointsLots(_ sql: any SQLDatabase, memberId: Int64?, programme: Programme) async throws -> [Int64: PointsLots] {
        let tz = programme.timeZone
        let filter: SQLQueryString = memberId.map { "l.member_id = \(bind: $0)" }
            ?? "l.member_id IN (SELECT id FROM members WHERE points_balance > 0)"
        guard let range = try await sql.row("""
            SELECT MIN(l.at_ms) AS lo FROM points_ledger l WHERE \(filter)
            """), let lo = try range.optInt64("lo") else { return [:] }
        // Purchases may be dated up to maxBackdateDays before their ledger row; credits older than the first year
        // bucket count in it (they lapsed long ago either way).
        let backYears = programme.purchases.maxBackdateDays / 365 + 1
        let first = LocalDate.of(dateFromMillis(lo), in: tz).year - backYears
        let last = LocalDate.of(now, in: tz).year + 1
        let years = CreditYearBuckets(years: first...max(first, last), timeZone: tz)

        var out: [Int64: PointsLots] = [:]
        let rows = try await sql.rows("""
            SELECT l.member_id, l.kind, CASE WHEN l.points > 0 THEN 1 ELSE 0 END AS pos,
              CASE WHEN p.business_day IS NOT NULL THEN \(unsafeRaw: years.byDay("p.business_day")) ELSE \(unsafeRaw: years.byMillis("l.at_ms")) END AS yr,
              CAST(SUM(l.points) AS BIGINT) AS pts
            FROM points_ledger l LEFT JOIN purchases p ON p.id = l.purchase_id
            WHERE \(filter) AND l.kind <> \(bind: LedgerKind.referralReverse.rawValue)
            GROUP BY l.member_id, l.kind, CASE WHEN l.points > 0 THEN 1 ELSE 0 END,
              CASE WHEN p.business_day IS NOT NULL THEN \(unsafeRaw: years.byDay("p.business_day")) ELSE \(unsafeRaw: years.byMillis("l.at_ms")) END
            """)
        for r in rows {
            out[try r.int64("member_id"), default: PointsLots()].add(kind: try r.string("kind"), points: try r.int64("pts"), year: try r.int("yr"))
        }

        // A referral reward taken back reduces the year of the reward: its note ends "referral:<id>".
        let reversals = try await sql.rows("""
            SELECT l.member_id, l.points, l.note, l.at_ms FROM points_ledger l WHERE \(filter) AND l.kind = \(bind: LedgerKind.referralReverse.rawValue)
            """)
        guard !reversals.isEmpty else { return out }
        func referralId(_ note: String) -> Int64? {
            note.range(of: "referral:", options: .backwards).flatMap { Int64(note[$0.upperBound...]) }
        }
        let ids = try reversals.compactMap { referralId(try $0.string("note")) }
        var rewardedAt: [Int64: Int64] = [:]
        if !ids.isEmpty {
            for r in try await sql.rows("SELECT id, rewarded_at_ms FROM referrals WHERE id IN (\(binds: Array(Set(ids))))") {
                if let at = try r.optInt64("rewarded_at_ms") { rewardedAt[try r.int64("id")] = at }
            }
        }
        for r in reversals {
            let own = try r.int64("at_ms")
            let ms = referralId(try r.string("note")).flatMap { rewardedAt[$0] } ?? own
            out[try r.int64("member_id"), default: PointsLots()].add(kind: LedgerKind.referralReverse.rawValue, points: try r.int64("points"),
                                                                       year: LocalDate.of(dateFromMillis(ms), in: tz).year)
        }
        return out
    }
}

/// SQL that maps a business day or an instant to its calendar year in the programme's zone, as a CASE over the
/// years in range (the same text runs on SQLite and PostgreSQL; the numbers are computed here, not user input).
struct CreditYearBuckets {
    let years: ClosedRange<Int>
    let timeZone: TimeZone

    func byDay(_ column: String) -> String {
        bucket(column) { String(LocalDate(year: $0, month: 1, day: 1).dayNumber) }
    }

    func byMillis(_ column: String) -> String {
        bucket(column) { String(epochMillis(LocalDate(year: $0, month: 1, day: 1).start(in: timeZone))) }
    }

    private func bucket(_ column: String, _ startOf: (Int) -> String) -> String {
        guard years.count > 1 else { return String(years.lowerBound) }
        let whens = years.dropFirst().map { "WHEN \(column) < \(startOf($0)) THEN \($0 - 1)" }
        return "(CASE \(whens.joined(separator: " ")) ELSE \(years.upperBound) END)"
    }
}
