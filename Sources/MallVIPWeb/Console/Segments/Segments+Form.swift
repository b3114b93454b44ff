import Foundation
import MallVIPCore
import MallVIPStore

/// The segment builder's form: flat fields (`tier_gold`, `dept_3`, `rfm_importantValue`, `spendMonths` …) that
/// turn into `SegmentConditions`. Errors name the condition's field (`spend.minFen`, `tiers`), as the store does.
enum SegmentForm {
    struct Values: Sendable {
        var name = ""
        var description = ""
        /// Every posted field, kept so a refused form shows what was typed.
        var fields: [String: String] = [:]

        init() {
            fields = Self.rfmDefaults(RFMDefinition())
            fields["spendMonths"] = "12"
            fields["boughtMonths"] = "12"
        }

        init(form: [String: String]) {
            name = Forms.trimmed(form["name"])
            description = Forms.trimmed(form["description"])
            fields = form.filter { $0.key != "_csrf" && $0.key != "action" && $0.key != "name" && $0.key != "description" }
        }

        init(_ s: Segment) {
            self.init()
            name = s.name
            description = s.description
            let c = s.conditions
            for t in c.tiers ?? [] { fields["tier_\(t)"] = "1" }
            fields["enrolledFrom"] = c.enrolledFrom?.description
            fields["enrolledTo"] = c.enrolledTo?.description
            if let sp = c.spend {
                fields["spendMonths"] = String(sp.months)
                fields["spendMin"] = sp.minFen.map { Money.yuan($0).replacingOccurrences(of: ",", with: "") }
                fields["spendMax"] = sp.maxFen.map { Money.yuan($0).replacingOccurrences(of: ",", with: "") }
            }
            fields["lastPurchaseAtLeastDays"] = c.lastPurchaseAtLeastDays.map(String.init)
            fields["lastPurchaseAtMostDays"] = c.lastPurchaseAtMostDays.map(String.init)
            fields["purchaseDaysWithin"] = c.purchaseDays.map { String($0.withinDays) }
            fields["purchaseDaysAtLeast"] = c.purchaseDays.map { String($0.atLeast) }
            if let b = c.bought {
                fields["boughtMonths"] = String(b.months)
                for d in b.departmentIds { fields["dept_\(d)"] = "1" }
                for cat in b.categories { fields["category_\(cat)"] = "1" }
            }
            for m in c.birthMonths ?? [] { fields["birth_\(m)"] = "1" }
            if let r = c.rfm {
                for k in r.classes { fields["rfm_\(k.rawValue)"] = "1" }
                fields.merge(Self.rfmDefaults(r.definition ?? RFMDefinition())) { $1 }
            }
            for a in c.accountManagers ?? [] { fields["am_\(a)"] = "1" }
            for ch in c.consent ?? [] { fields["consent_\(ch.rawValue)"] = "1" }
            fields["tags"] = c.tags?.joined(separator: ", ")
            fields.merge(Self.profileFields(c)) { $1 }
        }

        static func rfmDefaults(_ d: RFMDefinition) -> [String: String] {
            ["rfmMonths": String(d.months), "rfmRecency": d.recencyDays.map(String.init).joined(separator: ","),
             "rfmFrequency": d.frequency.map(String.init).joined(separator: ","),
             "rfmMonetary": d.monetaryFen.map { String($0 / 100) }.joined(separator: ","), "rfmHighFrom": String(d.highFrom)]
        }

        func text(_ key: String) -> String { Forms.trimmed(fields[key]) }
        func checked(_ key: String) -> Bool { fields[key] != nil }
        /// Suffixes of the ticked boxes named `prefix…`.
        func ticked(_ prefix: String) -> [String] {
            fields.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted()
        }

        func int(_ key: String, field: String) throws -> Int? {
            let t = text(key)
            if t.isEmpty { return nil }
            guard let v = (try? BoundedNumber.int(t, field: field, -NumericLimits.maxCount...NumericLimits.maxCount)).map({ Int($0) }) else {
                throw DomainError.invalid(field, "number.integer", zh: "须为整数：\(t)", en: "must be a whole number: \(t)")
            }
            return v
        }

        func yuan(_ key: String, field: String) throws -> Int64? {
            let t = text(key)
            if t.isEmpty { return nil }
            guard let fen = Money.parseYuan(t), fen <= NumericLimits.maxMoneyFen else {
                throw DomainError.invalid(field, "amount.yuan", zh: "金额须为不小于 0 的元数，如 5000：\(t)",
                                          en: "the amount must be yuan, not negative, e.g. 5000: \(t)")
            }
            return fen
        }

        func date(_ key: String) throws -> LocalDate? {
            let t = text(key)
            if t.isEmpty { return nil }
            guard let d = LocalDate(t) else {
                throw DomainError.invalid(key, "date.format", zh: "日期格式须为 YYYY-MM-DD：\(t)", en: "the date must be YYYY-MM-DD: \(t)")
            }
            return d
        }

        func required(_ field: String, zh: String, en: String) -> DomainError {
            DomainError.invalid(field, "required", zh: zh, en: en)
        }

