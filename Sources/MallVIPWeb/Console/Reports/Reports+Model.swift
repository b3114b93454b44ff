import Foundation
import MallVIPCore
import MallVIPStore

/// The report pack of a period (`/console/reports`): VIP share of sales and its breakdowns, members and active
/// cards, repurchase and churn, tiers and their migration, RFM, ABC, segments, age and gender, price bands, the
/// top N and points, each beside the same days last year. Every figure comes from the report aggregates.
enum Reports {
    struct Model: Sendable {
        var period: ReportPeriod
        /// The period's days up to today (a running period is shown to date), the same days a year earlier, and
        /// the previous period (for retention and the top-N movement).
        var range: DayRange
        var lastYear: DayRange
        var previous: DayRange
        var today: LocalDate
        var malls: [Mall]
        var mall: Mall?
        var programme: Programme
        var total: SalesTotals
        var totalLY: SalesTotals
        var trend: [SalesGroup]
        var trendLY: [SalesGroup]
        var trendByMonth: Bool
        var departments: [SalesGroup]
        var departmentsLY: [SalesGroup]
        var floors: [SalesGroup]
        var floorsLY: [SalesGroup]
        var counters: [SalesGroup]
        var countersLY: [SalesGroup]
        var bands: [PriceBandRow]
        var bandsLY: [PriceBandRow]
        var members: MemberFigures
        var membersLY: MemberFigures
        var churn: ChurnReport
        var churnLY: ChurnReport
        var tiers: TierReport
        var rfm: [RFMCell]
        var abc: [ValueClassRow]
        var segments: SegmentReport
        var demographics: [DemographicRow]
        var top: TopReport
        var points: PointsReport
        var pointsLY: PointsReport
        /// Names in the top N are shown in full (managers, admins; audited) or masked (planners).
        var unmasked: Bool
        /// Primary or replica, and the time the figures are as of (issue 21; set by the controller).
        var source: ReadSource? = nil

        var reports: ReportsPolicy { programme.reports }
    }

    enum Query {
        /// The period named by `key` (default: the twelve months ending yesterday), for the mall with `mallCode`
        /// (default: all malls).
        static func model(_ store: Store, periodKey: String?, mallCode: String?, unmasked: Bool) async throws -> Model {
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            let period = try periodKey.map { key in
                guard let p = ReportPeriod(key: key) else {
                    throw DomainError.invalid("p", "report.period", zh: "报表期间格式应为 2026-W05、2026-05、2026-Q2、2026-H1、2026 或 12M-2026-11-24",
                                              en: "p must be a period such as 2026-W05, 2026-05, 2026-Q2, 2026-H1, 2026 or 12M-2026-11-24")
                }
                return p
            } ?? .last12(endingOn: today.adding(days: -1))
            let malls = try await store.malls()
            let mall = mallCode.flatMap { code in malls.first { $0.code == code } }
            let range = period.through(today) ?? period.range
            let lastYear = range.lastYear
            let previous = period.previous.range
            let scope = ReportScope(range: range, mallId: mall?.id)
            let ly = ReportScope(range: lastYear, mallId: mall?.id)
            let byMonth = range.days > 62
            return Model(
                period: period, range: range, lastYear: lastYear, previous: previous, today: today, malls: malls, mall: mall,
                programme: programme,
                total: try await store.reportSales(scope, by: .total)[0].sales, totalLY: try await store.reportSales(ly, by: .total)[0].sales,
                trend: try await store.reportSales(scope, by: byMonth ? .month : .day),
                trendLY: try await store.reportSales(ly, by: byMonth ? .month : .day), trendByMonth: byMonth,
                departments: try await store.reportSales(scope, by: .department), departmentsLY: try await store.reportSales(ly, by: .department),
                floors: try await store.reportSales(scope, by: .floor), floorsLY: try await store.reportSales(ly, by: .floor),
                counters: try await store.reportSales(scope, by: .counter), countersLY: try await store.reportSales(ly, by: .counter),
                bands: try await store.reportPriceBands(scope), bandsLY: try await store.reportPriceBands(ly),
                members: try await store.reportMembers(scope, previous: previous),
                membersLY: try await store.reportMembers(ly, previous: period.previous.lastYear.range),
                churn: try await store.reportChurn(scope), churnLY: try await store.reportChurn(ly),
                tiers: try await store.reportTiers(scope), rfm: try await store.reportRFM(scope), abc: try await store.reportABC(scope),
                segments: try await store.reportSegments(scope), demographics: try await store.reportDemographics(scope),
                top: try await store.reportTop(scope, previous: previous, lastYear: lastYear),
                points: try await store.reportPoints(range), pointsLY: try await store.reportPoints(lastYear),
                unmasked: unmasked)
        }

        /// The periods the picker offers: the trailing year, then months, quarters, half-years and years back from today.
        static func choices(today: LocalDate) -> [ReportPeriod] {
            var out: [ReportPeriod] = [.last12(endingOn: today.adding(days: -1))]
            var p = ReportPeriod.containing(today, kind: .month)
            for _ in 0..<24 { out.append(p); p = p.previous }
            p = .containing(today, kind: .quarter)
            for _ in 0..<8 { out.append(p); p = p.previous }
            p = .containing(today, kind: .half)
            for _ in 0..<4 { out.append(p); p = p.previous }
            p = .containing(today, kind: .year)
            for _ in 0..<3 { out.append(p); p = p.previous }
            p = .containing(today, kind: .week)
            for _ in 0..<12 { out.append(p); p = p.previous }
            return out
        }
    }
}

extension ReportPeriod {
    /// "2026年5月 月报", "Monthly report May 2026", …
    func title(_ language: Language) -> String {
        let en = language == .en
        switch kind {
        case .month: return en ? "Monthly report \(key)" : "\(from.year)年\(from.month)月 月报"
        case .quarter: return en ? "Quarterly report \(key)" : "\(from.year)年第\((from.month - 1) / 3 + 1)季度 季报"
        case .half: return en ? "Half-year report \(key)" : "\(from.year)年\(from.month <= 6 ? "上" : "下")半年 半年报"
        case .year: return en ? "Annual report \(from.year)" : "\(from.year)年 年报"
        case .last12: return en ? "Last 12 months to \(to)" : "近12个月（截至 \(to)）"
        case .week: return en ? "Weekly report \(key) (\(from) to \(to))" : "\(key) 周报（\(from) 至 \(to)）"
        }
    }
}
