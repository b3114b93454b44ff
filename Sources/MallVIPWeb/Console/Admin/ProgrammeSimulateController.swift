import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// /console/programme/simulate: planners, managers and admins may simulate a draft; nothing is activated.
enum ProgrammeSimulateController {
    static func register(_ routes: any RoutesBuilder) throws {
        let readers = routes.grouped(StaffAuthMiddleware(roles: StaffRole.organisation, maxBody: AdminController.maxProgrammeForm))
        readers.get(.programmeSimulate, use: form)
        readers.on(.POST, .programmeSimulate, body: .collect(maxSize: ByteCount(value: AdminController.maxProgrammeForm)), use: simulate)
    }

    static func title(_ ctx: PageContext) -> String { ctx.t("章程模拟", "Programme simulator") }

    @Sendable static func form(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let draft = try await req.store.programmeHistory().first?.yaml ?? Programme.defaultYAML()
        return Layout.render(ctx, title: title(ctx), ProgrammeSimulatePage.View.body(.init(draft: draft, months: 12), ctx))
    }

    struct SimulateForm: Content {
        var yaml: String?
        var file: File?
        var months: String?
    }

    @Sendable static func simulate(req: Request) async throws -> Response {
        let ctx = PageContext(req)
        let f = try req.content.decode(SimulateForm.self)
        var yaml = (f.yaml ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        if let file = f.file, file.data.readableBytes > 0 {
            guard let text = file.data.getString(at: file.data.readerIndex, length: file.data.readableBytes) else {
                throw DomainError.invalid("file", "file.utf8", zh: "文件须为 UTF-8 文本", en: "the file must be UTF-8 text")
            }
            yaml = text.replacingOccurrences(of: "\r\n", with: "\n")
        }
        let monthsText = Forms.trimmed(f.months)
        guard let months = monthsText.isEmpty ? 12 : Int(monthsText), (1...36).contains(months) else {
            throw DomainError.invalid("months", "simulate.months", zh: "回放月数须为 1–36", en: "months must be from 1 to 36")
        }
        var model = ProgrammeSimulatePage.Model(draft: yaml, months: months)
        do {
            let draft = try Programme.parse(yaml: yaml)
            model.result = try await req.store.simulateProgramme(draft: draft, months: months)
        } catch let e as ProgrammeInvalid {
            model.issues = e.issues
            return Layout.render(ctx, title: title(ctx), status: .unprocessableEntity, ProgrammeSimulatePage.View.body(model, ctx))
        }
        return Layout.render(ctx, title: title(ctx), ProgrammeSimulatePage.View.body(model, ctx))
    }
}
