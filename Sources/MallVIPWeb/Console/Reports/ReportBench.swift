import Foundation
import MallVIPCore
import MallVIPStore

/// `mallvip reports bench` (issue 21): every figure a report reader waits for — the dashboard, each table of the
/// report pack for this month, quarter, half, year and the last 12 months, segment preview counts, the member page,
/// the churn and account-manager lists — timed cold (the cached report figures emptied first, as after the day's
/// first purchase) and warm (after one unmeasured call), p50 and p95 of each in one table. Reads go where the
/// console's go: the streaming replica when one is configured and within its bound.
public enum ReportBench {
    public struct Figure: Sendable {
        public var name: String
        public var period: String
        var run: @Sendable (Store) async throws -> Void
    }

    public struct Row: Sendable {
        public var name: String
        public var period: String
        public var cold: [Duration]
        public var warm: [Duration]
        public var coldP50: Duration { ReportBench.percentile(cold, 50) }
        public var coldP95: Duration { ReportBench.percentile(cold, 95) }
        public var warmP50: Duration { ReportBench.percentile(warm, 50) }
        public var warmP95: Duration { ReportBench.percentile(warm, 95) }
    }

    /// Nearest rank: the smallest sample with at least p % of the samples at or below it.
    public static func percentile(_ samples: [Duration], _ p: Int) -> Duration {
        guard !samples.isEmpty else { return .zero }
        let s = samples.sorted()
        let rank = Int((Double(p) / 100 * Double(s.count)).rounded(.up))
        return s[min(s.count - 1, max(0, rank - 1))]
    }

    /// The figures for `today`, in table order.
    public static func figures(_ store: Store, today: LocalDate) async throws -> [Figure] {
        var out: [Figure] = [Figure(name: "dashboard", period: "today") { s in _ = try await Dashboard.Query.model(s, mallCode: nil) }]
        let periods: [ReportPeriod] = [.containing(today, kind: .month), .containing(today, kind: .quarter), .containing(today, kind: .half),
                                       .containing(today, kind: .year), .last12(endingOn: today.adding(days: -1))]
        for period in periods {
            let range = period.through(today) ?? period.range
            let scope = ReportScope(range: range, mallId: nil)
            let previous = period.previous.range
            let key = period.key
            func f(_ name: String, _ run: @escaping @Sendable (Store) async throws -> Void) { out.append(Figure(name: name, period: key, run: run)) }
            f("report pack (whole page)") { s in _ = try await Reports.Query.model(s, periodKey: key, mallCode: nil, unmasked: false) }
            f("sales total") { s in _ = try await s.reportSales(scope, by: .total) }
            f("sales by month/day") { s in _ = try await s.reportSales(scope, by: range.days > 62 ? .month : .day) }
            f("sales by department") { s in _ = try await s.reportSales(scope, by: .department) }
            f("sales by floor") { s in _ = try await s.reportSales(scope, by: .floor) }
            f("sales by counter") { s in _ = try await s.reportSales(scope, by: .counter) }
            f("price bands") { s in _ = try await s.reportPriceBands(scope) }
            f("members, active, repurchase") { s in _ = try await s.reportMembers(scope, previous: previous) }
            f("churn") { s in _ = try await s.reportChurn(scope) }
            f("tiers and migration") { s in _ = try await s.reportTiers(scope) }
            f("RFM grid") { s in _ = try await s.reportRFM(scope) }
            f("ABC") { s in _ = try await s.reportABC(scope) }
            f("segments") { s in _ = try await s.reportSegments(scope) }
            f("age and gender") { s in _ = try await s.reportDemographics(scope) }
            f("top N") { s in _ = try await s.reportTop(scope, previous: previous, lastYear: range.lastYear) }
            f("points") { s in _ = try await s.reportPoints(range) }
        }
        // Segment previews: the saved segments (at most ten), else two of the usual questions.
        var segments = try await store.segments().prefix(10).map { ($0.name, $0.conditions) }
        if segments.isEmpty {
            segments = [("all members", SegmentConditions()),
                        ("enrolled this year", SegmentConditions(enrolledFrom: LocalDate(year: today.year, month: 1, day: 1)))]
        }
        for (name, conditions) in segments {
            out.append(Figure(name: "segment preview: \(name)", period: "today") { s in _ = try await s.segmentPreview(conditions, on: today) })
        }
        // The member page of the member who bought last (a busy card), the churn list, the account managers' lists.
        if let id = try await store.lastBuyingMemberId() {
            out.append(Figure(name: "member page", period: "today") { s in _ = try await MemberPage.Query.model(s, id: id) })
        }
        out.append(Figure(name: "churn figures", period: "today") { s in _ = try await s.churnFigures(today: today) })
        out.append(Figure(name: "churn list (lapsing, unassigned)", period: "today") { s in
            let (_, programme) = try await s.programme()
            _ = try await s.lapsingMembers(programme, asOf: today, staffId: nil, unassignedOnly: true)
        })
        out.append(Figure(name: "account managers (candidates)", period: "today") { s in
            let (_, programme) = try await s.programme()
            _ = try await s.managerCandidates(on: today, policy: programme.accountManagers)
        })
        out.append(Figure(name: "account managers (KPI ranking)", period: "this month") { s in
            let (_, programme) = try await s.programme()
            _ = try await s.managerKPIs(month: today, programme: programme)
        })
        let (_, programme) = try await store.programme()
        if let busiest = try await store.managerCandidates(on: today, policy: programme.accountManagers).max(by: { $0.members < $1.members }),
           busiest.members > 0 {
            out.append(Figure(name: "my VIPs (\(busiest.members) members)", period: "today") { s in
                _ = try await s.managedMembers(staffId: busiest.id, today: today)
            })
        }
        return out
    }

    /// Times each figure: `runs` cold calls (cached figures emptied before each) and `runs` warm ones.
    /// `store`: the primary (the cache is emptied there); reads go through `readReplica()`.
    public static func run(_ store: Store, today: LocalDate, runs: Int, progress: (Row) -> Void = { _ in }) async throws -> [Row] {
        let runs = max(1, runs)
        var rows: [Row] = []
        for figure in try await figures(store, today: today) {
            var row = Row(name: figure.name, period: figure.period, cold: [], warm: [])
            for _ in 0..<runs {
                try await store.dropReportFigureCache()
                let reader = await store.readReplica().store
                let t0 = ContinuousClock.now
                try await figure.run(reader)
                row.cold.append(ContinuousClock.now - t0)
            }
            let reader = await store.readReplica().store
            try await figure.run(reader)   // warms what the cold runs left cold
            for _ in 0..<runs {
                let t0 = ContinuousClock.now
                try await figure.run(reader)
                row.warm.append(ContinuousClock.now - t0)
            }
            progress(row)
            rows.append(row)
        }
        return rows
    }

    public static let header = "figure".padding(toLength: 40, withPad: " ", startingAt: 0) + "period".padding(toLength: 16, withPad: " ", startingAt: 0)
        + ["cold p50", "cold p95", "warm p50", "warm p95"].map { $0.leftPadded(10) }.joined() + "   (ms)"

    public static func line(_ r: Row) -> String {
        r.name.padding(toLength: 40, withPad: " ", startingAt: 0) + r.period.padding(toLength: 16, withPad: " ", startingAt: 0)
            + [r.coldP50, r.coldP95, r.warmP50, r.warmP95].map { ms($0).leftPadded(10) }.joined()
    }

    public static func ms(_ d: Duration) -> String {
        String(format: "%.1f", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? " " + self : String(repeating: " ", count: n - count) + self }
}
