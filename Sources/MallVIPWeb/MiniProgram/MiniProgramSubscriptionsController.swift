import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// `POST /api/m/v1/subscriptions` (issue 22c): the mini-program passes on what `wx.requestSubscribeMessage`
/// answered, `{"results": {"<templateId>": "accept" | "reject" | "ban" | "filter"}}`. Each accept of one of the
/// mall's configured templates allows one more WeChat message of it (docs/wechat.md "Subscription messages");
/// templates the mall has not configured are ignored (listed in `ignored`). Answers the counts.
struct MiniProgramSubscriptionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("subscriptions", use: record)
        routes.get("subscriptions", use: list)
    }

    struct Body: Content { var results: [String: String]? }

    struct Count: Content {
        var templateId: String
        var remaining: Int
        var acceptedTotal: Int
        var lastResult: String
    }

    struct Answer: Content {
        var subscriptions: [Count]
        var ignored: [String]
    }

    /// The member's mini-program app whose mall sends subscription messages.
    static func app(_ req: Request, memberId: Int64) async throws -> (appid: String, config: WechatSubscribeConfig) {
        guard let wechat = req.wechat else { throw Abort(.notFound) }
        for identity in try await req.store.wechatIdentities(memberId: memberId) where identity.kind == .miniProgram {
            if let mall = wechat.config.mall(appid: identity.appid), mall.miniProgram?.appid == identity.appid, let s = mall.subscribe {
                return (identity.appid, s)
            }
        }
        throw MiniProgramError(status: .conflict, field: nil, rule: "subscription.noApp",
                               zh: "您的商场尚未开通微信订阅消息", en: "your mall does not send WeChat subscription messages")
    }

    @Sendable func record(req: Request) async throws -> Answer {
        let memberId = try req.miniProgramMemberId()
        let body: Body
        do { body = try req.content.decode(Body.self) } catch {
            throw MiniProgramError(status: .badRequest, field: "results", rule: "subscription.results",
                                   zh: "results 应为 {模板ID: accept|reject|ban|filter}", en: "results must be {templateId: accept|reject|ban|filter}")
        }
        guard let results = body.results, !results.isEmpty, results.count <= 50 else {
            throw MiniProgramError(status: .badRequest, field: "results", rule: "subscription.results",
                                   zh: "results 应为 1 至 50 个模板的结果", en: "results must name 1 to 50 templates")
        }
        for (template, result) in results.sorted(by: { $0.key < $1.key }) where !Store.subscriptionResults.contains(result) {
            throw MiniProgramError(status: .badRequest, field: "results.\(template.prefix(64))", rule: "subscription.result",
                                   zh: "应为 accept、reject、ban 或 filter", en: "must be accept, reject, ban or filter")
        }
        let (appid, config) = try await Self.app(req, memberId: memberId)
        let known = results.filter { config.template(id: $0.key) != nil }
        let ignored = results.keys.filter { known[$0] == nil }.sorted()
        let counts = known.isEmpty ? [] : try await req.store.recordSubscriptionResults(memberId: memberId, appid: appid, results: known)
        return Answer(subscriptions: counts.map { Count(templateId: $0.templateId, remaining: $0.remaining, acceptedTotal: $0.acceptedTotal,
                                                        lastResult: $0.lastResult) },
                      ignored: ignored)
    }

    @Sendable func list(req: Request) async throws -> Answer {
        let memberId = try req.miniProgramMemberId()
        let (appid, _) = try await Self.app(req, memberId: memberId)
        let counts = try await req.store.wechatSubscriptions(memberId: memberId).filter { $0.appid == appid }
        return Answer(subscriptions: counts.map { Count(templateId: $0.templateId, remaining: $0.remaining, acceptedTotal: $0.acceptedTotal,
                                                        lastResult: $0.lastResult) },
                      ignored: [])
    }
}
