import Foundation

/// Typed console routes: one enum gives both the paths registered and the links rendered, so links cannot
/// drift from routes.
enum SiteURL {
    case home
    case login(next: String?)
    case logout
    case language
    case dashboard
    case members(query: String?)
    case enrol
    case member(Int64)
    case memberEdit(Int64)
    case memberAction(Int64, String)
    case tierRequests
    case tierRequestDecide(Int64)
    case counters
    case counterNew
    case counter(Int64)
    case departments
    case malls
    case staff
    case staffToggle(Int64)
    /// Change one's own password; an admin's reset of another user's (issue 14).
    case password
    case staffResetPassword(Int64)
    case apiKeys
    case apiKeyRevoke(Int64)
    case programme
    case programmeVersion(Int)
    case partners
    case partnerNew
    case partner(Int64)
    case partnerSettlement(month: String?)
    case memberRedeem(Int64)
    case redemptionVoid(member: Int64, redemption: Int64)
    case rewards
    case rewardNew
    case reward(Int64)
    case rewardAction(Int64, String)
    case rewardSettlement(month: String?)
    case rewardSettlementCSV(month: String)
    case coupons(status: String?, query: String?)
    case coupon(String)
    case financePoints(days: Int?)
    case segments
    case exports
    case segmentNew
    case segment(Int64)
    case segmentDelete(Int64)
    case segmentExport(Int64)
    case campaigns
    case campaignNew
    case campaign(Int64)
    case campaignEdit(Int64)
    case campaignAction(Int64, String)
    case messages(status: String?, channel: String?, source: String?, member: String?, month: String?)
    case calls
    case callFinish(Int64)
    case tasks(staff: String?, kind: String?, status: String?)
    case taskClose(Int64)
    case taskLapseCSV(Int64)
    /// A manager's decision on a member's account-deletion request, by its task.
    case taskDeletion(Int64)
    /// The door: check-in at phone size, walk-ins, and the post-event report (issue 6).
    case eventCheckIn(Int64)
    case eventWalkIn(Int64)
    case eventReport(Int64)
    /// Feedback (issue 6, §11): complaints and service requests, the quarterly report.
    case complaints(status: String?)
    case complaintAction(Int64, String)
    case feedbackReport(quarter: String?)
    case feedbackQuarterlySend
    case eventSurveys(Int64)
    case churn
    case templates
    case templateNew
    case template(String)
    case journeys
    case journey(String)
    case journeyToggle(String)
    case holidays
    case holidayNew
    case holiday(Int64)
    case holidayDelete(Int64)
    case prospects(counter: Int64?, department: Int64?)
    case prospectInvites(month: String?, counter: Int64?, department: Int64?)
    case conversionRanking(mall: Int64?, week: String?)
    case conversionAward
    case staffCounter(Int64)
    case myVIPs(staff: Int64?)
    case myVIPsContact
    case accountManagers
    case staffHiredOn(Int64)
    case managerRanking(month: String?)
    case managerAward
    case reports(period: String?, mall: String?)
    case reportCSV(table: String, period: String, mall: String?)
    /// Programme economics, targets and the simulator (issue 7).
    case economics(year: Int?)
    case economicsCostsCSV(year: Int)
    case economicsCosts
    case economicsCostDelete(Int64)
    case targets(year: Int?)
    case targetsSet
    case targetDelete(Int64)
    case programmeSimulate
    case stylesheet

