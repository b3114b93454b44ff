import Foundation
import MallVIPCore

extension DemoWorld {
    // MARK: members

    mutating func makeMembers() {
        let p = plan
        var all: [Member] = []
        all.reserveCapacity(p.totalMembers)
        let swapCount = Int((Double(p.earlierMembers) * p.swapShareOfEarlierMembers).rounded())
        for i in 0..<p.earlierMembers { all.append(Member(kind: i < swapCount ? .swap : .earlierReceipt)) }
        for _ in 0..<p.receiptMembers { all.append(Member(kind: .receipt)) }
        for _ in 0..<p.conversionMembers { all.append(Member(kind: .conversion)) }

        var phones = Set<String>()
        var ids = Set<String>()
        var phoneRng = SplitMix64(seed: p.seed, stream: Stream.phones.rawValue)
        let medianSpend = p.medianAnnualSpendYuan
        for i in all.indices {
            var rng = SplitMix64(seed: p.seed, stream: Stream.people.rawValue, UInt64(i))
            var m = all[i]
            makePerson(&m, &rng, &phoneRng, &phones, &ids)
            m.annualYuan = rng.logNormal(median: medianSpend, sigma: p.spendSigma)
            makeEnrolment(&m, &rng)
            all[i] = m
        }
        // Ids follow enrolment time, as the live path would have assigned them.
        all.sort { ($0.enrolledAtMs, $0.phone) < ($1.enrolledAtMs, $1.phone) }
        for i in all.indices { all[i].id = inputs.memberIdBase + Int64(i) + 1 }

        var select = SplitMix64(seed: p.seed, stream: Stream.selection.rawValue)
        // Who bought in the year: every receipt enrolment; a chosen share of earlier and conversion members.
        let earlier = all.indices.filter { all[$0].kind == .swap || all[$0].kind == .earlierReceipt }
        for i in DemoWorld.choose(p.activeEarlierMembers, from: earlier, &select) { all[i].active = true }
        let conversions = all.indices.filter { all[$0].kind == .conversion && all[$0].enrolledDay < lastDay }
        for i in DemoWorld.choose(p.activeConversionMembers, from: conversions, &select) { all[i].active = true }
        for i in all.indices where all[i].kind == .receipt { all[i].active = true }

        // A few honorary tiers set by a manager (荣誉钻石卡), ending some months after the year.
        if let diamond = programme.rank(of: "diamond") ?? (programme.tiers.count > 1 ? programme.tiers.count - 2 : nil), diamond > 0 {
            let candidates = all.indices.filter { all[$0].enrolledDay < lastDay - 30 }
            for i in DemoWorld.choose(plan.scaled(plan.honoraryTiers), from: candidates, &select) {
                let from = max(all[i].enrolledDay + 1, firstDay)
                let day = from + select.below(max(1, lastDay - 10 - from))
                all[i].honorary = (officeTime(day, &select), diamond, LocalDate(dayNumber: lastDay + 60 + select.below(180)),
                                   select.pick(DemoCatalogue.honoraryReasons))
            }
        }
        // Lost cards replaced during the year.
        for i in all.indices where select.chance(p.cardReplacementRate) {
            let from = max(all[i].enrolledDay + 1, firstDay)
            if from < lastDay { all[i].replacementAtMs = officeTime(from + select.below(lastDay - from), &select) }
        }
        members = all
    }

    /// k distinct items of `pool`, in pool order (partial Fisher–Yates).
    static func choose(_ k: Int, from pool: [Int], _ rng: inout SplitMix64) -> [Int] {
        var items = pool
        let n = min(k, items.count)
        for i in 0..<n {
            let j = i + rng.below(items.count - i)
            items.swapAt(i, j)
        }
        return Array(items.prefix(n)).sorted()
    }

