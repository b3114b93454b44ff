import ArgumentParser
import Foundation
import MallVIPStore
import MallVIPWeb

struct RewardsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rewards", abstract: "The redemption catalogue.", subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add the starter catalogue items from the seed plans (ladder gift, VIP-week small redemption, 30/40/50-yuan vouchers, November voucher and return gift); prints how many were added.",
            discussion: "Items whose codes are already in the catalogue are left as they are, so running it again adds nothing. Edit the items in the console under 兑换礼品目录 / Reward catalogue.")
        @ArgumentParser.Option(help: "The counter that supplies the ladder gift (its code), for the counter settlement.") var supplier: String?

        func run() async throws {
            let supplier = self.supplier
            let added = try await withApplication { app in
                if let code = supplier, try await app.store.counter(code: code) == nil {
                    throw CLIError("no counter with code \(code)")
                }
                return try await app.store.addSeedRewardItems(supplierCounterCode: supplier, actor: "cli")
            }
            print("rewards seed: \(added) catalogue item\(added == 1 ? "" : "s") added")
        }
    }
}
