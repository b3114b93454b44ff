import ArgumentParser
import Foundation
import MallVIPStore
import MallVIPWeb

/// `mallvip wechat-card` (issue 22d, docs/wechat.md "The card in 卡包"): create the mall's membership card in WeChat
/// and see the push queue. Exit 1 with the reason (naming the config field or WeChat's errcode) when it cannot run.
struct WechatCardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wechat-card", abstract: "The membership card in WeChat 卡包: create it, show the push queue.",
        subcommands: [Create.self, Status.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "POST /card/create with the mall's card section of MALLVIP_WECHAT_CONFIG; prints and keeps the card_id.")
        @ArgumentParser.Option(help: "The mall code (as in MALLVIP_WECHAT_CONFIG).") var mall: String

        func run() async throws {
            let cardId: String = try await withApplication { app in
                guard let service = app.wechatCardService else { throw ValidationError("MALLVIP_WECHAT_CONFIG is not set") }
                do {
                    return try await service.createCard(mall: mall, actor: "cli")
                } catch let e as WechatCardProblem {
                    throw ValidationError(e.description)
                }
            }
            print("card created for \(mall): card_id \(cardId)")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Active cards and the push queue by state; dead rows with their error.")
        func run() async throws {
            try await withApplication { app in
                let (states, cards) = try await app.store.wechatCardSyncCounts()
                print("active cards: \(cards)")
                for s in ["pending", "sending", "sent", "dead"] { print("\(s): \(states[s] ?? 0)") }
                for r in try await app.store.wechatCardSyncRows(state: "dead", limit: 50) {
                    print("dead member \(r.memberId) attempts \(r.attempts): \(r.lastError ?? "")")
                }
            }
        }
    }
}
