import Foundation
import MallVIPStore
import Plot
import Vapor

/// The member's card in 卡包 (issue 22d, docs/wechat.md "The card in 卡包"), `/m/card/wechat`:
/// - without a card: a QR code (`/card/qrcode/create`, 30 minutes) to scan in WeChat and add the card;
/// - WeChat's 激活 button opens this page (the card's activate_url) with `card_id`, `encrypt_code` and `openid`: the
///   page asks the signed-in member to confirm (a POST with the CSRF token — a link alone never ties a card to an
///   account), then decrypts and activates the code with card number, points and tier;
/// - with a card: says so; points and tier follow by themselves (the push queue).
/// Scoped by `req.memberId` only. Without a card section in MALLVIP_WECHAT_CONFIG the page says the card is not offered.
struct MemberWechatCardController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.memberSiteWechatCard, use: show)
        routes.post(.memberSiteWechatCardActivate, use: activate)
    }

    struct Activation: Content {
        var card_id: String?
        var encrypt_code: String?
        var openid: String?
    }

    @Sendable func show(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let memberId = try req.memberId
        let title = ctx.t("微信会员卡", "Card in WeChat")
        let notice = try await Notices.take(req)
        guard let service = req.application.wechatCardService, req.application.wechatCardEnabled,
              let mall = try await service.mall(forMember: memberId) else {
            return MemberLayout.render(ctx, title: title, .p(.class("muted"), .text(ctx.t("本商场暂未开通微信会员卡", "This mall does not offer the card in WeChat yet"))))
        }
        let q = try req.query.decode(Activation.self)
        if let cardId = q.card_id, let enc = q.encrypt_code, !cardId.isEmpty, !enc.isEmpty, cardId.count <= 64, enc.count <= 512 {
            return MemberLayout.render(ctx, title: title, .form(.method(.post), .action(SiteRoute.memberSiteWechatCardActivate.path()), .class("card"),
                MemberLayout.csrfField(ctx),
                .input(.type(.hidden), .name("card_id"), .value(cardId)),
                .input(.type(.hidden), .name("encrypt_code"), .value(enc)),
                .input(.type(.hidden), .name("openid"), .value(String((q.openid ?? "").prefix(64)))),
                .p(.text(ctx.t("将微信卡包中的会员卡与您的会员账户关联：卡上显示您的卡号、积分和等级，之后自动更新。",
                               "Link the card in your WeChat card package to your membership: it shows your card number, points and tier, and stays up to date."))),
                .button(.type(.submit), .class("wide"), .text(ctx.t("激活会员卡", "Activate the card")))))
        }
        if let active = try await req.store.wechatCard(memberId: memberId) {
            return MemberLayout.render(ctx, title: title, .div(.class("card"), .id("wechat-card"),
                .if(notice != nil, .p(.class("notice"), .text(notice ?? ""))),
                .p(.strong(.text(ctx.t("已在微信卡包中", "In your WeChat card package")))),
                .p(.text(ctx.t("卡号 ", "Card number ") + active.membershipNumber)),
                .p(.class("muted"), .text(ctx.t("积分和等级变动后自动更新到微信卡包。", "Points and tier are updated in WeChat when they change.")))))
        }
        do {
            let qr = try await service.qrcode(mall: mall, memberId: memberId)
            return MemberLayout.render(ctx, title: title, .div(.class("card"), .id("wechat-card"),
                .p(.text(ctx.t("用微信扫一扫领取会员卡，然后在卡包中点「激活」。", "Scan with WeChat to add the card, then tap 激活 (activate) in the card package."))),
                .img(.src(qr.show_qrcode_url), .alt(ctx.t("领卡二维码", "QR code to add the card")), .attribute(named: "width", value: "240")),
                .p(.class("muted"), .text(ctx.t("二维码 30 分钟内有效", "The QR code is valid for 30 minutes")))))
        } catch {
            req.logger.warning("wechat card QR for member \(memberId): \(String(describing: error))")
            return MemberLayout.render(ctx, title: title, .p(.class("muted"), .text(ctx.t("暂时无法生成领卡二维码，请稍后再试", "The QR code cannot be made right now; please try again later"))),
                                       status: .serviceUnavailable)
        }
    }

    @Sendable func activate(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let memberId = try req.memberId
        let form = try req.content.decode(Activation.self)
        guard let cardId = form.card_id, let enc = form.encrypt_code, !cardId.isEmpty, !enc.isEmpty, cardId.count <= 64, enc.count <= 512 else {
            throw Abort(.unprocessableEntity, reason: ctx.t("card_id 和 encrypt_code 必填（由微信卡包带来）", "card_id and encrypt_code are required (WeChat adds them)"))
        }
        guard let service = req.application.wechatCardService, req.application.wechatCardEnabled else { throw Abort(.notFound) }
        do {
            _ = try await service.activate(memberId: memberId, cardId: cardId, encryptCode: enc, openid: form.openid.map { String($0.prefix(64)) })
        } catch let e as WechatCardProblem {
            throw Abort(.unprocessableEntity, reason: ctx.t("无法激活：", "Cannot activate: ") + e.description)
        } catch let e as WechatAPIError {
            req.logger.warning("wechat card activation for member \(memberId): \(e)")
            throw Abort(e.isTransient ? .serviceUnavailable : .unprocessableEntity,
                        reason: ctx.t("微信未能激活此卡，请稍后重试", "WeChat could not activate the card; please try again later"))
        }
        return req.redirect(to: try await Forms.withNotice(req, SiteRoute.memberSiteWechatCard.path(), ctx.t("会员卡已激活", "Your card is activated")),
                            redirectType: .normal)
    }
}
