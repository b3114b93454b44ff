import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// The personal survey link `/s/{token}`: no sign-in (the token is the member's), phone-sized, answered once.
/// POST is checked for same origin, since there is no session to carry a CSRF token.
enum SurveyController {
    static func register(_ routes: any RoutesBuilder) throws {
        routes.get(.survey, use: show)
        routes.post(.survey, use: answer)
    }

    struct AnswerForm: Content { var nps: Int?; var csat: Int?; var comment: String? }

    @Sendable static func show(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let ctx = PageContext(req)
        guard let link = try await req.store.surveyLink(token: token) else { return SurveyView.invalid(ctx) }
        if link.answeredAtMs != nil { return SurveyView.thanks(ctx, again: true) }
        if link.expiresAtMs <= epochMillis(req.store.env.now()) { return SurveyView.closed(ctx) }
        let (_, programme) = try await req.store.programme()
        return SurveyView.form(ctx, token: token, storeName: programme.messaging.storeName, reason: link.reason)
    }

    @Sendable static func answer(req: Request) async throws -> Response {
        try MemberLoginController.sameOrigin(req)
        let token = req.parameters.get("token") ?? ""
        let ctx = PageContext(req)
        let form = try req.content.decode(AnswerForm.self)
        do {
            try await req.store.answerSurvey(token: token, SurveyAnswer(nps: form.nps ?? -1, csat: form.csat ?? -1,
                                                                        comment: form.comment ?? ""))
            return SurveyView.thanks(ctx, again: false)
        } catch let e as DomainError {
            switch e.rule {
            case "survey.once": return SurveyView.thanks(ctx, again: true, status: .conflict)
            case "survey.exists": return SurveyView.invalid(ctx)
            case "survey.expired": return SurveyView.closed(ctx)
            default:
                let (_, programme) = try await req.store.programme()
                let reason = try await req.store.surveyLink(token: token)?.reason ?? .quarterly
                return SurveyView.form(ctx, token: token, storeName: programme.messaging.storeName, reason: reason,
                                       error: Forms.message(e, ctx), previous: form, status: .unprocessableEntity)
            }
        }
    }
}
