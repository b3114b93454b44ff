import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// Campaign statuses, counts and percentages as the campaign pages show them (message kinds: MessageText).
enum CampaignText {
    static func status(_ s: CampaignStatus, _ ctx: PageContext) -> String { s.label.text(ctx.lang) }

    /// 1500‰ → "150.0%".
    static func percent(_ permille: Int64) -> String {
        let sign = permille < 0 ? "-" : ""
        let m = permille.magnitude
        return "\(sign)\(m / 10).\(m % 10)%"
    }

    static func count(_ n: Int?) -> String { n.map(String.init) ?? "—" }
    static func yuan(_ fen: Int64?) -> String { fen.map { Money.yuan($0) } ?? "—" }

    /// "满100元减20元，30天有效" — an attached coupon in one line.
    static func coupon(_ k: CouponTemplate, _ ctx: PageContext) -> String {
        let value = k.faceFen.map { ctx.t("\(Money.yuan($0)) 元", "\(Money.yuan($0)) yuan") } ?? k.discountPermille.map { Zhe.format($0) } ?? ""
        let min = k.minSpendFen > 0 ? ctx.t("，满 \(Money.yuan(k.minSpendFen)) 元可用", ", on spend of \(Money.yuan(k.minSpendFen)) yuan or more") : ""
        let days = k.validDays.map { ctx.t("，\($0) 天有效", ", valid \($0) days") } ?? ""
        return "\(k.name.zh)：\(value)\(min)\(days)"
    }
}

extension CampaignsPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                .p(.a(.class("button"), .href(SiteURL.campaignNew.path), .text(ctx.t("新建活动推送", "New campaign")))),
                .p(.class("muted"), .text(ctx.t("向一个分群一次性发送；随机抽取对照组不发送，观察期结束后比较两组的到店与消费，得出提升、成本与 ROI。",
                                                "A one-off send to a segment; a random control group is left out, and after the window the two groups' visits and spend give the uplift, cost and ROI."))),
                .if(m.campaigns.isEmpty, .p(.class("muted"), .text(ctx.t("还没有活动推送", "No campaigns yet")))),
                .if(!m.campaigns.isEmpty, .table(
                    .tr(.th(.text(ctx.t("活动", "Campaign"))), .th(.text(ctx.t("分群", "Segment"))), .th(.text(ctx.t("渠道", "Channel"))),
                        .th(.text(ctx.t("状态", "Status"))), .th(.text(ctx.t("发送时间", "Send time"))),
                        .th(.class("num"), .text(ctx.t("受众", "Audience"))), .th(.class("num"), .text(ctx.t("对照组", "Holdout")))),
                    .forEach(m.campaigns) { c in
                        .tr(.td(.a(.href(SiteURL.campaign(c.id).path), .text(c.name))),
                            .td(.text(m.segmentNames[c.segmentId] ?? "#\(c.segmentId)")),
                            .td(.text(MessageText.channel(c.channel, ctx))),
                            .td(.text(CampaignText.status(c.status, ctx))),
                            .td(.text((c.sentAt ?? c.scheduledAt).map { Layout.dateTime($0, m.programme) } ?? ctx.t("排期时立即", "when scheduled"))),
                            .td(.class("num"), .text(CampaignText.count(c.audienceCount))),
                            .td(.class("num"), .text(CampaignText.count(c.holdoutCount))))
                    }))
            )
        }
    }
}

