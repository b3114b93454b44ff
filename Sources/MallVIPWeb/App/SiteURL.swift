import Foundation

/// Typed console links. Each case fills in a `SiteRoute`, the same value its route is registered with, so a
/// link cannot drift from its route (`LinkRouteTests` follows every rendered link to a registered route).
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
    case memberAction(Int64, MemberAction)
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
    case rewardAction(Int64, RewardAction)
    case rewardSettlement(month: String?)
    case rewardSettlementCSV(month: String)
    case coupons(status: String?, query: String?)
    case coupon(String)
    case financePoints(days: Int?)
    /// Tenant co-funding statement of a month (issue 20) and its CSV.
    case financeCoFunding(month: String?)
    case financeCoFundingCSV(month: String)
    /// Points liability roll-forward of a month (issue 20) and its CSV (every month through it).
    case financeLiability(month: String?)
    case financeLiabilityCSV(month: String)
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
    case campaignAction(Int64, CampaignAction)
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
    /// Feedback (issue 6, docs/domain.md §11): complaints and service requests, the quarterly report.
    case complaints(status: String?)
    case complaintAction(Int64, ComplaintAction)
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
    /// Events (issue 6): the list, a new one, one event and what planners do with it.
    case events
    case eventNew
    case event(Int64)
    case eventEdit(Int64)
    case eventInvite(Int64)
    case eventStatus(Int64)
    case eventRSVP(Int64)
    case imports
    case exportMembers
    case exportPurchases
    case exportLedger
    /// The token-signed links in messages: a survey, an event invitation.
    case survey(token: String)
    case eventLink(token: String)

    var path: String {
        switch self {
        case .home: SiteRoute.root.path()
        case .login(let next): SiteRoute.login.path() + (next.map { "?next=" + ($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "?"])) ?? "") } ?? "")
        case .logout: SiteRoute.logout.path()
        case .language: SiteRoute.language.path()
        case .dashboard: SiteRoute.dashboard.path()
        case .members(let q): SiteRoute.members.path() + (q.map { "?q=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? "")
        case .enrol: SiteRoute.enrol.path()
        case .member(let id): SiteRoute.member.path(id)
        case .memberEdit(let id): SiteRoute.memberEdit.path(id)
        case .memberAction(let id, let action): action.route.path(id)
        case .tierRequests: SiteRoute.tierRequests.path()
        case .tierRequestDecide(let id): SiteRoute.tierRequestDecide.path(id)
        case .counters: SiteRoute.counters.path()
        case .counterNew: SiteRoute.counterNew.path()
        case .counter(let id): SiteRoute.counter.path(id)
        case .departments: SiteRoute.departments.path()
        case .malls: SiteRoute.malls.path()
        case .staff: SiteRoute.staff.path()
        case .staffToggle(let id): SiteRoute.staffToggle.path(id)
        case .password: SiteRoute.password.path()
        case .staffResetPassword(let id): SiteRoute.staffResetPassword.path(id)
        case .apiKeys: SiteRoute.apiKeys.path()
        case .apiKeyRevoke(let id): SiteRoute.apiKeyRevoke.path(id)
        case .programme: SiteRoute.programme.path()
        case .programmeVersion(let v): SiteRoute.programme.path() + "?version=\(v)"
        case .partners: SiteRoute.partners.path()
        case .partnerNew: SiteRoute.partnerNew.path()
        case .partner(let id): SiteRoute.partner.path(id)
        case .partnerSettlement(let month): SiteRoute.partnerSettlement.path() + (month.map { "?month=\($0)" } ?? "")
        case .memberRedeem(let id): SiteRoute.memberRedeem.path(id)
        case .redemptionVoid(let member, let id): SiteRoute.redemptionVoid.path(member, id)
        case .rewards: SiteRoute.rewards.path()
        case .rewardNew: SiteRoute.rewardNew.path()
        case .reward(let id): SiteRoute.reward.path(id)
        case .rewardAction(let id, let action): action.route.path(id)
        case .rewardSettlement(let month): SiteRoute.rewardSettlement.path() + (month.map { "?month=\($0)" } ?? "")
        case .rewardSettlementCSV(let month): SiteRoute.rewardSettlementCSV.path() + "?month=\(month)"
        case .coupons(let status, let q):
            SiteRoute.coupons.path() + Self.query([("status", status), ("q", q)])
        case .coupon(let code): SiteRoute.coupon.path(code)
        case .financePoints(let days): SiteRoute.financePoints.path() + (days.map { "?days=\($0)" } ?? "")
        case .financeCoFunding(let month): SiteRoute.financeCoFunding.path() + (month.map { "?month=\($0)" } ?? "")
        case .financeCoFundingCSV(let month): SiteRoute.financeCoFundingCSV.path() + "?month=\(month)"
        case .financeLiability(let month): SiteRoute.financeLiability.path() + (month.map { "?month=\($0)" } ?? "")
        case .financeLiabilityCSV(let month): SiteRoute.financeLiabilityCSV.path() + "?month=\(month)"
        case .segments: SiteRoute.segments.path()
        case .exports: SiteRoute.exports.path()
        case .segmentNew: SiteRoute.segmentNew.path()
        case .segment(let id): SiteRoute.segment.path(id)
        case .segmentDelete(let id): SiteRoute.segmentDelete.path(id)
        case .segmentExport(let id): SiteRoute.segmentExport.path(id)
        case .campaigns: SiteRoute.campaigns.path()
        case .campaignNew: SiteRoute.campaignNew.path()
        case .campaign(let id): SiteRoute.campaign.path(id)
        case .campaignEdit(let id): SiteRoute.campaignEdit.path(id)
        case .campaignAction(let id, let action): action.route.path(id)
        case .messages(let status, let channel, let source, let member, let month):
            SiteRoute.messages.path() + Self.query([("status", status), ("channel", channel), ("source", source), ("member", member), ("month", month)])
        case .calls: SiteRoute.calls.path()
        case .callFinish(let id): SiteRoute.callFinish.path(id)
        case .tasks(let staff, let kind, let status):
            SiteRoute.tasks.path() + Self.query([("staff", staff), ("kind", kind), ("status", status)])
        case .taskClose(let id): SiteRoute.taskClose.path(id)
        case .taskLapseCSV(let id): SiteRoute.taskLapseCSV.path(id)
        case .taskDeletion(let id): SiteRoute.taskDeletion.path(id)
        case .eventCheckIn(let id): SiteRoute.eventCheckIn.path(id)
        case .eventWalkIn(let id): SiteRoute.eventWalkIn.path(id)
        case .eventReport(let id): SiteRoute.eventReport.path(id)
        case .complaints(let status): SiteRoute.complaints.path() + (status.map { "?status=\($0)" } ?? "")
        case .complaintAction(let id, let action): action.route.path(id)
        case .feedbackReport(let q): SiteRoute.feedbackReport.path() + (q.map { "?quarter=\($0)" } ?? "")
        case .feedbackQuarterlySend: SiteRoute.feedbackQuarterlySend.path()
        case .eventSurveys(let id): SiteRoute.eventSurveys.path(id)
        case .churn: SiteRoute.churn.path()
        case .templates: SiteRoute.templates.path()
        case .templateNew: SiteRoute.templateNew.path()
        case .template(let code): SiteRoute.template.path(code)
        case .journeys: SiteRoute.journeys.path()
        case .journey(let code): SiteRoute.journey.path(code)
        case .journeyToggle(let code): SiteRoute.journeyToggle.path(code)
        case .holidays: SiteRoute.holidays.path()
        case .holidayNew: SiteRoute.holidayNew.path()
        case .holiday(let id): SiteRoute.holiday.path(id)
        case .holidayDelete(let id): SiteRoute.holidayDelete.path(id)
        case .prospects(let counter, let department):
            SiteRoute.prospects.path() + Self.query([("counter", counter.map(String.init)), ("department", department.map(String.init))])
        case .prospectInvites(let month, let counter, let department):
            SiteRoute.prospectInvites.path() + Self.query([("month", month), ("counter", counter.map(String.init)), ("department", department.map(String.init))])
        case .conversionRanking(let mall, let week):
            SiteRoute.conversionRanking.path() + Self.query([("mall", mall.map(String.init)), ("week", week)])
        case .conversionAward: SiteRoute.conversionAward.path()
        case .staffCounter(let id): SiteRoute.staffCounter.path(id)
        case .myVIPs(let staff): SiteRoute.myVIPs.path() + Self.query([("staff", staff.map(String.init))])
        case .myVIPsContact: SiteRoute.myVIPsContact.path()
        case .accountManagers: SiteRoute.accountManagers.path()
        case .staffHiredOn(let id): SiteRoute.staffHiredOn.path(id)
        case .managerRanking(let month): SiteRoute.managerRanking.path() + Self.query([("month", month)])
        case .managerAward: SiteRoute.managerAward.path()
        case .reports(let period, let mall): SiteRoute.reports.path() + Self.query([("p", period), ("mall", mall)])
        case .reportCSV(let table, let period, let mall): SiteRoute.reportCSV.path(table + ".csv") + Self.query([("p", period), ("mall", mall)])
        case .economics(let year): SiteRoute.economics.path() + Self.query([("year", year.map(String.init))])
        case .economicsCostsCSV(let year): SiteRoute.economicsCostsCSV.path() + "?year=\(year)"
        case .economicsCosts: SiteRoute.economicsCosts.path()
        case .economicsCostDelete(let id): SiteRoute.economicsCostDelete.path(id)
        case .targets(let year): SiteRoute.targets.path() + Self.query([("year", year.map(String.init))])
        case .targetsSet: SiteRoute.targets.path()
        case .targetDelete(let id): SiteRoute.targetDelete.path(id)
        case .programmeSimulate: SiteRoute.programmeSimulate.path()
        case .stylesheet: SiteRoute.stylesheet.path()
        case .events: SiteRoute.events.path()
        case .eventNew: SiteRoute.eventNew.path()
        case .event(let id): SiteRoute.event.path(id)
        case .eventEdit(let id): SiteRoute.eventEdit.path(id)
        case .eventInvite(let id): SiteRoute.eventInvite.path(id)
        case .eventStatus(let id): SiteRoute.eventStatus.path(id)
        case .eventRSVP(let id): SiteRoute.eventRSVP.path(id)
        case .imports: SiteRoute.imports.path()
        case .exportMembers: SiteRoute.exportMembers.path()
        case .exportPurchases: SiteRoute.exportPurchases.path()
        case .exportLedger: SiteRoute.exportLedger.path()
        case .survey(let token): SiteRoute.survey.path(token)
        case .eventLink(let token): SiteRoute.eventLink.path(token)
        }
    }

    /// `?a=1&b=2` of the parameters that are given, percent-encoded.
    private static func query(_ items: [(String, String?)]) -> String {
        let parts = items.compactMap { k, v in v.flatMap { $0.isEmpty ? nil : k + "=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}
