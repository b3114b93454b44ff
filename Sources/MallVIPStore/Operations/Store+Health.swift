import Foundation
import SQLKit

/// What `/health` and `/metrics` read from the database: a round trip, the last run of each daily job, the outbox
/// by status. Small queries over small tables or indexed columns, so that a scrape every few seconds costs nothing.
extension Store {
    /// A trivial query: the database answers (and how fast).
    public func ping() async throws -> TimeInterval {
        let start = ContinuousClock.now
        _ = try await sql.row("SELECT 1 AS one")
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Each daily job with how many days it has run and when it last finished.
    public func jobRunSummary() async throws -> [(job: String, runs: Int, lastFinished: Date)] {
        try await sql.rows("""
            SELECT job, COUNT(*) AS runs, CAST(MAX(finished_at_ms) AS BIGINT) AS last FROM job_runs GROUP BY job ORDER BY job
            """).map { (try $0.string("job"), try $0.int("runs"), dateFromMillis(try $0.int64("last"))) }
    }
}
