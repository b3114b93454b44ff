import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The view of /console/channels: points by channel (purchases, sales net of refunds, points net of reversals) with a
/// total row that is the purchases' own totals, the duplicates caught by rule and state, and the review list.
enum ChannelsPage {
    struct Model: Sendable {
        var report: ChannelReport
        var open: [ChannelDuplicate]
        var decided: [ChannelDuplicate]
        var programme: Programme
        var mall: Mall?
        var malls: [Mall]
        var notice: String?
    }

    static func channelName(_ raw: String) -> (zh: String, en: String) {
        switch raw {
        case "pos": ("收银台", "Till (POS)")
        case "wechat_pay": ("微信支付", "WeChat Pay")
        case "photo": ("拍照积分", "Receipt photo")
        case "desk": ("服务台", "Desk")
        case "import": ("导入", "Import")
        case "total": ("合计", "Total")
        default: (raw, raw)
        }
    }

    static func ruleName(_ rule: String) -> (zh: String, en: String) {
        switch rule {
        case "receipt": ("同一小票号（已拦截）", "Same receipt number (refused)")
        case "claim": ("非会员小票补积分", "Non-member receipt claimed")
        case "match": ("店柜+金额+时间匹配", "Counter, amount and time match")
        default: (rule, rule)
        }
    }

    static func stateName(_ state: String) -> (zh: String, en: String) {
        switch state {
        case "caught": ("自动处理", "Handled automatically")
        case "open": ("待审", "Open")
        case "confirmed": ("确认重复", "Confirmed")
        case "dismissed": ("驳回", "Dismissed")
        default: (state, state)
        }
    }

