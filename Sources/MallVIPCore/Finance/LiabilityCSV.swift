/// The roll-forward as CSV (console download and `mallvip finance rollforward`): one line per month and mall, the
/// group's line after its malls; amounts in yuan with two decimals and no grouping, points as integers. The header
/// is Chinese / English; the columns never move (add at the end).
public enum LiabilityCSV {
    public static let header: [String] = [
        "月份 month", "商场 mall", "状态 status",
        "期初积分 opening points", "发放 issued", "兑换 redeemed", "退货冲回 voided", "过期 expired", "调整 adjusted", "期末积分 closing points",
        "期初价值 opening value", "重估 revaluation", "发放价值 issued value", "兑换价值 redeemed value", "冲回价值 voided value",
        "过期价值 expired value", "调整价值 adjusted value", "期末价值 closing value",
        "积分销售额 sales earning points", "积分单独售价 points SSP", "分摊至积分 allocated", "商品收入 goods revenue",
        "递延收入期初 deferred opening", "兑换确认 recognised", "失效确认 breakage", "递延收入期末 deferred closing",
        "预计兑换率‰ expected rate", "估计来源 estimate", "预计兑换积分 expected points", "每千分价值 value per 1000 points",
    ]

    public static func yuan(_ fen: Int64) -> String { Money.yuan(fen, decimals: true, grouping: false) }

    public static func line(_ r: LiabilityRow, mallName: String, closed: Bool) -> [String] {
        [r.month.description, mallName, closed ? "已结账 closed" : "未结账 open",
         String(r.openingPoints), String(r.issuedPoints), String(r.redeemedPoints), String(r.voidedPoints), String(r.expiredPoints),
         String(r.adjustedPoints), String(r.closingPoints),
         yuan(r.openingValueFen), yuan(r.revaluationFen), yuan(r.issuedValueFen), yuan(r.redeemedValueFen), yuan(r.voidedValueFen),
         yuan(r.expiredValueFen), yuan(r.adjustedValueFen), yuan(r.closingValueFen),
         yuan(r.salesFen), yuan(r.sspFen), yuan(r.allocatedFen), yuan(r.goodsRevenueFen),
         yuan(r.deferredOpeningFen), yuan(r.recognisedFen), yuan(r.breakageFen), yuan(r.deferredClosingFen),
         String(r.ratePermille), r.rateFromHistory ? "历史 history" : "固定 fixed", String(r.expectedPoints), yuan(r.fenPerThousandPoints)]
    }

    /// The whole file (BOM first, CRLF lines). `mallName` names a mall id (−1 the group, 0 members of no mall).
    public static func render(_ rows: [LiabilityRow], mallName: (Int64) -> String, closed: (FinanceMonth) -> Bool) -> String {
        var out = CSVFormat.bom + CSVFormat.line(header)
        for r in rows { out += CSVFormat.line(line(r, mallName: mallName(r.mallId), closed: closed(r.month))) }
        return out
    }
}

/// How the roll-forward names a mall id: the mall's name, "集团 group" for −1, "未归属商场 no mall" for 0.
public enum FinanceMallName {
    public static func name(_ id: Int64, _ names: [Int64: String]) -> String {
        if id == LiabilityRollForward.group { return "集团 group" }
        if id == 0 { return "未归属商场 no mall" }
        return names[id] ?? "#\(id)"
    }
}
