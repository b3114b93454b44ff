/// One member as the simulator replays them: where they stood when the window opened, and their purchases (those
/// before the window too, as far back as the longest tier window needs, for rolling spend) and car park exits in
/// time order. Manual (honorary) tiers are not replayed: members are counted and served by their earned tier.
public struct SimulationMember: Sendable {
    public var id: Int64
    public var birthday: MonthDay?
    public var enrolledDay: LocalDate
    /// Earned tier when the window opened (for a member who joined later: the tier they joined with).
    public var startTier: String
    /// Business day of the tier change that gave `startTier` (the anniversary review counts from it).
    public var tierSince: LocalDate
    /// Points balance now; the liability swaps the points recorded in the window for the replay's.
    public var balanceNow: Int64
    public var purchases: [SimulationPurchase]
    public var parkingExits: [SimulationParkingExit]

    public init(id: Int64, birthday: MonthDay?, enrolledDay: LocalDate, startTier: String, tierSince: LocalDate, balanceNow: Int64,
                purchases: [SimulationPurchase], parkingExits: [SimulationParkingExit] = []) {
        self.id = id
        self.birthday = birthday
        self.enrolledDay = enrolledDay
        self.startTier = startTier
        self.tierSince = tierSince
        self.balanceNow = balanceNow
        self.purchases = purchases
        self.parkingExits = parkingExits
    }
}

public struct SimulationPurchase: Sendable, Equatable {
    public var id: Int64
    public var atMs: Int64
    public var day: LocalDate
    public var mallId: Int64
    public var totalFen: Int64
    /// The part that earns points (counters that earn points).
    public var eligibleFen: Int64
    /// What the member paid on regular-priced lines of counters that give the member discount (0 for receipts credited
    /// at enrolment: no discount was given at the till).
    public var discountableFen: Int64
    /// Points recorded for the receipt (the ledger's earn row).
    public var recordedPoints: Int64
    /// The mall's "first N member purchases of the day" ordinal under the active programme and under the draft; nil
    /// when not counted (`ProgrammeSimulation.dayOrdinals`).
    public var dayOrdinal: Int?
    public var draftDayOrdinal: Int?

    public init(id: Int64, atMs: Int64, day: LocalDate, mallId: Int64 = 1, totalFen: Int64, eligibleFen: Int64, discountableFen: Int64 = 0,
                recordedPoints: Int64 = 0, dayOrdinal: Int? = nil, draftDayOrdinal: Int? = nil) {
        self.id = id
        self.atMs = atMs
        self.day = day
        self.mallId = mallId
        self.totalFen = totalFen
        self.eligibleFen = eligibleFen
        self.discountableFen = discountableFen
        self.recordedPoints = recordedPoints
        self.dayOrdinal = dayOrdinal
        self.draftDayOrdinal = draftDayOrdinal
    }
}

public struct SimulationParkingExit: Sendable, Equatable {
    public var atMs: Int64
    public var day: LocalDate
    public var mallId: Int64
    public var stayMinutes: Int

    public init(atMs: Int64, day: LocalDate, mallId: Int64 = 1, stayMinutes: Int) {
        self.atMs = atMs
        self.day = day
        self.mallId = mallId
        self.stayMinutes = stayMinutes
    }
}

/// A member purchase as the day-ordinal count needs it, in posting order within each mall and day.
public struct OrdinalPurchase: Sendable {
    public var id: Int64
    public var mallId: Int64
    public var day: LocalDate
    public var birthday: MonthDay?
    /// Posted before the member had a card and credited at enrolment: the till did not count it.
    public var creditedAtEnrolment: Bool

    public init(id: Int64, mallId: Int64, day: LocalDate, birthday: MonthDay?, creditedAtEnrolment: Bool = false) {
        self.id = id
        self.mallId = mallId
        self.day = day
        self.birthday = birthday
        self.creditedAtEnrolment = creditedAtEnrolment
    }
}
