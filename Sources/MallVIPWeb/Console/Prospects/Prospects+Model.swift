import Foundation
import MallVIPCore
import MallVIPStore

extension StaffRole {
    /// Who works with registered regular customers: counter staff (their own counter) and the organisation.
    static let prospectDesk: Set<StaffRole> = StaffRole.organisation.union([.counterStaff])
}

/// What a signed-in user may see of the registered customers: counter staff only their counter's, and nothing
/// until an admin gives them a counter; the others everything, narrowed by the filters they pick.
struct ProspectAccess: Sendable {
    /// Counter staff: their counter (nil = none set). Others: nil.
    var ownCounter: Int64?
    var restricted: Bool
    var filter: ProspectScope

    /// The scope to query, or nil when the user may see nothing.
    var scope: ProspectScope? {
        if !restricted { return filter }
        return ownCounter.map { ProspectScope(counterId: $0) }
    }
}

enum ProspectsPage {
    struct Model: Sendable {
        var access: ProspectAccess
        var prospects: [Prospect]
        var counters: [Counter]
        var departments: [Department]
        var programme: Programme
        var values = Values()
        var notice: String?
        var error: String?
    }

    struct Values: Sendable {
        var phone = ""
        var name = ""
        var counterId = ""
    }

    enum Query {
        static func model(_ store: Store, access: ProspectAccess, notice: String?) async throws -> Model {
            let (_, programme) = try await store.programme()
            var prospects: [Prospect] = []
            if let scope = access.scope { prospects = try await store.prospects(scope) }
            return Model(access: access, prospects: prospects, counters: try await store.counterList().filter(\.active),
                         departments: try await store.departments(), programme: programme, notice: notice)
        }
    }
}

enum InvitesPage {
    struct Model: Sendable {
        var access: ProspectAccess
        /// YYYY-MM
        var month: String
        var invites: [InviteCandidate]
        var counters: [Counter]
        var departments: [Department]
        var policy: ConversionPolicy
    }

    enum Query {
        static func model(_ store: Store, access: ProspectAccess, month text: String?) async throws -> Model {
            let (_, programme) = try await store.programme()
            let (year, month) = try MonthParam.parse(text, today: LocalDate.of(store.env.now(), in: programme.timeZone))
            var invites: [InviteCandidate] = []
            if let scope = access.scope { invites = try await store.inviteList(year: year, month: month, scope: scope) }
            return Model(access: access, month: String(format: "%04d-%02d", year, month), invites: invites,
                         counters: try await store.counterList(), departments: try await store.departments(),
                         policy: programme.conversion)
        }
    }
}

enum RankingPage {
    struct Model: Sendable {
        var malls: [Mall]
        var mallId: Int64
        var weekStart: LocalDate
        var today: LocalDate
        var departments: [DepartmentConversions]
        var counters: [CounterConversions]
        var award: ConversionAward?
        var history: [ConversionAward]
        var policy: ConversionPolicy
        var notice: String?
        var error: String?

        var weekEnd: LocalDate { weekStart.adding(days: 6) }
        var weekOver: Bool { weekStart.adding(days: 7) <= today }
        var leader: DepartmentConversions? { ConversionRanking.winner(departments) }
    }

    enum Query {
        static func model(_ store: Store, mall: String?, week: String?, notice: String?) async throws -> Model {
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            let malls = try await store.malls()
            guard let mallId = mall.flatMap({ Int64($0) }).flatMap({ id in malls.first { $0.id == id }?.id }) ?? malls.first?.id else {
                throw DomainError(.notFound, field: "mall", rule: "mall.exists", zh: "没有商场", en: "no mall")
            }
            var day = today
            if let week, !week.isEmpty {
                guard let d = LocalDate(week) else {
                    throw DomainError.invalid("week", "week.format", zh: "日期格式须为 YYYY-MM-DD", en: "week must be a date YYYY-MM-DD")
                }
                day = d
            }
            let start = programme.conversion.weekStart(of: day)
            let end = start.adding(days: 6)
            return Model(malls: malls, mallId: mallId, weekStart: start, today: today,
                         departments: try await store.departmentConversions(mallId: mallId, from: start, through: end),
                         counters: try await store.counterConversions(mallId: mallId, from: start, through: end),
                         award: try await store.conversionAward(mallId: mallId, weekStart: start),
                         history: try await store.conversionAwards(mallId: mallId), policy: programme.conversion, notice: notice)
        }
    }
}

/// `YYYY-MM` query parameters; empty means this month.
enum MonthParam {
    static func parse(_ text: String?, today: LocalDate) throws -> (year: Int, month: Int) {
        guard let text, !text.isEmpty else { return (today.year, today.month) }
        guard let d = LocalDate(text + "-01") else {
            throw DomainError.invalid("month", "month.format", zh: "月份格式须为 YYYY-MM", en: "month must be YYYY-MM")
        }
        return (d.year, d.month)
    }
}
