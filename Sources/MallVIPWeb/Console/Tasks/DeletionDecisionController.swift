import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// A manager decides a member's account-deletion request from its task: approval erases the personal data (see
/// `Store.decideDeletion`), rejection needs a reason. Only managers; the generic task close refuses this kind.
enum DeletionDecisionController {
    static func register(_ routes: any RoutesBuilder) throws {
        routes.grouped(StaffAuthMiddleware(roles: StaffRole.managers)).post(.taskDeletion, use: decide)
    }

    struct Form: Content {
        var decision: String
        var note: String?
    }

    @Sendable static func decide(req: Request) async throws -> Response {
        guard let taskId = req.parameters.get("id", as: Int64.self),
              let request = try await req.store.deletionRequest(taskId: taskId) else { throw Abort(.notFound) }
        let f = try req.content.decode(Form.self)
        do {
            guard f.decision == "approve" || f.decision == "reject" else {
                throw DomainError.invalid("decision", "deletion.decision", zh: "请选择批准或驳回", en: "choose approve or reject")
            }
            try await req.store.decideDeletion(requestId: request.id, approve: f.decision == "approve", note: Forms.trimmed(f.note),
                                               actor: req.actor, photoDirectory: req.application.appConfig.receiptPhotoDirectory)
            let notice = f.decision == "approve" ? req.lang.t("已批准注销，个人资料已清除", "Deletion approved; personal data erased")
                                                 : req.lang.t("已驳回注销申请", "Deletion request rejected")
            return req.redirect(to: try await Forms.withNotice(req, SiteURL.tasks(staff: nil, kind: nil, status: nil).path, notice))
        } catch let e as DomainError {
            return try await TasksController.page(req, notice: nil, error: Forms.message(e, PageContext(req)), status: Forms.status(e))
        }
    }
}
