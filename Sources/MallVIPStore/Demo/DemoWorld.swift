import Foundation
import MallVIPCore

/// The demo year, built in memory before anything is written: members, cards, every purchase and what the
/// programme made of it (points, balances, tiers, tier requests), as the live path would have recorded them.
/// Pure: the same plan, programme, counters and clock give the same world.
struct DemoWorld: Sendable {
    // MARK: inputs

    struct CounterInfo: Sendable {
        var id: Int64
        var code: String
        var department: Int
        var floor: String
        var category: String
        var participates: Bool
        var earnsPoints: Bool
        var ticketYuan: Double
        var specialRate: Double
        var salesWeight: Double
        var vipShare: Double
    }

    struct Inputs: Sendable {
        var plan: DemoPlan
        var programme: Programme
        var today: LocalDate
        var mallCode: String
        var counters: [CounterInfo]
        var memberIdBase: Int64
        var cardIdBase: Int64
        var purchaseIdBase: Int64
        /// `staff:<username>` of the service-desk clerks who enrol members, and of the manager who decides.
        var deskActors: [String]
        var managerActor: String
        var accountManagerIds: [Int64]
    }

    // MARK: outputs

    enum Kind: Int, Sendable { case swap, earlierReceipt, receipt, conversion }

    struct Card: Sendable {
        var id: Int64
        var number: String
        var memberIndex: Int?
        var state: CardState
        var issuedAtMs: Int64
        var activatedAtMs: Int64?
        var replacedBy: String?
        var note: String
    }

    struct Member: Sendable {
        var kind: Kind
        var id: Int64 = 0
        var name = ""
        var gender = Gender.unknown
        var birthday: LocalDate?
        var phone = ""
        var email: String?
        var address: String?
        var idNumber: String?
        var profileJSON = "{}"
        var notes = ""
        var consentSMS = false
        var consentEmail = false
        var consentPhone = false
        var accountManagerId: Int64?
        var enrolledAtMs: Int64 = 0
        var enrolledDay = 0
        var enrolReceiptAtMs: Int64 = 0
        var enrolRule = ""
        /// Receipt numbers as stored, or purchase indices resolved when receipt numbers are known.
        var enrolReceiptsText = ""
        var enrolReceiptPurchases: [Int] = []
        var enrolUsedPurchases: [Int] = []
        var overrideReason: String?
        var enrolledBy = ""
        var entryTier = 0
        /// Annual spend propensity (yuan) and the share of the year the member could shop in.
        var annualYuan = 0.0
        var active = false
        var cards: [Int] = []
        var replacementAtMs: Int64?
        var honorary: (atMs: Int64, tier: Int, until: LocalDate, reason: String)?
        var purchases: [Int] = []
        // Results of the year.
        var earnedTier = 0
        var tierSinceDay = 0
        var lastReviewDay: Int?
        var balance: Int64 = 0
        var updatedAtMs: Int64 = 0
    }

    struct Line: Sendable {
        var counter: Int
        var amountFen: Int64
        var special: Bool
    }

    struct Purchase: Sendable {
        var atMs: Int64
        var day: Int
        var till: Int
        var lines: [Line]
        var member: Int? = nil
        /// The phone on the POS request (a member identified by phone, a prospect, or an enrolment receipt).
        var phone: String? = nil
        /// Which of the member's cards (0 the first, 1 its replacement) the purchase row records, and whether the
        /// POS request named it (otherwise the customer gave the phone).
        var cardSlot: Int? = nil
        var byCard = false
        /// Posted as a non-member receipt and credited when its customer enrolled.
        var enrolmentReceipt = false
        var totalFen: Int64 = 0
        var eligibleFen: Int64 = 0
        var pointsEarned: Int64 = 0
        var factorPermille = 1000
        var base: Int64 = 0
        var bonus: Int64 = 0
        var multipliers: [String] = []
        var balanceAfter: Int64? = nil
        var tierBefore: String? = nil
        var tierAfter: String? = nil
        var approvalRequested: String? = nil
        var eligibleToEnrol = false
        var ordinal: Int? = nil

        var createdAtMs: Int64 { atMs + 1_200 }
        var isMemberPOS: Bool { member != nil && !enrolmentReceipt }
    }

    struct LedgerEntry: Sendable {
        var member: Int
        var purchase: Int
        var points: Int64
        var balanceAfter: Int64
        var enrolmentCredit: Bool
        var actor: String
        var atMs: Int64
    }

    struct TierChange: Sendable {
        var member: Int
        var from: String
        var to: String
        var kind: String
        var reason: String
        var purchase: Int?
        var actor: String
        var atMs: Int64
    }

    struct TierRequest: Sendable {
        var member: Int
        var tier: String
        var reason: String
        var status: String
        var createdAtMs: Int64
        var decidedBy: String?
        var decidedAtMs: Int64?
        var note: String?
    }

    struct DaySpend: Sendable {
        var member: Int
        var day: Int
        var fen: Int64
        var purchases: Int
    }

