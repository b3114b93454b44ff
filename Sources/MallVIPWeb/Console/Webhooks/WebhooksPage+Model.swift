import Foundation
import MallVIPCore
import MallVIPStore

/// Typed routes of the webhook pages. Kept beside the pages (rather than in SiteURL, which other features were
/// editing at the same time) with the same shape: each case fills in the `SiteRoute` its route is registered with.
enum WebhookURL {
    case list(status: String?, subscription: Int64?)
    case deactivate(Int64)
    case replaySince(Int64)
    case delivery(Int64)
    case replayDelivery(Int64)

    var path: String {
        switch self {
        case .list(let status, let sub):
            SiteRoute.webhooks.path() + Self.query([("status", status), ("subscription", sub.map(String.init))])
        case .deactivate(let id): SiteRoute.webhookDeactivate.path(id)
        case .replaySince(let id): SiteRoute.webhookReplaySince.path(id)
        case .delivery(let id): SiteRoute.webhookDelivery.path(id)
        case .replayDelivery(let id): SiteRoute.webhookReplayDelivery.path(id)
        }
    }

    private static func query(_ items: [(String, String?)]) -> String {
        let parts = items.compactMap { k, v in
            v.flatMap { $0.isEmpty ? nil : "\(k)=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" }
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}

/// Webhook subscriptions and their deliveries (admins only): list, create (the secret is shown once),
/// deactivate, deliveries by status with their attempts, replay one or all since a day.
enum WebhooksPage {
    struct Model: Sendable {
        var subscriptions: [WebhookSubscription]
        var deliveries: [WebhookDeliveryInfo]
        var programme: Programme
        var status: String = ""
        var subscription: Int64?
        /// Set only on the answer to a create: the one time the secret can be read.
        var newSecret: (id: Int64, secret: String)?
        var url = ""
        var description = ""
        var events: Set<WebhookEvent> = []
        var notice: String?
        var error: String?
    }

    struct DeliveryModel: Sendable {
        var delivery: WebhookDeliveryInfo
        var subscription: WebhookSubscription?
        var attempts: [WebhookAttemptInfo]
        var programme: Programme
        var notice: String?
    }

    enum Query {
        static func model(_ store: Store, status: String?, subscription: Int64?, notice: String?) async throws -> Model {
            let (_, programme) = try await store.programme()
            let st = status.flatMap(WebhookDeliveryStatus.init(rawValue:))
            return Model(subscriptions: try await store.webhookSubscriptions(),
                         deliveries: try await store.webhookDeliveries(status: st, subscriptionId: subscription, limit: 100),
                         programme: programme, status: st?.rawValue ?? "", subscription: subscription, notice: notice)
        }

        static func delivery(_ store: Store, id: Int64, notice: String?) async throws -> DeliveryModel? {
            guard let d = try await store.webhookDelivery(id: id) else { return nil }
            let (_, programme) = try await store.programme()
            return DeliveryModel(delivery: d, subscription: try await store.webhookSubscription(id: d.subscriptionId),
                                 attempts: try await store.webhookAttempts(deliveryId: id), programme: programme, notice: notice)
        }
    }
}
