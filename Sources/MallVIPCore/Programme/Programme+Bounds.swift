/// Upper bounds for the programme's numbers (issue 14, finding 2). The lower bounds live beside each rule in
/// `validate()`; these keep every money, points, count and time figure inside the domain limits, so that what the
/// programme multiplies or adds at the till (units × points, days × 86,400,000 ms, a factor on a base) cannot leave
/// Int64. A YAML number beyond them is a `ProgrammeInvalid` (422) naming its path.
extension Programme {
    func boundIssues() -> [(String, String)] {
        var out: [(String, String)] = []
        let money = NumericLimits.maxMoneyFen, points = NumericLimits.maxPoints, count = NumericLimits.maxCount
        func fen(_ v: Int64?, _ path: String) {
            if let v, v > money { out.append((path, "must be at most \(Money.yuan(money)) yuan")) }
        }
        func pts(_ v: Int64?, _ path: String) {
            if let v, v > points { out.append((path, "must be at most \(points) points")) }
        }
        func int(_ v: Int?, _ path: String, _ max: Int) {
            if let v, v > max { out.append((path, "must be at most \(max)")) }
        }
        for (i, tier) in tiers.enumerated() {
            for (j, t) in (tier.upgrade?.thresholds ?? []).enumerated() { fen(t.minSpendFen, "tiers[\(i)].upgrade.thresholds[\(j)].minSpend") }
        }
        for (i, r) in enrolment.rules.enumerated() { fen(r.minSpendFen, "enrolment.rules[\(i)].minSpend") }
        for (i, e) in enrolment.entryTiers.enumerated() { fen(e.rule.minSpendFen, "enrolment.entryTiers[\(i)].rule.minSpend") }
        int(enrolment.receiptValidityDays, "enrolment.receiptValidityDays", 3660)
        fen(earning.unitFen, "earning.unit")
        // Points per unit: at most 1,000,000, so a receipt's base points (≤ 5 × 10^12 fen) stay inside Int64.
        if earning.pointsPerUnit > 1_000_000 { out.append(("earning.pointsPerUnit", "must be at most 1000000")) }
        if let b = earning.bigTicket {
            pts(b.minBasePoints, "earning.bigTicket.minBasePoints")
            pts(b.bonusPoints, "earning.bigTicket.bonusPoints")
        }
        for (i, m) in earning.multipliers.enumerated() { int(m.firstMemberPurchasesOfDay, "earning.multipliers[\(i)].firstMemberPurchasesOfDay", Int(count)) }
        int(purchases.maxBackdateDays, "purchases.maxBackdateDays", 3660)
        int(purchases.maxFutureSeconds, "purchases.maxFutureSeconds", 86_400 * 366)
        fen(redemption.fenPerThousandPoints, "redemption.valuePerThousandPoints")
        for (i, l) in redemption.ladders.enumerated() {
            pts(l.minPoints, "redemption.ladders[\(i)].minPoints")
            pts(l.stepPoints, "redemption.ladders[\(i)].stepPoints")
            fen(l.baseCapFen, "redemption.ladders[\(i)].baseCap")
            fen(l.stepCapFen, "redemption.ladders[\(i)].stepCap")
        }
        int(coupons.defaultValidDays, "coupons.defaultValidDays", 3660)
        fen(parking.rateFen, "parking.rate")
        fen(parking.maxChargeFen, "parking.maxCharge")
        int(parking.graceMinutes, "parking.graceMinutes", 1440)
        for (i, r) in parking.sameDaySpend.enumerated() { fen(r.minSpendFen, "parking.sameDaySpend[\(i)].minSpend") }
        int(referrals.maxRewardedPerReferrer, "referrals.maxRewardedPerReferrer", Int(count))
        fen(referrals.minPurchaseFen, "referrals.minPurchase")
        pts(referrals.reward.points, "referrals.reward.points")
        if let c = referrals.reward.coupon {
            fen(c.faceFen, "referrals.reward.coupon.face")
            fen(c.minSpendFen, "referrals.reward.coupon.minSpend")
            int(c.validDays, "referrals.reward.coupon.validDays", 3660)
        }
        fen(messaging.smsCostFen, "messaging.smsCost")
        fen(messaging.emailCostFen, "messaging.emailCost")
        fen(messaging.callCostFen, "messaging.callCost")
        fen(messaging.wechatCostFen, "messaging.wechatCost")
        int(messaging.weeklyMarketingCap, "messaging.weeklyMarketingCap", 1000)
        int(messaging.retryBaseSeconds, "messaging.retryBaseSeconds", 86_400)
        if !(0...1000).contains(messaging.marginPermille) { out.append(("messaging.margin", "must be between 0 and 100%")) }
        return out
    }
}
