import Foundation
import MallVIPCore
import MallVIPStore

/// The monthly maintainer ranking (docs/domain.md §9.1): purchases per member, spend against last year, members kept
/// in tier; the winner once recorded, and the year's reward cost.
enum ManagerRankingPage {
    struct Model: Sendable {
        var month: LocalDate
        var ranked: [ManagerKPI]
        /// The best average so far (the month's winner once it is over and recorded).
        var leader: ManagerKPI?
        var award: ManagerAward?
        var awardsThisYear: [ManagerAward]
        var monthOver: Bool
        var policy: AccountManagerPolicy
        var programme: Programme
        var notice: String?
        var error: String?

        var yearCostFen: Int64 { awardsThisYear.reduce(0) { $0 + $1.rewardFen } }
    }

    enum Query {
        /// `month` is YYYY-MM; default the last finished month, which the monthly meeting reviews.
        static func model(_ store: Store, month text: String?, notice: String?, error: String?) async throws -> Model {
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            let lastMonth = LocalDate(year: today.year, month: today.month, day: 1).adding(months: -1)
            let month = Forms.trimmed(text).isEmpty ? lastMonth : try parseMonth(text)
            let kpis = try await store.managerKPIs(month: month, programme: programme)
            let end = LocalDate(year: month.year, month: month.month, day: LocalDate.daysIn(year: month.year, month: month.month))
            return Model(month: month, ranked: ManagerKPI.ranked(kpis), leader: ManagerKPI.winner(kpis),
                         award: try await store.managerAward(month: month), awardsThisYear: try await store.managerAwards(year: month.year),
                         monthOver: end < today, policy: programme.accountManagers, programme: programme, notice: notice, error: error)
        }

        static func parseMonth(_ text: String?) throws -> LocalDate {
            let t = Forms.trimmed(text)
            guard t.count == 7, let d = LocalDate(t + "-01") else {
                throw DomainError.invalid("month", "month.format", zh: "月份格式须为 YYYY-MM", en: "month must be YYYY-MM")
            }
            return d
        }
    }
}
