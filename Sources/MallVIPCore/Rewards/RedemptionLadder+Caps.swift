extension RedemptionLadder {
    /// The highest list price a member with `points` may choose (docs/domain.md §5.1): cap = baseCap + stepCap ×
    /// floor((P − min) / step). Nil below `minPoints`.
    public func cap(forPoints points: Int64) -> Int64? {
        guard points >= minPoints, stepPoints > 0 else { return nil }
        let (raised, overflow) = stepCapFen.multipliedReportingOverflow(by: (points - minPoints) / stepPoints)
        guard !overflow else { return Int64.max }
        let (cap, sumOverflow) = baseCapFen.addingReportingOverflow(raised)
        return sumOverflow ? Int64.max : cap
    }

    /// The points of the smallest rung whose cap covers `listPriceFen`: what a redemption of that gift costs in
    /// `deduct` mode, and the balance it needs in `milestone` mode. Nil for a non-positive price, or one no rung
    /// reaches (a ladder without steps).
    public func pointsFor(listPriceFen price: Int64) -> Int64? {
        guard price > 0 else { return nil }
        if price <= baseCapFen { return minPoints }
        guard stepCapFen > 0, stepPoints > 0 else { return nil }
        let steps = (price - baseCapFen) / stepCapFen + ((price - baseCapFen) % stepCapFen == 0 ? 0 : 1)
        let (extra, overflow) = steps.multipliedReportingOverflow(by: stepPoints)
        guard !overflow else { return nil }
        let (total, sumOverflow) = minPoints.addingReportingOverflow(extra)
        return sumOverflow ? nil : total
    }
}

extension RedemptionWindow {
    /// "11月" / "每月1–7日" style, for refusal messages.
    public func describe(_ language: Language) -> String {
        var parts: [String] = []
        if let months, !months.isEmpty {
            let list = months.map(String.init).joined(separator: language == .en ? ", " : "、")
            parts.append(language == .en ? "months \(list)" : "\(list)月")
        }
        if fromDay != nil || toDay != nil {
            let from = fromDay ?? 1, to = toDay.map(String.init) ?? (language == .en ? "end" : "月底")
            if months == nil || months?.isEmpty == true {
                parts.append(language == .en ? "days \(from)–\(to) of each month" : "每月\(from)–\(to)日")
            } else {
                parts.append(language == .en ? "days \(from)–\(to)" : "\(from)–\(to)日")
            }
        }
        if vipWeekOnly == true { parts.append((vipWeekPolicy ?? VIPWeekPolicy()).describe(language)) }
        return parts.isEmpty ? (language == .en ? "always" : "全年") : parts.joined(separator: language == .en ? ", " : "")
    }
}
