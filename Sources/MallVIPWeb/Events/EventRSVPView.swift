import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// The phone-sized pieces shared by the no-login link page `/e/{token}` and the member's `/m/events`.
enum EventRSVPView {
    static func details(_ e: Event, _ programme: Programme, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .dl(.class("event-details"),
            .dt(.text(ctx.t("类型", "Type"))), .dd(.text(e.type.label.text(ctx.lang))),
            .dt(.text(ctx.t("时间", "When"))),
            .dd(.text(Layout.dateTime(dateFromMillis(e.startsAtMs), programme) + " – " + Layout.dateTime(dateFromMillis(e.endsAtMs), programme))),
            .dt(.text(ctx.t("地点", "Where"))), .dd(.text(e.place)),
            .dt(.text(ctx.t("报名截止", "Reply by"))), .dd(.text(Layout.dateTime(dateFromMillis(e.rsvpDeadlineMs), programme))))
    }

    static func status(_ inv: EventInvitation, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let text: String = switch inv.status {
        case .accepted: ctx.t("您已确认出席，届时请出示下方二维码签到。", "You are coming: show the QR code below at the door.")
        case .waitlisted: ctx.t("名额已满，您在候补名单中；有人取消时将按顺序递补并通知您。", "The event is full: you are on the waitlist and will be told if a place frees up.")
        case .declined: ctx.t("您已谢绝本次邀请。", "You have declined this invitation.")
        case .attended: ctx.t("您已签到，欢迎光临！", "You have checked in. Welcome!")
        case .invited: ctx.t("请回复是否出席。", "Please let us know whether you will come.")
        }
        return .p(.class("rsvp-status rsvp-\(inv.status.rawValue)"), .attribute(named: "data-status", value: inv.status.rawValue), .text(text))
    }

    /// Accept / decline buttons while replies are open; the deadline otherwise.
    static func buttons(_ e: Event, _ inv: EventInvitation, action: String, csrf: String?, nowMs: Int64,
                        _ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard inv.status != .attended else { return .empty }
        guard e.rsvpOpen(atMs: nowMs) else {
            return .p(.class("muted"), .text(e.status == .open ? ctx.t("报名已截止", "Replies are closed") : e.status.label.text(ctx.lang)))
        }
        func button(_ accept: Bool, _ zh: String, _ en: String) -> Node<HTML.BodyContext> {
            .form(.method(.post), .action(action), .class("inline"),
                  .unwrap(csrf) { .input(.type(.hidden), .name("_csrf"), .value($0)) },
                  .input(.type(.hidden), .name("accept"), .value(accept ? "1" : "0")),
                  .button(.type(.submit), .class(accept ? "button" : "button secondary"), .text(ctx.t(zh, en))))
        }
        return .div(.class("rsvp-buttons"),
                    .if(inv.status != .accepted && inv.status != .waitlisted, button(true, "我会出席", "I will come")),
                    .if(inv.status != .declined, button(false, "无法出席", "I cannot come")))
    }

    static func qr(_ inv: EventInvitation, linkBase: String, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard inv.status == .accepted else { return .empty }
        let link = linkBase + SiteURL.eventLink(token: inv.token).path
        return .div(.class("qr"), .raw(QRCode.svg(link, pixelsPerModule: 5, label: ctx.t("入场二维码", "Entry QR code"))))
    }
}
