import Foundation
import MallVIPCore
import MallVIPStore

/// One coupon, printable: what it is worth, where and until when, whose it is, and its barcode.
enum CouponPage {
    struct Model: Sendable {
        var coupon: CouponRecord
        var programme: Programme
        var today: LocalDate
        var counterNames: [String: String]
        var usedMall: String?
    }

    enum Query {
        static func model(_ store: Store, code: String) async throws -> Model {
            guard let coupon = try await store.coupon(code: code) else {
                throw DomainError(.notFound, field: nil, rule: "coupon.exists", zh: "优惠券不存在：\(code)", en: "unknown coupon \(code)")
            }
            let (_, programme) = try await store.programme()
            let counters = try await store.counterList()
            let malls = try await store.malls()
            return Model(coupon: coupon, programme: programme, today: LocalDate.of(store.env.now(), in: programme.timeZone),
                         counterNames: Dictionary(counters.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a }),
                         usedMall: coupon.usedMallId.flatMap { id in malls.first { $0.id == id }?.name })
        }
    }
}

/// The coupon list: by status and by code, card or phone.
enum CouponListPage {
    static let statuses = ["issued", "used", "expired", "void"]

    struct Model: Sendable {
        var coupons: [CouponRecord]
        var status: String?
        var query: String?
        var programme: Programme
        var today: LocalDate
    }

    enum Query {
        static func model(_ store: Store, status: String?, query: String?, managedBy: Int64? = nil,
                          mallScope: MallScope? = nil) async throws -> Model {
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            let status = status.flatMap { statuses.contains($0) ? $0 : nil }
            let query = query.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            return Model(coupons: try await store.couponList(status: status, query: query, today: today, managedBy: managedBy, mallScope: mallScope), status: status,
                         query: query, programme: programme, today: today)
        }
    }
}

/// Words shared by the coupon views.
enum CouponText {
    static func status(_ c: CouponRecord, today: LocalDate, _ ctx: PageContext) -> String {
        switch c.displayStatus(on: today) {
        case "issued": c.terms.validFrom > today ? ctx.t("未生效", "not yet valid") : ctx.t("可用", "usable")
        case "used": ctx.t("已使用", "used")
        case "void": ctx.t("已作废", "void")
        case "expired": ctx.t("已过期", "expired")
        case let other: other
        }
    }

    static func source(_ s: String, _ ctx: PageContext) -> String {
        switch s {
        case "redemption": ctx.t("积分兑换", "redemption")
        case "birthday": ctx.t("生日礼", "birthday")
        case "campaign": ctx.t("活动", "campaign")
        case "manager": ctx.t("经理发放", "issued by a manager")
        case "referral": ctx.t("推荐奖励", "referral reward")
        case "journey": ctx.t("自动旅程", "journey")
        default: s
        }
    }

    static func value(_ c: CouponRecord, _ ctx: PageContext) -> String { c.terms.value.label(ctx.lang) }

    static func minSpend(_ c: CouponRecord, _ ctx: PageContext) -> String {
        c.terms.minSpendFen > 0 ? ctx.t("满 \(Money.yuan(c.terms.minSpendFen)) 元可用", "on a spend of \(Money.yuan(c.terms.minSpendFen)) yuan or more")
                                : ctx.t("无最低消费", "no minimum spend")
    }

    static func validity(_ c: CouponRecord, _ ctx: PageContext) -> String {
        ctx.t("\(c.terms.validFrom) 至 \(c.terms.validTo)", "\(c.terms.validFrom) to \(c.terms.validTo)")
    }
}
