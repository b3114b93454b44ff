import Foundation
import MallVIPCore
import MallVIPStore

/// Partner merchants (联盟商家): the list with each tier's discount, the partner form and the monthly settlement.
enum PartnersPage {
    struct Model: Sendable {
        var partners: [Partner]
        var programme: Programme
        var notice: String?
    }

    enum Query {
        static func model(_ store: Store, notice: String?) async throws -> Model {
            let (_, programme) = try await store.programme()
            return Model(partners: try await store.partners(), programme: programme, notice: notice)
        }
    }
}

enum PartnerForm {
    /// What the form shows: the saved partner, or what was typed when saving failed. Discounts are 折 text by tier
    /// code; blank means the programme's discount for the tier.
    struct Values: Sendable {
        var code = ""
        var name = ""
        var category = ""
        var contact = ""
        var active = true
        var discounts: [String: String] = [:]

        init() {}

        init(_ p: Partner) {
            code = p.code
            name = p.name
            category = p.category
            contact = p.contact
            active = p.active
            discounts = p.overrides.mapValues { String(format: "%g", Double($0) / 100) }
        }

        /// The posted form: fixed fields plus `discount_<tier>` for each tier.
        init(form: [String: String]) {
            code = Forms.trimmed(form["code"])
            name = Forms.trimmed(form["name"])
            category = Forms.trimmed(form["category"])
            contact = Forms.trimmed(form["contact"])
            active = form["active"] != nil
            for (key, value) in form where key.hasPrefix("discount_") && !Forms.trimmed(value).isEmpty {
                discounts[String(key.dropFirst("discount_".count))] = Forms.trimmed(value)
            }
        }

        func input() throws -> PartnerInput {
            var overrides: [String: Int] = [:]
            for (tier, text) in discounts.sorted(by: { $0.key < $1.key }) {
                guard let permille = Zhe.parse(text) else {
                    throw DomainError.invalid("discount.\(tier)", "discount.format", zh: "折扣格式不正确：\(text)（如 9 或 8.8）",
                                              en: "the discount \(text) is not a 折 value such as 9 or 8.8")
                }
                overrides[tier] = permille
            }
            return PartnerInput(code: code, name: name, category: category, contact: contact, active: active, overrides: overrides)
        }
    }

    struct Model: Sendable {
        /// nil when creating.
        var id: Int64?
        var values: Values
        var programme: Programme
        var error: String?
    }

    enum Query {
        static func partner(_ store: Store, id: Int64) async throws -> Partner {
            guard let p = try await store.partner(id: id) else {
                throw DomainError(.notFound, field: nil, rule: "partner.exists", zh: "联盟商家不存在", en: "partner not found")
            }
            return p
        }
    }
}

enum PartnerSettlementPage {
    struct Model: Sendable {
        /// YYYY-MM
        var month: String
        var lines: [PartnerSettlementLine]
        var totalVisits: Int { lines.reduce(0) { $0 + $1.visits } }
        var totalAmountFen: Int64 { lines.reduce(0) { $0 + $1.amountFen } }
        var totalDiscountFen: Int64 { lines.reduce(0) { $0 + $1.discountFen } }
    }

    enum Query {
        /// `month` is YYYY-MM; nil means the current month.
        static func model(_ store: Store, month text: String?) async throws -> Model {
            let (_, programme) = try await store.programme()
            let today = LocalDate.of(store.env.now(), in: programme.timeZone)
            var (year, month) = (today.year, today.month)
            if let text, !text.isEmpty {
                guard let d = LocalDate(text + "-01") else {
                    throw DomainError.invalid("month", "month.format", zh: "月份格式须为 YYYY-MM", en: "month must be YYYY-MM")
                }
                (year, month) = (d.year, d.month)
            }
            let label = String(format: "%04d-%02d", year, month)
            return Model(month: label, lines: try await store.partnerSettlement(year: year, month: month))
        }
    }
}
