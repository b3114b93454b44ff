import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Staff belong to malls (issue 17, docs/security.md "Malls"). The one place the web layer asks which malls the
/// signed-in staff member works with; `MemberAccess.check` uses it for members, reports, the dashboard and exports for
/// their `mall` parameter, and member search to list only the malls' members.
///
/// - admins, managers and planners: the malls assigned to them, or the whole group when none is;
/// - desk, counter staff and account managers: the malls assigned to them (none: no member at all).
enum MallAccess {
    struct ScopeKey: StorageKey { typealias Value = MallScope }

    /// The signed-in staff member's scope, read once per request.
    static func scope(_ req: Request) async throws -> MallScope {
        if let cached = req.storage[ScopeKey.self] { return cached }
        let scope = try await req.store.mallScope(staff: req.staff.user)
        req.storage[ScopeKey.self] = scope
        return scope
    }

    /// The malls the signed-in staff member may pick in a mall selector (every mall when group-wide).
    static func visibleMalls(_ req: Request) async throws -> [Mall] {
        let scope = try await scope(req)
        return try await req.store.malls().filter { scope.contains(mall: $0.id) }
    }

    /// The mall a report, the dashboard or an export is cut to. `code` empty or nil: the default — all malls (nil) for
    /// group-wide staff, else the first of their malls. A mall outside their malls (or unknown to a staff member who
    /// is not group-wide), and "all malls" for one who has no mall, is refused: 403, rule `staff.mall.scope`.
    static func reportMall(_ req: Request, code: String?) async throws -> Mall? {
        let scope = try await scope(req)
        let malls = try await req.store.malls()
        let code = code.flatMap { $0.isEmpty ? nil : $0 }
        guard let code else {
            if scope.isGroupWide { return nil }
            guard let first = malls.first(where: { scope.contains(mall: $0.id) }) else { throw MallScope.outside() }
            return first
        }
        guard let mall = malls.first(where: { $0.code == code }) else {
            if scope.isGroupWide { return nil }   // as before: an unknown code reads all malls
            throw MallScope.outside()
        }
        guard scope.contains(mall: mall.id) else { throw MallScope.outside() }
        return mall
    }

    /// The rows an export may hold: `?mall=CODE` narrows to that mall (refused outside the user's malls, as
    /// `reportMall`), else the user's malls (group-wide: nil, everything).
    static func exportScope(_ req: Request) async throws -> MallScope? {
        let scope = try await scope(req)
        let code: String? = req.query["mall"]
        if let code, !code.isEmpty, let mall = try await reportMall(req, code: code) {
            return MallScope(mallIds: [mall.id], sinceDay: scope.sinceDay, coversEveryMember: try await req.store.malls().count == 1)
        }
        return scope.isGroupWide ? nil : scope
    }

    /// The mall a member enrolled at the console is recorded at: the first of the staff member's malls, or the
    /// group's only mall; nil for group-wide staff of a group of several malls.
    static func enrolmentMall(_ req: Request) async throws -> Int64? {
        let scope = try await scope(req)
        if let first = scope.mallIds?.first { return first }
        let malls = try await req.store.malls()
        return malls.count == 1 ? malls[0].id : nil
    }

    /// Throws 403 (`member.mall.scope`) unless member `memberId` belongs to the signed-in staff member's malls.
    static func checkMember(_ req: Request, memberId: Int64) async throws {
        let scope = try await scope(req)
        guard !scope.coversEveryMember else { return }
        guard try await req.store.member(memberId, isIn: scope) else { throw MallScope.memberOutside }
    }
}
