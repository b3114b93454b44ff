import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Points of one member that lapse on one day (one credit year's lot).
public struct ExpiringPoints: Sendable, Equatable {
    public var memberId: Int64
    public var points: Int64
    public var earnYear: Int
    /// The last day the points are valid; the job expires them the day after.
    public var expiresOn: LocalDate

    public init(memberId: Int64, points: Int64, earnYear: Int, expiresOn: LocalDate) {
        self.memberId = memberId
        self.points = points
        self.earnYear = earnYear
        self.expiresOn = expiresOn
    }
}

/// Outstanding points and what they are worth (programme `redemption.valuePerThousandPoints`), for finance.
public struct PointsLiability: Sendable, Equatable {
    public var members: Int
    public var outstandingPoints: Int64
    public var valueFen: Int64
    /// Points that lapse by the end of this year (including any the job has yet to expire).
    public var expiringThisYear: Int64
    public var expiringThisYearValueFen: Int64
    public var fenPerThousandPoints: Int64
    public var yearEnd: LocalDate
}

extension Store {
    /// Points lapsing within `days` days of `today` (inclusive), per member and credit year, soonest first: what the
    /// expiring-points reminders send. `memberId` limits it to one member.
    public func pointsExpiring(withinDays days: Int, on today: LocalDate, memberId: Int64? = nil) async throws -> [ExpiringPoints] {
        let (_, programme) = try await self.programme()
        let policy = programme.pointsExpiry
        guard let lastYear = policy.lastYearValidUntil(today.adding(days: max(0, days))) else { return [] }
        let all = try await pointsLots(sql, memberId: memberId, programme: programme)
        var out: [ExpiringPoints] = []
        for (id, lots) in all {
            for lot in lots.lots() where lot.year <= lastYear {
                guard let day = policy.lastValidDay(ofYear: lot.year) else { continue }
                out.append(ExpiringPoints(memberId: id, points: lot.points, earnYear: lot.year, expiresOn: day))
            }
        }
        return out.sorted { ($0.expiresOn, $0.memberId) < ($1.expiresOn, $1.memberId) }
    }

    public func pointsLiability(on day: LocalDate? = nil) async throws -> PointsLiability {
        let (_, programme) = try await self.programme()
        let today = day ?? LocalDate.of(now, in: programme.timeZone)
        let yearEnd = LocalDate(year: today.year, month: 12, day: 31)
        let row = try await sql.row("""
            SELECT COUNT(*) AS n, CAST(COALESCE(SUM(points_balance), 0) AS BIGINT) AS pts FROM members WHERE points_balance > 0
            """)!
        var expiring: Int64 = 0
        if let lastYear = programme.pointsExpiry.lastYearValidUntil(yearEnd) {
            for lots in try await pointsLots(sql, memberId: nil, programme: programme).values {
                expiring += min(lots.expiring(through: lastYear), max(0, lots.balance))
            }
        }
        let rate = programme.redemption.fenPerThousandPoints
        let outstanding = try row.int64("pts")
        return PointsLiability(members: try row.int("n"), outstandingPoints: outstanding, valueFen: Saturating.multiply(outstanding, rate) / 1000,
                               expiringThisYear: expiring, expiringThisYearValueFen: Saturating.multiply(expiring, rate) / 1000,
                               fenPerThousandPoints: rate, yearEnd: yearEnd)
    }

    /// Names of members by id, for lists that show many.
    public func memberNames(_ ids: [Int64]) async throws -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        var out: [Int64: String] = [:]
        for r in try await sql.rows("SELECT id, name FROM members WHERE id IN (\(binds: ids))") {
            out[try r.int64("id")] = try r.string("name")
        }
        return out
    }
}