    let inputs: Inputs
    let firstDay: Int
    let lastDay: Int
    var members: [Member] = []
    var cards: [Card] = []
    var purchases: [Purchase] = []
    var ledger: [LedgerEntry] = []
    var tierChanges: [TierChange] = []
    var tierRequests: [TierRequest] = []
    var daySpend: [DaySpend] = []
    var mallDayCounts: [Int: Int] = [:]
    /// The tier-review job's day by day: members reviewed, downgraded, upgraded.
    var reviewDays: [Int: (reviewed: Int, downgraded: Int, upgraded: Int)] = [:]
    /// Purchase indices in time order; a purchase's id is its rank here plus the base.
    var order: [Int] = []
    var receiptNumbers: [String] = []
    var purchaseIds: [Int64] = []
    /// Scale applied to members' purchases after enrolment to meet the spend target.
    var spendFactor = 1.0

    var programme: Programme { inputs.programme }
    var plan: DemoPlan { inputs.plan }
    var zone: TimeZone { programme.timeZone }

    // Streams of the seeded generator, one per purpose, so that a change in one part leaves the others alone.
    enum Stream: UInt64 { case people = 1, memberVisits, enrolment, nonMember, selection, phones, simulation, receipts }

    init(_ inputs: Inputs) {
        self.inputs = inputs
        let last = inputs.today.dayNumber - 1, first = last - inputs.plan.days + 1, zone = inputs.programme.timeZone
        lastDay = last
        firstDay = first
        dayStart = (0..<inputs.plan.days).map { epochMillis(LocalDate(dayNumber: first + $0).start(in: zone)) }
        dayTable = WeightedTable((0..<inputs.plan.days).map { DemoWorld.traffic(LocalDate(dayNumber: first + $0)) })
        let counters = inputs.counters
        // Calibrate the counters' VIP shares so that their sales-weighted mean is the plan's.
        let weighted = counters.reduce(0.0) { $0 + $1.salesWeight * $1.vipShare }
        let totalWeight = counters.reduce(0.0) { $0 + $1.salesWeight }
        let k = inputs.plan.vipShare * totalWeight / max(weighted, 1e-9)
        let share = counters.map { min(0.95, $0.vipShare * k) }
        let memberWeights = counters.indices.map { counters[$0].salesWeight * share[$0] / counters[$0].ticketYuan }
        let nonMemberWeights = counters.indices.map { counters[$0].salesWeight * (1 - share[$0]) / counters[$0].ticketYuan }
        memberCounterWeights = memberWeights
        nonMemberCounterWeights = nonMemberWeights
        memberCounters = WeightedTable(memberWeights)
        nonMemberCounters = WeightedTable(nonMemberWeights)
        let departments = Set(counters.map(\.department)).sorted()
        memberCountersByDepartment = Dictionary(uniqueKeysWithValues: departments.map { d in
            (d, WeightedTable(counters.indices.map { counters[$0].department == d ? memberWeights[$0] : 0 }))
        })
        nonMemberCountersByDepartment = Dictionary(uniqueKeysWithValues: departments.map { d in
            (d, WeightedTable(counters.indices.map { counters[$0].department == d ? nonMemberWeights[$0] : 0 }))
        })
    }

    private let dayStart: [Int64]
    private let dayTable: WeightedTable
    private let memberCounterWeights: [Double]
    private let nonMemberCounterWeights: [Double]
    private let memberCounters: WeightedTable
    private let nonMemberCounters: WeightedTable
    private let memberCountersByDepartment: [Int: WeightedTable]
    private let nonMemberCountersByDepartment: [Int: WeightedTable]

    // MARK: building

    static func build(_ inputs: Inputs) -> DemoWorld {
        var w = DemoWorld(inputs)
        w.makeMembers()
        w.makeEnrolmentReceipts()
        w.makeMemberVisits()
        w.simulateMembers()
        w.makeNonMemberPurchases()
        w.numberPurchases()
        w.makeCards()
        w.assignAccountManagers()
        return w
    }

    // MARK: calendar

    /// Relative shop traffic of a day: weekends, the slow season (Feb–Apr), holidays and the year-end peak.
    static func traffic(_ d: LocalDate) -> Double {
        let weekday = [0.85, 0.8, 0.85, 0.9, 1.05, 1.5, 1.4][d.weekday - 1]
        let month = [1.15, 0.85, 0.8, 0.85, 1.05, 0.9, 0.85, 0.9, 1.0, 1.2, 1.1, 1.25][d.month - 1]
        var holiday = 1.0
        switch (d.month, d.day) {
        case (10, 1...7): holiday = 1.7          // National Day golden week
        case (5, 1...3): holiday = 1.4           // May Day
        case (12, 24...25), (12, 31), (1, 1): holiday = 1.5
        case (11, 11), (2, 14), (3, 8): holiday = 1.25
        default: break
        }
        return weekday * month * holiday
    }

    func dayIndex(_ day: Int) -> Int { day - firstDay }

    func startMs(ofDay day: Int) -> Int64 {
        let i = day - firstDay
        if i >= 0 && i < dayStart.count { return dayStart[i] }
        return epochMillis(LocalDate(dayNumber: day).start(in: zone))
    }

    private static let hourWeights = WeightedTable([0.5, 0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.1, 1.0, 1.3, 1.2, 0.6]) // 10:00–21:59

    /// A shopping moment on `day` between 10:00 and 22:00, Shanghai time.
    func shoppingTime(_ day: Int, _ rng: inout SplitMix64) -> Int64 {
        let hour = 10 + DemoWorld.hourWeights.pick(&rng)
        let second = hour * 3600 + rng.below(3600)
        return startMs(ofDay: day) + Int64(second) * 1000 + Int64(rng.below(1000))
    }

