import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Scores from the answers given in the quarter; complaints opened in it; SLA judged at the store's clock.
    public func feedbackReport(quarter: Quarter, programme: Programme) async throws -> FeedbackReport {
        let zone = TimeZone(identifier: programme.timezone) ?? .current
        func bounds(_ q: Quarter) -> (Int64, Int64) {
            (epochMillis(q.firstDay.start(in: zone)), epochMillis(q.next.firstDay.start(in: zone)))
        }
        func answers(_ q: Quarter) async throws -> [(nps: Int, csat: Int, comment: String)] {
            let (from, to) = bounds(q)
            return try await sql.rows("""
                SELECT nps, csat, comment FROM survey_links
                WHERE answered_at_ms >= \(bind: from) AND answered_at_ms < \(bind: to) ORDER BY answered_at_ms
                """).map { (try $0.int("nps"), try $0.int("csat"), try $0.optString("comment") ?? "") }
        }
        var trend: [FeedbackReport.QuarterScore] = []
        var q = quarter.previous.previous.previous
        for _ in 0..<4 {
            let a = try await answers(q)
            trend.append(.init(quarter: q, answers: a.count, nps: SurveyScore.nps(scores: a.map(\.nps)),
                               csat: SurveyScore.csat(scores: a.map(\.csat))))
            q = q.next
        }
        let current = try await answers(quarter)
        let (from, to) = bounds(quarter)
        let sent = try await sql.row("""
            SELECT COUNT(*) AS n FROM survey_links WHERE created_at_ms >= \(bind: from) AND created_at_ms < \(bind: to)
            """)!.int("n")
        let cases = try await sql.rows("""
            SELECT \(unsafeRaw: Store.complaintColumns) FROM complaints c LEFT JOIN counters co ON co.id = c.counter_id
            WHERE c.created_at_ms >= \(bind: from) AND c.created_at_ms < \(bind: to)
            """).map(Store.complaint)
        let nowMs = epochMillis(now)
        let sla = FeedbackChannel.allCases.map { ch -> FeedbackReport.SLALine in
            let target = programme.feedback.target(ch)
            let mine = cases.filter { $0.channel == ch }
            let first = mine.compactMap { target.firstResponseMet(openedMs: $0.createdAtMs, respondedMs: $0.firstResponseAtMs, nowMs: nowMs) }
            let done = mine.compactMap { target.resolutionMet(openedMs: $0.createdAtMs, resolvedMs: $0.resolvedAtMs, nowMs: nowMs) }
            return .init(channel: ch, cases: mine.count, firstResponseMet: first.filter { $0 }.count,
                         firstResponseDecided: first.count, resolutionMet: done.filter { $0 }.count, resolutionDecided: done.count)
        }
        let complaintsOnly = cases.filter { $0.kind == .complaint }
        func top(_ names: [String]) -> [FeedbackReport.Count] {
            Dictionary(grouping: names, by: { $0 }).map { .init(name: $0.key, count: $0.value.count) }
                .sorted { ($0.count, $1.name) > ($1.count, $0.name) }.prefix(5).map { $0 }
        }
        let count = SurveyScore.count(current.map(\.nps))
        return FeedbackReport(
            quarter: quarter, sent: sent, npsCount: count, nps: SurveyScore.nps(count),
            csat: SurveyScore.csat(scores: current.map(\.csat)),
            npsTarget: programme.feedback.npsTarget, csatTarget: programme.feedback.csatTarget, trend: trend,
            complaints: complaintsOnly.count, requests: cases.count - complaintsOnly.count,
            topCategories: top(complaintsOnly.map(\.category)), topCounters: top(complaintsOnly.compactMap(\.counterName)),
            sla: sla, comments: current.map(\.comment).filter { !$0.isEmpty })
    }
}
