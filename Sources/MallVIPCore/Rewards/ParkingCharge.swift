import Foundation

/// What one car park stay costs and how much of it the member benefit covered.
public struct ParkingCharge: Sendable, Equatable, Codable {
    public var stayMinutes: Int
    /// Free minutes the driver is entitled to: the tier's hours plus the best same-day spend rule (0 for non-members).
    public var allowanceMinutes: Int
    /// Minutes of this stay the allowance covered: the benefit used (0 within the grace period).
    public var freeMinutes: Int
    /// Minutes charged for (0 within the grace period).
    public var chargeableMinutes: Int
    public var units: Int
    public var amountFen: Int64
    /// The stay was within the grace period, free for everyone.
    public var grace: Bool
}

extension ParkingPolicy {
    /// Whole minutes between entry and exit (a part minute is not counted).
    public static func stayMinutes(entry: Date, exit: Date) -> Int {
        max(0, Int((exit.timeIntervalSince(entry) / 60).rounded(.down)))
    }

    /// Extra free hours from the best same-day spend rule the spend reaches.
    public func extraHours(sameDaySpendFen: Int64) -> Int {
        sameDaySpend.filter { sameDaySpendFen >= $0.minSpendFen }.map(\.extraHours).max() ?? 0
    }

    /// The charge for a stay: within the grace period it is free; otherwise the allowance is taken off and every
    /// started unit of what remains costs the rate, up to the cap. `tierFreeHours` is nil for a non-member, who gets
    /// no allowance and no spend rule.
    public func charge(stayMinutes: Int, tierFreeHours: Int?, sameDaySpendFen: Int64) -> ParkingCharge {
        let stay = max(0, stayMinutes)
        let allowance = tierFreeHours.map { Int(Saturating.multiply(Saturating.add(Int64($0), Int64(extraHours(sameDaySpendFen: sameDaySpendFen))), 60)) } ?? 0
        let grace = stay <= graceMinutes
        // Within the grace period nothing of the member benefit is used.
        let free = grace ? 0 : min(stay, allowance)
        let chargeable = grace ? 0 : stay - free
        let unit = max(1, unitMinutes)
        let units = chargeable / unit + (chargeable % unit == 0 ? 0 : 1)
        var amount = Saturating.multiply(Int64(units), rateFen)
        if maxChargeFen > 0 { amount = min(amount, maxChargeFen) }
        return ParkingCharge(stayMinutes: stay, allowanceMinutes: allowance, freeMinutes: free, chargeableMinutes: chargeable,
                             units: units, amountFen: amount, grace: grace)
    }
}

/// Licence plates as drivers and cameras write them: upper case, no spaces or separators (粤B·12345 → 粤B12345).
public enum LicencePlate {
    public static func normalise(_ text: String) -> String {
        String(text.uppercased().filter { !$0.isWhitespace && !"·•.-_".contains($0) })
    }

    /// 5 to 10 letters, digits or Chinese characters after normalising: ASCII letters and digits, and CJK
    /// ideographs (the province character, 学, 警, 挂…). The API document states the same class
    /// ([A-Za-z0-9\u4e00-\u9fff]); other scripts' letters and full-width digits are not on Chinese plates.
    public static func isValid(_ normalised: String) -> Bool {
        (5...10).contains(normalised.count) && normalised.unicodeScalars.allSatisfy {
            ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || (0x4E00...0x9FFF).contains($0.value)
        }
    }
}