    /// Office hours for desk work and decisions (10:00–18:00).
    func officeTime(_ day: Int, _ rng: inout SplitMix64) -> Int64 {
        startMs(ofDay: day) + Int64(10 * 3600 + rng.below(8 * 3600)) * 1000
    }

    // MARK: prices

    /// A shelf price near `yuan`: 599, 1,280, 368, 49 …
    static func shelfPriceFen(_ yuan: Double, _ rng: inout SplitMix64) -> Int64 {
        let y = max(9, yuan)
        var whole: Int64
        if y < 100 {
            whole = Int64(y.rounded())
        } else if y < 2000 {
            whole = Int64((y / 10).rounded()) * 10
            let r = rng.unit()
            if r < 0.55 { whole -= 1 } else if r < 0.7 { whole -= 2 } else if r < 0.8 { whole += 8 }
        } else {
            whole = Int64((y / 100).rounded()) * 100
            let r = rng.unit()
            if r < 0.35 { whole -= 1 } else if r < 0.6 { whole += 80 }
        }
        return max(900, whole * 100)
    }

    /// What a customer paid for one line at a counter: its own promotion (8.8折, 7折 …) on the shelf price, or
    /// gold sold by weight.
    func paidFen(_ counter: CounterInfo, yuan: Double, special: Bool, _ rng: inout SplitMix64) -> Int64 {
        if counter.category == "珠宝黄金", rng.chance(0.5) {
            let grams = max(1.0, rng.logNormal(median: 5 * yuan / counter.ticketYuan, sigma: 0.5))
            return Int64((grams * 100).rounded()) * 438   // gold at 438 yuan a gram, weighed to 0.01 g
        }
        let shelf = DemoWorld.shelfPriceFen(yuan, &rng)
        guard counter.participates, !special, rng.chance(0.3) else { return shelf }
        let permille = [900, 880, 850, 800, 750, 700][rng.below(6)]
        return max(100, (shelf * Int64(permille) + 500) / 1000)
    }

    // MARK: members

