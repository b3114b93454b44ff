import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension MemberPage {
    enum View {
        static func title(_ m: Model, _ ctx: PageContext) -> String {
            "\(m.member.name) · \(ctx.tier(m.effectiveTier, m.programme))"
        }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let member = m.member
            let canManage = ctx.user.map { StaffRole.managers.contains($0.role) } ?? false
            let canEdit = ctx.user.map { StaffRole.memberDesk.contains($0.role) } ?? false
            return .div(
                Layout.noticeBox(m.notice),
                Layout.errorBox(m.error),
                .div(.class("grid"),
                     Dashboard.View.stat(ctx.t("等级", "Tier"), ctx.tier(m.effectiveTier, m.programme)),
                     Dashboard.View.stat(ctx.t("积分余额", "Points"), "\(member.pointsBalance)"),
                     Dashboard.View.stat(ctx.t("卡号", "Card"), member.cardNo ?? "—"),
                     Dashboard.View.stat(ctx.t("卡状态", "Card state"), member.cardState.map { $0.label.text(ctx.lang) } ?? "—")),
                .p(.class("tier"), .text(tierWhy(m, ctx))),
                discountToday(m, ctx),   // issue 18: event-only tier discounts (MemberPage+Discount.swift)
                .unwrap(m.progress) { p in
                    .p(.class("progress"), .text(progressText(p, m, ctx)))
                },
                .p(.class("muted"), .text(windows(m, ctx))),
                expiryNotice(m, ctx),
                giftsToCollect(m, canEdit: canEdit, ctx),   // issue 18: open gifts, handed over from here
                .if(member.status != "active", .p(.class("error"), .text(member.status == "erased"
                    ? ctx.t("此会员已注销，个人资料已清除", "This member's account was deleted; personal data erased")
                    : ctx.t("此会员已停用", "This member is deactivated")))),
                // Issue 17: the figures beside the timeline, the tabs (plain links), then every section and action form in
                // a <details> dialog (closed until opened; no JavaScript needed). The action dialog opens on an error.
                glance(m, ctx),
                tabs(m, ctx),
                tabBody(m, ctx),
                dialog(ctx.t("资料", "Profile"), id: "profile", .div(
                    profile(m, ctx),
                    .h2(.text(ctx.t("标签", "Tags"))),
                    MemberTagsView.body(m.tags, memberId: member.id, canEdit: canEdit, ctx))),
                .if(canEdit || canManage, dialog(ctx.t("操作：修改资料、兑换、卡、等级、积分", "Actions: profile, redeem, card, tier, points"),
                                                 id: "actions", open: m.error != nil, .div(
                    .if(canEdit, .p(.a(.class("button"), .href(SiteURL.memberEdit(member.id).path), .text(ctx.t("修改资料", "Edit profile"))),
                                    .text(" "),
                                    .a(.class("button"), .href(SiteURL.memberRedeem(member.id).path), .text(ctx.t("积分兑换", "Redeem points"))))),
                    .if(canEdit, cardActions(m, ctx)),
                    .if(canManage, managerActions(m, ctx))))),
                dialog(ctx.t("维护人与联系记录", "Account manager and contacts"), id: "manager",
                       MemberManagerView.body(m.manager, member: member, m.programme, ctx)),
                dialog(ctx.t("等级权益", "Tier benefits"), id: "benefits", tierBenefits(m, ctx)),
                dialog(ctx.t("礼品记录", "Gift record"), id: "gift-record", giftRecord(m, ctx)),
                dialog(ctx.t("车牌与停车", "Plates and parking"), id: "parking", parking(m, canEdit: canEdit, ctx)),
                dialog(ctx.t("优惠券", "Coupons"), id: "coupons",
                       MemberCouponsView.body(m.coupons, m.programme, today: m.today, memberId: member.id, canIssue: canManage, ctx)),
                dialog(ctx.t("推荐", "Referrals"), id: "referrals", MemberReferralsView.body(m.referrals, m.programme, memberId: member.id, ctx)),
                dialog(ctx.t("消息", "Messages"), id: "messages", MemberMessagesView.body(m.messages, m.programme, memberId: member.id, ctx)),
                dialog(ctx.t("等级变更", "Tier history"), id: "tier-history", tierHistory(m, ctx)),
                dialog(ctx.t("积分明细", "Points ledger"), id: "ledger", ledger(m, ctx)),
                dialog(ctx.t("消费记录", "Purchases"), id: "purchases", purchases(m, ctx))
            )
        }

        static func tierWhy(_ m: Model, _ ctx: PageContext) -> String {
            if let manual = m.member.manualTier, m.effectiveTier == manual, let until = m.member.manualUntil {
                return ctx.t("人工设定：\(ctx.tier(manual, m.programme))，至 \(until)（\(m.member.manualReason ?? "")）",
                             "Set by hand: \(ctx.tier(manual, m.programme)) until \(until) (\(m.member.manualReason ?? ""))")
            }
            if let change = m.tierChanges.first(where: { $0.toTier == m.member.earnedTier && $0.reason != nil }), let r = change.reason {
                return ctx.t("\(r.months)个月累计消费 \(Money.yuan(r.spendFen)) 元，达到 \(Money.yuan(r.thresholdFen)) 元（\(Layout.dateTime(change.at, m.programme))）",
                             "\(r.months)-month spend \(Money.yuan(r.spendFen)) reached \(Money.yuan(r.thresholdFen)) yuan (\(Layout.dateTime(change.at, m.programme)))")
            }
            return ctx.t("入会等级（\(m.member.enrolRule)）", "Entry tier (\(m.member.enrolRule))")
        }

        /// "还差 1,240 元 升级金卡"
        static func progressText(_ p: TierProgress, _ m: Model, _ ctx: PageContext) -> String {
            progressText(p, m.programme, ctx)
        }

        /// Shared with the member's own card page (/m/card).
        static func progressText(_ p: TierProgress, _ programme: Programme, _ ctx: PageContext) -> String {
            let name = ctx.tier(p.nextTier, programme)
            return ctx.t("还差 \(Money.yuanCeil(p.shortfallFen)) 元 升级\(name)（\(p.months)个月内）",
                         "\(Money.yuanCeil(p.shortfallFen)) yuan more within \(p.months) months to reach \(name)")
        }

        static func windows(_ m: Model, _ ctx: PageContext) -> String {
            m.programme.tierWindows.map { w in
                ctx.t("近\(w)个月消费 \(Money.yuan(m.spend.spend(months: w))) 元", "last \(w) months: \(Money.yuan(m.spend.spend(months: w))) yuan")
            }.joined(separator: " · ")
        }

        static func profile(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let member = m.member
            let phone = ctx.seesPersonalData ? member.phone : Identity.maskPhone(member.phone)
            let rows: [(String, String)] = [
                (ctx.t("姓名", "Name"), member.name + (member.gender.title.zh.isEmpty ? "" : " " + member.gender.title.text(ctx.lang))),
                (ctx.t("性别", "Gender"), member.gender.label.text(ctx.lang)),
                (ctx.t("手机", "Phone"), phone),
                (ctx.t("生日", "Birthday"), member.birthday?.description ?? "—"),
                (ctx.t("邮箱", "E-mail"), ctx.seesPersonalData ? (member.email ?? "—") : (member.email == nil ? "—" : "***")),
                (ctx.t("地址", "Address"), ctx.seesPersonalData ? (member.address ?? "—") : (member.address == nil ? "—" : "***")),
                (ctx.t("身份证号", "National ID"), member.idMasked ?? "—"),
                (ctx.t("服装尺码", "Clothing size"), member.profile.clothingSize),
                (ctx.t("偏好", "Preferences"), member.profile.preferences),
                (ctx.t("兴趣爱好", "Hobbies"), member.profile.hobbies),
                (ctx.t("营销许可", "Marketing consent"), [member.consentSMS ? ctx.t("短信", "SMS") : nil, member.consentEmail ? ctx.t("邮件", "e-mail") : nil,
                                                          member.consentPhone ? ctx.t("电话", "phone") : nil].compactMap { $0 }.joined(separator: " ")),
                (ctx.t("入会", "Enrolled"), "\(Layout.dateTime(member.enrolledAt, m.programme)) · \(member.enrolRule)"
                    + (member.enrolOverrideReason.map { ctx.t(" · 经理特批：", " · override: ") + $0 } ?? "")),
                (ctx.t("备注", "Notes"), member.notes),
            ]
            return .table(.forEach(rows) { row in .tr(.th(.text(row.0)), .td(.text(row.1))) })
        }

        static func cardActions(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(.class("panel"),
                 .form(.method(.post), .action(SiteURL.memberAction(m.member.id, .cardLost).path), .class("inline"),
                       Layout.csrfField(ctx), .button(.class("secondary"), .type(.submit), .text(ctx.t("挂失", "Report card lost")))),
                 // Replacement only after the holder is checked (issue 17): its form is MemberPage+History's.
                 MemberChangesView.cardReplaceForm(memberId: m.member.id, ctx))
        }

        static func managerActions(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                .form(.class("card"), .method(.post), .action(SiteURL.memberAction(m.member.id, .manualTier).path),
                      Layout.csrfField(ctx),
                      .h2(.text(ctx.t("人工设定等级（如荣誉钻石卡）", "Set tier by hand (e.g. honorary diamond)"))),
                      .label(.text(ctx.t("等级", "Tier")),
                             .select(.attribute(named: "name", value: "tier"),
                                     .option(.value(""), .label(ctx.t("（取消人工等级）", "(end the manual tier)"))),
                                     .forEach(m.programme.tiers) { t in .option(.value(t.code), .label(t.name.text(ctx.lang))) })),
                      Layout.field(ctx.t("截止日期", "Until"), name: "until", type: .date),
                      Layout.field(ctx.t("原因", "Reason"), name: "reason", required: true),
                      .button(.type(.submit), .text(ctx.t("保存", "Save")))),
                .form(.class("card"), .method(.post), .action(SiteURL.memberAction(m.member.id, .adjustPoints).path),
                      Layout.csrfField(ctx),
                      .h2(.text(ctx.t("积分调整", "Adjust points"))),
                      Layout.field(ctx.t("积分（可为负）", "Points (may be negative)"), name: "points", type: .number, required: true),
                      Layout.field(ctx.t("原因", "Reason"), name: "reason", required: true),
                      .button(.type(.submit), .text(ctx.t("调整", "Adjust")))),
                .if(m.member.idMasked != nil,
                    .form(.class("card"), .method(.post), .action(SiteURL.memberAction(m.member.id, .revealID).path),
                          Layout.csrfField(ctx),
                          .button(.class("secondary"), .type(.submit), .text(ctx.t("查看完整身份证号（将记录审计）", "Show full national ID (audited)")))))
            )
        }

        static func tierHistory(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(
                .tr(.th(.text(ctx.t("时间", "When"))), .th(.text(ctx.t("变更", "Change"))), .th(.text(ctx.t("原因", "Reason"))), .th(.text(ctx.t("操作人", "By")))),
                .forEach(m.tierChanges) { c in
                    .tr(.td(.text(Layout.dateTime(c.at, m.programme))),
                        .td(.text("\(ctx.tier(c.fromTier, m.programme)) → \(ctx.tier(c.toTier, m.programme)) (\(c.kind))")),
                        .td(.text(c.reason.map { ctx.t("\($0.months)个月 \(Money.yuan($0.spendFen)) ≥ \(Money.yuan($0.thresholdFen))",
                                                       "\($0.months) months \(Money.yuan($0.spendFen)) ≥ \(Money.yuan($0.thresholdFen))") } ?? c.note)),
                        .td(.text(c.actor)))
                })
        }

        static func ledger(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(
                .tr(.th(.text(ctx.t("时间", "When"))), .th(.text(ctx.t("类型", "Kind"))), .th(.class("num"), .text(ctx.t("积分", "Points"))),
                    .th(.class("num"), .text(ctx.t("余额", "Balance"))), .th(.text(ctx.t("说明", "Note")))),
                .forEach(m.ledger) { e in
                    .tr(.td(.text(Layout.dateTime(e.at, m.programme))), .td(.text(kindName(e.kind, ctx))),
                        .td(.class("num"), .text(e.points > 0 ? "+\(e.points)" : "\(e.points)")), .td(.class("num"), .text("\(e.balanceAfter)")),
                        .td(.text(e.note)))
                })
        }

        static func kindName(_ kind: String, _ ctx: PageContext) -> String {
            switch kind {
            case "earn": ctx.t("消费积分", "earned")
            case "reverse": ctx.t("退货扣回", "reversed")
            case "adjust": ctx.t("人工调整", "adjusted")
            case "redeem": ctx.t("兑换", "redeemed")
            case "redeemVoid": ctx.t("兑换作废退回", "redemption voided")
            case "expire": ctx.t("过期", "expired")
            case "referral": ctx.t("推荐奖励", "referral reward")
            case "referralReverse": ctx.t("推荐奖励收回", "referral reward reversed")
            case "checkIn": ctx.t("活动签到积分", "event check-in points")
            case "survey": ctx.t("问卷积分", "survey points")
            case "profile": ctx.t("完善资料积分", "profile completed points")
            default: kind
            }
        }

        static func purchases(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .table(
                .tr(.th(.text(ctx.t("时间", "When"))), .th(.text(ctx.t("小票号", "Receipt"))), .th(.text(ctx.t("商场", "Mall"))),
                    .th(.class("num"), .text(ctx.t("金额（元）", "Amount (yuan)"))), .th(.class("num"), .text(ctx.t("退货（元）", "Refunded"))),
                    .th(.class("num"), .text(ctx.t("积分", "Points")))),
                .forEach(m.purchases) { p in
                    .tr(.td(.text(Layout.dateTime(p.occurredAt, m.programme))), .td(.text(p.receiptNo)), .td(.text(p.mallCode)),
                        .td(.class("num"), .text(Money.yuan(p.totalFen))), .td(.class("num"), .text(p.refundedFen > 0 ? Money.yuan(p.refundedFen) : "")),
                        .td(.class("num"), .text("\(p.pointsEarned - p.pointsReversed)")))
                })
        }
    }
}
