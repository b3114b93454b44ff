import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// `/console/import` for admins: the same import as `mallvip import`, from an uploaded file. A real import is
/// recorded in the import log and audited; a dry run writes nothing.
enum ImportsController {
    /// Uploads up to this size (a console import is for files an office sends; big ones go through the CLI).
    static let maxUpload = 32 << 20

    static func register(_ routes: any RoutesBuilder) throws {
        let admin = routes.grouped(StaffAuthMiddleware(roles: StaffRole.admins, maxBody: maxUpload))
        admin.get(.imports, use: page)
        admin.on(.POST, .imports, body: .collect(maxSize: ByteCount(value: maxUpload)), use: run)
    }

    static func model(_ req: Request) async throws -> ImportsPage.Model {
        let (_, programme) = try await req.store.programme()
        return ImportsPage.Model(recent: try await req.store.recentImports(), programme: programme)
    }

    @Sendable static func page(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        return Layout.render(ctx, title: ctx.t("数据导入", "Import"), ImportsPage.View.body(try await model(req), ctx))
    }

    struct Upload: Content {
        var kind: String?
        var encoding: String?
        var mapping: String?
        var mode: String?
        var file: File?
    }

    @Sendable static func run(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let form = try req.content.decode(Upload.self)
        var m = try await model(req)
        m.kind = form.kind ?? m.kind
        m.encoding = form.encoding ?? m.encoding
        m.mapping = form.mapping ?? ""
        do {
            guard let kind = ImportKind(rawValue: m.kind), let encoding = ImportEncoding(rawValue: m.encoding) else {
                throw DomainError.invalid("kind", "import.kind", zh: "请选择导入内容和编码", en: "choose what to import and the encoding")
            }
            guard let file = form.file, file.data.readableBytes > 0 else {
                throw DomainError.invalid("file", "import.file", zh: "请选择要上传的 CSV 文件", en: "choose a CSV file to upload")
            }
            let mapping = m.mapping.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? ImportMapping() : try ImportMapping.parse(m.mapping)
            m.fileName = file.filename.isEmpty ? "upload.csv" : file.filename
            let bytes = file.data.getBytes(at: file.data.readerIndex, length: file.data.readableBytes) ?? []
            m.report = try await req.store.importFile(.bytes(bytes), ImportOptions(
                kind: kind, encoding: encoding, mapping: mapping, dryRun: form.mode != "import", actor: req.actor, fileName: m.fileName))
            m.recent = try await req.store.recentImports()
            return Layout.render(ctx, title: ctx.t("数据导入", "Import"), ImportsPage.View.body(m, ctx))
        } catch let e as DomainError {
            m.error = Forms.message(e, ctx)
            return Layout.render(ctx, title: ctx.t("数据导入", "Import"), status: Forms.status(e), ImportsPage.View.body(m, ctx))
        }
    }
}