    private mutating func makeMembers() {
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

    static func receiptNumber(day: Int, till: Int, seq: Int) -> String {
        let d = LocalDate(dayNumber: day)
        return String(format: "%04d%02d%02d%02d%04d", d.year, d.month, d.day, till, seq)
    }

    // MARK: enrolment receipts

    private var singleReceiptFen: Int64 {
        programme.enrolment.rules.first { $0.kind == .singleReceipt }?.minSpendFen ?? 50_000
    }
    private var rollingRule: EnrolmentRule? { programme.enrolment.rules.first { $0.kind == .rollingMonths } }

    /// Receipt members enrol on what they just bought: one receipt over the threshold (most), or several small
    /// receipts within the rolling window. The receipts are posted as non-member purchases and credited at the desk.
    private mutating func makeEnrolmentReceipts() {
        for i in members.indices where members[i].kind == .receipt {
            var rng = SplitMix64(seed: plan.seed, stream: Stream.enrolment.rawValue, UInt64(members[i].id))
            var m = members[i]
            let day = m.enrolledDay
            let rolling = rollingRule.flatMap { rule in
                dayIndex(day) >= 10 && rng.chance(plan.rollingEnrolmentShare) ? rule : nil
            }
            var indices: [Int] = []
            let receiptAt = m.enrolReceiptAtMs
            if let rule = rolling {
                // Receipts under the single-receipt threshold, adding up to the rolling threshold.
                let cap = Double(singleReceiptFen) / 100
                var sum: Int64 = 0
                let span = min(dayIndex(day), max(7, (rule.months ?? 3) * 28 - 5))
                while sum < rule.minSpendFen {
                    // The last receipt is the enrolment day's; the others fall on earlier days within the window.
                    let d = indices.isEmpty ? day : day - 1 - rng.below(span)
                    let yuan = cap * (0.5 + 0.48 * rng.unit())
                    let p = makeReceipt(day: d, at: d == day ? receiptAt : nil, yuan: min(yuan, cap - 1), lines: 1, member: i, &rng,
                                        limitFen: singleReceiptFen - 100)
                    sum += p.totalFen
                    indices.append(appendPurchase(p))
                }
            } else {
                let yuan = Double(singleReceiptFen) / 100 + rng.logNormal(median: 260, sigma: 0.9)
                let p = makeReceipt(day: day, at: receiptAt, yuan: yuan, lines: rng.chance(0.25) ? 2 : 1, member: i, &rng,
                                    minimumFen: singleReceiptFen)
                indices.append(appendPurchase(p))
            }
            indices.sort { purchases[$0].atMs < purchases[$1].atMs }
            // Half the customers gave their phone at the till; the others bring the receipts to the desk.
            let carriesPhone = rolling != nil ? rng.chance(0.7) : rng.chance(0.5)
            for j in indices {
                purchases[j].enrolmentReceipt = true
                purchases[j].member = i
                if carriesPhone { purchases[j].phone = m.phone }
            }
            m.enrolReceiptPurchases = indices
            // The programme decides the rule and entry tier, as the desk would see it.
            let receipts = indices.map {
                QualifyingReceipt(receiptNo: String($0), businessDate: LocalDate(dayNumber: purchases[$0].day), amountFen: purchases[$0].totalFen)
            }
            switch programme.enrolment.evaluate(receipts, on: LocalDate(dayNumber: day), programme: programme) {
            case .eligible(let rule, let tier, let used):
                m.enrolRule = rule
                m.entryTier = programme.rank(of: tier) ?? 0
                m.enrolUsedPurchases = used.compactMap { Int($0) }
            case .notEligible:
                m.enrolRule = "override"
                m.overrideReason = "演示数据：按小票办卡"
                m.enrolUsedPurchases = []
            }
            members[i] = m
        }
    }

    private mutating func appendPurchase(_ p: Purchase) -> Int {
        purchases.append(p)
        return purchases.count - 1
    }

    /// One receipt of `lines` lines worth about `yuan` in total.
    private func makeReceipt(day: Int, at: Int64?, yuan: Double, lines count: Int, member: Int?, _ rng: inout SplitMix64,
                             minimumFen: Int64 = 0, limitFen: Int64 = .max) -> Purchase {
        let table = member == nil ? nonMemberCounters : memberCounters
        let first = table.pick(&rng)
        var lines: [Line] = []
        var counter = first
        for n in 0..<count {
            if n > 0 {
                let sameDepartment = rng.chance(0.7)
                let byDept = member == nil ? nonMemberCountersByDepartment : memberCountersByDepartment
                counter = sameDepartment ? byDept[inputs.counters[first].department]!.pick(&rng) : table.pick(&rng)
            }
            let c = inputs.counters[counter]
            let share = count == 1 ? 1.0 : (n == 0 ? 0.6 : 0.4 / Double(count - 1))
            let special = rng.chance(c.specialRate)
            let fen = min(limitFen, DemoWorld.shelfPriceFen(yuan * share, &rng))
            lines.append(Line(counter: counter, amountFen: fen, special: special))
        }
        var total = lines.reduce(Int64(0)) { $0 + $1.amountFen }
        if total < minimumFen {
            let bump = (minimumFen - total + 999) / 1000 * 1000
            lines[0].amountFen += bump
            total += bump
        }
        let c = inputs.counters[lines[0].counter]
        let till = rng.int(DemoCatalogue.tillsByFloor[c.floor] ?? 1...16)
        let time = shoppingTime(day, &rng)
        return finish(Purchase(atMs: at ?? time, day: day, till: till, lines: lines))
    }

    private func finish(_ p: Purchase) -> Purchase {
        var p = p
        p.totalFen = p.lines.reduce(0) { $0 + $1.amountFen }
        p.eligibleFen = p.lines.reduce(0) { $0 + (inputs.counters[$1.counter].earnsPoints ? $1.amountFen : 0) }
        return p
    }

    // MARK: member visits

    /// Mean member line (yuan) at a counter picked by the member weights: sizes the number of visits.
    private var meanMemberLineYuan: Double {
        let total = memberCounterWeights.reduce(0, +)
        return zip(memberCounterWeights, inputs.counters).reduce(0.0) { $0 + $1.0 / total * $1.1.ticketYuan }
    }

    /// Members' purchases after enrolment. Drawn twice: once to measure, once scaled so that the average spend per
    /// active card meets the plan (the draws are the same, only the amounts differ).
    private mutating func makeMemberVisits() {
        let enrolmentFen = members.reduce(Int64(0)) { sum, m in sum + m.enrolReceiptPurchases.reduce(0) { $0 + purchases[$1].totalFen } }
        let activeCount = members.reduce(0) { $0 + ($1.active ? 1 : 0) }
        let target = Double(plan.spendPerActiveCardFen) * Double(activeCount)
        var measured: Int64 = 0
        for i in members.indices { measured += visits(i, factor: 1).reduce(0) { $0 + $1.totalFen } }
        spendFactor = measured > 0 ? max(0.2, (target - Double(enrolmentFen)) / Double(measured)) : 1
        for i in members.indices {
            for p in visits(i, factor: spendFactor) { members[i].purchases.append(appendPurchase(p)) }
        }
    }

    private func visits(_ i: Int, factor: Double) -> [Purchase] {
        let m = members[i]
        guard m.active else { return [] }
        var rng = SplitMix64(seed: plan.seed, stream: Stream.memberVisits.rawValue, UInt64(m.id))
        let startIndex = max(0, dayIndex(m.enrolledDay) + 1)
        let endIndex = plan.days - 1
        guard startIndex <= endIndex else { return [] }
        let fraction = Double(endIndex - startIndex + 1) / Double(plan.days)
        // Bigger spenders buy dearer things as well as more often.
        let wealth = min(3, max(0.5, Foundation.pow(m.annualYuan / plan.medianAnnualSpendYuan, 0.25)))
        let perVisit = meanMemberLineYuan * wealth * 1.35
        var count = rng.poisson(m.annualYuan * fraction / perVisit)
        if m.kind != .receipt { count = max(1, count) }
        var out: [Purchase] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let day = firstDay + dayTable.pick(&rng, in: startIndex...endIndex)
            let r = rng.unit()
            let lineCount = r < 0.7 ? 1 : (r < 0.93 ? 2 : 3)
            let first = memberCounters.pick(&rng)
            var lines: [Line] = []
            var counter = first
            for n in 0..<lineCount {
                if n > 0 {
                    counter = rng.chance(0.7) ? memberCountersByDepartment[inputs.counters[first].department]!.pick(&rng) : memberCounters.pick(&rng)
                }
                let c = inputs.counters[counter]
                let yuan = rng.logNormal(median: c.ticketYuan * 0.86, sigma: 0.55) * wealth * factor
                let special = rng.chance(c.specialRate)
                lines.append(Line(counter: counter, amountFen: paidFen(c, yuan: yuan, special: special, &rng), special: special))
            }
            let till = rng.int(DemoCatalogue.tillsByFloor[inputs.counters[first].floor] ?? 1...16)
            var p = finish(Purchase(atMs: shoppingTime(day, &rng), day: day, till: till, lines: lines))
            p.member = i
            if rng.chance(plan.memberByPhoneRate) { p.phone = m.phone }
            out.append(p)
        }
        return out
    }

