import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// The link at the foot of every e-mail: no sign-in, the HMAC token proves the link is the member's. GET (the
/// link) and POST (one-click List-Unsubscribe, RFC 8058) both record the opt-out, once.
enum UnsubscribeController {
    static func register(_ routes: any RoutesBuilder) throws {
        routes.get(.unsubscribe, use: unsubscribe)
        routes.post(.unsubscribe, use: unsubscribe)
    }

    @Sendable static func unsubscribe(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let memberId: Int64? = req.query["m"]
        let channel = (req.query["c"] as String?).flatMap(MessageChannel.init(rawValue:))
        let token: String = req.query["t"] ?? ""
        guard let memberId, let channel, channel != .call,
              let name = try await req.store.unsubscribe(memberId: memberId, channel: channel, token: token) else {
            return Layout.render(ctx, title: "退订 · Unsubscribe", status: .notFound,
                                 .div(.p(.class("error"), .text("链接无效或已损坏，请联系会员中心。")),
                                      .p(.class("error"), .text("This link is not valid. Please contact the VIP centre."))))
        }
        let (_, programme) = try await req.store.programme()
        let what = channel == .email ? ("邮件", "e-mails") : ("短信", "text messages")
        return Layout.render(ctx, title: "已退订 · Unsubscribed",
                             .div(.class("card"),
                                  .p(.text("\(Identity.maskName(name))，您已退订\(programme.messaging.storeName)的\(what.0)，今后不再向您发送。")),
                                  .p(.text("\(Identity.maskName(name)), you will receive no more \(what.1) from \(programme.messaging.storeName).")),
                                  .p(.class("muted"), .text("如需恢复，请到会员服务台办理。 To receive them again, ask at the VIP desk."))))
    }
}
