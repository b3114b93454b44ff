import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The door page: one big field first (a phone held in one hand), the answer under it, then the head count.
enum CheckInPage {
    struct Model {
        var event: Event
        var count: DoorCount
        var arrivals: [EventInvitation]
        var outcome: CheckInOutcome?
        var error: String?
        var programme: Programme
        /// The proof that the member in a `.notInvited` answer was just presented (issue 14), sent with the walk-in.
        var walkInGrant: String? = nil
    }

    static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(.class("checkin"), .id("checkin"),
            .p(.b(.text(m.event.title)), .text(" · " + m.event.place + " · " + Layout.dateTime(dateFromMillis(m.event.startsAtMs), m.programme))),
            Layout.errorBox(m.error),
            .unwrap(m.outcome) { answer($0, m, ctx) },
            .form(.method(.post), .action(SiteURL.eventCheckIn(m.event.id).path), .id("checkin-form"),
                Layout.csrfField(ctx),
                .label(.text(ctx.t("卡号、手机号或邀请二维码链接", "Card number, phone or invitation QR link")),
                       .input(.type(.text), .name("q"), .id("q"), .required(true), .autofocus(true),
                              .attribute(named: "autocomplete", value: "off"), .attribute(named: "inputmode", value: "text"))),
                .button(.type(.submit), .id("checkin-submit"), .text(ctx.t("签到", "Check in")))),
            .div(.class("grid"), .id("door-count"),
                stat(ctx.t("已到场 / 容量", "Arrived / capacity"), "\(m.count.attended) / \(m.count.capacity)", id: "count-attended"),
                stat(ctx.t("待到场（已接受）", "Expected (accepted)"), String(m.count.expected), id: "count-expected"),
                stat(ctx.t("现场来宾", "Walk-ins"), String(m.count.walkIns), id: "count-walkins")),
            .if(m.count.full, .p(.class("error"), .id("full"), .text(ctx.t("已满员：不再接受现场来宾", "Full: no more walk-ins")))),
            .form(.method(.post), .action(SiteURL.eventWalkIn(m.event.id).path), .id("guest-form"),
                Layout.csrfField(ctx),
                .button(.type(.submit), .class("secondary"), .id("guest-walkin"), .text(ctx.t("登记无卡现场来宾", "Record a walk-in without card")))),
            .h2(.text(ctx.t("最近到场", "Latest arrivals"))),
            .ul(.id("arrivals"), .forEach(m.arrivals) { a in
                .li(.text(Layout.dateTime(dateFromMillis(a.checkedInAtMs ?? a.createdAtMs), m.programme) + " · "
                          + (a.memberName ?? ctx.t("无卡来宾", "Guest without card"))
                          + (a.walkIn ? ctx.t("（现场）", " (walk-in)") : "")))
            }),
            .p(.a(.href(SiteURL.eventReport(m.event.id).path), .text(ctx.t("活动报告", "Event report"))))
        )
    }

    static func answer(_ o: CheckInOutcome, _ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        func name(_ i: EventInvitation) -> String { i.memberName ?? ctx.t("无卡来宾", "Guest without card") }
        switch o {
        case .checkedIn(let i):
            return .p(.class("notice"), .id("answer"), .attribute(named: "data-outcome", value: "checkedIn"),
                      .text(ctx.t("签到成功：\(name(i))", "Checked in: \(name(i))")))
        case .walkIn(let i):
            return .p(.class("notice"), .id("answer"), .attribute(named: "data-outcome", value: "walkIn"),
                      .text(ctx.t("已登记现场来宾：\(name(i))", "Walk-in recorded: \(name(i))")))
        case .alreadyCheckedIn(let i):
            let at = i.checkedInAtMs.map { Layout.dateTime(dateFromMillis($0), m.programme) } ?? ""
            return .p(.class("error"), .id("answer"), .attribute(named: "role", value: "alert"), .attribute(named: "data-outcome", value: "already"),
                      .text(ctx.t("\(name(i)) 已于 \(at) 签到，不重复计数", "\(name(i)) already checked in at \(at); not counted again")))
        case .notInvited(let memberId, let memberName, let cardNo):
            return .div(.class("error"), .id("answer"), .attribute(named: "data-outcome", value: "notInvited"),
                .p(.text(ctx.t("\(memberName)（\(cardNo ?? "—")）不在邀请名单上", "\(memberName) (\(cardNo ?? "—")) is not on the invitation list"))),
                .form(.method(.post), .action(SiteURL.eventWalkIn(m.event.id).path),
                    Layout.csrfField(ctx),
                    .input(.type(.hidden), .name("memberId"), .value(String(memberId))),
                    .unwrap(m.walkInGrant) { .input(.type(.hidden), .name(MemberAccess.walkInGrantParameter), .value($0)) },
                    .button(.type(.submit), .id("member-walkin"), .text(ctx.t("登记为现场来宾", "Record as walk-in")))))
        }
    }

    static func stat(_ label: String, _ value: String, id: String) -> Node<HTML.BodyContext> {
        .div(.class("stat"), .id(id), .b(.text(value)), .text(label))
    }
}
