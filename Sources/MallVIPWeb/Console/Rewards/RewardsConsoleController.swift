import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Console routes for redemption: the desk redeems and voids on a member's redeem page; planners, managers and
/// admins keep the catalogue and read the counter settlement.
enum RewardsConsoleController {
    static func register(_ routes: any RoutesBuilder) throws {
        let desk = routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk))
        desk.get(.memberRedeem, use: redeemPage)
        desk.post(.memberRedeem, use: redeem)
        desk.post(.redemptionVoid, use: void)

        let org = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers.union(StaffRole.organisation)))
        org.get(.rewards, use: catalogue)
        org.get(.rewardNew, use: newItem)
        org.post(.rewardNew, use: createItem)
        org.get(.rewardSettlement, use: settlement)
        org.get(.rewardSettlementCSV, use: settlementCSV)
        org.get(.reward, use: editItem)
        org.post(.reward, use: updateItem)
        org.post(.rewardStock, use: adjustStock)
        org.post(.rewardActive, use: setActive)
    }

    static func id(_ req: Request, _ name: String = "id") throws -> Int64 {
        guard let id = req.parameters.get(name, as: Int64.self) else { throw Abort(.notFound) }
        return id
    }

    // MARK: Desk

    @Sendable static func redeemPage(req: Request) async throws -> Response {
        // The coupon line is a notice too: shown only beside this session's one-time notice, never from a link alone.
        let notice = try await Notices.take(req)
        let coupon = notice == nil ? nil : req.query[String.self, at: "coupon"].flatMap {
            $0.count <= 64 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } ? $0 : nil
        }
        return try await renderRedeem(req, memberId: try id(req), notice: notice, coupon: coupon, error: nil)
    }

    static func renderRedeem(_ req: Request, memberId: Int64, notice: String?, coupon: String?, error: String?,
                             status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        var model = try await RedeemPage.Query.model(req.store, memberId: memberId)
        model.notice = notice
        model.couponCode = coupon
        model.error = error
        return Layout.render(ctx, title: RedeemPage.View.title(model, ctx), status: status, RedeemPage.View.body(model, ctx))
    }

    struct RedeemForm: Content {
        var idempotencyKey: String
        var item: String
        var listPrice: String?
    }

    @Sendable static func redeem(req: Request) async throws -> Response {
        let memberId = try id(req)
        let f = try req.content.decode(RedeemForm.self)
        do {
            var listPrice: Int64?
            if let text = f.listPrice, !text.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let fen = Money.parseYuan(text) else {
                    throw DomainError.invalid("listPrice", "amount.yuan", zh: "标价须为金额（元），如 199.00", en: "the list price must be an amount in yuan, e.g. 199.00")
                }
                listPrice = fen
            }
            let r = try await req.store.redeem(RedemptionRequest(idempotencyKey: f.idempotencyKey, memberId: memberId, itemCode: f.item,
                                                                 listPriceFen: listPrice), actor: req.actor).value
            let notice = req.lang.t("已兑换 \(r.itemName.zh)，扣 \(r.points) 分，余额 \(r.balanceAfter) 分",
                                    "Redeemed \(r.itemName.en): \(r.points) points taken, balance \(r.balanceAfter)")
            var target = try await Forms.withNotice(req, SiteURL.memberRedeem(memberId).path, notice)
            if let code = r.couponCode { target += "&coupon=" + (code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? code) }
            return req.redirect(to: target)
        } catch let e as DomainError {
            return try await renderRedeem(req, memberId: memberId, notice: nil, coupon: nil, error: Forms.message(e, PageContext(req)),
                                          status: Forms.status(e))
        }
    }

    struct VoidForm: Content { var reason: String? }

    @Sendable static func void(req: Request) async throws -> Response {
        let memberId = try id(req), redemptionId = try id(req, "rid")
        let f = try req.content.decode(VoidForm.self)
        guard let r = try await req.store.redemption(id: redemptionId), r.memberId == memberId else { throw Abort(.notFound) }
        do {
            try await req.store.voidRedemption(id: redemptionId, reason: f.reason ?? "", actor: req.actor)
            let notice = req.lang.t("已作废兑换 #\(redemptionId)，退回 \(r.points) 分", "Redemption #\(redemptionId) voided; \(r.points) points returned")
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.memberRedeem(memberId).path, notice))
        } catch let e as DomainError {
            return try await renderRedeem(req, memberId: memberId, notice: nil, coupon: nil, error: Forms.message(e, PageContext(req)),
                                          status: Forms.status(e))
        }
    }

    // MARK: Catalogue

    @Sendable static func catalogue(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await CataloguePage.Query.model(req.store, notice: try await Notices.take(req))
        return Layout.render(ctx, title: ctx.t("兑换礼品目录", "Reward catalogue"), CataloguePage.View.body(model, ctx))
    }

    static func renderForm(_ req: Request, id: Int64?, values: RewardForm.Values, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let model = RewardForm.Model(id: id, values: values, programme: try await req.store.programme().programme,
                                     counters: try await req.store.counterList().filter(\.active), error: error)
        return Layout.render(ctx, title: RewardForm.View.title(model, ctx), status: status, RewardForm.View.body(model, ctx))
    }

    @Sendable static func newItem(req: Request) async throws -> Response {
        try await renderForm(req, id: nil, values: .init(), error: nil)
    }

    @Sendable static func editItem(req: Request) async throws -> Response {
        guard let item = try await req.store.rewardItem(id: try id(req)) else { throw Abort(.notFound) }
        return try await renderForm(req, id: item.id, values: .init(item), error: nil)
    }

    struct ItemFormData: Content {
        var code: String?, nameZh: String?, nameEn: String?, kind: String?, points: String?, ladderCode: String?, listPrice: String?
        var specialPrice: String?, stock: String?, supplierCounterId: String?, perMemberLimit: String?, period: String?
        var perPeriodLimit: String?, validFrom: String?, validTo: String?, maxBalance: String?, windowCode: String?, onePerCard: String?
        var couponFace: String?, couponDiscount: String?, couponMinSpend: String?, couponValidDays: String?, couponValidTo: String?
        var couponCounters: String?, active: String?
    }

    static func values(_ req: Request) async throws -> RewardForm.Values {
        let f = try req.content.decode(ItemFormData.self)
        var v = RewardForm.Values()
        v.code = Forms.trimmed(f.code)
        v.nameZh = Forms.trimmed(f.nameZh)
        v.nameEn = Forms.trimmed(f.nameEn)
        v.kind = f.kind ?? v.kind
        v.points = Forms.trimmed(f.points)
        v.ladderCode = Forms.trimmed(f.ladderCode)
        v.listPrice = Forms.trimmed(f.listPrice)
        v.specialPrice = f.specialPrice != nil
        v.stock = Forms.trimmed(f.stock)
        v.supplierCounterId = Forms.trimmed(f.supplierCounterId)
        v.perMemberLimit = Forms.trimmed(f.perMemberLimit)
        v.period = f.period ?? v.period
        v.perPeriodLimit = Forms.trimmed(f.perPeriodLimit)
        v.validFrom = Forms.trimmed(f.validFrom)
        v.validTo = Forms.trimmed(f.validTo)
        v.tiers = try await req.store.programme().programme.tiers.map(\.code).filter {
            (try? req.content.get(String.self, at: "tier_\($0)")) != nil
        }
        v.maxBalance = Forms.trimmed(f.maxBalance)
        v.windowCode = Forms.trimmed(f.windowCode)
        v.onePerCard = f.onePerCard != nil
        v.couponFace = Forms.trimmed(f.couponFace)
        v.couponDiscount = Forms.trimmed(f.couponDiscount)
        v.couponMinSpend = Forms.trimmed(f.couponMinSpend)
        v.couponValidDays = Forms.trimmed(f.couponValidDays)
        v.couponValidTo = Forms.trimmed(f.couponValidTo)
        v.couponCounters = Forms.trimmed(f.couponCounters)
        v.active = f.active != nil
        return v
    }

    @Sendable static func createItem(req: Request) async throws -> Response {
        try await saveItem(req, id: nil)
    }

    @Sendable static func updateItem(req: Request) async throws -> Response {
        guard let item = try await req.store.rewardItem(id: try id(req)) else { throw Abort(.notFound) }
        return try await saveItem(req, id: item.id)
    }

    static func saveItem(_ req: Request, id: Int64?) async throws -> Response {
        let ctx = PageContext(req)
        var v = try await values(req)
        if let id, let saved = try await req.store.rewardItem(id: id) { v.stock = saved.stock.map(String.init) ?? "" }
        do {
            try await req.store.saveRewardItem(try v.item(id: id ?? 0), actor: req.actor)
            let notice = id == nil ? ctx.t("已新增 \(v.code)", "\(v.code) created") : ctx.t("已保存 \(v.code)", "\(v.code) saved")
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.rewards.path, notice))
        } catch let e as DomainError {
            return try await renderForm(req, id: id, values: v, error: Forms.message(e, ctx), status: Forms.status(e))
        }
    }

    struct StockForm: Content { var delta: String?; var reason: String? }

    @Sendable static func adjustStock(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let f = try req.content.decode(StockForm.self)
        do {
            guard let delta = try? BoundedNumber.int(f.delta, field: "delta", -NumericLimits.maxCount...NumericLimits.maxCount) else {
                throw DomainError.invalid("delta", "number.integer", zh: "调整数量须为整数（可为负）", en: "the change must be a whole number (may be negative)")
            }
            let stock = try await req.store.adjustRewardStock(itemId: try id(req), by: delta, reason: f.reason ?? "", actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.rewards.path, ctx.t("库存已调整为 \(stock)", "Stock is now \(stock)")))
        } catch let e as DomainError {
            let model = try await CataloguePage.Query.model(req.store, notice: nil, error: Forms.message(e, ctx))
            return Layout.render(ctx, title: ctx.t("兑换礼品目录", "Reward catalogue"), status: Forms.status(e), CataloguePage.View.body(model, ctx))
        }
    }

    struct ActiveForm: Content { var active: String }

    @Sendable static func setActive(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let active = try req.content.decode(ActiveForm.self).active == "1"
        try await req.store.setRewardItemActive(id: try id(req), active: active, actor: req.actor)
        return req.redirect(to: try await Forms.withNotice(req, SiteURL.rewards.path, active ? ctx.t("已启用", "Activated") : ctx.t("已停用", "Deactivated")))
    }

    // MARK: Settlement

    @Sendable static func settlement(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await SettlementPage.Query.model(req.store, month: req.query["month"])
        return Layout.render(ctx, title: ctx.t("店柜礼品结算", "Counter gift settlement") + " · " + model.month, SettlementPage.View.body(model, ctx))
    }

    @Sendable static func settlementCSV(req: Request) async throws -> Response {
        let model = try await SettlementPage.Query.model(req.store, month: req.query["month"])
        let headers = CSVText.headers(filename: "reward-settlement-\(model.month).csv")
        try await req.store.audit(actor: req.actor, action: "reward.settlementExport", subject: model.month)
        return Response(status: .ok, headers: headers, body: .init(string: SettlementPage.csv(model)))
    }
}
