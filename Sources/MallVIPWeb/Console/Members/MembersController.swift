import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

enum MembersController {
    @Sendable static func search(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let q: String = req.query["q"] ?? ""
        let user = req.staff.user
        let scope = MemberAccess.searchScope(user)
        // Issue 17: only the members of the user's malls are listed at all (MallAccess).
        let hits = try await req.store.searchMembers(q, managedBy: scope.managedBy, exactOnly: scope.exactOnly,
                                                     malls: try await MallAccess.scope(req))
        if !hits.isEmpty, ctx.seesPersonalData {
            try await req.store.audit(actor: req.actor, action: "member.search", subject: q, detail: "\(hits.count) hits")
        }
        let (_, programme) = try await req.store.programme()
        return Layout.render(ctx, title: ctx.t("会员查询", "Members"),
                             .div(Layout.noticeBox(try await Notices.take(req)), MemberForms.searchBody(q, hits, programme, ctx,
                                                                                                 link: { MemberAccess.memberLink(req, memberId: $0) })))
    }

    @Sendable static func show(req: Request) async throws -> Response {
        try await showPage(req, id: try memberID(req), notice: try await Notices.take(req), error: nil)
    }

    static func showPage(_ req: Request, id: Int64, notice: String?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let ctx = PageContext(req)
        var model = try await MemberPage.Query.model(req.store, id: id)
        try await MemberAccess.check(req, member: model.member)
        model.notice = notice
        model.error = error
        // Issue 17: the tab (`?tab=`) and the timeline page (`?before=`), after the access check (MemberPage+Tabs).
        model.tab = MemberTab(query: req.query["tab"])
        if model.tab == .timeline {
            model.timeline = try await req.store.memberTimeline(memberId: id, before: (req.query["before"] as String?).flatMap(TimelineCursor.init),
                                                                kinds: MemberPage.timelineKinds(req.staff.user, member: model.member))
        } else if model.tab == .changes {
            model.changes = try await MemberChangesPart.load(req, memberId: id)
        }
        // Viewing a member's personal data is audited (docs/domain.md §14).
        try await req.store.audit(actor: req.actor, action: "member.view", subject: "member:\(id)")
        return Layout.render(ctx, title: MemberPage.View.title(model, ctx), status: status, MemberPage.View.body(model, ctx))
    }

    static func memberID(_ req: Request) throws -> Int64 {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        return id
    }

    @Sendable static func enrolForm(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        return Layout.render(ctx, title: ctx.t("办理会员卡", "Enrol a member"),
                             MemberForms.enrolBody(.init(), error: nil, canOverride: StaffRole.managers.contains(req.staff.user.role), ctx))
    }

    struct EnrolForm: Content {
        var phone: String
        var name: String
        var gender: String?
        var birthday: String?
        var idNumber: String?
        var email: String?
        var receipts: String?
        var cardNo: String?
        var overrideReason: String?
        var consentSms: String?
        var consentEmail: String?
        var referralCode: String?
    }