    private func makePerson(_ m: inout Member, _ rng: inout SplitMix64, _ phoneRng: inout SplitMix64,
                            _ phones: inout Set<String>, _ ids: inout Set<String>) {
        let g = rng.unit()
        m.gender = g < 0.7 ? .female : (g < 0.97 ? .male : .unknown)
        m.name = DemoWorld.chineseName(m.gender, &rng)
        m.phone = DemoWorld.uniquePhone(&phoneRng, &phones)
        // Ages 18–70, most between 25 and 45.
        if rng.chance(0.86) {
            let age = min(70, max(18, Int(rng.logNormal(median: 35, sigma: 0.25).rounded())))
            let year = inputs.today.year - age
            let month = 1 + rng.below(12)
            let day = 1 + rng.below(LocalDate.daysIn(year: year, month: month))
            m.birthday = LocalDate(year: year, month: month, day: day)
        }
        if let b = m.birthday, rng.chance(0.4) {
            for _ in 0..<20 {
                let district = rng.pick(DemoCatalogue.districts).code
                var seq = 1 + rng.below(998)
                if (seq % 2 == 1) != (m.gender == .male) { seq += 1 }   // 17th digit: odd for men, even for women
                let body = district + String(format: "%04d%02d%02d", b.year, b.month, b.day) + String(format: "%03d", seq)
                let id = body + String(Identity.nationalIDCheck(body))
                if ids.insert(id).inserted { m.idNumber = id; break }
            }
        }
        if rng.chance(0.25) {
            let r = rng.unit()
            if r < 0.55 {
                m.email = "\(10_000_000 + rng.below(990_000_000))@qq.com"
            } else {
                m.email = "\(m.phone)@\(r < 0.8 ? "163.com" : "139.com")"
            }
        }
        if rng.chance(0.5) {
            let district = rng.pick(DemoCatalogue.districts).name
            let estate = rng.pick(DemoCatalogue.estates)
            m.address = "四川省成都市\(district)\(rng.pick(DemoCatalogue.streets))\(1 + rng.below(380))号"
                + (estate.isEmpty ? "" : "\(estate)\(1 + rng.below(24))栋\(1 + rng.below(4))单元\(100 * (1 + rng.below(30)) + 1 + rng.below(6))")
        }
        m.consentSMS = rng.chance(0.75)
        m.consentEmail = m.email != nil && rng.chance(0.6)
        m.consentPhone = rng.chance(0.45)
        if rng.chance(0.28) {
            var profile = MemberProfile()
            let female = m.gender != .male
            profile.clothingSize = rng.pick(female ? DemoCatalogue.femaleSizes : DemoCatalogue.maleSizes)
            profile.shoeSize = String(female ? 35 + rng.below(5) : 39 + rng.below(6))
            profile.occupation = rng.pick(DemoCatalogue.occupations)
            profile.family = rng.pick(["已婚，有一个孩子", "已婚", "单身", "已婚，两个孩子", "三代同堂"])
            profile.preferences = rng.pick(female ? ["女装、化妆品", "女鞋、皮具", "家纺、童装", "珠宝、化妆品", "内衣、女装"]
                                                  : ["男装、皮具", "运动、男鞋", "钟表、男装", "小家电、厨具"])
            profile.hobbies = [rng.pick(DemoCatalogue.hobbies), rng.pick(DemoCatalogue.hobbies)].uniqued().joined(separator: "、")
            profile.preferredService = rng.pick(DemoCatalogue.services)
            m.profileJSON = (try? encodeJSON(profile)) ?? "{}"
        } else {
            m.profileJSON = (try? encodeJSON(MemberProfile())) ?? "{}"
        }
    }

    private static let surnameTable = WeightedTable(DemoCatalogue.surnames.map(\.1))

    static func chineseName(_ gender: Gender, _ rng: inout SplitMix64) -> String {
        let surname = DemoCatalogue.surnames[surnameTable.pick(&rng)].0
        let pool: [String]
        switch gender {
        case .female: pool = rng.chance(0.85) ? DemoCatalogue.femaleGiven : DemoCatalogue.neutralGiven
        case .male: pool = rng.chance(0.85) ? DemoCatalogue.maleGiven : DemoCatalogue.neutralGiven
        case .unknown: pool = DemoCatalogue.neutralGiven + DemoCatalogue.femaleGiven
        }
        if rng.chance(0.35) { return surname + rng.pick(pool) }
        let second = rng.pick(pool)
        if rng.chance(0.12) { return surname + second + second }            // 婷婷, 丹丹
        return surname + rng.pick(DemoCatalogue.neutralGiven + pool) + second
    }

    static func uniquePhone(_ rng: inout SplitMix64, _ used: inout Set<String>) -> String {
        while true {
            let phone = rng.pick(DemoCatalogue.phonePrefixes) + String(format: "%08d", rng.below(100_000_000))
            if used.insert(phone).inserted { return phone }
        }
    }

    private func makeEnrolment(_ m: inout Member, _ rng: inout SplitMix64) {
        let desk = inputs.deskActors.isEmpty ? "staff:desk" : rng.pick(inputs.deskActors)
        switch m.kind {
        case .swap:
            // The card swap before the year: old cardholders were issued new cards over about two months.
            let day = firstDay - 365 + rng.below(60)
            m.enrolledDay = day
            m.enrolledAtMs = officeTime(day, &rng)
            m.enrolRule = "override"
            m.overrideReason = "旧会员卡换发新卡"
            m.enrolledBy = "migration"
        case .earlierReceipt:
            let day = firstDay - 300 + rng.below(299)
            m.enrolledDay = day
            m.enrolledAtMs = shoppingTime(day, &rng) + 600_000
            m.enrolRule = (programme.enrolment.rules.first { $0.kind == .singleReceipt } ?? programme.enrolment.rules.first)?.name ?? "override"
            m.enrolReceiptsText = DemoWorld.receiptNumber(day: day, till: 1 + rng.below(16), seq: 1 + rng.below(300))
            m.enrolledBy = desk
        case .receipt:
            // Enrolled at the desk shortly after the receipt that qualified.
            let day = firstDay + dayTable.pick(&rng)
            m.enrolledDay = day
            m.enrolReceiptAtMs = shoppingTime(day, &rng)
            m.enrolledAtMs = m.enrolReceiptAtMs + Int64(300 + rng.below(1800)) * 1000
            m.enrolledBy = desk
        case .conversion:
            let day = firstDay + dayTable.pick(&rng)
            m.enrolledDay = day
            m.enrolledAtMs = officeTime(day, &rng)
            m.enrolRule = "override"
            m.overrideReason = rng.pick(["社区拓展预制卡激活", "主顾客转化：店柜推荐办卡", "社区活动现场办卡"])
            m.enrolledBy = desk
        }
        m.entryTier = 0
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
