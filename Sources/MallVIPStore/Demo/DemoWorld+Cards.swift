import Foundation
import MallVIPCore

extension DemoWorld {
    // MARK: cards

    mutating func makeCards() {
        var next = inputs.cardIdBase
        func newCard(_ member: Int?, state: CardState, issued: Int64, activated: Int64?, note: String) -> Int {
            next += 1
            cards.append(Card(id: next, number: programme.cards.number(serial: next), memberIndex: member, state: state, issuedAtMs: issued,
                              activatedAtMs: activated, replacedBy: nil, note: note))
            return cards.count - 1
        }
        var rng = SplitMix64(seed: plan.seed, stream: Stream.selection.rawValue, 2)
        for i in members.indices {
            let m = members[i]
            if m.kind == .conversion {
                // Pre-issued at a community stand, activated at the desk.
                let issued = officeTime(m.enrolledDay - 3 - rng.below(40), &rng)
                members[i].cards.append(newCard(i, state: .active, issued: issued, activated: m.enrolledAtMs, note: "预制卡"))
            } else {
                members[i].cards.append(newCard(i, state: .active, issued: m.enrolledAtMs, activated: m.enrolledAtMs, note: ""))
            }
        }
        for i in members.indices {
            guard let at = members[i].replacementAtMs else { continue }
            let old = members[i].cards[0]
            let new = newCard(i, state: .active, issued: at, activated: at, note: "")
            cards[old].state = .replaced
            cards[old].replacedBy = cards[new].number
            cards[old].note = "挂失"
            members[i].cards.append(new)
        }
        // Cards still in stock for the next community stand.
        let stockDay = lastDay - 5 - rng.below(20)
        let stockAt = officeTime(stockDay, &rng)
        for _ in 0..<plan.scaled(plan.inactiveCardStock) {
            _ = newCard(nil, state: .inactive, issued: stockAt, activated: nil, note: "预制卡")
        }
    }

    /// The card number a purchase row records (the card that was active when it was made).
    func cardNumber(_ p: Purchase) -> String? {
        guard let i = p.member, let slot = p.cardSlot else { return nil }
        let held = members[i].cards
        return cards[held[min(slot, held.count - 1)]].number
    }

    // MARK: account managers

    /// High-end VIPs (diamond and above, effective at year end) each get a maintainer (维护人).
    mutating func assignAccountManagers() {
        guard !inputs.accountManagerIds.isEmpty else { return }
        let floor = programme.rank(of: "diamond") ?? max(1, programme.tiers.count - 2)
        let today = inputs.today
        var k = 0
        for i in members.indices {
            let m = members[i]
            let effective = programme.effectiveTier(earned: programme.tiers[m.earnedTier].code,
                                                    manual: m.honorary.map { programme.tiers[$0.tier].code }, manualUntil: m.honorary?.until, on: today)
            guard (programme.rank(of: effective) ?? 0) >= floor else { continue }
            members[i].accountManagerId = inputs.accountManagerIds[k % inputs.accountManagerIds.count]
            k += 1
        }
    }
}
