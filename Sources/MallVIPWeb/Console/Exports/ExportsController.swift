import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

extension StaffRole {
    /// Who may download whole tables. Names, phones and e-mails are masked for all but managers and admins.
    static let exporters: Set<StaffRole> = [.admin, .manager, .planner]
}

/// Members, purchases and the points ledger as CSV (UTF-8 with BOM), streamed page by page so that a large mall's
/// tables never sit in memory; each download is audited with its row count once written.
enum ExportsController {
    static let pageSize = 2_000

    static func register(_ routes: any RoutesBuilder) throws {
        let r = routes.grouped(StaffAuthMiddleware(roles: StaffRole.exporters))
        r.get(.exports, use: page)
        r.get(.exportMembers, use: members)
        r.get(.exportPurchases, use: purchases)
        r.get(.exportLedger, use: ledger)
    }

    @Sendable static func page(req: Request) async throws -> Response { try await render(req, error: nil) }

    /// The page, with the problem of a refused download above the forms.
    static func render(_ req: Request, error: DomainError?) async throws -> Response {
        let ctx = PageContext(req)
        let (_, programme) = try await req.store.programme()
        let today = LocalDate.of(req.store.env.now(), in: programme.timeZone)
        let model = ExportsPage.Model(today: today, unmasked: StaffRole.managers.contains(req.staff.user.role),
                                      recent: try await req.store.recentExports(), programme: programme,
                                      error: error.map { Forms.message($0, ctx) })
        return Layout.render(ctx, title: ctx.t("数据导出", "Exports"), status: error.map(Forms.status) ?? .ok, ExportsPage.View.body(model, ctx))
    }

    /// `from` and `to` as YYYY-MM-DD, at most 366 days apart: an export is a period, not the whole history at once.
    static func period(_ req: Request) throws -> (LocalDate, LocalDate) {
        func day(_ name: String) throws -> LocalDate {
            guard let text = req.query[String.self, at: name], let d = LocalDate(text) else {
                throw DomainError.invalid(name, "date.format", zh: "\(name == "from" ? "开始" : "结束")日期（\(name)）格式应为 YYYY-MM-DD",
                                          en: "\(name) must be a date YYYY-MM-DD")
            }
            return d
        }
        let from = try day("from"), to = try day("to")
        guard from <= to else { throw DomainError.invalid("to", "period.order", zh: "结束日期（to）早于开始日期", en: "to is before from") }
        guard to.dayNumber - from.dayNumber <= 366 else {
            throw DomainError.invalid("to", "period.length", zh: "一次最多导出 366 天（to − from）", en: "to: at most 366 days per export")
        }
        return (from, to)
    }

    @Sendable static func members(req: Request) async throws -> Response {
        let store = await req.store.readReplica().store, actor = req.actor   // issue 21: the replica when fresh
        let unmasked = StaffRole.managers.contains(req.staff.user.role)
        let (_, programme) = try await store.programme()
        let today = LocalDate.of(store.env.now(), in: programme.timeZone)
        let malls = try await MallAccess.exportScope(req)   // issue 17: the user's malls, never wider
        return stream(req, filename: "members-\(today).csv", header: SegmentCSV.header) { after in
            let page = try await store.exportMembersPage(after: after, limit: pageSize, on: today, malls: malls)
            return (page.map { SegmentCSV.row($0, unmasked: unmasked, programme: programme) }, page.last?.id)
        } finished: { rows in
            try await store.recordExport("members", rows: rows, detail: "unmasked=\(unmasked)", actor: actor)
        }
    }

    @Sendable static func purchases(req: Request) async throws -> Response {
        let from: LocalDate, to: LocalDate
        do { (from, to) = try period(req) } catch let e as DomainError { return try await render(req, error: e) }
        let store = await req.store.readReplica().store, actor = req.actor   // issue 21: the replica when fresh
        let (_, programme) = try await store.programme()
        let header = ["receiptNo", "mall", "occurredAt", "businessDay", "cardNo", "totalYuan", "eligibleYuan", "refundedYuan",
                      "pointsEarned", "pointsReversed"]
        let malls = try await MallAccess.exportScope(req)
        return stream(req, filename: "purchases-\(from)-\(to).csv", header: header) { after in
            let page = try await store.exportPurchasesPage(from: from, through: to, after: after, limit: pageSize, malls: malls)
            return (page.map { p in
                [p.receiptNo, p.mall, Layout.dateTime(p.occurredAt, programme), p.businessDay.description, p.cardNo ?? "",
                 Money.yuan(p.totalFen, grouping: false), Money.yuan(p.eligibleFen, grouping: false),
                 Money.yuan(p.refundedFen, grouping: false), String(p.pointsEarned), String(p.pointsReversed)]
            }, page.last?.id)
        } finished: { rows in
            try await store.recordExport("purchases", rows: rows, detail: "\(from)..\(to)", actor: actor)
        }
    }

    @Sendable static func ledger(req: Request) async throws -> Response {
        let from: LocalDate, to: LocalDate
        do { (from, to) = try period(req) } catch let e as DomainError { return try await render(req, error: e) }
        let store = await req.store.readReplica().store, actor = req.actor   // issue 21: the replica when fresh
        let (_, programme) = try await store.programme()
        let header = ["memberId", "cardNo", "at", "kind", "points", "balanceAfter", "receiptNo", "note", "actor"]
        let malls = try await MallAccess.exportScope(req)
        return stream(req, filename: "ledger-\(from)-\(to).csv", header: header) { after in
            let page = try await store.exportLedgerPage(from: from, through: to, after: after, limit: pageSize, malls: malls)
            return (page.map { l in
                [String(l.memberId), l.cardNo ?? "", Layout.dateTime(l.at, programme), l.kind, String(l.points), String(l.balanceAfter),
                 l.receiptNo ?? "", l.note, l.actor]
            }, page.last?.id)
        } finished: { rows in
            try await store.recordExport("ledger", rows: rows, detail: "\(from)..\(to)", actor: actor)
        }
    }

    /// Writes the BOM and header, then page after page (`next(after)` gives rows and the last id read, nil when
    /// done), then audits the count. A failure mid-way ends the download with an error rather than a short file
    /// that looks complete, and is not audited as an export.
    static func stream(_ req: Request, filename: String, header: [String],
                       next: @escaping @Sendable (Int64) async throws -> ([[String]], Int64?),
                       finished: @escaping @Sendable (Int) async throws -> Void) -> Response {
        let logger = req.logger
        let body = Response.Body(asyncStream: { writer in
            do {
                try await writer.write(.buffer(ByteBuffer(string: CSVFormat.bom + CSVFormat.line(header))))
                var after: Int64 = 0, rows = 0
                while true {
                    let (lines, last) = try await next(after)
                    guard let last, !lines.isEmpty else { break }
                    try await writer.write(.buffer(ByteBuffer(string: lines.map(CSVFormat.line).joined())))
                    rows += lines.count
                    after = last
                }
                try await finished(rows)
                try await writer.write(.end)
            } catch {
                logger.error("export \(filename) failed: \(String(reflecting: error))")
                try? await writer.write(.error(error))
            }
        })
        return Response(status: .ok, headers: CSVText.headers(filename: filename), body: body)
    }
}
