import Foundation
import MallVIPCore

extension DemoWorld {
    // MARK: numbering

    /// Time order gives ids and receipt numbers (date, till, sequence of the till that day).
    mutating func numberPurchases() {
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

    static func receiptNumber(day: Int, till: Int, seq: Int) -> String {
        let d = LocalDate(dayNumber: day)
        return String(format: "%04d%02d%02d%02d%04d", d.year, d.month, d.day, till, seq)
    }
}
