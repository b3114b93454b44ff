import FluentKit
import Foundation
import MallVIPCore
import SQLKit

public struct PointsExpirySummary: Sendable, Equatable {
    /// The latest credit year lapsed on the day (nil: the programme keeps points for ever).
    public var lapsedYear: Int?
    public var members: Int
    public var points: Int64
    public var alreadyRan: Bool

    public init(lapsedYear: Int?, members: Int, points: Int64, alreadyRan: Bool) {
        self.lapsedYear = lapsedYear
        self.members = members
        self.points = points
        self.alreadyRan = alreadyRan
    }
}

extension Store {
    /// The daily expiry job for business day `day`: every member's points credited in a lapsed year (on 2027-01-01
    /// with `keepYears: 1`, 2025 and before) and not yet consumed become an `expire` row, one per member and year.
    /// Each member is its own short transaction guarded by the unique (member, year) row, so a second run, a run
    /// after a crash halfway or two runs at once expire nothing twice. Once per business day (job_runs).
    public func runPointsExpiry(on day: LocalDate) async throws -> PointsExpirySummary {
        let (_, programme) = try await self.programme()
        var summary = PointsExpirySummary(lapsedYear: programme.pointsExpiry.lapsedYear(on: day), members: 0, points: 0, alreadyRan: false)
        if try await sql.row("SELECT day FROM job_runs WHERE job = 'pointsExpiry' AND day = \(bind: day.dayNumber)") != nil {
            summary.alreadyRan = true
            return summary
        }
        if let lapsed = summary.lapsedYear {
            let all = try await pointsLots(sql, memberId: nil, programme: programme)
            var done: [Int64: Set<Int>] = [:]
            for r in try await sql.rows("SELECT member_id, earn_year FROM points_expiries WHERE earn_year <= \(bind: lapsed)") {
                done[try r.int64("member_id"), default: []].insert(try r.int("earn_year"))
            }
            for (id, lots) in all.sorted(by: { $0.key < $1.key })
            where !lots.expiryPlan(through: lapsed, done: done[id] ?? [], balance: lots.balance).isEmpty {
                let points = try await expireMemberPoints(memberId: id, lapsedYear: lapsed, programme: programme)
                if points > 0 {
                    summary.members += 1
                    summary.points += points
                }
            }
        }
        let text = "lapsedYear=\(summary.lapsedYear.map(String.init) ?? "none") members=\(summary.members) points=\(summary.points)"
        do {
            try await write { tx in
                try await tx.sql.exec("""
                    INSERT INTO job_runs (job, day, finished_at_ms, summary) VALUES ('pointsExpiry', \(bind: day.dayNumber), \(bind: epochMillis(self.now)), \(bind: text))
                    """)
            }
        } catch where isUniqueViolation(error) {
            summary.alreadyRan = true   // another run finished first; each member was still expired once
        }
        return summary
    }

    /// Expires one member's lapsed points as of `day` (what the job does for each member); returns the points expired.
    @discardableResult
    public func expireMemberPoints(memberId: Int64, on day: LocalDate) async throws -> Int64 {
        let (_, programme) = try await self.programme()
        guard let lapsed = programme.pointsExpiry.lapsedYear(on: day) else { return 0 }
        return try await expireMemberPoints(memberId: memberId, lapsedYear: lapsed, programme: programme)
    }

    private func expireMemberPoints(memberId: Int64, lapsedYear: Int, programme: Programme) async throws -> Int64 {
        do {
            return try await write { tx -> Int64 in
                let sql = tx.sql
                let m = try await self.lockMember(sql, memberId)
                let lots = try await self.pointsLots(sql, memberId: memberId, programme: programme)[memberId] ?? PointsLots()
                let done = Set(try await sql.rows("SELECT earn_year FROM points_expiries WHERE member_id = \(bind: memberId)").map { try $0.int("earn_year") })
                let plan = lots.expiryPlan(through: lapsedYear, done: done, balance: m.balance)
                guard !plan.isEmpty else { return 0 }
                let nowMs = epochMillis(self.now)
                var balance = m.balance
                for (year, points) in plan {
                    balance -= points
                    let validTo = programme.pointsExpiry.lastValidDay(ofYear: year).map(\.description) ?? ""
                    let ledgerId = try await LedgerWriter.writeReturningId(sql, NewLedgerEntry(
                        memberId: memberId, kind: .expire, points: -points, balanceAfter: balance,
                        note: "\(year)年积分到期（有效期至 \(validTo)）", actor: "job", atMs: nowMs))
                    try await sql.exec("""
                        INSERT INTO points_expiries (member_id, earn_year, points, ledger_id, at_ms)
                        VALUES (\(bind: memberId), \(bind: year), \(bind: points), \(bind: ledgerId), \(bind: nowMs))
                        """)
                }
                try await sql.exec("UPDATE members SET points_balance = \(bind: balance), updated_at_ms = \(bind: nowMs) WHERE id = \(bind: memberId)")
                return m.balance - balance
            }
        } catch where isUniqueViolation(error) {
            return 0   // a concurrent run expired this member's year first; its transaction rolled back whole
        }
    }
}