    /// Points by channel, then the duplicates (UTF-8 with BOM, plain yuan).
    static func csv(_ m: Model) -> String {
        var out = CSVFormat.bom + CSVFormat.line(["渠道 channel", "笔数 purchases", "销售额 sales", "积分 points"])
        for l in m.report.lines + [m.report.total] {
            out += CSVFormat.line([l.channel, String(l.purchases), Money.yuan(l.salesFen, grouping: false), String(l.points)])
        }
        out += CSVFormat.line(["规则 rule", "状态 state", "条数 count", "冲回积分 points reversed"])
        for d in m.report.duplicates {
            out += CSVFormat.line([d.rule, d.state, String(d.count), String(d.pointsReversed)])
        }
        return out
    }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let r = m.report
            var query = "?from=\(r.from)&through=\(r.through)"
            if let mall = m.mall { query += "&mall=" + (mall.code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? mall.code) }
            return .div(
                Layout.noticeBox(m.notice),
                .form(.method(.get), .action(SiteRoute.channels.path()), .class("inline"),
                      Layout.field(ctx.t("起始日期", "From"), name: "from", value: r.from.description, placeholder: "2026-01-01"),
                      Layout.field(ctx.t("结束日期", "Through"), name: "through", value: r.through.description, placeholder: "2026-01-31"),
                      .if(m.malls.count > 1, Layout.select(ctx.t("商场", "Mall"), name: "mall",
                                                          options: [("", ctx.t("全部", "All"))] + m.malls.map { ($0.code, $0.name) },
                                                          selected: m.mall?.code ?? "")),
                      .button(.type(.submit), .text(ctx.t("查看", "Show"))),
                      .text(" "), .a(.href(SiteRoute.channelsCSV.path() + query), .text(ctx.t("导出 CSV", "Export CSV")))),
                .p(.class("muted"), .text(ctx.t(
                    "按营业日统计；销售额扣除退货，积分扣除冲回；合计即这些日期全部小票的合计。",
                    "By business day; sales net of refunds, points net of reversals; the total is that of every purchase of these days."))),
                .table(.class("channel-report"),
                       .tr(.th(.text(ctx.t("渠道", "Channel"))), .th(.class("num"), .text(ctx.t("笔数", "Purchases"))),
                           .th(.class("num"), .text(ctx.t("销售额（元）", "Sales (yuan)"))), .th(.class("num"), .text(ctx.t("积分", "Points")))),
                       .forEach(r.lines + [r.total]) { l in
                           let n = channelName(l.channel)
                           return .tr(.if(l.channel == "total", .class("total")), .td(.text(ctx.t(n.zh, n.en))),
                                      .td(.class("num"), .text("\(l.purchases)")), .td(.class("num"), .text(Money.yuan(l.salesFen))),
                                      .td(.class("num"), .text("\(l.points)")))
                       }),
                .h2(.text(ctx.t("拦截与待审的重复", "Duplicates caught"))),
                .if(r.duplicates.isEmpty, .p(.class("muted"), .text(ctx.t("此期间没有发现重复", "No duplicates found in this period")))),
                .if(!r.duplicates.isEmpty, .table(.class("channel-duplicates"),
                    .tr(.th(.text(ctx.t("规则", "Rule"))), .th(.text(ctx.t("状态", "State"))), .th(.class("num"), .text(ctx.t("条数", "Count"))),
                        .th(.class("num"), .text(ctx.t("冲回积分", "Points reversed")))),
                    .forEach(r.duplicates) { d in
                        let rule = ruleName(d.rule), state = stateName(d.state)
                        return .tr(.td(.text(ctx.t(rule.zh, rule.en))), .td(.text(ctx.t(state.zh, state.en))),
                                   .td(.class("num"), .text("\(d.count)")), .td(.class("num"), .text("\(d.pointsReversed)")))
                    })),
                .h2(.id("review"), .text(ctx.t("待审核的疑似重复（\(m.open.count)）", "To review (\(m.open.count))"))),
                .p(.class("muted"), .text(ctx.t(
                    "同一商场、同一店柜、金额相同、时间相近（章程 channels.matchWindowMinutes 分钟内）的不同渠道小票。确认重复：冲回后一笔的积分（退货单号 DUP+编号）；驳回：两笔都是真实消费。",
                    "Purchases of different channels in one mall at the same counter for the same amount close in time (programme channels.matchWindowMinutes). Confirm: the later one's points are reversed (refund DUP + number); dismiss: two real purchases."))),
                .form(.method(.post), .action(SiteRoute.channelsSweep.path()), .class("inline"), Layout.csrfField(ctx),
                      .button(.type(.submit), .text(ctx.t("扫描收银台小票", "Sweep till purchases now")))),
                .if(m.open.isEmpty, .p(.class("muted"), .text(ctx.t("没有待审核的记录", "Nothing to review")))),
                .if(!m.open.isEmpty, .table(.class("channel-review"),
                    .tr(.th(.text("#")), .th(.text(ctx.t("先记录", "Recorded first"))), .th(.text(ctx.t("后记录", "Recorded later"))),
                        .th(.text(ctx.t("处理", "Decision")))),
                    .forEach(m.open) { f in
                        .tr(.attribute(named: "data-flag", value: "\(f.id)"), .td(.text("\(f.id)")),
                            .td(purchase(f.first, m, ctx)), .td(.unwrap(f.second) { purchase($0, m, ctx) }),
                            .td(decide(f, ctx)))
                    })),
                .if(!m.decided.isEmpty, .h2(.text(ctx.t("最近处理", "Recently decided")))),
                .if(!m.decided.isEmpty, .table(.class("channel-decided"),
                    .tr(.th(.text("#")), .th(.text(ctx.t("小票", "Receipts"))), .th(.text(ctx.t("结果", "Decision"))),
                        .th(.text(ctx.t("审核人", "Reviewer"))), .th(.text(ctx.t("备注", "Note")))),
                    .forEach(m.decided) { f in
                        let state = stateName(f.state)
                        return .tr(.td(.text("\(f.id)")), .td(.text("\(f.first.receiptNo) / \(f.second?.receiptNo ?? f.receiptNo)")),
                                   .td(.text(ctx.t(state.zh, state.en) + (f.refundNo.map { " · \($0)" } ?? ""))),
                                   .td(.text(f.reviewedBy ?? "")), .td(.text(f.note ?? "")))
                    })))
        }

        static func purchase(_ p: ChannelPurchaseSummary, _ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let n = channelName(p.channel)
            let at = Layout.dateTime(Date(timeIntervalSince1970: Double(p.occurredAtMs) / 1000), m.programme)
            return .div(.strong(.text(ctx.t(n.zh, n.en))), .text(" \(p.receiptNo)"), .br(),
                        .text("\(p.counterCode) · \(Money.yuan(p.totalFen)) \(ctx.t("元", "yuan")) · \(at)"), .br(),
                        .text(ctx.t("积分 \(p.pointsEarned - p.pointsReversed)", "points \(p.pointsEarned - p.pointsReversed)")),
                        .unwrap(p.memberId) { id in .group(.text(" · "), .a(.href(SiteRoute.member.path(id)), .text(p.cardNo ?? "#\(id)"))) })
        }

        static func decide(_ f: ChannelDuplicate, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                .form(.method(.post), .action(SiteRoute.channelFlagConfirm.path(f.id)), .class("inline"), Layout.csrfField(ctx),
                      Layout.field(ctx.t("备注", "Note"), name: "note"),
                      .button(.type(.submit), .text(ctx.t("确认重复并冲回", "Confirm and reverse")))),
                .form(.method(.post), .action(SiteRoute.channelFlagDismiss.path(f.id)), .class("inline"), Layout.csrfField(ctx),
                      .input(.type(.hidden), .name("note"), .value("")),
                      .button(.type(.submit), .text(ctx.t("驳回（两笔都有效）", "Dismiss (both real)")))))
        }
    }
}