    // MARK: the year, member by member

    /// Points, balances, rolling spend and tiers, replayed in time order for each member with the programme's own
    /// rules; the mall-wide "first N member purchases of the day" ordinal is counted first across all members.
    private mutating func simulateMembers() {
        countDayOrdinals()
        for i in members.indices { simulate(i) }
        daySpend.sort { ($0.member, $0.day) < ($1.member, $1.day) }
    }

    private mutating func countDayOrdinals() {
        let rules = programme.earning.multipliers.filter { $0.firstMemberPurchasesOfDay != nil }
        guard !rules.isEmpty else { return }
        var counted: [(Int64, Int)] = []
        for (j, p) in purchases.enumerated() where p.isMemberPOS {
            let m = members[p.member!]
            let context = EarningContext(businessDate: LocalDate(dayNumber: p.day), birthday: m.birthday.map { MonthDay(month: $0.month, day: $0.day) },
                                         memberPurchaseOrdinalOfDay: 1)
            if rules.contains(where: { $0.applies(context) }) { counted.append((p.atMs, j)) }
        }
        counted.sort { $0 < $1 }
        for (_, j) in counted {
            let day = purchases[j].day
            let n = (mallDayCounts[day] ?? 0) + 1
            mallDayCounts[day] = n
            purchases[j].ordinal = n
        }
    }

    private enum Event {
        case enrol
        case purchase(Int)
        case honorary
        case replaceCard
    }

