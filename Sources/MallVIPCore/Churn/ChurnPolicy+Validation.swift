extension Programme {
    func validateChurn(_ add: (String, String) -> Void) {
        let c = churn
        if !(1...24).contains(c.inactiveMonths) { add("churn.inactiveMonths", "must be between 1 and 24") }
        for (i, code) in c.importantTiers.enumerated() where tier(code) == nil {
            add("churn.importantTiers[\(i)]", "unknown tier \(code)")
        }
        if !(1...365).contains(c.wonBackDays) { add("churn.wonBackDays", "must be between 1 and 365") }
        if c.targetRatePermille > 1000 { add("churn.targetRate", "must be at most 100%") }
        if !(0...1000).contains(c.birthdayTopN) { add("churn.birthdayTopN", "must be between 0 and 1000 (0 = no birthday tasks)") }
        if !(1...60).contains(c.lapseMonths) { add("churn.lapseMonths", "must be between 1 and 60") }
        if !(0...90).contains(c.dueDays) { add("churn.dueDays", "must be between 0 and 90") }
    }
}
