import Foundation
import MallVIPStore
import Plot

/// The console menu grouped by task (issue 17 "A console a clerk finds their way in"): 会员服务, 营销与关怀,
/// 活动与反馈, 报表与财务, 设置. Which entries a role gets is still `Layout.navigation(role)`, written with the same
/// `StaffRole` sets the routes are registered behind, so a menu entry never leads to a 403 (ConsoleMenuTests follows
/// every entry for every role, and checks that a hidden entry is indeed refused). Here each entry only finds its
/// group, by its path; an entry added to `navigation` without a group here lands in 设置 rather than vanishing.
enum ConsoleMenu {
    enum Group: Int, CaseIterable, Sendable {
        case members, marketing, events, reports, settings

        var title: (zh: String, en: String) {
            switch self {
            case .members: ("会员服务", "Member service")
            case .marketing: ("营销与关怀", "Marketing and care")
            case .events: ("活动与反馈", "Events and feedback")
            case .reports: ("报表与财务", "Reports and finance")
            case .settings: ("设置", "Settings")
            }
        }
    }

    struct Entry: Sendable {
        var zh: String
        var en: String
        var path: String
    }

    /// Path (without query) → group. Home is the brand link and the first entry of 会员服务.
    static let groupOfPath: [String: Group] = [
        SiteURL.dashboard.path: .members,
        SiteURL.members(query: nil).path: .members,
        SiteURL.enrol.path: .members,
        SiteURL.coupons(status: nil, query: nil).path: .members,
        HandbookURL.tier(nil): .members,                                 // issue 18
        SiteRoute.photos.path(): .members,                               // issue 19
        SiteURL.tierRequests.path: .members,
        SiteURL.myVIPs(staff: nil).path: .members,
        SiteURL.calls.path: .members,
        SiteURL.tasks(staff: nil, kind: nil, status: nil).path: .members,
        SiteURL.accountManagers.path: .members,
        SiteURL.prospects(counter: nil, department: nil).path: .members,
        SiteURL.segments.path: .marketing,
        SiteURL.campaigns.path: .marketing,
        SiteURL.journeys.path: .marketing,
        SiteURL.templates.path: .marketing,
        SiteURL.messages(status: nil, channel: nil, source: nil, member: nil, month: nil).path: .marketing,
        SiteURL.churn.path: .marketing,
        SiteURL.partners.path: .marketing,
        SiteURL.events.path: .events,
        SiteURL.complaints(status: nil).path: .events,
        SiteURL.feedbackReport(quarter: nil).path: .events,
        SiteURL.reports(period: nil, mall: nil).path: .reports,
        SiteRoute.gifts.path(): .reports,                                 // issue 18
        SiteRoute.channels.path(): .reports,                              // issue 19
        SiteURL.financePoints(days: nil).path: .reports,
        SiteURL.financeCoFunding(month: nil).path: .reports,
        SiteURL.financeLiability(month: nil).path: .reports,
        SiteURL.economics(year: nil).path: .reports,
        SiteURL.targets(year: nil).path: .reports,
        SiteURL.managerRanking(month: nil).path: .reports,
        SiteURL.exports.path: .reports,
        QualityURL.page(): .reports,                                     // issue 17 (17D)
        QualityURL.staffFigures(period: nil, mall: nil): .reports,
    ]

    static func group(of path: String) -> Group {
        let bare = String(path.split(separator: "?", maxSplits: 1).first ?? "")
        return groupOfPath[bare] ?? .settings
    }

    /// The role's entries, grouped, in the order `navigation` lists them; empty groups are left out.
    static func groups(_ role: StaffRole) -> [(Group, [Entry])] {
        var byGroup: [Group: [Entry]] = [:]
        for item in Layout.navigation(role) {
            byGroup[group(of: item.1), default: []].append(Entry(zh: item.0.0, en: item.0.1, path: item.1))
        }
        return Group.allCases.compactMap { g in byGroup[g].map { (g, $0) } }
    }

    static func nav(_ role: StaffRole, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .nav(.class("menu"), .attribute(named: "aria-label", value: ctx.t("主菜单", "Main menu")),
             .forEach(groups(role)) { g, entries in
                 .div(.class("menu-group"), .attribute(named: "data-group", value: "\(g)"),
                      .span(.class("menu-title"), .text(ctx.t(g.title.zh, g.title.en))),
                      .forEach(entries) { e in
                          let here = ctx.path == e.path.split(separator: "?").first.map(String.init)
                          return .a(.href(e.path), .if(here, .attribute(named: "aria-current", value: "page")), .text(ctx.t(e.zh, e.en)))
                      })
             })
    }
}
