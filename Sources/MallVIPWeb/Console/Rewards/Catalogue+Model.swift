import Foundation
import MallVIPCore
import MallVIPStore

/// The redemption catalogue for planners, managers and admins: list, stock ±, activate / deactivate.
enum CataloguePage {
    struct Model: Sendable {
        var items: [RewardItem]
        var counters: [Int64: Counter]
        var programme: Programme
        var notice: String?
        var error: String?
    }

    enum Query {
        static func model(_ store: Store, notice: String?, error: String? = nil) async throws -> Model {
            let counters = Dictionary(uniqueKeysWithValues: try await store.counterList().map { ($0.id, $0) })
            return Model(items: try await store.rewardItems(), counters: counters, programme: try await store.programme().programme,
                         notice: notice, error: error)
        }
    }
}

/// Create / edit one item. The form keeps what was typed; parsing names the field that is wrong.
enum RewardForm {
    struct Values: Sendable {
        var code = "", nameZh = "", nameEn = "", kind = RewardItem.Kind.gift.rawValue
        var points = "", ladderCode = "", listPrice = "", specialPrice = false, stock = "", supplierCounterId = ""
        var perMemberLimit = "", period = RewardItem.Period.none.rawValue, perPeriodLimit = "", validFrom = "", validTo = ""
        var tiers: [String] = [], maxBalance = "", windowCode = "", onePerCard = false
        var couponFace = "", couponDiscount = "", couponMinSpend = "", couponValidDays = "", couponValidTo = "", couponCounters = ""
        var active = true

        init() {}

        init(_ i: RewardItem) {
            code = i.code
            nameZh = i.name.zh
            nameEn = i.name.en
            kind = i.kind.rawValue
            points = i.points.map(String.init) ?? ""
            ladderCode = i.ladderCode ?? ""
            listPrice = i.listPriceFen.map { Money.yuan($0).replacingOccurrences(of: ",", with: "") } ?? ""
            specialPrice = i.specialPrice
            stock = i.stock.map(String.init) ?? ""
            supplierCounterId = i.supplierCounterId.map(String.init) ?? ""
            perMemberLimit = i.perMemberLimit.map(String.init) ?? ""
            period = i.period.rawValue
            perPeriodLimit = i.perPeriodLimit.map(String.init) ?? ""
            validFrom = i.validFrom?.description ?? ""
            validTo = i.validTo?.description ?? ""
            tiers = i.allowedTiers
            maxBalance = i.maxBalance.map(String.init) ?? ""
            windowCode = i.windowCode ?? ""
            onePerCard = i.onePerCard
            if let c = i.coupon {
                couponFace = c.faceFen.map { Money.yuan($0).replacingOccurrences(of: ",", with: "") } ?? ""
                couponDiscount = c.discountPermille.map { Zhe.format($0).replacingOccurrences(of: "折", with: "") } ?? ""
                couponMinSpend = c.minSpendFen == 0 ? "" : Money.yuan(c.minSpendFen).replacingOccurrences(of: ",", with: "")
                couponValidDays = c.validDays.map(String.init) ?? ""
                couponValidTo = c.validTo?.description ?? ""
                couponCounters = c.counterCodes.joined(separator: ",")
            }
            active = i.active
        }