    var path: String {
        switch self {
        case .home: "/"
        case .login(let next): "/login" + (next.map { "?next=" + ($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "?"])) ?? "") } ?? "")
        case .logout: "/logout"
        case .language: "/console/language"
        case .dashboard: "/console"
        case .members(let q): "/console/members" + (q.map { "?q=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? "")
        case .enrol: "/console/members/new"
        case .member(let id): "/console/members/\(id)"
        case .memberEdit(let id): "/console/members/\(id)/edit"
        case .memberAction(let id, let action): "/console/members/\(id)/\(action)"
        case .tierRequests: "/console/tier-requests"
        case .tierRequestDecide(let id): "/console/tier-requests/\(id)"
        case .counters: "/console/counters"
        case .counterNew: "/console/counters/new"
        case .counter(let id): "/console/counters/\(id)"
        case .departments: "/console/departments"
        case .malls: "/console/malls"
        case .staff: "/console/staff"
        case .staffToggle(let id): "/console/staff/\(id)/toggle"
        case .password: "/console/password"
        case .staffResetPassword(let id): "/console/staff/\(id)/reset-password"
        case .apiKeys: "/console/api-keys"
        case .apiKeyRevoke(let id): "/console/api-keys/\(id)/revoke"
        case .programme: "/console/programme"
        case .programmeVersion(let v): "/console/programme?version=\(v)"
        case .partners: "/console/partners"
        case .partnerNew: "/console/partners/new"
        case .partner(let id): "/console/partners/\(id)"
        case .partnerSettlement(let month): "/console/partners/settlement" + (month.map { "?month=\($0)" } ?? "")
        case .memberRedeem(let id): "/console/members/\(id)/redeem"
        case .redemptionVoid(let member, let id): "/console/members/\(member)/redemptions/\(id)/void"
        case .rewards: "/console/rewards"
        case .rewardNew: "/console/rewards/new"
        case .reward(let id): "/console/rewards/\(id)"
        case .rewardAction(let id, let action): "/console/rewards/\(id)/\(action)"
        case .rewardSettlement(let month): "/console/rewards/settlement" + (month.map { "?month=\($0)" } ?? "")
        case .rewardSettlementCSV(let month): "/console/rewards/settlement.csv?month=\(month)"
        case .coupons(let status, let q):
            "/console/coupons" + Self.query([("status", status), ("q", q)])
        case .coupon(let code): "/console/coupons/\(code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? code)"
        case .financePoints(let days): "/console/finance/points" + (days.map { "?days=\($0)" } ?? "")
        case .segments: "/console/segments"
        case .exports: "/console/exports"
        case .segmentNew: "/console/segments/new"
        case .segment(let id): "/console/segments/\(id)"
        case .segmentDelete(let id): "/console/segments/\(id)/delete"
        case .segmentExport(let id): "/console/segments/\(id)/export.csv"
        case .campaigns: "/console/campaigns"
        case .campaignNew: "/console/campaigns/new"
        case .campaign(let id): "/console/campaigns/\(id)"
        case .campaignEdit(let id): "/console/campaigns/\(id)/edit"
        case .campaignAction(let id, let action): "/console/campaigns/\(id)/\(action)"
        case .messages(let status, let channel, let source, let member, let month):
            "/console/messages" + Self.query([("status", status), ("channel", channel), ("source", source), ("member", member), ("month", month)])
        case .calls: "/console/calls"
        case .callFinish(let id): "/console/calls/\(id)"
        case .tasks(let staff, let kind, let status):
            "/console/tasks" + Self.query([("staff", staff), ("kind", kind), ("status", status)])
        case .taskClose(let id): "/console/tasks/\(id)"
        case .taskLapseCSV(let id): "/console/tasks/\(id)/lapse.csv"
        case .taskDeletion(let id): "/console/tasks/\(id)/deletion"
        case .eventCheckIn(let id): "/console/events/\(id)/checkin"
        case .eventWalkIn(let id): "/console/events/\(id)/walkin"
        case .eventReport(let id): "/console/events/\(id)/report"
        case .complaints(let status): "/console/complaints" + (status.map { "?status=\($0)" } ?? "")
        case .complaintAction(let id, let action): "/console/complaints/\(id)/\(action)"
        case .feedbackReport(let q): "/console/feedback" + (q.map { "?quarter=\($0)" } ?? "")
        case .feedbackQuarterlySend: "/console/feedback/quarterly-send"
        case .eventSurveys(let id): "/console/events/\(id)/surveys"
        case .churn: "/console/churn"
        case .templates: "/console/templates"
        case .templateNew: "/console/templates/new"
        case .template(let code): "/console/templates/\(code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? code)"
        case .journeys: "/console/journeys"
        case .journey(let code): "/console/journeys/\(code)"
        case .journeyToggle(let code): "/console/journeys/\(code)/toggle"
        case .holidays: "/console/holidays"
        case .holidayNew: "/console/holidays/new"
        case .holiday(let id): "/console/holidays/\(id)"
        case .holidayDelete(let id): "/console/holidays/\(id)/delete"
        case .prospects(let counter, let department):
            "/console/prospects" + Self.query([("counter", counter.map(String.init)), ("department", department.map(String.init))])
        case .prospectInvites(let month, let counter, let department):
            "/console/prospects/invites" + Self.query([("month", month), ("counter", counter.map(String.init)), ("department", department.map(String.init))])
        case .conversionRanking(let mall, let week):
            "/console/prospects/ranking" + Self.query([("mall", mall.map(String.init)), ("week", week)])
        case .conversionAward: "/console/prospects/ranking/award"
        case .staffCounter(let id): "/console/staff/\(id)/counter"
        case .myVIPs(let staff): "/console/my-vips" + Self.query([("staff", staff.map(String.init))])
        case .myVIPsContact: "/console/my-vips/contacts"
        case .accountManagers: "/console/account-managers"
        case .staffHiredOn(let id): "/console/account-managers/\(id)/hired-on"
        case .managerRanking(let month): "/console/account-managers/ranking" + Self.query([("month", month)])
        case .managerAward: "/console/account-managers/ranking/award"
        case .reports(let period, let mall): "/console/reports" + Self.query([("p", period), ("mall", mall)])
        case .reportCSV(let table, let period, let mall): "/console/reports/\(table).csv" + Self.query([("p", period), ("mall", mall)])
        case .economics(let year): "/console/economics" + Self.query([("year", year.map(String.init))])
        case .economicsCostsCSV(let year): "/console/economics/costs.csv?year=\(year)"
        case .economicsCosts: "/console/economics/costs"
        case .economicsCostDelete(let id): "/console/economics/costs/\(id)/delete"
        case .targets(let year): "/console/targets" + Self.query([("year", year.map(String.init))])
        case .targetsSet: "/console/targets"
        case .targetDelete(let id): "/console/targets/\(id)/delete"
        case .programmeSimulate: "/console/programme/simulate"
        case .stylesheet: "/console.css"
        }
    }

    /// `?a=1&b=2` of the parameters that are given, percent-encoded.
    private static func query(_ items: [(String, String?)]) -> String {
        let parts = items.compactMap { k, v in v.flatMap { $0.isEmpty ? nil : k + "=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}