    private mutating func simulate(_ i: Int) {
        var m = members[i]
        let programme = self.programme
        let tiers = programme.tiers
        let windows = programme.tierWindows
        let birthday = m.birthday.map { MonthDay(month: $0.month, day: $0.day) }
        var rng = SplitMix64(seed: plan.seed, stream: Stream.simulation.rawValue, UInt64(m.id))
        var tier = m.entryTier
        var tierSince = m.enrolledDay
        var balance: Int64 = 0
        var spend: [(day: Int, fen: Int64)] = []
        var manual: (tier: Int, until: LocalDate)?
        var pending: (tier: String, reason: String, request: Int, decideAt: Int64, approve: Bool)?
        var card = 0   // index into the member's cards: 0 first, 1 after a replacement
        var updated = m.enrolledAtMs
        let endMs = startMs(ofDay: lastDay + 1)

        func rolling(endingOn day: Int, plus extra: Int64) -> RollingSpend {
            let end = LocalDate(dayNumber: day)
            var by: [Int: Int64] = [:]
            for w in windows {
                let start = end.windowStart(months: w).dayNumber
                by[w] = spend.reduce(extra) { $0 + ($1.day >= start && $1.day <= day ? $1.fen : 0) }
            }
            return RollingSpend(by)
        }
        func effective(on day: Int) -> String {
            programme.effectiveTier(earned: tiers[tier].code, manual: manual.map { tiers[$0.tier].code }, manualUntil: manual?.until,
                                    on: LocalDate(dayNumber: day))
        }
        func addSpend(_ day: Int, _ fen: Int64) {
            spend.append((day, fen))
        }

        // Enrolment row (every member has one), and the earlier members' tier from the spend before the year.
        tierChanges.append(TierChange(member: i, from: tiers[tier].code, to: tiers[tier].code, kind: "enrol",
                                      reason: m.enrolRule, purchase: nil, actor: m.enrolledBy, atMs: m.enrolledAtMs))
        if m.kind == .swap || m.kind == .earlierReceipt {
            // Swapped cards carry the old card's tier (its 12 months' spend); earlier enrolments reached theirs at
            // the till some time before the year. That spend predates the data, so it is only in the reason.
            let before = m.annualYuan * (0.3 + 0.7 * rng.unit())
            let prior = RollingSpend(Dictionary(uniqueKeysWithValues: windows.map { ($0, Int64(before * 100 * min(1, Double($0) / 12))) }))
            let evaluation = programme.evaluateTier(spend: prior, floor: tiers[tier].code)
            if evaluation.tier != tiers[tier].code, let reason = evaluation.reason {
                let swap = m.kind == .swap
                let day = swap ? m.enrolledDay : max(m.enrolledDay + 1, firstDay - 1 - rng.below(120))
                let at = swap ? m.enrolledAtMs + 1000 : shoppingTime(day, &rng)
                tierChanges.append(TierChange(member: i, from: tiers[tier].code, to: evaluation.tier, kind: "upgrade",
                                              reason: (try? encodeJSON(reason)) ?? "", purchase: nil,
                                              actor: swap ? "migration" : "pos", atMs: at))
                tier = programme.rank(of: evaluation.tier) ?? tier
                tierSince = day
                updated = at
            }
        }

        var events: [(Int64, Int, Event)] = []
        if m.kind == .receipt { events.append((m.enrolledAtMs, 0, .enrol)) }
        for j in m.purchases { events.append((purchases[j].atMs, 1, .purchase(j))) }
        if let h = m.honorary { events.append((h.atMs, 2, .honorary)) }
        if let r = m.replacementAtMs { events.append((r, 3, .replaceCard)) }
        events.sort { ($0.0, $0.1) < ($1.0, $1.1) }

        func decide(before t: Int64) {
            guard let p = pending, p.decideAt <= t else { return }
            tierRequests[p.request].status = p.approve ? "approved" : "rejected"
            tierRequests[p.request].decidedBy = inputs.managerActor
            tierRequests[p.request].decidedAtMs = p.decideAt
            tierRequests[p.request].note = p.approve ? "资信审核通过" : "资信审核未通过，暂缓升级"
            if p.approve, let rank = programme.rank(of: p.tier) {
                tierChanges.append(TierChange(member: i, from: tiers[tier].code, to: p.tier, kind: "approval", reason: p.reason,
                                              purchase: nil, actor: inputs.managerActor, atMs: p.decideAt))
                tier = rank
                tierSince = LocalDate.of(dateFromMillis(p.decideAt), in: zone).dayNumber
                updated = max(updated, p.decideAt)
            }
            pending = nil
        }

        // The daily tier-review job (`runTierReview`), as it would have run through the year: on the anniversary of
        // the last tier change or review, or on 1 January; before the year it is taken to have changed nothing.
        var lastReview: Int?
        func review(on day: Int) {
            defer { lastReview = day }
            guard day >= firstDay else { return }
            decide(before: startMs(ofDay: day))
            let floor = programme.review.downgrade ? programme.entryTier.code : tiers[tier].code
            let evaluation = programme.evaluateTier(spend: rolling(endingOn: day, plus: 0), floor: floor)
            let newRank = programme.rank(of: evaluation.tier) ?? tier
            reviewDays[day, default: (0, 0, 0)].reviewed += 1
            if newRank < tier { reviewDays[day, default: (0, 0, 0)].downgraded += 1 }
            if newRank > tier { reviewDays[day, default: (0, 0, 0)].upgraded += 1 }
            guard evaluation.tier != tiers[tier].code else { return }
            let at = startMs(ofDay: day) + Int64(300 + rng.below(3000)) * 1000
            tierChanges.append(TierChange(member: i, from: tiers[tier].code, to: evaluation.tier, kind: "review",
                                          reason: evaluation.reason.flatMap { try? encodeJSON($0) } ?? "年度复核", purchase: nil,
                                          actor: "job", atMs: at))
            tier = programme.rank(of: evaluation.tier) ?? tier
            tierSince = day
            updated = max(updated, at)
        }
        func reviews(through day: Int) {
            switch programme.review.mode {
            case .none:
                return
            case .anniversary:
                while true {
                    let since = max(tierSince, lastReview ?? tierSince)
                    var due = LocalDate(dayNumber: since).adding(months: 12).dayNumber
                    while LocalDate(dayNumber: due).adding(months: -12).dayNumber < since { due += 1 }
                    guard due <= day else { return }
                    review(on: due)
                }
            case .calendarYear:
                let from = LocalDate(dayNumber: m.enrolledDay).year + 1
                guard from <= LocalDate(dayNumber: day).year else { return }
                for year in from...LocalDate(dayNumber: day).year {
                    let newYear = LocalDate(year: year, month: 1, day: 1).dayNumber
                    if newYear > m.enrolledDay, (lastReview ?? Int.min) < newYear { review(on: newYear) }
                }
            }
        }

        for (at, _, event) in events {
            reviews(through: LocalDate.of(dateFromMillis(at), in: zone).dayNumber)
            decide(before: at)
            switch event {
            case .enrol:
                // The desk credits the qualifying receipts: points as the live enrolment computes them.
                for j in m.enrolReceiptPurchases {
                    let p = purchases[j]
                    let earning = programme.earning.earn(eligibleFen: p.eligibleFen,
                                                         context: EarningContext(businessDate: LocalDate(dayNumber: p.day), birthday: birthday))
                    balance += earning.points
                    purchases[j].pointsEarned = earning.points
                    purchases[j].factorPermille = earning.factorPermille
                    if earning.points != 0 {
                        ledger.append(LedgerEntry(member: i, purchase: j, points: earning.points, balanceAfter: balance,
                                                  enrolmentCredit: true, actor: m.enrolledBy, atMs: m.enrolledAtMs))
                    }
                    addSpend(p.day, p.totalFen)
                }
                let evaluation = programme.evaluateTier(spend: rolling(endingOn: m.enrolledDay, plus: 0), floor: tiers[tier].code)
                if evaluation.tier != tiers[tier].code {
                    tierChanges.append(TierChange(member: i, from: tiers[tier].code, to: evaluation.tier, kind: "upgrade",
                                                  reason: (try? encodeJSON(evaluation.reason)) ?? "", purchase: nil,
                                                  actor: m.enrolledBy, atMs: m.enrolledAtMs))
                    tier = programme.rank(of: evaluation.tier) ?? tier
                }
            case .purchase(let j):
                var p = purchases[j]
                let before = effective(on: p.day)
                let context = EarningContext(businessDate: LocalDate(dayNumber: p.day), birthday: birthday, memberPurchaseOrdinalOfDay: p.ordinal)
                let earning = programme.earning.earn(eligibleFen: p.eligibleFen, context: context)
                let evaluation = programme.evaluateTier(spend: rolling(endingOn: p.day, plus: p.totalFen), floor: tiers[tier].code)
                if let candidate = evaluation.approvalCandidate, pending == nil {
                    let reason = (try? encodeJSON(evaluation.approvalReason)) ?? ""
                    let decideDay = p.day + 1 + rng.below(4)
                    tierRequests.append(TierRequest(member: i, tier: candidate, reason: reason, status: "pending", createdAtMs: p.createdAtMs))
                    pending = (candidate, reason, tierRequests.count - 1, officeTime(decideDay, &rng), rng.chance(0.8))
                    p.approvalRequested = candidate
                }
                balance += earning.points
                p.pointsEarned = earning.points
                p.base = earning.basePoints
                p.bonus = earning.bonusPoints
                p.factorPermille = earning.factorPermille
                p.multipliers = earning.multiplierNames
                p.balanceAfter = balance
                if earning.points != 0 {
                    ledger.append(LedgerEntry(member: i, purchase: j, points: earning.points, balanceAfter: balance,
                                              enrolmentCredit: false, actor: "pos", atMs: p.createdAtMs))
                }
                if evaluation.tier != tiers[tier].code {
                    tierChanges.append(TierChange(member: i, from: tiers[tier].code, to: evaluation.tier, kind: "upgrade",
                                                  reason: (try? encodeJSON(evaluation.reason)) ?? "", purchase: j, actor: "pos",
                                                  atMs: p.createdAtMs))
                    tier = programme.rank(of: evaluation.tier) ?? tier
                    tierSince = p.day
                }
                addSpend(p.day, p.totalFen)
                p.tierBefore = before
                p.tierAfter = effective(on: p.day)
                p.cardSlot = card
                p.byCard = p.phone == nil
                purchases[j] = p
                updated = max(updated, p.createdAtMs)
            case .honorary:
                guard let h = m.honorary else { break }
                let from = manual.map { tiers[$0.tier].code } ?? tiers[tier].code
                manual = (h.tier, h.until)
                tierChanges.append(TierChange(member: i, from: from, to: tiers[h.tier].code, kind: "manual",
                                              reason: "\(h.reason) · 至 \(h.until)", purchase: nil, actor: inputs.managerActor, atMs: h.atMs))
                updated = max(updated, h.atMs)
            case .replaceCard:
                card = 1
            }
        }
        reviews(through: lastDay)
        decide(before: endMs)
        for j in m.enrolReceiptPurchases { purchases[j].cardSlot = 0 }

        // Rolling-spend aggregate, one row per day.
        var byDay: [Int: (Int64, Int)] = [:]
        for s in spend { byDay[s.day, default: (0, 0)].0 += s.fen; byDay[s.day, default: (0, 0)].1 += 1 }
        for (day, v) in byDay { daySpend.append(DaySpend(member: i, day: day, fen: v.0, purchases: v.1)) }

        m.earnedTier = tier
        m.tierSinceDay = tierSince
        m.lastReviewDay = lastReview
        m.balance = balance
        m.updatedAtMs = updated
        members[i] = m
    }