    @Sendable static func enrol(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let f = try req.content.decode(EnrolForm.self)
        let canOverride = StaffRole.managers.contains(req.staff.user.role)
        func blank(_ s: String?) -> String? { s.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        let values = MemberForms.EnrolValues(phone: f.phone, name: f.name, gender: f.gender ?? "unknown", birthday: f.birthday ?? "",
                                             idNumber: f.idNumber ?? "", email: f.email ?? "", receipts: f.receipts ?? "",
                                             cardNo: f.cardNo ?? "", overrideReason: f.overrideReason ?? "", referralCode: f.referralCode ?? "")
        do {
            var birthday: LocalDate?
            if let b = blank(f.birthday) {
                guard let d = LocalDate(b) else { throw DomainError.invalid("birthday", "date.format", zh: "生日格式须为 YYYY-MM-DD", en: "birthday must be YYYY-MM-DD") }
                birthday = d
            }
            let receipts = (f.receipts ?? "").split(whereSeparator: { $0 == "," || $0 == "，" || $0 == " " }).map(String.init)
            let result = try await req.store.enrol(EnrolmentRequest(
                phone: f.phone.trimmingCharacters(in: .whitespaces), name: f.name, gender: Gender(rawValue: f.gender ?? "") ?? .unknown,
                birthday: birthday, idNumber: blank(f.idNumber), email: blank(f.email), receipts: receipts, cardNo: blank(f.cardNo),
                overrideReason: canOverride ? blank(f.overrideReason) : nil, consentSMS: f.consentSms != nil, consentEmail: f.consentEmail != nil,
                referralCode: blank(f.referralCode)),
                actor: req.actor, mallId: try await MallAccess.enrolmentMall(req))
            let notice = ctx.t("办卡成功，卡号 \(result.cardNo)", "Enrolled: card \(result.cardNo)")
            // An account manager opens only their own members, and a new member has none yet: the notice says so.
            if req.staff.user.role == .accountManager {
                let assigned = notice + ctx.t("（尚未分配维护人，由经理分配后可查看）", " (no account manager yet: a manager assigns one)")
                return req.redirect(to: try await Forms.withNotice(req, SiteURL.members(query: nil).path, assigned))
            }
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.member(result.memberId).path, notice))
        } catch let e as DomainError {
            return Layout.render(ctx, title: ctx.t("办理会员卡", "Enrol a member"), status: .unprocessableEntity,
                                 MemberForms.enrolBody(values, error: ctx.lang == .en ? e.en : e.zh, canOverride: canOverride, ctx))
        }
    }

    @Sendable static func editForm(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        guard let m = try await req.store.member(id: try memberID(req)) else { throw Abort(.notFound) }
        try await MemberAccess.check(req, member: m)
        return Layout.render(ctx, title: ctx.t("修改资料", "Edit profile") + " · " + m.name, MemberForms.editBody(m, error: nil, ctx))
    }

    struct EditForm: Content {
        var name: String
        var gender: String?
        var birthday: String?
        var email: String?
        var address: String?
        var clothingSize: String?
        var shoeSize: String?
        var occupation: String?
        var family: String?
        var preferences: String?
        var hobbies: String?
        var preferredService: String?
        var notes: String?
        var consentSms: String?
        var consentEmail: String?
        var consentPhone: String?
        /// Why (issue 17: recorded with the before and after of every field changed).
        var reason: String?
    }

    @Sendable static func update(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let id = try memberID(req)
        guard let m = try await req.store.member(id: id) else { throw Abort(.notFound) }
        try await MemberAccess.check(req, member: m)
        let f = try req.content.decode(EditForm.self)
        do {
            var birthday: LocalDate?
            if let b = f.birthday, !b.isEmpty {
                guard let d = LocalDate(b) else { throw DomainError.invalid("birthday", "date.format", zh: "生日格式须为 YYYY-MM-DD", en: "birthday must be YYYY-MM-DD") }
                birthday = d
            }
            var profile = MemberProfile()
            profile.clothingSize = f.clothingSize ?? ""
            profile.shoeSize = f.shoeSize ?? ""
            profile.occupation = f.occupation ?? ""
            profile.family = f.family ?? ""
            profile.preferences = f.preferences ?? ""
            profile.hobbies = f.hobbies ?? ""
            profile.preferredService = f.preferredService ?? ""
            var update = ProfileUpdate(
                name: f.name, gender: Gender(rawValue: f.gender ?? "") ?? .unknown, birthday: birthday,
                email: MemberForms.submitted(f.email, current: m.email, ctx), address: MemberForms.submitted(f.address, current: m.address, ctx), profile: profile,
                notes: f.notes ?? "", consentSMS: f.consentSms != nil, consentEmail: f.consentEmail != nil, consentPhone: f.consentPhone != nil)
            update.reason = f.reason ?? ""
            try await req.store.updateProfile(memberId: id, update, actor: req.actor)
            return req.redirect(to: SiteURL.member(id).path)
        } catch let e as DomainError {
            return Layout.render(ctx, title: ctx.t("修改资料", "Edit profile"), status: .unprocessableEntity,
                                 MemberForms.editBody(m, error: ctx.lang == .en ? e.en : e.zh, ctx))
        }
    }

    /// Runs a member action; domain errors come back on the member page.
    static func action(_ req: Request, _ body: (Int64) async throws -> String) async throws -> Response {
        let id = try memberID(req)
        do {
            let notice = try await body(id)
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.member(id).path, notice))
        } catch let e as DomainError {
            return try await showPage(req, id: id, notice: nil, error: req.lang == .en ? e.en : e.zh, status: .unprocessableEntity)
        }
    }

    @Sendable static func cardLost(req: Request) async throws -> Response {
        try await action(req) { id in
            try await req.store.reportCardLost(memberId: id, actor: req.actor)
            return req.lang.t("已挂失", "Card reported lost")
        }
    }

    @Sendable static func cardReplace(req: Request) async throws -> Response {
        try await action(req) { id in
            // Only after the holder is checked: ID number or phone code (issue 17, MemberCorrectionsController).
            let no = try await MemberCorrectionsController.replaceChecked(req, memberId: id)
            return req.lang.t("已补办新卡 \(no)", "New card \(no) issued")
        }
    }

    struct ManualTierForm: Content { var tier: String?; var until: String?; var reason: String }

    @Sendable static func manualTier(req: Request) async throws -> Response {
        let f = try req.content.decode(ManualTierForm.self)
        return try await action(req) { id in
            let tier = f.tier.flatMap { $0.isEmpty ? nil : $0 }
            var until: LocalDate?
            if let u = f.until, !u.isEmpty {
                guard let d = LocalDate(u) else { throw DomainError.invalid("until", "date.format", zh: "日期格式须为 YYYY-MM-DD", en: "until must be YYYY-MM-DD") }
                until = d
            }
            try await req.store.setManualTier(memberId: id, tier: tier, until: until, reason: f.reason, actor: req.actor)
            return req.lang.t("等级已更新", "Tier updated")
        }
    }

    struct AdjustForm: Content { var points: String; var reason: String }

    @Sendable static func adjustPoints(req: Request) async throws -> Response {
        let f = try req.content.decode(AdjustForm.self)
        return try await action(req) { id in
            guard let points = try? BoundedNumber.int(f.points, field: "points", -NumericLimits.maxPoints...NumericLimits.maxPoints) else {
                throw DomainError.invalid("points", "points.integer", zh: "积分须为整数", en: "points must be a whole number")
            }
            let balance = try await req.store.adjustPoints(memberId: id, points: points, reason: f.reason, actor: req.actor)
            return req.lang.t("积分已调整，余额 \(balance)", "Points adjusted; balance \(balance)")
        }
    }

    @Sendable static func revealID(req: Request) async throws -> Response {
        try await action(req) { id in
            let value = try await req.store.revealNationalID(memberId: id, actor: req.actor) ?? "—"
            return req.lang.t("身份证号：", "National ID: ") + value
        }
    }
}
