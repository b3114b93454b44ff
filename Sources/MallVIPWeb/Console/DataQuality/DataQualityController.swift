import Foundation
import MallVIPCore
import MallVIPStore
import Plot
import Vapor

extension SiteRoute {
    // Data quality and staff figures (issue 17). Declared here, beside their pages, like ImportsPage.path.
    static let dataQuality = SiteRoute("/console/quality")
    static let dataQualityCSV = SiteRoute("/console/quality/members.csv")
    static let dataQualityDuplicates = SiteRoute("/console/quality/duplicates")
    static let birthdayMailingCSV = SiteRoute("/console/quality/birthday-mailing.csv")
    static let staffFigures = SiteRoute("/console/staff-figures")
}

extension StaffRole {
    /// Who reads the completeness report and the duplicate list: the report readers, the desk (who corrects the
    /// data) and account managers (their own members only). Planners see names and phones masked.
    static let qualityReaders: Set<StaffRole> = [.admin, .manager, .planner, .desk, .accountManager]
}

/// Links to the data-quality pages (typed like `SiteURL`, whose cases live in the shared SiteURL.swift).
enum QualityURL {
    static func page(missing: String? = nil, mallId: Int64? = nil, managerId: Int64? = nil, mall: String? = nil) -> String {
        SiteRoute.dataQuality.path() + query([("missing", missing), ("cellMall", mallId.map(String.init)), ("am", managerId.map(String.init)), ("mall", mall)])
    }
    static func csv(missing: String, mallId: Int64?, managerId: Int64?, mall: String?) -> String {
        SiteRoute.dataQualityCSV.path() + query([("missing", missing), ("cellMall", mallId.map(String.init)), ("am", managerId.map(String.init)), ("mall", mall)])
    }
    static func duplicates(mall: String?) -> String { SiteRoute.dataQualityDuplicates.path() + query([("mall", mall)]) }
    static func mailing(month: Int, mall: String?) -> String {
        SiteRoute.birthdayMailingCSV.path() + query([("month", String(month)), ("mall", mall)])
    }
    static func staffFigures(period: String?, mall: String?) -> String { SiteRoute.staffFigures.path() + query([("p", period), ("mall", mall)]) }

    static func query(_ items: [(String, String?)]) -> String {
        let parts = items.compactMap { k, v in v.flatMap { $0.isEmpty ? nil : k + "=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}

/// `/console/quality`: the completeness report per mall and account manager, with the list of members behind each
/// count (masked for the viewer's role; showing it is audited as a view of personal data); the list as CSV (audited
/// as an export); suspected duplicates (audited view); and the birthday-card address list (managers only, audited
/// export). Everything is cut to the viewer's malls (`MallAccess`), and to their own members for an account manager.
enum DataQualityController {
    static func register(_ routes: any RoutesBuilder) throws {
        let readers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.qualityReaders))
        readers.get(.dataQuality, use: page)
        readers.get(.dataQualityCSV, use: csv)
        readers.get(.dataQualityDuplicates, use: duplicates)
        let managers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers))
        managers.get(.birthdayMailingCSV, use: mailing)
        let reports = routes.grouped(StaffAuthMiddleware(roles: StaffRole.reportReaders))
        reports.get(.staffFigures, use: StaffFiguresPage.page)
    }

    /// The viewer's members: their malls (narrowed by `?mall=CODE`, refused outside them) and, for an account
    /// manager, only the members they look after.
    static func scope(_ req: Request) async throws -> QualityScope {
        let full = try await MallAccess.scope(req)
        let malls = try await MallAccess.exportScope(req) ?? MallScope(mallIds: nil, sinceDay: full.sinceDay)
        return QualityScope(malls: malls, managerId: req.staff.user.role == .accountManager ? req.staff.user.id : nil)
    }

    /// `missing`: one field's raw value or `any`; anything else is refused naming the field.
    static func missingFilter(_ req: Request) throws -> (requested: Bool, field: MissingField?) {
        guard let raw = (req.query["missing"] as String?), !raw.isEmpty else { return (false, nil) }
        if raw == "any" { return (true, nil) }
        guard let f = MissingField(rawValue: raw) else {
            throw DomainError.invalid("missing", "missing.value", zh: "missing 须为 birthday、email、address、consent 或 any",
                                      en: "missing must be birthday, email, address, consent or any")
        }
        return (true, f)
    }

    static func cell(_ req: Request) throws -> (mallId: Int64?, managerId: Int64?) {
        func id(_ name: String) throws -> Int64? {
            guard let raw = (req.query[name] as String?), !raw.isEmpty else { return nil }
            guard let v = Int64(raw), v >= 0 else {
                throw DomainError.invalid(name, "id.format", zh: "\(name) 须为编号", en: "\(name) must be an id number")
            }
            return v
        }
        return (try id("cellMall"), try id("am"))
    }

