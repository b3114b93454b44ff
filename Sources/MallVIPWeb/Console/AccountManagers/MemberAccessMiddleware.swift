import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Runs `MemberAccess.check` before every console route whose path names a member or a row of one member's, so
/// that a new route under `/console/members/:id/…` cannot forget the check (issue 14: an account manager could
/// open another manager's member's redemption page, void, report the card lost, tag, bind plates). Installed once
/// on every console route (`ConsoleRoutes`); the route's own role check stays where it is.
struct MemberAccessMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Not signed in: the route's StaffAuthMiddleware sends the browser to the login.
        guard let route = request.route, let reference = MemberPathReference.of(route.path),
              let session = try await StaffAuth.session(request) else {
            return try await next.respond(to: request)
        }
        // An admin, a manager, the desk or a planner of every mall (or of the group's only one) may see any member:
        // no look-up needed.
        if try await MemberAccess.needsCheck(request, user: session.user), let memberId = try await reference.memberId(request) {
            try await MemberAccess.check(request, memberId: memberId)
        }
        return try await next.respond(to: request)
    }
}

/// How a console path names a member: the member's id itself, or a row that belongs to one member.
enum MemberPathReference: Equatable {
    /// `/console/members/:id/…`
    case member(parameter: String)
    /// `/console/coupons/:code`
    case coupon(parameter: String)
    /// `/console/tasks/:id/…`, `/console/complaints/:id/…`, `/console/calls/:id`, `/console/tier-requests/:id`
    case row(MemberOwnedRow, parameter: String)

    /// The path prefixes that name a member; any route below one of them is checked.
    static let prefixes: [([String], MemberPathReference)] = [
        (["console", "members", ":id"], .member(parameter: "id")),
        (["console", "coupons", ":code"], .coupon(parameter: "code")),
        (["console", "tasks", ":id"], .row(.serviceTask, parameter: "id")),
        (["console", "complaints", ":id"], .row(.complaint, parameter: "id")),
        (["console", "calls", ":id"], .row(.outboxMessage, parameter: "id")),
        (["console", "tier-requests", ":id"], .row(.tierRequest, parameter: "id")),
    ]

    static func of(_ path: [PathComponent]) -> MemberPathReference? {
        let parts = path.map(\.description)
        return prefixes.first { prefix, _ in parts.count >= prefix.count && Array(parts.prefix(prefix.count)) == prefix }?.1
    }

    /// The member the request names; nil when the row does not exist or names no member (the route answers).
    func memberId(_ req: Request) async throws -> Int64? {
        switch self {
        case .member(let p):
            return req.parameters.get(p, as: Int64.self)
        case .coupon(let p):
            guard let code = req.parameters.get(p) else { return nil }
            return try await req.store.coupon(code: code)?.terms.memberId
        case .row(let row, let p):
            guard let id = req.parameters.get(p, as: Int64.self) else { return nil }
            return try await req.store.memberOwning(row, id: id)
        }
    }
}
