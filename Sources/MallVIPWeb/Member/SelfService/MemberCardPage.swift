import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// /m/card: the card the cashier scans (Code 128 and QR of the card number), the tier and points, and how far the
/// next tier is, in words.
enum MemberCardPage {
    struct Model: Sendable {
        var member: Member
        var programme: Programme
        var effectiveTier: String
        var progress: TierProgress?
        var expiring: [ExpiringPoints]
        /// Whether the tier's discount applies today, in words (issue 18); nil when the tier gives none.
        var discountToday: LocalizedName? = nil
    }

    enum Query {
        static func model(_ store: Store, memberId: Int64) async throws -> Model {
            guard let member = try await store.member(id: memberId) else {
                throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "会员不存在", en: "member not found")
            }
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            let tier = programme.effectiveTier(earned: member.earnedTier, manual: member.manualTier, manualUntil: member.manualUntil, on: today)
            let spend = try await store.rollingSpend(memberId: memberId)
            return Model(member: member, programme: programme, effectiveTier: tier, progress: programme.progress(from: tier, spend: spend),
                         expiring: try await store.pointsExpiring(withinDays: MemberPage.BenefitsPart.expiryWarningDays, on: today,
                                                                  memberId: memberId),
                         discountToday: programme.discountToday(tier: tier, on: today)?.text)
        }
    }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                .section(.class("panel member-card"),
                         .p(.class("tier"), .text(ctx.tier(m.effectiveTier, m.programme))),
                         .p(.text(m.member.name)),
                         card(m, ctx)),
                .section(.class("panel"),
                         .h2(.text(ctx.t("积分", "Points"))),
                         .p(.class("code points-balance"), .text("\(m.member.pointsBalance)")),
                         .forEach(m.expiring) { e in
                             .p(.class("notice"), .text(ctx.t("\(e.points) 积分将于 \(e.expiresOn) 到期", "\(e.points) points expire on \(e.expiresOn)")))
                         },
                         .p(.a(.href(MemberURL.points(page: nil).path), .text(ctx.t("积分明细", "Points history"))),
                            .text(" · "),
                            .a(.href(MemberURL.purchases(page: nil).path), .text(ctx.t("消费记录", "Purchases"))))),
                .section(.class("panel"),
                         .h2(.text(ctx.t("等级", "Tier"))),
                         .p(.class("progress"), .text(progress(m, ctx))),
                         .unwrap(m.discountToday) { d in .p(.id("discount-today"), .text(ctx.t("会员折扣：", "Member discount: ") + d.text(ctx.lang))) },
                         // Issue 18: the whole handbook — next tier, earning, rewards, benefits — from the programme.
                         .p(.a(.href(MemberURL.programme.path), .text(ctx.t("会员手册：升级、积分与权益", "Member handbook: tiers, points and benefits"))))),
                // Issue 17: members file complaints themselves and follow their state (MemberComplaintsPage).
                .p(.a(.class("button secondary"), .href(MemberURL.complaints.path), .text(ctx.t("投诉与意见", "Complaints")))))
        }

        static func card(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            guard let number = m.member.cardNo else {
                return .p(.class("error"), .text(ctx.t("暂无会员卡，请到服务台办理", "No card yet; please ask at the service desk")))
            }
            guard m.member.cardState == .active else {
                let state = m.member.cardState.map { $0.label.text(ctx.lang) } ?? "—"
                return .group(.p(.class("code"), .text(number)),
                              .p(.class("error"), .text(ctx.t("卡状态：\(state)，暂不能使用，请到服务台办理", "Card state: \(state). It cannot be used; please ask at the service desk"))))
            }
            return .group(
                .p(.class("muted"), .text(ctx.t("结账时出示给收银员扫码", "Show this to the cashier to scan"))),
                .div(.class("barcode"), .raw(BarcodeSVG.code128(number) ?? "")),
                .p(.class("code card-number"), .text(number)),
                .div(.class("qr"), .raw(QRCode.svg(number, pixelsPerModule: 6, label: ctx.t("会员卡二维码 \(number)", "Card QR code \(number)")))))
        }

        static func progress(_ m: Model, _ ctx: PageContext) -> String {
            guard let p = m.progress else {
                return ctx.t("您已是最高等级：\(ctx.tier(m.effectiveTier, m.programme))", "You are in the top tier: \(ctx.tier(m.effectiveTier, m.programme))")
            }
            if p.shortfallFen == 0 {
                return ctx.t("已达到\(ctx.tier(p.nextTier, m.programme))的条件，将在下次等级评定时升级",
                             "You qualify for \(ctx.tier(p.nextTier, m.programme)); it applies at the next tier review")
            }
            return MemberPage.View.progressText(p, m.programme, ctx)
        }
    }
}
