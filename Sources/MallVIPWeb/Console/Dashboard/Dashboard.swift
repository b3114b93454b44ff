import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

/// Console home: today's figures and what waits for the signed-in person.
enum Dashboard {
    struct Model: Sendable {
        var day: LocalDate
        var figures: DashboardFigures
        var malls: [Mall]
        /// Sales figures cut to one mall; members, cards and points are group-wide.
        var mall: Mall?
        /// What needs doing today for the signed-in person (Dashboard+Todo, issue 17).
        var todo: DashboardTodo?
        /// The user works at no mall yet (issue 17): no sales figures are shown, not even the group's.
        var noMall = false
        /// Primary or replica, and the time the figures are as of (issue 21).
        var source: ReadSource? = nil
    }

    enum Query {
        static func model(_ store: Store, mallCode: String?) async throws -> Model {
            let (_, programme) = try await store.programme()
            let day = LocalDate.of(store.env.now(), in: programme.timeZone)
            let malls = try await store.malls()
            let mall = mallCode.flatMap { code in malls.first { $0.code == code } }
            return Model(day: day, figures: try await store.dashboard(on: day, mallId: mall?.id), malls: malls, mall: mall)
        }
    }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let f = m.figures
            let share = f.salesTodayFen > 0 ? "\(f.memberSalesTodayFen * 1000 / f.salesTodayFen / 10).\(f.memberSalesTodayFen * 1000 / f.salesTodayFen % 10)%" : "—"
            return .div(
                .p(.class("muted"), .text(ctx.t("营业日 ", "Business day ") + m.day.description)),
                .if(m.malls.count > 1, .p(
                    .a(.href(SiteURL.dashboard.path), .text(ctx.t("全部商场", "All malls"))),
                    .forEach(m.malls) { mall in
                        .group(.text(" · "), .a(.href(SiteURL.dashboard.path + "?mall=" + mall.code), .text("\(mall.code) \(mall.name)")))
                    })),
                .unwrap(m.mall) { .p(.class("notice"), .text(ctx.t("销售数字仅含 ", "Sales figures for ") + "\($0.code) \($0.name)")) },
                .if(m.noMall, .p(.class("notice"), .text(ctx.t("您还没有分配商场：请管理员在「区域、商场与员工」分配后再查看销售和会员。",
                                                               "You are not assigned to a mall yet: an admin assigns one under Regions, malls and staff; until then no sales or members are shown.")))),
                todo(m.todo, ctx),
                .unwrap(m.source.flatMap { $0.replica == nil ? nil : $0 }) { ReadSourceView.line($0, zone: nil, ctx) },
                .div(.class("grid"),
                     stat(ctx.t("有效会员", "Active members"), "\(f.members)"),
                     stat(ctx.t("今日新办卡", "New cards today"), "\(f.newMembersToday)"),
                     .if(!m.noMall, .group(
                        stat(ctx.t("今日交易笔数", "Purchases today"), "\(f.purchasesToday)"),
                        stat(ctx.t("今日销售额（元）", "Sales today (yuan)"), Money.yuan(f.salesTodayFen)),
                        stat(ctx.t("今日VIP业绩占比", "VIP share today"), share))),
                     stat(ctx.t("待审批升级", "Tier approvals waiting"), "\(f.pendingTierRequests)")),
                .form(.class("card"), .method(.get), .action(SiteURL.members(query: nil).path),
                      Layout.field(ctx.t("查找会员（卡号、手机号、手机尾号4位或姓名）", "Find a member (card, phone, last 4 digits or name)"), name: "q"),
                      .button(.type(.submit), .text(ctx.t("查找", "Search"))))
            )
        }

        static func stat(_ label: String, _ value: String) -> Node<HTML.BodyContext> {
            .div(.class("stat"), .span(.class("muted"), .text(label)), .b(.text(value)))
        }
    }
}

enum DashboardController {
    @Sendable static func show(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        // Issue 17: sales default to the user's malls; asking for a mall outside them is refused (MallAccess.reportMall).
        // A desk, counter or account-manager user with no mall yet sees no sales at all (not the group's).
        let asked: String? = req.query["mall"]
        let noMall = try await MallAccess.scope(req).mallIds?.isEmpty == true
        let mall = asked.map { !$0.isEmpty } == true || !noMall ? try await MallAccess.reportMall(req, code: asked) : nil
        var (model, source) = try await req.store.onReadReplica { store in   // issue 21: the replica when fresh
            try await Dashboard.Query.model(store, mallCode: mall?.code)
        }
        model.source = source
        model.noMall = noMall
        model.malls = try await MallAccess.visibleMalls(req)
        model.todo = try await DashboardTodo.load(req, today: model.day, pendingTierRequests: model.figures.pendingTierRequests)
        return Layout.render(ctx, title: ctx.t("首页", "Home"), Dashboard.View.body(model, ctx))
    }
}