    // MARK: non-members

    /// Walk-in customers: receipts until the VIP share of sales is the plan's.
    private mutating func makeNonMemberPurchases() {
        let memberFen = purchases.reduce(Int64(0)) { $0 + ($1.member != nil ? $1.totalFen : 0) }
        let target = Int64(Double(memberFen) * (1 - plan.vipShare) / plan.vipShare)
        var rng = SplitMix64(seed: plan.seed, stream: Stream.nonMember.rawValue)
        var phoneRng = SplitMix64(seed: plan.seed, stream: Stream.phones.rawValue, 1)
        var used = Set(members.map(\.phone))
        let prospects = (0..<max(1, plan.scaled(400))).map { _ in DemoWorld.uniquePhone(&phoneRng, &used) }
        var sum: Int64 = 0
        while sum < target {
            let day = firstDay + dayTable.pick(&rng)
            let r = rng.unit()
            let lineCount = r < 0.72 ? 1 : (r < 0.94 ? 2 : 3)
            let first = nonMemberCounters.pick(&rng)
            var lines: [Line] = []
            var counter = first
            for n in 0..<lineCount {
                if n > 0 {
                    counter = rng.chance(0.7) ? nonMemberCountersByDepartment[inputs.counters[first].department]!.pick(&rng) : nonMemberCounters.pick(&rng)
                }
                let c = inputs.counters[counter]
                let special = rng.chance(c.specialRate)
                let yuan = rng.logNormal(median: c.ticketYuan * 0.86, sigma: 0.55)
                lines.append(Line(counter: counter, amountFen: paidFen(c, yuan: yuan, special: special, &rng), special: special))
            }
            let till = rng.int(DemoCatalogue.tillsByFloor[inputs.counters[first].floor] ?? 1...16)
            var p = finish(Purchase(atMs: shoppingTime(day, &rng), day: day, till: till, lines: lines))
            if rng.chance(plan.prospectPhoneRate) { p.phone = rng.pick(prospects) }
            sum += p.totalFen
            purchases.append(p)
        }
    }

