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

    let dayStart: [Int64]
    let dayTable: WeightedTable
    let memberCounterWeights: [Double]
    private let nonMemberCounterWeights: [Double]
    let memberCounters: WeightedTable
    let nonMemberCounters: WeightedTable
    let memberCountersByDepartment: [Int: WeightedTable]
    let nonMemberCountersByDepartment: [Int: WeightedTable]

    // MARK: building

    /// The steps, in order; each lives in the file of its aspect (DemoWorld+Members, +Purchases, +Simulation,
    /// +Numbering, +Cards; the calendar and prices they draw on in +Calendar and +Prices).
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
}
