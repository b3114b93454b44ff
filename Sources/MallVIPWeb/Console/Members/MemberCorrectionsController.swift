import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Corrections at the desk (issue 17): the phone by an SMS code to the new number (through the SMS sender the
/// member sign-in uses) or a manager's override with a reason, the national ID added or corrected, the code for a
/// card replacement's holder check, and the change history. Every route is under /console/members/:id/, so
/// `MemberAccessMiddleware` runs the member-access check before it; the roles are named here.
enum MemberCorrectionsController {
    static func register(_ routes: any RoutesBuilder) throws {
        let readers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.memberDesk))
        readers.get(.memberChanges, use: changes)
        readers.post(.memberCardReplaceCode, use: sendCardCode)
        let correctors = routes.grouped(StaffAuthMiddleware(roles: StaffRole.correctors))
        correctors.get(.memberPhone, use: phoneForm)
        correctors.post(.memberPhoneCode, use: sendPhoneCode)
        correctors.post(.memberPhone, use: confirmPhone)
        correctors.get(.memberIDNumber, use: idForm)
        correctors.post(.memberIDNumber, use: saveID)
        let managers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers))
        managers.post(.memberPhoneOverride, use: overridePhone)
    }

    static func member(_ req: Request) async throws -> Member {
        guard let m = try await req.store.member(id: try MembersController.memberID(req)) else { throw Abort(.notFound) }
        return m
    }

    static func message(_ e: DomainError, _ req: Request) -> String { req.lang == .en ? e.en : e.zh }

    // MARK: History

    @Sendable static func changes(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let m = try await member(req)
        let part = try await MemberChangesPart.load(req, memberId: m.id)
        return Layout.render(ctx, title: ctx.t("资料变更记录", "Changes to personal data") + " · " + m.name,
                             .div(Layout.noticeBox(try await Notices.take(req)),
                                  .p(.a(.href(SiteRoute.member.path(m.id)), .text("← " + m.name))),
                                  MemberChangesView.section(part, ctx)))
    }

    // MARK: Phone

    struct PhoneForm: Content { var phone: String?; var code: String?; var reason: String? }

    static func phonePage(_ req: Request, _ m: Member, newPhone: String = "", codeSent: Bool = false, reason: String = "",
                          notice: String? = nil, error: DomainError? = nil) -> Response {
        let ctx = PageContext(req)
        return Layout.render(ctx, title: ctx.t("更换手机号", "Change phone") + " · " + m.name, status: error.map(Forms.status) ?? .ok,
                             MemberChangesView.phonePage(m, newPhone: newPhone, codeSent: codeSent, reason: reason, notice: notice,
                                                         error: error.map { message($0, req) },
                                                         canOverride: StaffRole.managers.contains(req.staff.user.role), ctx))
    }

    @Sendable static func phoneForm(req: Request) async throws -> Response {
        phonePage(req, try await member(req))
    }

    @Sendable static func sendPhoneCode(req: Request) async throws -> Response {
        let m = try await member(req)
        let phone = Forms.trimmed(try req.content.decode(PhoneForm.self).phone).filter { !$0.isWhitespace }
        do {
            let outcome = try await req.store.requestPhoneChangeCode(memberId: m.id, newPhone: phone, policy: req.application.appConfig.memberLogin,
                                                                     sender: req.application.messageSenders, actor: req.actor)
            switch outcome {
            case .sent(let to):
                return phonePage(req, m, newPhone: phone, codeSent: true, notice: req.lang.t("验证码已发送至 \(to)", "Code sent to \(to)"))
            case .tooSoon(let s):
                return phonePage(req, m, newPhone: phone, codeSent: true,
                                 error: DomainError.invalid("phone", "code.resendWait", zh: "请 \(s) 秒后再发送新验证码",
                                                            en: "wait \(s) seconds before sending a new code"))
            case .failed(let reason):
                return phonePage(req, m, newPhone: phone,
                                 error: DomainError.invalid("phone", "sms.failed", zh: "短信发送失败：\(reason)", en: "the SMS was not sent: \(reason)"))
            }
        } catch let e as DomainError {
            return phonePage(req, m, newPhone: phone, error: e)
        }
    }

    @Sendable static func confirmPhone(req: Request) async throws -> Response {
        let m = try await member(req)
        let f = try req.content.decode(PhoneForm.self)
        let phone = Forms.trimmed(f.phone).filter { !$0.isWhitespace }
        do {
            try await req.store.confirmPhoneChange(memberId: m.id, newPhone: phone, code: Forms.trimmed(f.code),
                                                   policy: req.application.appConfig.memberLogin, actor: req.actor,
                                                   reason: Forms.trimmed(f.reason))
            return req.redirect(to: try await Forms.withNotice(req, SiteRoute.memberChanges.path(m.id),
                                                               req.lang.t("手机号已更换为 \(phone)", "Phone changed to \(phone)")))
        } catch let e as DomainError {
            return phonePage(req, m, newPhone: phone, codeSent: true, reason: Forms.trimmed(f.reason), error: e)
        }
    }

    @Sendable static func overridePhone(req: Request) async throws -> Response {
        let m = try await member(req)
        let f = try req.content.decode(PhoneForm.self)
        let phone = Forms.trimmed(f.phone).filter { !$0.isWhitespace }
        do {
            try await req.store.overridePhone(memberId: m.id, newPhone: phone, reason: Forms.trimmed(f.reason), actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteRoute.memberChanges.path(m.id),
                                                               req.lang.t("手机号已特批更换为 \(phone)", "Phone changed by override to \(phone)")))
        } catch let e as DomainError {
            return phonePage(req, m, newPhone: phone, error: e)
        }
    }

    // MARK: National ID

    struct IDForm: Content { var idNumber: String?; var reason: String? }

    @Sendable static func idForm(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let m = try await member(req)
        return Layout.render(ctx, title: ctx.t("身份证号", "National ID") + " · " + m.name, MemberChangesView.idNumberPage(m, reason: "", error: nil, ctx))
    }

    @Sendable static func saveID(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let m = try await member(req)
        let f = try req.content.decode(IDForm.self)
        do {
            try await req.store.setNationalID(memberId: m.id, idNumber: Forms.trimmed(f.idNumber), reason: Forms.trimmed(f.reason), actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteRoute.memberChanges.path(m.id),
                                                               req.lang.t("身份证号已保存", "National ID saved")))
        } catch let e as DomainError {
            return Layout.render(ctx, title: ctx.t("身份证号", "National ID") + " · " + m.name, status: Forms.status(e),
                                 MemberChangesView.idNumberPage(m, reason: Forms.trimmed(f.reason), error: message(e, req), ctx))
        }
    }

    // MARK: Card replacement

    @Sendable static func sendCardCode(req: Request) async throws -> Response {
        try await MembersController.action(req) { id in
            switch try await req.store.requestCardReplaceCode(memberId: id, policy: req.application.appConfig.memberLogin,
                                                               sender: req.application.messageSenders, actor: req.actor) {
            case .sent(let to): return req.lang.t("验证码已发送至 \(to)，请在补卡表单中填写", "Code sent to \(to): enter it in the replacement form")
            case .tooSoon(let s):
                throw DomainError.invalid("code", "code.resendWait", zh: "请 \(s) 秒后再发送新验证码", en: "wait \(s) seconds before sending a new code")
            case .failed(let reason):
                throw DomainError.invalid("code", "sms.failed", zh: "短信发送失败：\(reason)，请核对身份证号", en: "the SMS was not sent: \(reason); check the ID number instead")
            }
        }
    }

    struct CardReplaceForm: Content { var idNumber: String?; var code: String? }

    /// POST …/card-replace (the route stays in ConsoleRoutes): only after the holder is checked.
    static func replaceChecked(_ req: Request, memberId: Int64) async throws -> String {
        let f = (try? req.content.decode(CardReplaceForm.self)) ?? CardReplaceForm()
        let id = Forms.trimmed(f.idNumber), code = Forms.trimmed(f.code)
        let check: HolderCheck
        if !id.isEmpty { check = .idNumber(id) } else if !code.isEmpty { check = .phoneCode(code) } else {
            throw DomainError.invalid("idNumber", "card.replace.holderCheck", zh: "补卡前须核实持卡人：请填写身份证号或手机验证码",
                                      en: "check the holder before a card is replaced: enter the national ID number or the code sent to their phone")
        }
        return try await req.store.replaceCardChecked(memberId: memberId, check: check, policy: req.application.appConfig.memberLogin,
                                                      actor: req.actor)
    }
}
