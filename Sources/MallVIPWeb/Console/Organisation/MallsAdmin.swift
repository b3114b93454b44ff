import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

extension SiteRoute {
    /// Group → region → mall, and which malls each staff user works with (issue 17; admins only).
    static let regions = SiteRoute("/console/regions")
    static let mallRegion = SiteRoute("/console/malls/:id/region")
    static let staffMalls = SiteRoute("/console/staff/:id/malls")
}

/// `/console/regions`: regions (区域), each mall's region, and each staff user's malls (docs/security.md "Malls").
/// The group is the whole installation. Desk, counter staff and account managers need at least one mall to see any
/// member; admins, managers and planners without one work group-wide.
enum MallsAdminController {
    static func register(_ routes: any RoutesBuilder) throws {
        let admin = routes.grouped(StaffAuthMiddleware(roles: StaffRole.admins))
        admin.get(.regions, use: page)
        admin.post(.regions, use: createRegion)
        admin.post(.mallRegion, use: setMallRegion)
        admin.post(.staffMalls, use: setStaffMalls)
    }

    @Sendable static func page(req: Request) async throws -> Response {
        try await render(req, notice: try await Notices.take(req), error: nil)
    }

    static func render(_ req: Request, notice: String?, error: DomainError?) async throws -> Response {
        let ctx = PageContext(req)
        let store = req.store
        let model = View.Model(regions: try await store.regions(), malls: try await store.malls(), mallRegions: try await store.mallRegions(),
                               staff: try await store.staffList(), staffMalls: try await store.staffMallIdsByStaff(),
                               notice: notice, error: error.map { Forms.message($0, ctx) })
        return Layout.render(ctx, title: ctx.t("区域、商场与员工", "Regions, malls and staff"), status: error.map(Forms.status) ?? .ok,
                             View.body(model, ctx))
    }

    static func id(_ req: Request) throws -> Int64 {
        guard let id = req.parameters.get("id", as: Int64.self) else { throw Abort(.notFound) }
        return id
    }