    // MARK: numbering

    /// Time order gives ids and receipt numbers (date, till, sequence of the till that day).
    private mutating func numberPurchases() {
        order = purchases.indices.sorted { (purchases[$0].atMs, $0) < (purchases[$1].atMs, $1) }
        purchaseIds = Array(repeating: 0, count: purchases.count)
        receiptNumbers = Array(repeating: "", count: purchases.count)
        var sequence: [Int: Int] = [:]
        for (rank, j) in order.enumerated() {
            purchaseIds[j] = inputs.purchaseIdBase + Int64(rank) + 1
            let key = purchases[j].day * 100 + purchases[j].till
            let seq = (sequence[key] ?? 0) + 1
            sequence[key] = seq
            receiptNumbers[j] = DemoWorld.receiptNumber(day: purchases[j].day, till: purchases[j].till, seq: seq)
        }
        // What a non-member receipt told the cashier: whether the customer may enrol on it.
        for j in purchases.indices where purchases[j].member == nil || purchases[j].enrolmentReceipt {
            let receipt = QualifyingReceipt(receiptNo: receiptNumbers[j], businessDate: LocalDate(dayNumber: purchases[j].day),
                                            amountFen: purchases[j].totalFen)
            if purchases[j].totalFen >= minimumEnrolmentFen,
               case .eligible = programme.enrolment.evaluate([receipt], on: receipt.businessDate, programme: programme) {
                purchases[j].eligibleToEnrol = true
            }
        }
        for i in members.indices {
            let used = members[i].enrolUsedPurchases
            if !used.isEmpty { members[i].enrolReceiptsText = used.map { receiptNumbers[$0] }.joined(separator: ",") }
        }
    }

    /// Below the smallest enrolment threshold no single receipt can qualify: skip the evaluation.
    private var minimumEnrolmentFen: Int64 {
        let all = programme.enrolment.rules.map(\.minSpendFen) + programme.enrolment.entryTiers.map(\.rule.minSpendFen)
        return all.min() ?? 0
    }

    // MARK: cards

    private mutating func makeCards() {
        var next = inputs.cardIdBase
        func newCard(_ member: Int?, state: CardState, issued: Int64, activated: Int64?, note: String) -> Int {
            next += 1
            cards.append(Card(id: next, number: CardNumber.make(serial: next), memberIndex: member, state: state, issuedAtMs: issued,
                              activatedAtMs: activated, replacedBy: nil, note: note))
            return cards.count - 1
        }
        var rng = SplitMix64(seed: plan.seed, stream: Stream.selection.rawValue, 2)
        for i in members.indices {
            let m = members[i]
            if m.kind == .conversion {
                // Pre-issued at a community stand, activated at the desk.
                let issued = officeTime(m.enrolledDay - 3 - rng.below(40), &rng)
                members[i].cards.append(newCard(i, state: .active, issued: issued, activated: m.enrolledAtMs, note: "预制卡"))
            } else {
                members[i].cards.append(newCard(i, state: .active, issued: m.enrolledAtMs, activated: m.enrolledAtMs, note: ""))
            }
        }
        for i in members.indices {
            guard let at = members[i].replacementAtMs else { continue }
            let old = members[i].cards[0]
            let new = newCard(i, state: .active, issued: at, activated: at, note: "")
            cards[old].state = .replaced
            cards[old].replacedBy = cards[new].number
            cards[old].note = "挂失"
            members[i].cards.append(new)
        }
        // Cards still in stock for the next community stand.
        let stockDay = lastDay - 5 - rng.below(20)
        let stockAt = officeTime(stockDay, &rng)
        for _ in 0..<plan.scaled(plan.inactiveCardStock) {
            _ = newCard(nil, state: .inactive, issued: stockAt, activated: nil, note: "预制卡")
        }
    }

    /// The card number a purchase row records (the card that was active when it was made).
    func cardNumber(_ p: Purchase) -> String? {
        guard let i = p.member, let slot = p.cardSlot else { return nil }
        let held = members[i].cards
        return cards[held[min(slot, held.count - 1)]].number
    }

    // MARK: account managers

    /// High-end VIPs (diamond and above, effective at year end) each get a maintainer (维护人).
    private mutating func assignAccountManagers() {
        guard !inputs.accountManagerIds.isEmpty else { return }
        let floor = programme.rank(of: "diamond") ?? max(1, programme.tiers.count - 2)
        let today = inputs.today
        var k = 0
        for i in members.indices {
            let m = members[i]
            let effective = programme.effectiveTier(earned: programme.tiers[m.earnedTier].code,
                                                    manual: m.honorary.map { programme.tiers[$0.tier].code }, manualUntil: m.honorary?.until, on: today)
            guard (programme.rank(of: effective) ?? 0) >= floor else { continue }
            members[i].accountManagerId = inputs.accountManagerIds[k % inputs.accountManagerIds.count]
            k += 1
        }
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
