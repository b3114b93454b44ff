import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// /m/profile and its forms: contact details and preferences, consent per channel, "download my data" (JSON
/// and CSV, audited) and the account-deletion request. Registered behind `MemberAuthMiddleware` (sign-in and CSRF);
/// every read and write is for `req.memberId`, never for an id taken from the request.
struct MemberProfileController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.memberSiteProfile, use: show)
        routes.post(.memberSiteProfile, use: save)
        routes.post(.memberSiteProfileConsent, use: consent)
        routes.get(.memberSiteProfileDataJSON, use: dataJSON)
        routes.get(.memberSiteProfileDataCSV, use: dataCSV)
        routes.post(.memberSiteProfileDelete, use: requestDeletion)
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await page(req, notice: try await Notices.take(req), error: nil)
    }

    func page(_ req: Request, form: MemberProfilePage.Form? = nil, notice: String?, error: DomainError?,
              status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        let model = try await MemberProfilePage.Query.model(req.store, memberId: try req.memberId, form: form, notice: notice,
                                                            error: error, ctx: ctx)
        return MemberLayout.render(ctx, title: ctx.t("我的", "Profile"), MemberProfilePage.View.body(model, ctx), status: status)
    }

    struct EditForm: Content {
        var email: String?, address: String?, birthday: String?, clothingSize: String?, shoeSize: String?
        var preferences: String?, hobbies: String?, preferredService: String?

        var text: MemberProfilePage.Form {
            .init(email: Forms.trimmed(email), address: Forms.trimmed(address), birthday: Forms.trimmed(birthday),
                  clothingSize: Forms.trimmed(clothingSize), shoeSize: Forms.trimmed(shoeSize), preferences: Forms.trimmed(preferences),
                  hobbies: Forms.trimmed(hobbies), preferredService: Forms.trimmed(preferredService))
        }
    }

    @Sendable func save(req: Request) async throws -> Response {
        let f = try req.content.decode(EditForm.self).text
        do {
            var birthday: LocalDate?
            if !f.birthday.isEmpty {
                guard let b = LocalDate(f.birthday) else {
                    throw DomainError.invalid("birthday", "birthday.format", zh: "生日格式应为 年-月-日", en: "birthday must be YYYY-MM-DD")
                }
                birthday = b
            }
            try await req.store.updateOwnProfile(memberId: try req.memberId, MemberSelfEdit(
                email: f.email, address: f.address, birthday: birthday, clothingSize: f.clothingSize, shoeSize: f.shoeSize,
                preferences: f.preferences, hobbies: f.hobbies, preferredService: f.preferredService))
            return req.redirect(to: try await Forms.withNotice(req, MemberURL.profile.path, req.lang.t("已保存", "Saved")))
        } catch let e as DomainError {
            return try await page(req, form: f, notice: nil, error: e, status: Forms.status(e))
        }
    }

    struct ConsentForm: Content {
        var channel: String
        var granted: String
    }

    @Sendable func consent(req: Request) async throws -> Response {
        let f = try req.content.decode(ConsentForm.self)
        let memberId = try req.memberId
        do {
            guard let channel = MessageChannel(rawValue: f.channel), channel != .wechat, f.granted == "0" || f.granted == "1" else {
                throw DomainError.invalid("channel", "consent.channel", zh: "请选择短信、邮件或电话", en: "choose SMS, e-mail or phone")
            }
            let granted = f.granted == "1"
            try await req.store.setConsent(memberId: memberId, channel: channel, granted: granted, source: .member,
                                           detail: "member page", actor: "member:\(memberId)")
            let name = MemberProfilePage.View.channelName(channel, PageContext(req))
            let notice = granted ? req.lang.t("已同意接收\(name)", "\(name): opted in")
                                 : req.lang.t("已退订\(name)，立即生效", "\(name): opted out, effective now")
            return req.redirect(to: try await Forms.withNotice(req, MemberURL.profile.path, notice))
        } catch let e as DomainError {
            return try await page(req, notice: nil, error: e, status: Forms.status(e))
        }
    }

    @Sendable func dataJSON(req: Request) async throws -> Response {
        let memberId = try req.memberId
        let export = try await req.store.memberDataExport(memberId: memberId, actor: "member:\(memberId)")
        var headers = Self.downloadHeaders(filename: Self.filename(export, "json"))
        headers.contentType = HTTPMediaType(type: "application", subType: "json", parameters: ["charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: try export.json()))
    }

    @Sendable func dataCSV(req: Request) async throws -> Response {
        let memberId = try req.memberId
        let export = try await req.store.memberDataExport(memberId: memberId, actor: "member:\(memberId)")
        return Response(status: .ok, headers: CSVText.headers(filename: Self.filename(export, "csv")), body: .init(string: Self.csv(export)))
    }

    /// One block per table: a header line whose first cell is the table's name, its rows, a blank line.
    static func csv(_ export: MemberDataExport) -> String {
        var body = CSVFormat.bom
        for t in export.tables {
            body += CSVFormat.line(["table"] + t.columns)
            for row in t.rows { body += CSVFormat.line([t.name] + row.map(\.csv)) }
            body += "\r\n"
        }
        return body
    }

    static func filename(_ export: MemberDataExport, _ ext: String) -> String { "my-data-\(export.memberId).\(ext)" }

    static func downloadHeaders(filename: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: .contentDisposition, value: CSVText.attachment(filename))
        headers.add(name: .cacheControl, value: "no-store")
        return headers
    }

    struct DeleteForm: Content {
        var reason: String?
        var confirm: String?
    }

    @Sendable func requestDeletion(req: Request) async throws -> Response {
        let f = try req.content.decode(DeleteForm.self)
        do {
            guard f.confirm == "1" else {
                throw DomainError.invalid("confirm", "deletion.confirm", zh: "请勾选确认后再提交", en: "tick the confirmation to request deletion")
            }
            _ = try await req.store.requestAccountDeletion(memberId: try req.memberId, reason: Forms.trimmed(f.reason))
            return req.redirect(to: try await Forms.withNotice(req, MemberURL.profile.path,
                                                     req.lang.t("注销申请已提交", "Your deletion request has been received")))
        } catch let e as DomainError {
            return try await page(req, notice: nil, error: e, status: Forms.status(e))
        }
    }
}
