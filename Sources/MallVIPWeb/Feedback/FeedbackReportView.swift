import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// The quarterly feedback report: scores against targets, the trend, what members complain about and where, SLA
/// attainment, and a summary in plain words that can be published to members.
enum FeedbackReportView {
    static func score(_ v: Int?) -> String { v.map(String.init) ?? "—" }

    static func page(_ ctx: PageContext, _ r: FeedbackReport, programme: Programme, notice: String?) -> Response {
        let lang = ctx.lang
        return Layout.render(ctx, title: ctx.t("反馈季报 \(r.quarter.key)", "Feedback report \(r.quarter.key)"), .div(
            Layout.noticeBox(notice),
            .p(.a(.href(SiteURL.feedbackReport(quarter: r.quarter.previous.key).path), .text("← \(r.quarter.previous.key)")),
               .text(" · "),
               .a(.href(SiteURL.feedbackReport(quarter: r.quarter.next.key).path), .text("\(r.quarter.next.key) →"))),
            .table(.class("scores"),
                   .tr(.th(.text("NPS")), .td(.id("nps"), .text(score(r.nps))),
                       .td(.text(ctx.t("目标 ≥ \(r.npsTarget)", "target ≥ \(r.npsTarget)"))), .td(.text(verdict(ctx, r.nps, r.npsTarget)))),
                   .tr(.th(.text("CSAT")), .td(.id("csat"), .text(score(r.csat))),
                       .td(.text(ctx.t("目标 ≥ \(r.csatTarget)", "target ≥ \(r.csatTarget)"))), .td(.text(verdict(ctx, r.csat, r.csatTarget))))),
            .p(.text(ctx.t("发出问卷 \(r.sent) 份，回答 \(r.npsCount.total) 份：推荐者 \(r.npsCount.promoters)，中立者 \(r.npsCount.passives)，贬损者 \(r.npsCount.detractors)。",
                           "\(r.sent) surveys sent, \(r.npsCount.total) answered: \(r.npsCount.promoters) promoters, \(r.npsCount.passives) passives, \(r.npsCount.detractors) detractors."))),
            .h2(.text(ctx.t("趋势", "Trend"))),
            .table(.thead(.tr(.th(.text(ctx.t("季度", "Quarter"))), .th(.text(ctx.t("回答", "Answers"))), .th(.text("NPS")), .th(.text("CSAT")))),
                   .tbody(.forEach(r.trend) { t in
                       .tr(.td(.text(t.quarter.key)), .td(.text(String(t.answers))), .td(.text(score(t.nps))), .td(.text(score(t.csat))))
                   })),
            .h2(.text(ctx.t("投诉 \(r.complaints) 件，服务请求 \(r.requests) 件", "\(r.complaints) complaints, \(r.requests) service requests"))),
            counts(ctx.t("投诉最多的类别", "Top complaint categories"), r.topCategories, id: "top-categories"),
            counts(ctx.t("投诉最多的专柜", "Counters with most complaints"), r.topCounters, id: "top-counters"),
            .h2(.text(ctx.t("服务时效（SLA）", "Service response (SLA)"))),
            .table(.id("sla"),
                   .thead(.tr(.th(.text(ctx.t("渠道", "Channel"))), .th(.text(ctx.t("件数", "Cases"))),
                              .th(.text(ctx.t("首次响应达标", "First response on time"))), .th(.text(ctx.t("解决达标", "Resolved on time"))))),
                   .tbody(.forEach(r.sla) { s in
                       .tr(.td(.text(s.channel.label.text(lang))), .td(.text(String(s.cases))),
                           .td(.text(ratio(s.firstResponseMet, s.firstResponseDecided))),
                           .td(.text(ratio(s.resolutionMet, s.resolutionDecided))))
                   })),
            .h2(.text(ctx.t("可公开的摘要", "Summary for members"))),
            .blockquote(.id("summary"), .text(summary(r, programme: programme, lang: lang))),
            .h2(.text(ctx.t("会员留言", "Comments"))),
            .ul(.forEach(r.comments.prefix(20)) { .li(.text($0)) }),
            .form(.method(.post), .action(SiteURL.feedbackQuarterlySend.path), Layout.csrfField(ctx),
                  .button(.type(.submit), .text(ctx.t("向本季抽样会员发送问卷", "Send this quarter's sample survey")))),
            .p(.a(.href(SiteURL.complaints(status: nil).path), .text(ctx.t("投诉与服务请求", "Complaints and requests"))))
        ))
    }

    static func verdict(_ ctx: PageContext, _ v: Int?, _ target: Int) -> String {
        guard let v else { return ctx.t("暂无回答", "no answers yet") }
        return v >= target ? ctx.t("达标", "on target") : ctx.t("未达标", "below target")
    }

    static func ratio(_ met: Int, _ of: Int) -> String {
        of == 0 ? "—" : "\(met)/\(of) (\(SurveyScore.roundedPercent(met, of: of))%)"
    }

    static func counts(_ title: String, _ items: [FeedbackReport.Count], id: String) -> Node<HTML.BodyContext> {
        .group(.h3(.text(title)), .ol(.id(id), .forEach(items) { .li(.text("\($0.name) · \($0.count)")) }))
    }

    /// Plain words for the mall's website: scores and how complaints were handled, no names.
    static func summary(_ r: FeedbackReport, programme: Programme, lang: UILanguage) -> String {
        let resolved = r.sla.reduce(0) { $0 + $1.resolutionMet }
        let decided = r.sla.reduce(0) { $0 + $1.resolutionDecided }
        let store = programme.messaging.storeName
        if lang == .en {
            return "\(r.quarter.key): \(r.npsCount.total) members told us about \(store). Net promoter score \(score(r.nps)), "
                + "satisfaction \(score(r.csat)) of 100. We handled \(r.complaints + r.requests) complaints and requests"
                + (decided > 0 ? "; \(SurveyScore.roundedPercent(resolved, of: decided))% were resolved within our service targets." : ".")
                + (r.topCategories.first.map { " Most mentioned: \($0.name); we are working on it." } ?? "")
        }
        return "\(r.quarter.key)：共有 \(r.npsCount.total) 位会员参与\(store)满意度调查，净推荐值 \(score(r.nps))，满意度 \(score(r.csat)) 分（满分 100）。"
            + "本季共处理投诉与服务请求 \(r.complaints + r.requests) 件"
            + (decided > 0 ? "，其中 \(SurveyScore.roundedPercent(resolved, of: decided))% 在服务时限内解决。" : "。")
            + (r.topCategories.first.map { "会员最关注的问题是「\($0.name)」，我们正在改进。" } ?? "")
    }
}
