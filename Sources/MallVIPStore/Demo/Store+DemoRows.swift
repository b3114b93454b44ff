import Foundation
import MallVIPCore

/// The `purchases` and `purchase_lines` rows of one batch of the demo year, in time order (`DemoWorld.order`): what
/// `writeDemo` hands to `BulkInsert`. Pure, so the next batch is built on another core while the store writes this
/// one (at a million members the request hashes and stored answers are a fifth of the demo's CPU time).
struct DemoPurchaseRows: Sendable {
    struct Context: Sendable {
        var world: DemoWorld
        var mallId: Int64
        var version: Int
        var businessDates: [Int: String]

        init(world: DemoWorld, mallId: Int64, version: Int) {
            self.world = world
            self.mallId = mallId
            self.version = version
            businessDates = Dictionary(uniqueKeysWithValues: (world.firstDay...world.lastDay).map { ($0, LocalDate(dayNumber: $0).description) })
        }
    }

    var purchases: [[BulkInsert.Value]] = []
    var lines: [[BulkInsert.Value]] = []

    /// Ranges of `world.order`, `size` purchases each.
    static func batches(_ w: DemoWorld, size: Int) -> [Range<Int>] {
        stride(from: 0, to: w.order.count, by: size).map { $0..<min($0 + size, w.order.count) }
    }

    init(_ context: Context, _ batch: Range<Int>) {
        let w = context.world
        purchases.reserveCapacity(batch.count)
        lines.reserveCapacity(batch.count * 2)
        for j in w.order[batch] {
            let p = w.purchases[j]
            let pid = w.purchaseIds[j]
            let receipt = w.receiptNumbers[j]
            let memberId = p.member.map { w.members[$0].id }
            let card = w.cardNumber(p)
            // The POS request as it was posted, for the idempotency hash.
            var fingerprint = [receipt, String(p.atMs), p.byCard ? card ?? "" : "", p.phone ?? ""]
            for l in p.lines { fingerprint.append("\(w.inputs.counters[l.counter].code):\(l.amountFen):\(l.special ? 1 : 0)") }
            let posMember = p.isMemberPOS
            let outcome = PurchaseOutcome(
                receiptNo: receipt, mall: w.inputs.mallCode,
                businessDate: context.businessDates[p.day] ?? LocalDate(dayNumber: p.day).description,
                member: posMember, cardNo: posMember ? card : nil, totalFen: p.totalFen, eligibleFen: p.eligibleFen,
                basePoints: posMember ? p.base : 0, bonusPoints: posMember ? p.bonus : 0, factorPermille: posMember ? p.factorPermille : 1000,
                multipliers: posMember ? p.multipliers : [], pointsEarned: posMember ? p.pointsEarned : 0,
                pointsBalance: posMember ? p.balanceAfter : nil, tier: posMember ? p.tierAfter : nil,
                previousTier: posMember ? p.tierBefore : nil, tierChanged: posMember && p.tierAfter != p.tierBefore,
                tierApprovalRequested: p.approvalRequested, eligibleToEnrol: !posMember && p.eligibleToEnrol)
            purchases.append([
                .int(pid), .int(context.mallId), .text(receipt), .opt(memberId), .opt(card), .opt(p.phone), .int(p.atMs), .int(p.day),
                .int(p.totalFen), .int(p.eligibleFen), .int(0), .int(0), .int(p.pointsEarned), .int(0), .int(p.factorPermille),
                .int(context.version), .text(sha256Hex(fingerprint.joined(separator: "|"))), .text(outcome.json),
                .int(p.createdAtMs),
            ])
            for (n, l) in p.lines.enumerated() {
                let c = w.inputs.counters[l.counter]
                lines.append([.int(pid), .opt(memberId), .int(n + 1), .int(c.id),
                              .int(l.amountFen), .bool(l.special), .bool(c.earnsPoints), .int(0), .int(p.day)])
            }
        }
    }
}