        /// The item these values describe; the first unreadable field is thrown.
        func item(id: Int64) throws -> RewardItem {
            func blank(_ s: String) -> Bool { s.trimmingCharacters(in: .whitespaces).isEmpty }
            func whole<T: FixedWidthInteger>(_ s: String, _ field: String, _ zh: String, _ en: String) throws -> T? {
                if blank(s) { return nil }
                guard let v = T(s.trimmingCharacters(in: .whitespaces)) else {
                    throw DomainError.invalid(field, "number.integer", zh: "\(zh)须为整数", en: "\(en) must be a whole number")
                }
                return v
            }
            func yuan(_ s: String, _ field: String, _ zh: String, _ en: String) throws -> Int64? {
                if blank(s) { return nil }
                guard let v = Money.parseYuan(s) else {
                    throw DomainError.invalid(field, "amount.yuan", zh: "\(zh)须为金额（元），如 199.00", en: "\(en) must be an amount in yuan, e.g. 199.00")
                }
                return v
            }
            func date(_ s: String, _ field: String) throws -> LocalDate? {
                if blank(s) { return nil }
                guard let d = LocalDate(s) else { throw DomainError.invalid(field, "date.format", zh: "日期格式须为 YYYY-MM-DD", en: "\(field) must be YYYY-MM-DD") }
                return d
            }
            guard let kind = RewardItem.Kind(rawValue: kind) else {
                throw DomainError.invalid("kind", "item.kind", zh: "请选择类型", en: "choose a kind")
            }
            var discount: Int?
            if !blank(couponDiscount) {
                guard let d = Zhe.parse(couponDiscount) else {
                    throw DomainError.invalid("couponDiscount", "item.couponDiscount", zh: "折扣须如 8.8（折）", en: "the discount must be in 折, e.g. 8.8")
                }
                discount = d
            }
            let face = try yuan(couponFace, "couponFace", "面值", "face value")
            let coupon: RewardCoupon? = kind.issuesCoupon && (face != nil || discount != nil) ? RewardCoupon(
                faceFen: face, discountPermille: discount,
                minSpendFen: try yuan(couponMinSpend, "couponMinSpend", "最低消费", "minimum spend") ?? 0,
                validDays: try whole(couponValidDays, "couponValidDays", "有效天数", "valid days"),
                validTo: try date(couponValidTo, "couponValidTo"),
                counterCodes: couponCounters.split(whereSeparator: { $0 == "," || $0 == "，" || $0 == " " }).map(String.init)) : nil
            return RewardItem(
                id: id, code: code.trimmingCharacters(in: .whitespaces), name: LocalizedName(zh: nameZh, en: nameEn), kind: kind,
                points: try whole(points, "points", "积分价格", "points"), ladderCode: blank(ladderCode) ? nil : ladderCode,
                listPriceFen: try yuan(listPrice, "listPrice", "标价", "list price"), specialPrice: specialPrice,
                stock: try whole(stock, "stock", "库存", "stock"), supplierCounterId: try whole(supplierCounterId, "supplierCounterId", "供货店柜", "supplier"),
                perMemberLimit: try whole(perMemberLimit, "perMemberLimit", "每人限兑", "per-member limit"),
                period: RewardItem.Period(rawValue: period) ?? .none,
                perPeriodLimit: try whole(perPeriodLimit, "perPeriodLimit", "每期限兑", "per-period limit"),
                validFrom: try date(validFrom, "validFrom"), validTo: try date(validTo, "validTo"), allowedTiers: tiers,
                maxBalance: try whole(maxBalance, "maxBalance", "积分上限", "balance limit"),
                windowCode: blank(windowCode) ? nil : windowCode, onePerCard: onePerCard, coupon: coupon, active: active)
        }
    }

    struct Model: Sendable {
        /// nil when creating.
        var id: Int64?
        var values: Values
        var programme: Programme
        var counters: [Counter]
        var error: String?
    }
}

/// Gifts owed to supplying counters for one month.
enum SettlementPage {
    struct Model: Sendable {
        var month: String
        var rows: [SupplierSettlement]
        var programme: Programme
        var totalCount: Int { rows.reduce(0) { $0 + $1.count } }
        var totalListFen: Int64 { rows.reduce(0) { $0 + $1.listPriceFen } }
        var totalCostFen: Int64 { rows.reduce(0) { $0 + $1.costFen } }
    }

    /// "2026-11" → (2026, 11); nil for anything else.
    static func parseMonth(_ text: String?) -> (year: Int, month: Int)? {
        guard let parts = text?.split(separator: "-"), parts.count == 2, parts[0].count == 4,
              let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m) else { return nil }
        return (y, m)
    }

    enum Query {
        static func model(_ store: Store, month text: String?) async throws -> Model {
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            guard let ym = text.map({ parseMonth($0) }) ?? (today.year, today.month) else {
                throw DomainError.invalid("month", "month.format", zh: "月份格式须为 YYYY-MM", en: "month must be YYYY-MM")
            }
            let (y, m) = ym
            let label = "\(y)-" + (m < 10 ? "0\(m)" : "\(m)")
            return Model(month: label, rows: try await store.rewardSettlement(year: y, month: m), programme: programme)
        }
    }

    /// Through `CSVFormat` like every other CSV: a counter or gift named "=HYPERLINK(…)" stays text.
    static func csv(_ m: Model) -> String {
        var out = CSVFormat.bom + CSVFormat.line(["counter", "counterName", "brand", "redemptionId", "businessDate", "item", "itemName",
                                                  "cardNo", "listPriceYuan", "costYuan"])
        for r in m.rows {
            for l in r.lines {
                out += CSVFormat.line([r.counterCode, r.counterName, r.brand, String(l.redemptionId), l.businessDate.description, l.itemCode, l.itemName.zh,
                                       l.cardNo ?? "", Money.yuan(l.listPriceFen).replacingOccurrences(of: ",", with: ""),
                                       Money.yuan(l.costFen).replacingOccurrences(of: ",", with: "")])
            }
        }
        return out
    }
}
