import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb

struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Webhook subscriptions: signed JSON POSTs of member, tier, points, coupon and purchase events.",
        subcommands: [Create.self, List.self, Deactivate.self, Replay.self, Deliver.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Subscribe a URL to events; the signing secret is the last line printed (shown only now).")
        @ArgumentParser.Option(help: "The receiver, http:// or https://.") var url: String
        @ArgumentParser.Option(help: "Comma-separated: \(WebhookEvent.allCases.map(\.rawValue).joined(separator: ", ")).") var events: String
        @ArgumentParser.Option(help: "What the subscription is for.") var description: String = ""

        func run() async throws {
            let list: [WebhookEvent]
            do {
                list = try WebhookEvent.parseList(events, field: "--events")
                _ = try Store.validateWebhookURL(url)
            } catch let e as DomainError {
                throw ValidationError(e.en.replacingOccurrences(of: "url ", with: "--url ", options: .anchored))
            }
            let (sub, secret): (WebhookSubscription, String)
            do {
                // The address rule (public receivers only unless MALLVIP_WEBHOOK_ALLOW_PRIVATE=1) is the console's.
                (sub, secret) = try await withApplication { app in
                    try await app.store.createWebhook(url: url, events: list, description: description, actor: "cli",
                                                      targets: app.webhookTargets)
                }
            } catch let e as DomainError where e.field == "url" {
                throw ValidationError(e.en.replacingOccurrences(of: "url ", with: "--url ", options: .anchored))
            }
            print("webhook \(sub.id) created: \(sub.url) for \(sub.events.map(\.rawValue).joined(separator: ","))")
            print("Signing secret (shown only now; verify X-MallVIP-Signature with it):")
            print(secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Subscriptions with their deliveries by status.")
        func run() async throws {
            let subs = try await withApplication { app in try await app.store.webhookSubscriptions() }
            if subs.isEmpty { print("no webhook subscriptions") }
            for s in subs {
                let counts = WebhookDeliveryStatus.allCases.compactMap { st in s.counts[st].map { "\($0) \(st.rawValue)" } }
                print("\(s.id)\t\(s.active ? "active" : "inactive")\t\(s.url)\t\(s.events.map(\.rawValue).joined(separator: ","))\t"
                      + (counts.isEmpty ? "no deliveries" : counts.joined(separator: ", ")))
            }
        }
    }

    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a subscription; its waiting deliveries are cancelled.")
        @ArgumentParser.Option(help: "Subscription id.") var id: Int64
        func run() async throws {
            try await withApplication { app in try await app.store.deactivateWebhook(id: id, actor: "cli") }
            print("webhook \(id) deactivated")
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue again one delivery (--delivery ID), or every delivery of a subscription since a day (--subscription ID --since YYYY-MM-DD); same event ids.")
        @ArgumentParser.Option(help: "A delivered or failed delivery's id.") var delivery: Int64?
        @ArgumentParser.Option(help: "A subscription's id (with --since).") var subscription: Int64?
        @ArgumentParser.Option(help: "First business day to replay (YYYY-MM-DD).") var since: String?

        func validate() throws {
            if delivery != nil {
                guard subscription == nil, since == nil else { throw ValidationError("give either --delivery, or --subscription with --since") }
            } else {
                guard subscription != nil, let since else { throw ValidationError("give --delivery ID, or --subscription ID with --since YYYY-MM-DD") }
                guard LocalDate(since) != nil else { throw ValidationError("--since must be YYYY-MM-DD") }
            }
        }

        func run() async throws {
            if let delivery {
                try await withApplication { app in try await app.store.replayWebhookDelivery(id: delivery, actor: "cli") }
                print("delivery \(delivery) queued again")
            } else if let subscription, let since, let day = LocalDate(since) {
                let n = try await withApplication { app in try await app.store.replayWebhooks(subscriptionId: subscription, since: day, actor: "cli") }
                print("\(n) deliveries of webhook \(subscription) since \(day) queued again")
            }
        }
    }

    struct Deliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One delivery pass: send every webhook due now.")
        func run() async throws {
            let s = try await withApplication { app in try await app.deliverDueWebhooks() }
            print(s.line)
        }
    }
}