    @Sendable static func createRegion(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let f = try req.content.decode([String: String].self)
        do {
            let code = Forms.trimmed(f["code"])
            _ = try await req.store.createRegion(code: code, name: Forms.trimmed(f["name"]), actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteRoute.regions.path(), ctx.t("已新建区域 \(code)", "Region \(code) created")))
        } catch let e as DomainError {
            return try await render(req, notice: nil, error: e)
        }
    }

    @Sendable static func setMallRegion(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let mallId = try id(req)
        let text = Forms.trimmed(try req.content.decode([String: String].self)["regionId"])
        do {
            guard text.isEmpty || Int64(text) != nil else {
                throw DomainError.invalid("regionId", "region.exists", zh: "区域无效", en: "regionId is not a region")
            }
            try await req.store.setMallRegion(mallId: mallId, regionId: Int64(text), actor: req.actor)
            return req.redirect(to: try await Forms.withNotice(req, SiteRoute.regions.path(), ctx.t("已保存商场区域", "Mall region saved")))
        } catch let e as DomainError {
            return try await render(req, notice: nil, error: e)
        }
    }

    /// The form sends one `mall_<id>=1` per ticked mall.
    @Sendable static func setStaffMalls(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let staffId = try id(req)
        guard let user = try await req.store.staffList().first(where: { $0.id == staffId }) else { throw Abort(.notFound) }
        let form = try req.content.decode([String: String].self)
        do {
            var ids: [Int64] = []
            for (key, _) in form where key.hasPrefix("mall_") {
                guard let id = Int64(key.dropFirst(5)) else {
                    throw DomainError.invalid("malls", "mall.exists", zh: "商场无效", en: "malls: \(key) is not a mall")
                }
                ids.append(id)
            }
            try await req.store.setStaffMalls(staffId: staffId, mallIds: ids, actor: req.actor)
            var notice = ctx.t("已保存 \(user.username) 的商场", "Malls of \(user.username) saved")
            if ids.isEmpty {
                notice += user.role.mayBeGroupWide ? ctx.t("（未分配商场：全集团）", " (no mall: group-wide)")
                                                   : ctx.t("（未分配商场：看不到任何会员）", " (no mall: sees no member)")
            }
            return req.redirect(to: try await Forms.withNotice(req, SiteRoute.regions.path(), notice))
        } catch let e as DomainError {
            return try await render(req, notice: nil, error: e)
        }
    }

    enum View {
        struct Model {
            var regions: [Region]
            var malls: [Mall]
            var mallRegions: [Int64: Int64]
            var staff: [StaffUser]
            var staffMalls: [Int64: [Int64]]
            var notice: String?
            var error: String?
        }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice), Layout.errorBox(m.error),
                .h2(.text(ctx.t("区域", "Regions"))),
                .p(.class("muted"), .text(ctx.t("集团 → 区域 → 商场。集团即整个系统；每个商场至多属于一个区域。",
                                                "Group → region → mall. The group is the whole installation; a mall belongs to at most one region."))),
                .table(.tr(.th(.text(ctx.t("代码", "Code"))), .th(.text(ctx.t("名称", "Name"))), .th(.text(ctx.t("商场", "Malls")))),
                       .forEach(m.regions) { r in
                           .tr(.td(.text(r.code)), .td(.text(r.name)),
                               .td(.text(m.malls.filter { m.mallRegions[$0.id] == r.id }.map(\.code).joined(separator: ", "))))
                       }),
                .form(.class("card"), .method(.post), .action(SiteRoute.regions.path()), Layout.csrfField(ctx),
                      Layout.field(ctx.t("区域代码", "Region code"), name: "code", required: true),
                      Layout.field(ctx.t("区域名称", "Region name"), name: "name", required: true),
                      .button(.type(.submit), .text(ctx.t("新建区域", "Create region")))),
                .h2(.text(ctx.t("商场所属区域", "Malls and their regions"))),
                .table(.tr(.th(.text(ctx.t("商场", "Mall"))), .th(.text(ctx.t("区域", "Region")))),
                       .forEach(m.malls) { mall in
                           .tr(.td(.text("\(mall.code) \(mall.name)")),
                               .td(.form(.method(.post), .action(SiteRoute.mallRegion.path(mall.id)), .class("inline"), Layout.csrfField(ctx),
                                         .select(.attribute(named: "name", value: "regionId"),
                                                 .option(.value(""), .label(ctx.t("无", "None")), .isSelected(m.mallRegions[mall.id] == nil)),
                                                 .forEach(m.regions) { r in
                                                     .option(.value(String(r.id)), .label("\(r.code) \(r.name)"), .isSelected(m.mallRegions[mall.id] == r.id))
                                                 }),
                                         .button(.class("secondary"), .type(.submit), .text(ctx.t("保存", "Save"))))))
                       }),
                .h2(.id("staff-malls"), .text(ctx.t("员工所属商场", "Staff and their malls"))),
                .p(.class("muted"), .text(ctx.t("服务台、店柜员工和维护人须分配商场，只能查找和办理所属商场的会员（在该商场办卡，或近期在该商场消费）；管理员、经理和企划未分配商场时为全集团。",
                                                "Desk, counter staff and account managers need a mall and work only with its members (enrolled there or bought there lately); admins, managers and planners with no mall are group-wide."))),
                .table(.tr(.th(.text(ctx.t("用户名", "Username"))), .th(.text(ctx.t("角色", "Role"))), .th(.text(ctx.t("商场", "Malls")))),
                       .forEach(m.staff) { u in
                           let mine = Set(m.staffMalls[u.id] ?? [])
                           return .tr(.td(.text(u.username)), .td(.text(u.role.label.text(ctx.lang == .en ? .en : .zh))),
                               .td(.form(.method(.post), .action(SiteRoute.staffMalls.path(u.id)), .class("inline"), Layout.csrfField(ctx),
                                         .forEach(m.malls) { mall in Layout.checkbox(mall.code, name: "mall_\(mall.id)", checked: mine.contains(mall.id)) },
                                         .button(.class("secondary"), .type(.submit), .text(ctx.t("保存", "Save"))))))
                       })
            )
        }
    }
}
