import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

extension StaffRole {
    /// Who reads the report packs: managers, planners (企划) and admins.
    static let reportReaders: Set<StaffRole> = [.admin, .manager, .planner]
}

/// `/console/reports?p=PERIOD&mall=CODE`: the report pack as a printable page; `/console/reports/TABLE.csv`: one of
/// its tables as CSV (UTF-8 with BOM, CRLF). Names in the top N are masked for planners; showing or exporting them
/// unmasked is audited, as exports are.
enum ReportsController {
    static func register(_ routes: any RoutesBuilder) throws {
        let r = routes.grouped(StaffAuthMiddleware(roles: StaffRole.reportReaders))
        r.get(.reports, use: page)
        r.get(.reportCSV, use: csv)
    }

    static func model(_ req: Request) async throws -> Reports.Model {
        let unmasked = req.staff.user.role.seesPersonalData
        let period = (req.query["p"] as String?).flatMap { $0.isEmpty ? nil : $0 }
        // Issue 17: default = the user's malls; a mall outside them is refused (403, MallAccess.reportMall).
        let mall = try await MallAccess.reportMall(req, code: req.query["mall"])
        // Issue 21: from the streaming replica when one is configured and within its lag bound, else the primary.
        var (model, source) = try await req.store.onReadReplica { store in
            try await Reports.Query.model(store, periodKey: period, mallCode: mall?.code, unmasked: unmasked)
        }
        model.source = source
        model.malls = try await MallAccess.visibleMalls(req)
        return model
    }

    @Sendable static func page(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let m = try await model(req)
        if m.unmasked && !m.top.rows.isEmpty {
            try await req.store.audit(actor: req.actor, action: "report.top.view", subject: "report:\(m.period.key)",
                                      detail: "rows=\(m.top.rows.count) unmasked mall=\(m.mall?.code ?? "all")")
        }
        return Layout.render(ctx, title: ctx.t("报表", "Reports"), Reports.View.body(m, ctx))
    }

    @Sendable static func csv(req: Request) async throws -> Response {
        let file = req.parameters.get("table") ?? ""
        guard file.hasSuffix(".csv"), Reports.tableNames.contains(String(file.dropLast(4))) else { throw Abort(.notFound) }
        let name = String(file.dropLast(4))
        let ctx = PageContext(req)
        let m = try await model(req)
        guard let table = Reports.table(name, m, ctx) else { throw Abort(.notFound) }
        if name == "top" {
            try await req.store.recordExport("reportTop", rows: table.rows.count,
                                             detail: "\(m.period.key) unmasked=\(m.unmasked) mall=\(m.mall?.code ?? "all")", actor: req.actor)
        }
        let text = CSVFormat.bom + CSVFormat.line(table.header) + table.rows.map(CSVFormat.line).joined()
        let filename = "report-\(name)-\(m.period.key)\(m.mall.map { "-" + $0.code } ?? "").csv"
        return Response(status: .ok, headers: CSVText.headers(filename: filename), body: .init(string: text))
    }
}