        func conditions() throws -> SegmentConditions {
            var c = SegmentConditions()
            c.tiers = ticked("tier_")
            c.enrolledFrom = try date("enrolledFrom")
            c.enrolledTo = try date("enrolledTo")
            let spendMin = try yuan("spendMin", field: "spend.minFen"), spendMax = try yuan("spendMax", field: "spend.maxFen")
            if spendMin != nil || spendMax != nil {
                guard let months = try int("spendMonths", field: "spend.months") else {
                    throw required("spend.months", zh: "请填写消费统计的月数", en: "give the months of the spend window")
                }
                c.spend = SpendCondition(months: months, minFen: spendMin, maxFen: spendMax)
            }
            c.lastPurchaseAtLeastDays = try int("lastPurchaseAtLeastDays", field: "lastPurchaseAtLeastDays")
            c.lastPurchaseAtMostDays = try int("lastPurchaseAtMostDays", field: "lastPurchaseAtMostDays")
            let within = try int("purchaseDaysWithin", field: "purchaseDays.withinDays")
            let atLeast = try int("purchaseDaysAtLeast", field: "purchaseDays.atLeast")
            switch (within, atLeast) {
            case let (w?, k?): c.purchaseDays = PurchaseDaysCondition(withinDays: w, atLeast: k)
            case (nil, nil): break
            case (nil, _): throw required("purchaseDays.withinDays", zh: "请填写统计天数", en: "give the number of days to look back")
            case (_, nil): throw required("purchaseDays.atLeast", zh: "请填写至少消费天数", en: "give the least number of purchase days")
            }
            var departments: [Int64] = []
            for d in ticked("dept_") {
                guard let id = Int64(d) else {
                    throw DomainError.invalid("bought.departmentIds", "department.exists", zh: "没有这个课：\(d)", en: "no such department: \(d)")
                }
                departments.append(id)
            }
            let categories = ticked("category_")
            if !departments.isEmpty || !categories.isEmpty {
                guard let months = try int("boughtMonths", field: "bought.months") else {
                    throw required("bought.months", zh: "请填写购买统计的月数", en: "give the months to look back for purchases")
                }
                c.bought = BoughtCondition(months: months, departmentIds: departments, categories: categories)
            }
            c.birthMonths = try ticked("birth_").map { m in
                guard let v = Int(m) else {
                    throw DomainError.invalid("birthMonths", "month.range", zh: "生日月份须为 1–12：\(m)", en: "birthday months are 1–12: \(m)")
                }
                return v
            }
            let classes = try ticked("rfm_").map { k in
                guard let v = RFMClass(rawValue: k) else {
                    throw DomainError.invalid("rfm.classes", "rfm.class", zh: "没有这个 RFM 分类：\(k)", en: "no such RFM class: \(k)")
                }
                return v
            }
            if !classes.isEmpty {
                let def = try rfmDefinition()
                c.rfm = RFMCondition(classes: classes, definition: def == RFMDefinition() ? nil : def)
            }
            c.accountManagers = try ticked("am_").map { a in
                guard let f = AccountManagerFilter(a) else {
                    throw DomainError.invalid("accountManagers", "staff.exists", zh: "没有这位维护人：\(a)", en: "no such account manager: \(a)")
                }
                return f
            }
            c.consent = try ticked("consent_").map { ch in
                guard let v = ConsentChannel(rawValue: ch) else {
                    throw DomainError.invalid("consent", "consent.channel", zh: "没有这个渠道：\(ch)", en: "no such channel: \(ch)")
                }
                return v
            }
            c.tags = text("tags").components(separatedBy: CharacterSet(charactersIn: ",，、;； ")).filter { !$0.isEmpty }
            try profileConditions(&c)
            return c.normalized()
        }

        func rfmDefinition() throws -> RFMDefinition {
            let d = RFMDefinition()
            func list(_ key: String, field: String) throws -> [Int64]? {
                let t = text(key)
                if t.isEmpty { return nil }
                let parts = t.components(separatedBy: CharacterSet(charactersIn: ",，、 ")).filter { !$0.isEmpty }
                let values = parts.compactMap { Int64($0) }.filter { $0 <= 1_000_000_000_000 }
                guard values.count == parts.count else {
                    throw DomainError.invalid(field, "rfm.cutoffs", zh: "须为以逗号分隔的整数：\(t)", en: "must be whole numbers separated by commas: \(t)")
                }
                return values
            }
            return RFMDefinition(months: try int("rfmMonths", field: "rfm.definition.months") ?? d.months,
                                 recencyDays: try list("rfmRecency", field: "rfm.definition.recencyDays")?.map { Int($0) } ?? d.recencyDays,
                                 frequency: try list("rfmFrequency", field: "rfm.definition.frequency")?.map { Int($0) } ?? d.frequency,
                                 monetaryFen: try list("rfmMonetary", field: "rfm.definition.monetaryFen")?.map { $0 * 100 } ?? d.monetaryFen,
                                 highFrom: try int("rfmHighFrom", field: "rfm.definition.highFrom") ?? d.highFrom)
        }
    }
}
