import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Coupon pages for the desk (look up, show, print) and hand-issuing for managers.
enum CouponsConsoleController {
    static func register(_ routes: any RoutesBuilder) throws {
        let desk = routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk))
        desk.get(.coupons, use: list)
        desk.get(.coupon, use: show)
        let managers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers))
        managers.post(.memberCoupons, use: issue)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await CouponListPage.Query.model(req.store, status: req.query["status"], query: req.query["q"],
                                                          managedBy: MemberAccess.searchScope(req.staff.user).managedBy,
                                                          mallScope: try await MallAccess.scope(req))
        return Layout.render(ctx, title: ctx.t("优惠券", "Coupons"), CouponListPage.View.body(model, ctx))
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await CouponPage.Query.model(req.store, code: try req.parameters.require("code"))
        return Layout.render(ctx, title: CouponPage.View.title(model, ctx), CouponPage.View.body(model, ctx))
    }

    struct IssueForm: Content {
        var name: String
        var face: String?
        var discount: String?
        var minSpend: String?
        var validDays: String?
        var counters: String?
        var reason: String
    }

    @Sendable static func issue(req: Request) async throws -> Response {
        let f = try req.content.decode(IssueForm.self)
        return try await MembersController.action(req) { id in
            let (_, programme) = try await req.store.programme()
            let coupon = try await req.store.issueCoupon(try issue(f, memberId: id, programme: programme, today: LocalDate.of(req.store.env.now(), in: programme.timeZone)), actor: req.actor)
            return req.lang.t("已发券 \(coupon.code)（\(coupon.value.label(.zh))，有效至 \(coupon.validTo)）",
                              "Coupon \(coupon.code) issued (\(coupon.value.label(.en)), valid until \(coupon.validTo))")
        }
    }

    /// The form as a coupon to issue; what cannot be read is refused naming the field.
    static func issue(_ f: IssueForm, memberId: Int64, programme: Programme, today: LocalDate) throws -> CouponIssue {
        let face = Forms.trimmed(f.face), discount = Forms.trimmed(f.discount)
        var faceFen: Int64?, permille: Int?
        if !face.isEmpty {
            guard let fen = Money.parseYuan(face), fen > 0 else {
                throw DomainError.invalid("face", "coupon.value", zh: "面值须为大于0的金额（元）", en: "the face value must be a positive amount in yuan")
            }
            faceFen = fen
        }
        if !discount.isEmpty {
            guard let p = Zhe.parse(discount), p < 1000 else {
                throw DomainError.invalid("discount", "coupon.value", zh: "折扣须在0.01折到9.99折之间，如 8.8", en: "the discount must be between 0.01 and 9.99 折, e.g. 8.8")
            }
            permille = p
        }
        let minSpendText = Forms.trimmed(f.minSpend)
        guard let minSpend = minSpendText.isEmpty ? 0 : Money.parseYuan(minSpendText) else {
            throw DomainError.invalid("minSpend", "coupon.minSpend", zh: "最低消费须为金额（元）", en: "the minimum spend must be an amount in yuan")
        }
        let daysText = Forms.trimmed(f.validDays)
        guard let days = daysText.isEmpty ? programme.coupons.defaultValidDays : Int(daysText), days >= 1, days <= 3_660 else {
            throw DomainError.invalid("validDays", "coupon.validity", zh: "有效天数须为1到3660之间的整数", en: "valid days must be a whole number from 1 to 3660")
        }
        let counters = Forms.trimmed(f.counters).split(whereSeparator: { ", ，、;\n".contains($0) }).map(String.init)
        let name = Forms.trimmed(f.name)
        return CouponIssue(
            template: CouponTemplate(name: LocalizedName(zh: name, en: name), faceFen: faceFen, discountPermille: permille,
                                     minSpendFen: minSpend, validDays: days),
            memberId: memberId, source: "manager", counterCodes: counters, validFrom: today,
            note: Forms.trimmed(f.reason))
    }
}
