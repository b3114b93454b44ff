import ArgumentParser
import Foundation
import MallVIPStore
import MallVIPWeb

struct CardsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cards", abstract: "Card stock.", subcommands: [Issue.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue blank, not-yet-activated cards (for a community stand); prints one card number a line. The desk activates one by enrolling with its number.")
        @ArgumentParser.Option(help: "How many cards (1–1000).") var count: Int

        func run() async throws {
            let numbers = try await withApplication { app in try await app.store.issueInactiveCards(count: count, actor: "cli") }
            for n in numbers { print(n) }
        }
    }
}
