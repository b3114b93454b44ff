import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Gifts with a record (issue 18, docs/workflows.md "Gifts at the desk", docs/reports.md "Gifts"): the desk hands an
/// entitlement over from the member page (once only: the store's conditional update decides between two desks);
/// managers, planners and admins read the gift report and its CSV; managers and admins set the stock per mall.
enum GiftsController {
    static func register(_ routes: any RoutesBuilder) throws {
        // Under /console/members/:id: MemberAccessMiddleware checks the member is one of the user's malls first.
        let desk = routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk))
        desk.post(.memberGiftHandOver, use: handOver)
        let readers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.reportReaders))
        readers.get(.gifts, use: report)
        readers.get(.giftsCSV, use: csv)
        let managers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers))
        managers.post(.giftStock, use: setStock)
    }

    struct HandOverForm: Content { var `where`: String? }

    @Sendable static func handOver(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        guard let memberId = req.parameters.get("id", as: Int64.self), let gid = req.parameters.get("gid", as: Int64.self) else {
            throw Abort(.notFound)
        }
        let form = try req.content.decode(HandOverForm.self)
        let place = Forms.trimmed(form.where)
        guard place.count <= 80 else {
            throw DomainError.invalid("where", "gift.where.length", zh: "领取地点最多 80 个字", en: "where: at most 80 characters")
        }
        let mall = try await MallAccess.enrolmentMall(req)
        let back = SiteURL.member(memberId).path
        do {
            let e = try await req.store.handOverGift(entitlementId: gid, memberId: memberId, mallId: mall,
                                                     where: place.isEmpty ? ctx.t("服务台", "Service desk") : place, actor: req.actor)
            let (_, programme) = try await req.store.programme()
            let name = programme.gifts.item(e.giftCode)?.name ?? LocalizedName(zh: e.giftCode, en: e.giftCode)
            return req.redirect(to: try await Forms.withNotice(req, back, ctx.t("已发放：\(name.zh)", "Handed over: \(name.en)")) + "#gifts")
        } catch let e as DomainError {
            // The member page with the reason (409 once only / expired, 422 out of stock).
            var model = try await MemberPage.Query.model(req.store, id: memberId)
            model.error = Forms.message(e, ctx)
            return Layout.render(ctx, title: MemberPage.View.title(model, ctx), status: Forms.status(e), MemberPage.View.body(model, ctx))
        }
    }

    static func range(_ req: Request) async throws -> (CostPeriod, CostPeriod) {
        let (_, programme) = try await req.store.programme()
        let thisMonth = CostPeriod(LocalDate.of(req.store.env.now(), in: programme.timeZone))
        func month(_ name: String) throws -> CostPeriod? {
            let text = Forms.trimmed(req.query[String.self, at: name])
            if text.isEmpty { return nil }
            guard text.count <= 7, let p = CostPeriod(text) else {
                throw DomainError.invalid(name, "gift.report.month", zh: "\(name) 须为月份 YYYY-MM", en: "\(name) must be a month YYYY-MM")
            }
            return p
        }
        let through = try month("through") ?? thisMonth
        let from = try month("from") ?? CostPeriod(through.firstDay.adding(months: -11))
        guard from <= through else {
            throw DomainError.invalid("from", "gift.report.order", zh: "起始月份不能晚于结束月份", en: "from must not be after through")
        }
        guard CostPeriod(from.firstDay.adding(months: 36)) > through else {
            throw DomainError.invalid("through", "gift.report.span", zh: "最多 36 个月", en: "at most 36 months")
        }
        return (from, through)
    }

    static func model(_ req: Request) async throws -> GiftReportPage.Model {
        let (from, through) = try await range(req)
        // Issue 17: default = the user's malls; a mall outside them is refused (403).
        let mall = try await MallAccess.reportMall(req, code: req.query["mall"])
        let (_, programme) = try await req.store.programme()
        return GiftReportPage.Model(report: try await req.store.giftReport(from: from, through: through, mallId: mall?.id),
                                    programme: programme, mall: mall, malls: try await MallAccess.visibleMalls(req),
                                    stock: try await req.store.giftStock(), canSetStock: StaffRole.managers.contains(req.staff.user.role))
    }

    @Sendable static func report(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        var m = try await model(req)
        m.notice = try await Notices.take(req)
        return Layout.render(ctx, title: ctx.t("会员礼品", "Member gifts"), GiftReportPage.View.body(m, ctx))
    }

    @Sendable static func csv(req: Request) async throws -> Response {
        let m = try await model(req)
        try await req.store.audit(actor: req.actor, action: "gift.report.export", subject: "\(m.report.from)..\(m.report.through)",
                                  detail: "rows=\(m.report.lines.count) mall=\(m.mall?.code ?? "all")")
        return Response(status: .ok, headers: CSVText.headers(filename: "gifts-\(m.report.from)-\(m.report.through).csv"),
                        body: .init(string: GiftReportPage.csv(m)))
    }

    struct StockForm: Content {
        var gift: String?
        var mall: String?
        var remaining: String?
    }

    @Sendable static func setStock(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let f = try req.content.decode(StockForm.self)
        let (_, programme) = try await req.store.programme()
        guard let gift = programme.gifts.item(Forms.trimmed(f.gift)) else {
            throw DomainError.invalid("gift", "gift.exists", zh: "没有这种礼品", en: "no such gift in the programme")
        }
        guard let mallId = try BoundedNumber.int(Forms.trimmed(f.mall), field: "mall", BoundedNumber.id),
              try await MallAccess.visibleMalls(req).contains(where: { $0.id == mallId }) else {
            throw DomainError.invalid("mall", "gift.stock.mall", zh: "请选择您所在的商场", en: "choose one of your malls")
        }
        guard let remaining = try BoundedNumber.int(Forms.trimmed(f.remaining), field: "remaining", 0...1_000_000) else {
            throw DomainError.invalid("remaining", "gift.stock.range", zh: "库存须为 0 至 1,000,000 的整数", en: "remaining must be a whole number from 0 to 1,000,000")
        }
        try await req.store.setGiftStock(giftCode: gift.code, mallId: mallId, remaining: Int64(remaining), actor: req.actor)
        return req.redirect(to: try await Forms.withNotice(req, SiteRoute.gifts.path(), ctx.t("已更新库存", "Stock updated")) + "#stock")
    }
}
