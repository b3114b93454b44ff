import Foundation
import MallVIPCore
import Plot

/// The five form fields of a coupon attached to a campaign or a journey (issue 18): name, face value (yuan) or 折,
/// minimum spend (yuan), days valid; all blank = no coupon. One parser and one set of inputs for both forms.
struct AttachedCouponFields: Sendable, Equatable {
    var name = ""
    var face = ""
    var discount = ""
    var minSpend = ""
    var validDays = ""

    init() {}

    init(_ k: CouponTemplate?) {
        guard let k else { return }
        name = k.name.zh
        face = k.faceFen.map { Money.yuan($0).replacingOccurrences(of: ",", with: "") } ?? ""
        discount = k.discountPermille.map { Zhe.format($0).replacingOccurrences(of: "折", with: "") } ?? ""
        minSpend = k.minSpendFen > 0 ? Money.yuan(k.minSpendFen).replacingOccurrences(of: ",", with: "") : ""
        validDays = k.validDays.map(String.init) ?? ""
    }

    init(form: [String: String]) {
        name = Forms.trimmed(form["couponName"])
        face = Forms.trimmed(form["couponFace"])
        discount = Forms.trimmed(form["couponDiscount"])
        minSpend = Forms.trimmed(form["couponMinSpend"])
        validDays = Forms.trimmed(form["couponValidDays"])
    }

    /// The coupon typed in, nil when every field is blank; a value that does not parse names its field (the bounds are
    /// the store's `couponOfferErrors`).
    func coupon() throws -> CouponTemplate? {
        guard ![name, face, discount, minSpend, validDays].allSatisfy(\.isEmpty) else { return nil }
        var faceFen: Int64?, permille: Int?, minSpendFen: Int64 = 0, days: Int?
        if !face.isEmpty {
            guard let f = Money.parseYuan(face) else {
                throw DomainError.invalid("couponFace", "amount.format", zh: "面值格式不正确（元，如 50 或 49.5）", en: "the face value must be yuan, e.g. 50 or 49.5")
            }
            faceFen = f
        }
        if !discount.isEmpty {
            guard let d = Zhe.parse(discount) else {
                throw DomainError.invalid("couponDiscount", "zhe.format", zh: "折扣格式不正确（如 8.8）", en: "the discount must be in 折, e.g. 8.8")
            }
            permille = d
        }
        if !minSpend.isEmpty {
            guard let m = Money.parseYuan(minSpend) else {
                throw DomainError.invalid("couponMinSpend", "amount.format", zh: "最低消费格式不正确（元）", en: "the minimum spend must be yuan")
            }
            minSpendFen = m
        }
        if !validDays.isEmpty {
            guard let d = Int(validDays) else {
                throw DomainError.invalid("couponValidDays", "coupon.validity", zh: "有效天数须为 1–366 天", en: "validDays must be 1–366")
            }
            days = d
        }
        return CouponTemplate(name: LocalizedName(zh: name, en: name), faceFen: faceFen, discountPermille: permille,
                              minSpendFen: minSpendFen, validDays: days)
    }

    /// The inputs, under a heading that says who gets one.
    func inputs(_ ctx: PageContext, id: String, heading: (zh: String, en: String)) -> Node<HTML.FormContext> {
        .group(
            .p(.id(id), .strong(.text(ctx.t(heading.zh, heading.en)))),
            Layout.field(ctx.t("券名称", "Coupon name"), name: "couponName", value: name),
            Layout.field(ctx.t("面值（元）", "Face value (yuan)"), name: "couponFace", value: face),
            Layout.field(ctx.t("或折扣（折，如 8.8）", "or discount (折, e.g. 8.8)"), name: "couponDiscount", value: discount),
            Layout.field(ctx.t("最低消费（元）", "Minimum spend (yuan)"), name: "couponMinSpend", value: minSpend),
            Layout.field(ctx.t("有效天数", "Days valid"), name: "couponValidDays", value: validDays, type: .number))
    }
}