extension CampaignForm {
    enum View {
        static func title(_ m: Model, _ ctx: PageContext) -> String {
            m.id == nil ? ctx.t("新建活动推送", "New campaign") : ctx.t("编辑活动推送", "Edit campaign") + " · " + m.values.name
        }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let v = m.values
            let action = m.id.map { SiteURL.campaignEdit($0).path } ?? SiteURL.campaignNew.path
            let placeholders = MessageTemplate.placeholders.map { "{\($0)}" }.joined(separator: " ")
            return .div(
                .forEach(m.errors) { Layout.errorBox($0) },
                .if(m.segments.isEmpty, .p(.class("error"), .text(ctx.t("请先保存一个分群", "Save a segment first")))),
                .if(m.id != nil, .p(.class("muted"), .text(ctx.t("保存后活动回到草稿，需重新排期。", "Saving returns the campaign to draft; schedule it again.")))),
                .form(.class("card"), .method(.post), .action(action),
                      Layout.csrfField(ctx),
                      Layout.field(ctx.t("活动名称", "Name"), name: "name", value: v.name, required: true, placeholder: ctx.t("如：双十二会员专享", "e.g. Members' December offer")),
                      Layout.select(ctx.t("分群（发送当天的成员）", "Segment (its members on the send day)"), name: "segmentId",
                                    options: m.segments.map { (String($0.id), $0.name + ($0.lastCount.map { "（\($0)）" } ?? "")) }, selected: v.segmentId),
                      Layout.select(ctx.t("渠道", "Channel"), name: "channel",
                                    options: MessageChannel.allCases.map { ($0.rawValue, MessageText.channel($0, ctx)) }, selected: v.channel),
                      Layout.select(ctx.t("用途（关怀类不得含促销词，须以商场名和署名结尾）", "Purpose (care: no promotion, must end with store and sender)"),
                                    name: "purpose", options: MessagePurpose.allCases.map { ($0.rawValue, MessageText.purpose($0, ctx)) }, selected: v.purpose),
                      Layout.select(ctx.t("模板（或留空，在下面直接填写内容）", "Template (or none, and write the text below)"), name: "templateCode",
                                    options: [("", ctx.t("— 直接填写 —", "— write the text —"))]
                                        + m.templates.map { ($0.code, "\($0.name) · \(MessageText.channel($0.channel, ctx)) · \(MessageText.purpose($0.purpose, ctx))") },
                                    selected: v.templateCode),
                      Layout.field(ctx.t("邮件主题（仅邮件）", "E-mail subject (e-mail only)"), name: "subject", value: v.subject),
                      .label(.text(ctx.t("内容", "Text")),
                             .textarea(.name("body"), .attribute(named: "rows", value: "4"), .text(v.body))),
                      .p(.class("muted"), .text(ctx.t("可用占位符：", "Placeholders: ") + placeholders)),
                      Layout.field(ctx.t("对照组比例 %（不发送，用于比较）", "Control group % (not sent, for comparison)"), name: "holdout", value: v.holdout, required: true),
                      Layout.field(ctx.t("发送时间（留空则排期时立即发送）", "Send time (blank: as soon as scheduled)"), name: "scheduledAt",
                                   value: v.scheduledAt, type: .datetimeLocal),
                      Layout.checkbox(ctx.t("立即发送", "Send now"), name: "sendNow", checked: v.sendNow),
                      Layout.field(ctx.t("观察期（天）", "Window (days)"), name: "windowDays", value: v.windowDays, type: .number, required: true),
                      Layout.field(ctx.t("毛利率 %（用于 ROI）", "Margin % (for ROI)"), name: "margin", value: v.margin, required: true),
                      v.coupon.inputs(ctx, id: "campaign-coupon", heading: ("附加礼券（可选：处理组每人一张，对照组不发；文案须含 {couponCode}）",
                                              "Attached coupon (optional: one per treated member, none for the holdout; the text must carry {couponCode})")),
                      .button(.type(.submit), .name("action"), .value("save"), .text(ctx.t("保存草稿", "Save draft"))),
                      .text(" "),
                      .button(.type(.submit), .name("action"), .value("schedule"), .text(ctx.t("保存并排期", "Save and schedule"))),
                      .text(" "),
                      .a(.href(m.id.map { SiteURL.campaign($0).path } ?? SiteURL.campaigns.path), .text(ctx.t("返回", "Back"))))
            )
        }
    }
}