    @Sendable static func page(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let role = req.staff.user.role
        let scope = try await scope(req)
        let (requested, field) = try missingFilter(req)
        let (cellMall, cellManager) = try cell(req)
        let rows = try await req.store.completeness(scope)
        var list: [QualityMember]? = nil
        if requested {
            let found = try await req.store.incompleteMembers(scope, missing: field, mallId: cellMall, managerId: cellManager)
            list = found
            try await req.store.audit(actor: req.actor, action: "quality.list.view", subject: "quality:\(field?.rawValue ?? "any")",
                                      detail: "rows=\(found.count) unmasked=\(role.seesPersonalData) mall=\(cellMall.map(String.init) ?? "all") am=\(cellManager.map(String.init) ?? "all")")
        }
        let malls = try await MallAccess.visibleMalls(req)
        let model = DataQualityPage.Model(rows: rows, list: list, missing: field, listRequested: requested, cellMall: cellMall,
                                          cellManager: cellManager, unmasked: role.seesPersonalData,
                                          canMail: StaffRole.managers.contains(role), malls: malls,
                                          mall: req.query["mall"], today: try await today(req))
        return Layout.render(ctx, title: ctx.t("资料完整度", "Data completeness"), DataQualityPage.body(model, ctx))
    }

    static func today(_ req: Request) async throws -> LocalDate {
        let (_, programme) = try await req.store.programme()
        return LocalDate.of(req.store.env.now(), in: programme.timeZone)
    }

    @Sendable static func csv(req: Request) async throws -> Response {
        let role = req.staff.user.role
        let scope = try await scope(req)
        let (_, field) = try missingFilter(req)
        let (cellMall, cellManager) = try cell(req)
        let found = try await req.store.incompleteMembers(scope, missing: field, mallId: cellMall, managerId: cellManager, limit: 100_000)
        let unmasked = role.seesPersonalData
        let header = ["memberId", "cardNo", "name", "phone", "email", "birthday", "mall", "missing"]
        let lines = found.map { m in
            [String(m.id), m.cardNo ?? "", unmasked ? m.name : Identity.maskName(m.name), unmasked ? m.phone : Identity.maskPhone(m.phone),
             (unmasked ? m.email : m.email.map(DataQualityPage.maskEmail)) ?? "", m.birthday?.description ?? "", m.mallCode ?? "",
             m.missing.map(\.rawValue).joined(separator: " ")]
        }
        try await req.store.recordExport("qualityList", rows: lines.count,
                                         detail: "missing=\(field?.rawValue ?? "any") unmasked=\(unmasked) mall=\(cellMall.map(String.init) ?? "all")",
                                         actor: req.actor)
        let text = CSVFormat.bom + CSVFormat.line(header) + lines.map(CSVFormat.line).joined()
        return Response(status: .ok, headers: CSVText.headers(filename: "quality-\(field?.rawValue ?? "any").csv"), body: .init(string: text))
    }

    @Sendable static func duplicates(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let role = req.staff.user.role
        let pairs = try await req.store.suspectedDuplicates(try await scope(req))
        try await req.store.audit(actor: req.actor, action: "quality.duplicates.view", subject: "quality:duplicates",
                                  detail: "pairs=\(pairs.count) unmasked=\(role.seesPersonalData)")
        return Layout.render(ctx, title: ctx.t("疑似重复会员", "Suspected duplicates"),
                             DataQualityPage.duplicates(pairs, unmasked: role.seesPersonalData, mall: req.query["mall"], ctx))
    }

    /// `?month=1…12`: the addresses of members born that month, for birthday cards. Managers and admins only; every
    /// download is audited as an export of personal data (`export.birthdayMailing`).
    @Sendable static func mailing(req: Request) async throws -> Response {
        guard let raw = (req.query["month"] as String?), let month = Int(raw), (1...12).contains(month) else {
            throw DomainError.invalid("month", "month.range", zh: "month 须为 1–12 的月份", en: "month must be a month 1 to 12")
        }
        let list = try await req.store.birthdayMailingList(try await scope(req), month: month)
        let header = ["cardNo", "name", "title", "birthday", "address", "mall"]
        let lines = list.map { a in
            [a.cardNo ?? "", a.name, a.gender.title.zh, a.birthday.description, a.address, a.mallCode ?? ""]
        }
        try await req.store.recordExport("birthdayMailing", rows: lines.count, detail: "month=\(month) mall=\(req.query["mall"] ?? "all")",
                                         actor: req.actor)
        let text = CSVFormat.bom + CSVFormat.line(header) + lines.map(CSVFormat.line).joined()
        return Response(status: .ok, headers: CSVText.headers(filename: "birthday-mailing-\(String(format: "%02d", month)).csv"),
                        body: .init(string: text))
    }
}
