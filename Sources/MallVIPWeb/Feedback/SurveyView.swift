import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// The survey page in the member site's phone frame: 0–10 and 1–5 as big tap targets (radio buttons styled as
/// buttons, so it works without JavaScript), free text, one submit.
enum SurveyView {
    static func form(_ ctx: PageContext, token: String, storeName: String, reason: SurveyReason, error: String? = nil,
                     previous: SurveyController.AnswerForm? = nil, status: HTTPResponseStatus = .ok) -> Response {
        let context: String = switch reason {
        case .event: ctx.t("感谢您参加我们的活动。", "Thank you for coming to our event.")
        case .complaint: ctx.t("您反映的问题已处理完毕。", "The matter you raised has been closed.")
        case .quarterly: ctx.t("我们每季度请部分会员评价服务。", "Each quarter we ask some members about our service.")
        }
        return MemberLayout.render(ctx, title: ctx.t("满意度调查", "Satisfaction survey"), .div(
            .raw(style),
            .p(.text(context)),
            Layout.errorBox(error),
            .form(.method(.post), .action(SiteURL.survey(token: token).path), .id("survey"),
                  .div(.class("scale"),
                            .p(.class("q"), .text(ctx.t("您有多大可能向朋友或同事推荐\(storeName)？（0 = 完全不会，10 = 非常愿意）",
                                                "How likely are you to recommend \(storeName) to a friend or colleague? (0 = not at all, 10 = extremely)"))),
                            .div(.class("choices nps"), .forEach(0...10) { n in
                                choice(name: "nps", value: n, checked: previous?.nps == n)
                            })),
                  .div(.class("scale"),
                            .p(.class("q"), .text(ctx.t("您对这次服务的总体满意度？（1 = 很不满意，5 = 非常满意）",
                                                "How satisfied are you overall? (1 = very dissatisfied, 5 = very satisfied)"))),
                            .div(.class("choices csat"), .forEach(1...5) { n in
                                choice(name: "csat", value: n, checked: previous?.csat == n)
                            })),
                  .label(.text(ctx.t("还有什么想告诉我们的？（选填）", "Anything else you would like to tell us? (optional)")),
                         .textarea(.name("comment"), .attribute(named: "rows", value: "4"),
                                   .attribute(named: "maxlength", value: "1000"), .text(previous?.comment ?? ""))),
                  .button(.type(.submit), .class("primary"), .text(ctx.t("提交", "Submit"))))
        ), status: status, signedIn: false)
    }

    static func choice(name: String, value: Int, checked: Bool) -> Node<HTML.FormContext> {
        .label(.class("choice"),
               .input(.type(.radio), .name(name), .value(String(value)), .checked(checked), .required(true)),
               .span(.text(String(value))))
    }

    static func thanks(_ ctx: PageContext, again: Bool, status: HTTPResponseStatus = .ok) -> Response {
        MemberLayout.render(ctx, title: ctx.t("感谢您的反馈", "Thank you"), .div(
            .p(.class(again ? "notice already" : "notice done"), .attribute(named: "role", value: "status"),
               .text(again ? ctx.t("此问卷已提交过，每个链接只能回答一次。感谢您的反馈！",
                                   "This survey has already been answered; each link can be answered once. Thank you!")
                           : ctx.t("已收到您的评价，我们会认真改进。", "We have your answers and will use them to improve.")))
        ), status: status, signedIn: false)
    }

    static func invalid(_ ctx: PageContext) -> Response {
        MemberLayout.render(ctx, title: ctx.t("链接无效", "Link not valid"), .div(
            .p(.class("error"), .attribute(named: "role", value: "alert"),
               .text(ctx.t("问卷链接无效，请联系会员服务台。", "This survey link is not valid. Please contact the VIP desk.")))
        ), status: .notFound, signedIn: false)
    }

    static func closed(_ ctx: PageContext) -> Response {
        MemberLayout.render(ctx, title: ctx.t("问卷已结束", "Survey closed"), .div(
            .p(.class("error"), .attribute(named: "role", value: "alert"),
               .text(ctx.t("此问卷已过期，感谢您的关注。", "This survey has closed. Thank you for your interest.")))
        ), status: .gone, signedIn: false)
    }

    /// Page-local rules: the member stylesheet is shared, and only this page needs the score grid.
    static let style = """
        <style>
        .scale{margin:0 0 1.2rem}
        .scale .q{font-weight:600;margin-bottom:.5rem;line-height:1.4}
        .choices{display:grid;gap:6px}
        .choices.nps{grid-template-columns:repeat(6,1fr)}
        .choices.csat{grid-template-columns:repeat(5,1fr)}
        .choice{position:relative;display:block;margin:0}
        .choice input{position:absolute;opacity:0;inset:0;width:100%;height:100%;margin:0;cursor:pointer}
        .choice span{display:flex;align-items:center;justify-content:center;min-height:44px;border:1px solid #b8b8b8;
          border-radius:8px;font-size:1.1rem;background:#fff}
        .choice input:checked+span{background:#8a1c2b;color:#fff;border-color:#8a1c2b}
        .choice input:focus-visible+span{outline:3px solid #2a6fdb}
        #survey textarea{width:100%;box-sizing:border-box;font-size:1rem}
        #survey button{width:100%;min-height:48px;margin-top:1rem}
        </style>
        """
}
