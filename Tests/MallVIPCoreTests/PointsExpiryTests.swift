import Testing
@testable import MallVIPCore

@Suite("Points expiry: lots by credit year, oldest consumed first")
struct PointsExpiryTests {
    func lots(_ rows: [(String, Int64, Int)]) -> PointsLots {
        var l = PointsLots()
        for (kind, points, year) in rows { l.add(kind: kind, points: points, year: year) }
        return l
    }

    @Test("earned in 2025, nothing spent: all of 2025 expires, 2026 stays")
    func plainEarn() {
        let l = lots([("earn", 300, 2025), ("earn", 200, 2026)])
        #expect(l.balance == 500)
        #expect(l.expiring(through: 2024) == 0)
        #expect(l.expiring(through: 2025) == 300)
        #expect(l.expiring(through: 2026) == 500)
        #expect(l.lots().map(\.year) == [2025, 2026])
        #expect(l.lots().map(\.points) == [300, 200])
    }

    @Test("a redemption takes the oldest points first, wherever it happens")
    func redeemOldestFirst() {
        // 300 in 2025, 200 in 2026, 350 redeemed in 2026: 2025 is used up, 150 of 2026 remain.
        let l = lots([("earn", 300, 2025), ("earn", 200, 2026), ("redeem", -350, 2026)])
        #expect(l.expiring(through: 2025) == 0)
        #expect(l.expiring(through: 2026) == 150)
        #expect(l.lots().map(\.points) == [150])
        #expect(l.lots().map(\.year) == [2026])
    }

    @Test("a refund reduces the year of the original purchase, not consumption")
    func refundReducesItsYear() {
        // 2025 purchase earns 300; refunded in 2026 (100 reversed, dated 2025 by its purchase); 2026 earns 200.
        let l = lots([("earn", 300, 2025), ("earn", 200, 2026), ("reverse", -100, 2025)])
        #expect(l.consumed == 0)
        #expect(l.expiring(through: 2025) == 200)
        #expect(l.balance == 400)
    }

    @Test("a void gives the consumption back, so those points can lapse again")
    func voidReturnsConsumption() {
        let l = lots([("earn", 300, 2025), ("redeem", -300, 2026), ("redeemVoid", 300, 2026)])
        #expect(l.consumed == 0)
        #expect(l.expiring(through: 2025) == 300)
    }

    @Test("earlier expiries count as consumption: a second expiry of the same year finds nothing")
    func earlierExpiry() {
        var l = lots([("earn", 300, 2025), ("earn", 200, 2026)])
        l.add(kind: "expire", points: -300, year: 2027)
        #expect(l.expiring(through: 2025) == 0)
        #expect(l.expiring(through: 2026) == 200)
        #expect(l.balance == 200)
    }

    @Test("adjustments: a credit dates from its year, a deduction is consumption; referrals credit and reverse their year")
    func adjustAndReferral() {
        let l = lots([("adjust", 50, 2025), ("adjust", -20, 2026), ("referral", 200, 2025), ("referralReverse", -200, 2025),
                      ("earn", 100, 2026)])
        #expect(l.credits[2025] == 50)
        #expect(l.consumed == 20)
        #expect(l.expiring(through: 2025) == 30)
        #expect(l.balance == 130)
    }

    @Test("the plan expires each lapsed year once, oldest first, skips years done and never more than the balance")
    func plan() {
        let l = lots([("earn", 100, 2023), ("earn", 300, 2024), ("earn", 200, 2025), ("earn", 50, 2026), ("redeem", -150, 2026)])
        let p = l.expiryPlan(through: 2025, balance: 500)
        #expect(p.map(\.year) == [2024, 2025])
        #expect(p.map(\.points) == [250, 200])
        // 2024 already done (its row exists): only 2025 — with the 2024 expiry already in consumption.
        var after = l
        after.add(kind: "expire", points: -250, year: 2026)
        #expect(after.expiryPlan(through: 2025, done: [2024], balance: 250).map(\.points) == [200])
        // A stored balance lower than the ledger says: never below zero.
        #expect(l.expiryPlan(through: 2025, balance: 120).map(\.points) == [120])
        #expect(l.expiryPlan(through: 2025, balance: -5).isEmpty)
        #expect(l.expiryPlan(through: 2022, balance: 500).isEmpty)
    }

    @Test("a refund after the points were spent leaves nothing to expire")
    func refundAfterRedeem() {
        let l = lots([("earn", 100, 2025), ("redeem", -100, 2025), ("reverse", -100, 2025)])
        #expect(l.balance == -100)
        #expect(l.expiring(through: 2025) == 0)
        #expect(l.expiryPlan(through: 2025, balance: -100).isEmpty)
    }

