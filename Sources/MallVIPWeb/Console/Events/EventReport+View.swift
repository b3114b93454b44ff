import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// After the event: who came, what they bought afterwards against invited members who stayed away, and the cost.
enum EventReportPage {
    static func body(event: Event, report r: EventReport, followUpDays: Int, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        func yuan(_ fen: Int64?) -> String { fen.map { "¥" + Money.yuan($0) } ?? "—" }
        let stat = CheckInPage.stat
        return .div(.id("event-report"),
            .p(.b(.text(event.title)), .text(" · " + ctx.t(event.type.label.zh, event.type.label.en) + " · " + event.place)),
            .div(.class("grid"),
                stat(ctx.t("已邀请", "Invited"), String(r.invited), "r-invited"),
                stat(ctx.t("已接受", "Accepted"), String(r.accepted), "r-accepted"),
                stat(ctx.t("到场", "Attended"), String(r.attended), "r-attended"),
                stat(ctx.t("接受未到", "No-show"), String(r.noShow), "r-noshow"),
                stat(ctx.t("现场来宾", "Walk-ins"), String(r.walkIns), "r-walkins")),
            .h2(.text(ctx.t("活动后 \(followUpDays) 天消费（人均）", "Spend in the \(followUpDays) days after (per member)"))),
            .div(.class("grid"),
                stat(ctx.t("到场会员 \(r.attendeeMembers) 人", "\(r.attendeeMembers) attending members"), yuan(r.attendeeAverageFen), "r-attendee-avg"),
                stat(ctx.t("受邀未到会员 \(r.absentMembers) 人", "\(r.absentMembers) invited members who did not come"), yuan(r.absentAverageFen), "r-absent-avg"),
                stat(ctx.t("人均差额", "Difference per member"), yuan(r.upliftPerMemberFen), "r-uplift")),
            .h2(.text(ctx.t("成本", "Cost"))),
            .div(.class("grid"),
                stat(ctx.t("预算", "Budget"), yuan(r.budgetFen), "r-budget"),
                stat(ctx.t("每位到场者成本", "Cost per attendee"), yuan(r.costPerAttendeeFen), "r-cost")),
            .p(.a(.href(SiteURL.eventCheckIn(event.id).path), .text(ctx.t("签到页", "Check-in page"))))
        )
    }
}
