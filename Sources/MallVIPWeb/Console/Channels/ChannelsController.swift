import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

extension StaffRole {
    /// Who reads points by channel and reviews cross-channel duplicates (issue 19): managers and the service desk (the
    /// desk that reviews receipt photos), each in their own malls.
    static let channelReviewers: Set<StaffRole> = [.admin, .manager, .desk]
}

/// /console/channels (issue 19, docs/reports.md "Points by channel", docs/workflows.md "Reviewing channel duplicates"):
/// points by channel for a period with the duplicates caught, and the review list of open matches — confirm (the later
/// purchase reversed once) or dismiss. Mall-scoped: a user sees and decides only their malls' flags; a flag of another
/// mall is 403, as a member of another mall is.
enum ChannelsController {
    static func register(_ routes: any RoutesBuilder) throws {
        let reviewers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.channelReviewers))
        reviewers.get(.channels, use: page)
        reviewers.get(.channelsCSV, use: csv)
        reviewers.post(.channelsSweep, use: sweep)
        reviewers.post(.channelFlagConfirm, use: confirm)
        reviewers.post(.channelFlagDismiss, use: dismiss)
    }

    /// `from` … `through` (business days, YYYY-MM-DD); default the last 30 days through today; at most 366 days.
    static func period(_ req: Request) async throws -> (LocalDate, LocalDate) {
        let (_, programme) = try await req.store.programme()
        let today = LocalDate.of(req.store.env.now(), in: programme.timeZone)
        func day(_ name: String) throws -> LocalDate? {
            let text = Forms.trimmed(req.query[String.self, at: name])
            if text.isEmpty { return nil }
            guard text.count == 10, let d = LocalDate(text) else {
                throw DomainError.invalid(name, "channels.report.date", zh: "\(name) 须为日期 YYYY-MM-DD", en: "\(name) must be a date YYYY-MM-DD")
            }
            return d
        }
        let through = try day("through") ?? today
        let from = try day("from") ?? through.adding(days: -29)
        guard from <= through else {
            throw DomainError.invalid("from", "channels.report.order", zh: "起始日期不能晚于结束日期", en: "from must not be after through")
        }
        guard through.dayNumber - from.dayNumber < 366 else {
            throw DomainError.invalid("through", "channels.report.span", zh: "最多 366 天", en: "at most 366 days")
        }
        return (from, through)
    }

    static func model(_ req: Request) async throws -> ChannelsPage.Model {
        let (from, through) = try await period(req)
        // Issue 17: default = the user's malls; a mall outside them is refused (403).
        let mall = try await MallAccess.reportMall(req, code: req.query["mall"])
        let scope = try await MallAccess.scope(req)
        let mallIds: [Int64]? = mall.map { [$0.id] } ?? scope.mallIds
        let (_, programme) = try await req.store.programme()
        return ChannelsPage.Model(
            report: try await req.store.channelReport(from: from, through: through, mallIds: mallIds),
            open: try await req.store.channelDuplicates(mallIds: mallIds, states: ["open"], limit: 200),
            decided: try await req.store.channelDuplicates(mallIds: mallIds, states: ["confirmed", "dismissed"], limit: 20),
            programme: programme, mall: mall, malls: try await MallAccess.visibleMalls(req))
    }

    @Sendable static func page(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        var m = try await model(req)
        m.notice = try await Notices.take(req)
        return Layout.render(ctx, title: ctx.t("渠道积分与重复", "Points by channel"), ChannelsPage.View.body(m, ctx))
    }

    @Sendable static func csv(req: Request) async throws -> Response {
        let m = try await model(req)
        try await req.store.audit(actor: req.actor, action: "channels.report.export", subject: "\(m.report.from)..\(m.report.through)",
                                  detail: "mall=\(m.mall?.code ?? "all")")
        return Response(status: .ok, headers: CSVText.headers(filename: "channels-\(m.report.from)-\(m.report.through).csv"),
                        body: .init(string: ChannelsPage.csv(m)))
    }

    @Sendable static func sweep(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let added = try await req.store.sweepChannelMatches()
        try await req.store.audit(actor: req.actor, action: "channels.sweep", subject: "channel_duplicates", detail: "new=\(added)")
        return req.redirect(to: try await Forms.withNotice(req, SiteRoute.channels.path(),
                                                           ctx.t("已扫描：新增 \(added) 条待审", "Swept: \(added) new to review")) + "#review")
    }

    struct ReviewForm: Content { var note: String? }

    /// The flag named in the path, if it is one of the user's malls (else 403, as a member of another mall).
    static func flag(_ req: Request) async throws -> ChannelDuplicate {
        guard let id = req.parameters.get("id", as: Int64.self), id > 0,
              let flag = try await req.store.channelDuplicate(id: id) else { throw Abort(.notFound) }
        guard try await MallAccess.scope(req).contains(mall: flag.mallId) else { throw MallScope.outside() }
        return flag
    }

    static func note(_ req: Request) throws -> String {
        let note = Forms.trimmed(try req.content.decode(ReviewForm.self).note)
        guard note.count <= 200 else {
            throw DomainError.invalid("note", "channels.note.length", zh: "备注最多 200 个字", en: "note: at most 200 characters")
        }
        return note
    }

    @Sendable static func confirm(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let flag = try await flag(req)
        let done = try await req.store.confirmChannelDuplicate(id: flag.id, actor: req.actor, note: try note(req))
        return req.redirect(to: try await Forms.withNotice(req, SiteRoute.channels.path(), ctx.t(
            "已确认重复：小票 \(done.second?.receiptNo ?? "") 的积分已冲回", "Confirmed: points of receipt \(done.second?.receiptNo ?? "") reversed")) + "#review")
    }

    @Sendable static func dismiss(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let flag = try await flag(req)
        try await req.store.dismissChannelDuplicate(id: flag.id, actor: req.actor, note: try note(req))
        return req.redirect(to: try await Forms.withNotice(req, SiteRoute.channels.path(),
                                                           ctx.t("已驳回：两笔均为真实消费", "Dismissed: two real purchases")) + "#review")
    }
}