    @Test("calendar years kept: 2025's points are valid to 2026-12-31 and lapse on 2027-01-01")
    func policyDates() {
        let p = ExpiryPolicy(mode: .calendarYear, keepYears: 1)
        #expect(p.lastValidDay(ofYear: 2025) == LocalDate(year: 2026, month: 12, day: 31))
        #expect(p.lapsedYear(on: LocalDate(year: 2027, month: 1, day: 1)) == 2025)
        #expect(p.lapsedYear(on: LocalDate(year: 2026, month: 12, day: 31)) == 2024)
        #expect(p.lastYearValidUntil(LocalDate(year: 2026, month: 12, day: 31)) == 2025)
        #expect(p.lastYearValidUntil(LocalDate(year: 2026, month: 12, day: 30)) == 2024)
        #expect(ExpiryPolicy(mode: .calendarYear, keepYears: 2).lapsedYear(on: LocalDate(year: 2027, month: 1, day: 1)) == 2024)
        let never = ExpiryPolicy(mode: .none, keepYears: 1)
        #expect(never.lapsedYear(on: LocalDate(year: 2030, month: 1, day: 1)) == nil)
        #expect(never.lastValidDay(ofYear: 2025) == nil)
    }
}

@Suite("Parking charge")
struct ParkingChargeTests {
    let policy = Programme.defaultProgramme().parking

    @Test("a Silver member (2 free hours) parked 3 h pays for 1 h: 10 yuan")
    func silverThreeHours() {
        let silver = Programme.defaultProgramme().tier("silver")!.benefits.freeParkingHours
        #expect(silver == 2)
        let c = policy.charge(stayMinutes: 180, tierFreeHours: silver, sameDaySpendFen: 0)
        #expect(c == ParkingCharge(stayMinutes: 180, allowanceMinutes: 120, freeMinutes: 120, chargeableMinutes: 60, units: 1,
                                   amountFen: 1_000, grace: false))
    }

    @Test("every started unit is charged; a non-member pays from the first minute after grace")
    func startedUnits() {
        #expect(policy.charge(stayMinutes: 181, tierFreeHours: 2, sameDaySpendFen: 0).amountFen == 2_000)
        #expect(policy.charge(stayMinutes: 120, tierFreeHours: 2, sameDaySpendFen: 0).amountFen == 0)
        let guest = policy.charge(stayMinutes: 16, tierFreeHours: nil, sameDaySpendFen: 999_999)
        #expect(guest.amountFen == 1_000)
        #expect(guest.allowanceMinutes == 0)
        #expect(guest.freeMinutes == 0)
    }

    @Test("within the grace period it is free for everyone, and no member benefit is used")
    func grace() {
        let guest = policy.charge(stayMinutes: 15, tierFreeHours: nil, sameDaySpendFen: 0)
        #expect(guest.amountFen == 0)
        #expect(guest.grace)
        #expect(guest.chargeableMinutes == 0)
        #expect(policy.charge(stayMinutes: 10, tierFreeHours: 2, sameDaySpendFen: 0).freeMinutes == 0)
    }

    @Test("the best same-day spend rule adds its hours; the cap limits a long stay")
    func spendRuleAndCap() {
        var p = policy
        p.sameDaySpend = [SpendParkingRule(minSpendFen: 50_000, extraHours: 1), SpendParkingRule(minSpendFen: 100_000, extraHours: 3)]
        p.maxChargeFen = 5_000
        #expect(p.extraHours(sameDaySpendFen: 49_999) == 0)
        #expect(p.extraHours(sameDaySpendFen: 50_000) == 1)
        #expect(p.extraHours(sameDaySpendFen: 150_000) == 3)
        #expect(p.charge(stayMinutes: 180, tierFreeHours: 2, sameDaySpendFen: 50_000).amountFen == 0)
        #expect(p.charge(stayMinutes: 360, tierFreeHours: 2, sameDaySpendFen: 100_000).amountFen == 1_000)
        #expect(p.charge(stayMinutes: 24 * 60, tierFreeHours: 1, sameDaySpendFen: 0).amountFen == 5_000)
    }

    @Test("plates are upper-cased without spaces or separators")
    func plates() {
        #expect(LicencePlate.normalise(" 粤b·12 345 ") == "粤B12345")
        #expect(LicencePlate.isValid("粤B12345"))
        #expect(!LicencePlate.isValid("AB1"))
        #expect(!LicencePlate.isValid("粤B12#45"))
    }
}
