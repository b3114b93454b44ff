import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// /console/economics: planners, managers and admins read; managers and admins book and delete costs.
enum EconomicsController {
    static func register(_ routes: any RoutesBuilder) throws {
        let readers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.organisation))
        readers.get(.economics, use: show)
        readers.get(.economicsCostsCSV, use: csv)
        let managers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers))
        managers.post(.economicsCosts, use: book)
        managers.post(.economicsCostDelete, use: delete)
    }

    static func canBook(_ req: Request) -> Bool { StaffRole.managers.contains(req.staff.user.role) }

    static func year(_ text: String?, _ req: Request) async throws -> Int {
        if let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard text.count <= 4, let y = Int(text), (2000...2999).contains(y) else {
                throw DomainError.invalid("year", "year.range", zh: "年度须为 2000–2999 的整数", en: "year must be a whole number from 2000 to 2999")
            }
            return y
        }
        let (_, programme) = try await req.store.programme()
        return LocalDate.of(req.store.env.now(), in: programme.timeZone).year
    }

    /// The plan calculator's inputs from the query; nil (the 000 plan's own figures, docs/domain.md §13.1) when none is given.
    static func plan(_ req: Request) async throws -> ProgrammePlan? {
        guard let vips: String = req.query["planVIPs"] else { return nil }
        guard let n = Int64(vips.trimmingCharacters(in: .whitespaces)), n >= 0, n <= 10_000_000 else {
            throw DomainError.invalid("planVIPs", "plan.vips", zh: "计划人数须为非负整数", en: "planned VIPs must be a whole number, 0 or more")
        }
        guard let uplift = try BoundedNumber.yuan(req.query["planUplift"], field: "planUplift") else {
            throw DomainError.invalid("planUplift", "plan.uplift", zh: "每人增量消费须为元金额", en: "extra spend per VIP must be an amount in yuan")
        }
        // VIPs × uplift is a product of two outside values: checked, so it answers 422 instead of trapping.
        _ = try Checked.multiply(n, uplift, field: "planUplift")
        var costs: [ProgrammePlan.CostLine] = []
        for i in 0..<8 {
            let label = Forms.trimmed(req.query["planCostLabel\(i)"])
            let amount = Forms.trimmed(req.query["planCost\(i)"])
            if amount.isEmpty { continue }
            guard let fen = Money.parseYuan(amount), fen <= NumericLimits.maxMoneyFen else {
                throw DomainError.invalid("planCost\(i)", "plan.cost", zh: "费用须为元金额", en: "a cost must be an amount in yuan")
            }
            costs.append(.init(label: label, amountFen: fen))
        }
        let (_, programme) = try await req.store.programme()
        return ProgrammePlan(newVIPs: n, upliftPerVIPFen: uplift, costs: costs, marginPermille: programme.messaging.marginPermille)
    }

    @Sendable static func show(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let y = try await year(req.query["year"], req)
        var model = try await EconomicsPage.Query.model(req.store, year: y, plan: try await plan(req), canBook: canBook(req))
        model.notice = try await Notices.take(req)
        return Layout.render(ctx, title: ctx.t("会员计划经济效益", "Programme economics"), EconomicsPage.View.body(model, ctx))
    }

    @Sendable static func csv(req: Request) async throws -> Response {
        let y = try await year(req.query["year"], req)
        let model = try await EconomicsPage.Query.model(req.store, year: y, plan: nil, canBook: false)
        try await req.store.audit(actor: req.actor, action: "cost.export", subject: "\(y)",
                                  detail: "rows=\(model.pl.costs.booked.count + model.pl.costs.system.count)")
        return Response(status: .ok, headers: CSVText.headers(filename: "programme-costs-\(y).csv"), body: .init(string: EconomicsPage.csv(model)))
    }

    struct CostForm: Content {
        var year: String?
        var kind: String?
        var bucket: String?
        var period: String?
        var quantity: String?
        var unitCost: String?
        var amount: String?
        var mall: String?
        var note: String?
    }

    @Sendable static func book(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let f = try req.content.decode(CostForm.self)
        let y = (try? await year(f.year, req)) ?? CostPeriod(Forms.trimmed(f.period))?.year ?? 2026
        do {
            guard let kind = CostKind(rawValue: Forms.trimmed(f.kind)) else {
                throw DomainError.invalid("kind", "cost.kind", zh: "请选择费用类别", en: "choose a kind of cost")
            }
            let bucketText = Forms.trimmed(f.bucket)
            var bucket: BudgetBucket?
            if !bucketText.isEmpty {
                guard let b = BudgetBucket(rawValue: bucketText) else {
                    throw DomainError.invalid("bucket", "cost.bucket", zh: "预算科目无效", en: "unknown budget bucket")
                }
                bucket = b
            }
            func yuan(_ s: String?, _ field: String) throws -> Int64? {
                let t = Forms.trimmed(s)
                if t.isEmpty { return nil }
                guard let v = Money.parseYuan(t), v <= NumericLimits.maxMoneyFen else {
                    throw DomainError.invalid(field, "cost.yuan", zh: "金额须为元，最多两位小数", en: "\(field) must be yuan with at most two decimals")
                }
                return v
            }
            let qText = Forms.trimmed(f.quantity)
            var quantity: Int64?
            if !qText.isEmpty {
                guard let q = CostArithmetic.parseQuantity(qText), q <= NumericLimits.maxCount else {
                    throw DomainError.invalid("quantity", "cost.quantity", zh: "数量须为整数或乘积（如 2000×12）", en: "quantity must be a whole number or a product such as 2000×12")
                }
                quantity = q
            }
            let mallText = Forms.trimmed(f.mall)
            let input = CostInput(kind: kind, bucket: bucket, period: Forms.trimmed(f.period), amountFen: try yuan(f.amount, "amount"), quantity: quantity,
                                  unitCostFen: try yuan(f.unitCost, "unitCost"), mallId: try BoundedNumber.int(mallText, field: "mall", BoundedNumber.id), note: Forms.trimmed(f.note))
            try await req.store.bookCost(input, actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.economics(year: y).path, ctx.t("已录入费用", "Cost booked")) + "#costs")
        } catch let e as DomainError {
            var model = try await EconomicsPage.Query.model(req.store, year: y, plan: nil, canBook: true)
            model.error = Forms.message(e, ctx)
            model.form = ["kind": f.kind ?? "", "bucket": f.bucket ?? "", "period": f.period ?? "", "quantity": f.quantity ?? "",
                          "unitCost": f.unitCost ?? "", "amount": f.amount ?? "", "mall": f.mall ?? "", "note": f.note ?? ""]
            return Layout.render(ctx, title: ctx.t("会员计划经济效益", "Programme economics"), status: Forms.status(e), EconomicsPage.View.body(model, ctx))
        }
    }

    @Sendable static func delete(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        let y = try await req.store.deleteCost(id: id, actor: req.actor)?.year
        return req.redirect(to: try await Forms.withNotice(req, SiteURL.economics(year: y).path, ctx.t("已删除费用", "Cost deleted")) + "#costs")
    }
}