extension CampaignPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let c = m.campaign
            return .div(
                Layout.noticeBox(m.notice),
                .if(!c.note.isEmpty, .p(.class("error"), .text(c.note))),
                details(m, ctx),
                actions(c, ctx),
                .if(c.audienceCount != nil, outbox(m, ctx)),
                .if(c.sentAt != nil, report(m, ctx)),
                .p(.a(.href(SiteURL.campaigns.path), .text(ctx.t("返回活动推送", "Back to campaigns"))))
            )
        }

        static func details(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let c = m.campaign
            let text = c.templateCode.map { ctx.t("模板 ", "Template ") + $0 } ?? ctx.t("直接填写", "written on the campaign")
            return .table(
                .tr(.th(.text(ctx.t("状态", "Status"))), .td(.text(CampaignText.status(c.status, ctx)))),
                .tr(.th(.text(ctx.t("分群", "Segment"))), .td(.text(m.segmentName ?? ctx.t("（已删除）", "(deleted)")))),
                .tr(.th(.text(ctx.t("渠道 / 用途", "Channel / purpose"))),
                    .td(.text(MessageText.channel(c.channel, ctx) + " / " + MessageText.purpose(c.purpose, ctx)))),
                .tr(.th(.text(ctx.t("内容", "Text"))), .td(.text(text),
                    .unwrap(c.subject) { .div(.strong(.text($0))) },
                    .unwrap(c.body) { .div(.text($0)) })),
                .tr(.th(.text(ctx.t("对照组比例", "Control share"))), .td(.text(CampaignText.percent(Int64(c.holdoutPermille))))),
                .tr(.th(.text(ctx.t("发送时间", "Send time"))),
                    .td(.text(c.scheduledAt.map { Layout.dateTime($0, m.programme) } ?? ctx.t("排期时立即", "when scheduled")))),
                .tr(.th(.text(ctx.t("观察期 / 毛利率", "Window / margin"))),
                    .td(.text(ctx.t("\(c.windowDays) 天", "\(c.windowDays) days") + " / " + CampaignText.percent(Int64(c.marginPermille))))),
                .tr(.th(.text(ctx.t("创建", "Created"))), .td(.text("\(c.createdBy) · \(Layout.dateTime(c.createdAt, m.programme))"))),
                .unwrap(c.coupon) { k in
                    .tr(.th(.text(ctx.t("附加礼券", "Attached coupon"))), .td(.id("campaign-coupon"), .text(CampaignText.coupon(k, ctx))))
                }
            )
        }

        static func actions(_ c: Campaign, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .if(c.status.isOpen, .div(.class("actions"),
                .a(.class("button"), .href(SiteURL.campaignEdit(c.id).path), .text(ctx.t("编辑", "Edit"))),
                .if(c.status == .draft,
                    .form(.method(.post), .action(SiteURL.campaignAction(c.id, .schedule).path), .class("inline"),
                          Layout.csrfField(ctx),
                          .button(.type(.submit), .text(ctx.t("排期发送", "Schedule"))))),
                .if(c.status == .draft,
                    .form(.method(.post), .action(SiteURL.campaignAction(c.id, .sendNow).path), .class("inline"),
                          Layout.csrfField(ctx),
                          .button(.type(.submit), .text(ctx.t("立即发送", "Send now"))))),
                .form(.method(.post), .action(SiteURL.campaignAction(c.id, .cancel).path), .class("inline"),
                      Layout.csrfField(ctx),
                      .button(.type(.submit), .text(ctx.t("取消活动", "Cancel campaign"))))))
        }

        static func outbox(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let c = m.campaign
            let statuses = MessageStatus.allCases.filter { (m.report.statusCounts[$0] ?? 0) > 0 }
            return .div(
                .h2(.text(ctx.t("受众与发送", "Audience and sending"))),
                .table(
                    .tr(.th(.text(ctx.t("受众", "Audience"))), .th(.text(ctx.t("处理组", "Treated"))), .th(.text(ctx.t("对照组", "Holdout")))),
                    .tr(.td(.class("num"), .text(CampaignText.count(c.audienceCount))), .td(.class("num"), .text(CampaignText.count(c.treatedCount))),
                        .td(.class("num"), .text(CampaignText.count(c.holdoutCount))))),
                .table(.class("outbox-status"),
                    .tr(.forEach(statuses) { .th(.text(MessageText.status($0, ctx))) }, .th(.text(ctx.t("成本（元）", "Cost (yuan)")))),
                    .tr(.forEach(statuses) { .td(.class("num"), .text("\(m.report.statusCounts[$0] ?? 0)")) },
                        .td(.class("num"), .text(Money.yuan(m.report.uplift.costFen)))))
            )
        }

        static func report(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let r = m.report, u = r.uplift
            let window = "\(r.windowStart.map(String.init(describing:)) ?? "") – \(r.windowLastDay.map(String.init(describing:)) ?? "")"
            func row(_ label: String, _ t: String, _ h: String) -> Node<HTML.TableContext> {
                .tr(.th(.text(label)), .td(.class("num"), .text(t)), .td(.class("num"), .text(h)))
            }
            let perMember = { (g: GroupSummary) in g.visitsPerMember.map { String(format: "%.2f", $0) } ?? "—" }
            let ci = zipCI(u)
            return .div(.class("campaign-report"),
                .h2(.text(ctx.t("效果报告", "Report"))),
                .p(.text(ctx.t("观察期 ", "Window ") + window),
                   .if(!r.windowOver, .strong(.class("window-open"), .text(ctx.t("（观察期未结束，以下为截至今日的数据）", " (window not over yet: figures so far)"))))),
                .table(
                    .tr(.th(), .th(.text(ctx.t("处理组", "Treated"))), .th(.text(ctx.t("对照组", "Holdout")))),
                    row(ctx.t("会员数", "Members"), "\(u.treated.members)", "\(u.holdout.members)"),
                    row(ctx.t("其中拒发（无同意、退订、频次上限）", "of whom refused (consent, opt-out, cap)"), "\(r.refusedTreated)", "\(r.refusedHoldout)"),
                    row(ctx.t("到店天数", "Visits (purchase days)"), "\(u.treated.visits)", "\(u.holdout.visits)"),
                    row(ctx.t("人均到店", "Visits per member"), perMember(u.treated), perMember(u.holdout)),
                    row(ctx.t("消费（元，扣除退货）", "Spend (yuan, net of refunds)"), Money.yuan(u.treated.spendFen), Money.yuan(u.holdout.spendFen)),
                    row(ctx.t("人均消费（元）", "Spend per member (yuan)"), CampaignText.yuan(u.treated.spendPerMemberFen),
                        CampaignText.yuan(u.holdout.spendPerMemberFen))),
                .table(
                    .tr(.th(.text(ctx.t("人均提升（元）", "Uplift per member (yuan)"))),
                        .td(.class("num uplift"), .text(u.upliftPerMemberFen.map { Money.yuan($0) + (u.ciHalfWidthFen.map { " ± " + Money.yuan($0) } ?? "") }
                                                         ?? ctx.t("无对照组，无法计算", "no control group")))),
                    .tr(.th(.text(ctx.t("95% 置信区间", "95% confidence interval"))),
                        .td(.class("num"), .text(ci ?? ctx.t("每组至少 2 人才能计算", "needs at least 2 members per group")))),
                    .tr(.th(.text(ctx.t("增量销售（元）", "Incremental spend (yuan)"))), .td(.class("num"), .text(CampaignText.yuan(u.incrementalSpendFen)))),
                    .tr(.th(.text(ctx.t("增量毛利（元）", "Incremental margin (yuan)"))), .td(.class("num"), .text(CampaignText.yuan(u.incrementalMarginFen)))),
                    .tr(.th(.text(ctx.t("成本（元）", "Cost (yuan)"))), .td(.class("num"), .text(Money.yuan(u.costFen)))),
                    .tr(.th(.text("ROI")), .td(.class("num roi"), .text(u.roiPermille.map(CampaignText.percent)
                                                                       ?? ctx.t("—（无成本或无对照组）", "— (no cost or no control group)"))))),
                .unwrap(r.coupons) { k in couponReport(k, ctx) },
                .p(.class("muted"), .text(ctx.t(
                    "按意向处理（ITT）比较：处理组含被拒发的会员，对照组为随机抽中、未发送的会员。区间为 Welch 两样本均值差 ± 1.96 × 标准误。ROI =（增量销售 × 毛利率 − 成本）÷ 成本。",
                    "Intention to treat: the treated group includes members the outbox refused; the holdout are those drawn and not sent. Interval: Welch's difference of means ± 1.96 × standard error. ROI = (incremental spend × margin − cost) ÷ cost.")))
            )
        }

        /// The attached coupon's figures beside the uplift (issue 18).
        static func couponReport(_ k: CampaignCouponFigures, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(.id("coupon-report"),
                .tr(.th(.text(ctx.t("礼券发放", "Coupons issued"))), .td(.class("num coupons-issued"), .text("\(k.issued)"))),
                .tr(.th(.text(ctx.t("礼券使用", "Coupons used"))), .td(.class("num coupons-used"), .text("\(k.used)"))),
                .tr(.th(.text(ctx.t("核销率", "Redemption rate"))), .td(.class("num coupons-rate"), .text(CampaignText.percent(Int64(k.redemptionPermille))))),
                .tr(.th(.text(ctx.t("礼券抵扣（元）", "Coupon discount (yuan)"))), .td(.class("num"), .text(Money.yuan(k.discountFen)))),
                .tr(.th(.text(ctx.t("用券小票消费（元，扣除退货）", "Spend on the coupons' receipts (yuan, net of refunds)"))),
                    .td(.class("num coupons-spend"), .text(Money.yuan(k.receiptSpendFen)))))
        }

        static func zipCI(_ u: UpliftReport) -> String? {
            guard let low = u.ciLowFen, let high = u.ciHighFen else { return nil }
            return "[\(Money.yuan(low)), \(Money.yuan(high))]"
        }
    }
}
