import FluentKit
import Foundation
import MallVIPCore
import SQLKit

public struct ReviewSummary: Sendable, Equatable {
    public var reviewed: Int
    public var downgraded: Int
    public var upgraded: Int
    public var manualEnded: Int
    public var alreadyRan: Bool
}

extension Store {
    /// The yearly tier review and the end of manual tiers, for business day `day`. Runs once per day: a second
    /// run the same day (or a run after a crash halfway, since each member is updated in its own transaction and
    /// marked reviewed) does no double work.
    public func runTierReview(on day: LocalDate) async throws -> ReviewSummary {
        let (_, programme) = try await self.programme()
        var summary = ReviewSummary(reviewed: 0, downgraded: 0, upgraded: 0, manualEnded: 0, alreadyRan: false)
        if try await sql.row("SELECT day FROM job_runs WHERE job = 'tierReview' AND day = \(bind: day.dayNumber)") != nil {
            summary.alreadyRan = true
            return summary
        }
        // Manual tiers whose end date has passed: record the end so the history says why the tier changed.
        for row in try await sql.rows("""
            SELECT id FROM members WHERE manual_tier IS NOT NULL AND manual_until_day < \(bind: day.dayNumber)
            """) {
            let id = try row.int64("id")
            try await write { tx in
                guard let m = try await tx.sql.row("SELECT earned_tier, manual_tier FROM members WHERE id = \(bind: id) AND manual_tier IS NOT NULL") else { return }
                try await tx.sql.exec("UPDATE members SET manual_tier = NULL, manual_until_day = NULL, manual_reason = NULL WHERE id = \(bind: id)")
                try await self.recordTierChange(tx.sql, memberId: id, from: try m.string("manual_tier"), to: try m.string("earned_tier"),
                                                kind: "manualEnd", reason: nil, note: "人工等级到期", purchaseId: nil, actor: "job", nowMs: epochMillis(self.now))
            }
            summary.manualEnded += 1
        }
        if programme.review.mode != .none {
            let due: [any SQLRow]
            switch programme.review.mode {
            case .anniversary:
                // A year after the later of the last tier change and the last review.
                let yearAgo = day.adding(months: -12).dayNumber
                due = try await sql.rows("""
                    SELECT id FROM members WHERE status = 'active' AND tier_since_day <= \(bind: yearAgo)
                      AND (last_review_day IS NULL OR last_review_day <= \(bind: yearAgo))
                    """)
            case .calendarYear:
                let yearStart = LocalDate(year: day.year, month: 1, day: 1).dayNumber
                due = try await sql.rows("""
                    SELECT id FROM members WHERE status = 'active' AND (last_review_day IS NULL OR last_review_day < \(bind: yearStart))
                      AND enrolled_day < \(bind: yearStart)
                    """)
            case .none:
                due = []
            }
            for row in due {
                let id = try row.int64("id")
                let change = try await write { tx -> Int in
                    let m = try await self.lockMember(tx.sql, id)
                    let spend = try await self.rollingSpend(tx.sql, memberId: id, endingOn: day, windows: programme.tierWindows)
                    let floor = programme.review.downgrade ? programme.entryTier.code : m.earnedTier
                    let evaluation = programme.evaluateTier(spend: spend, floor: floor)
                    let nowMs = epochMillis(self.now)
                    var result = 0
                    if evaluation.tier != m.earnedTier {
                        let lower = (programme.rank(of: evaluation.tier) ?? 0) < (programme.rank(of: m.earnedTier) ?? 0)
                        result = lower ? -1 : 1
                        try await tx.sql.exec("""
                            UPDATE members SET earned_tier = \(bind: evaluation.tier), tier_since_day = \(bind: day.dayNumber) WHERE id = \(bind: id)
                            """)
                        try await self.recordTierChange(tx.sql, memberId: id, from: m.earnedTier, to: evaluation.tier, kind: "review",
                                                        reason: evaluation.reason, note: "年度复核", purchaseId: nil, actor: "job", nowMs: nowMs)
                    }
                    try await tx.sql.exec("UPDATE members SET last_review_day = \(bind: day.dayNumber) WHERE id = \(bind: id)")
                    return result
                }
                summary.reviewed += 1
                if change < 0 { summary.downgraded += 1 } else if change > 0 { summary.upgraded += 1 }
            }
        }
        let text = "reviewed=\(summary.reviewed) downgraded=\(summary.downgraded) upgraded=\(summary.upgraded) manualEnded=\(summary.manualEnded)"
        try await write { tx in
            try await tx.sql.exec("""
                INSERT INTO job_runs (job, day, finished_at_ms, summary) VALUES ('tierReview', \(bind: day.dayNumber), \(bind: epochMillis(self.now)), \(bind: text))
                """)
        }
        return summary
    }
}
