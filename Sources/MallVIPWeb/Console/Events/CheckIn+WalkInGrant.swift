import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// Issue 14: the door's "record as walk-in" names a member by id. The id alone is no proof the member stood at the
/// door, so for a user who does not see every member (an account manager) the walk-in must carry the proof issued
/// on the answer to the card or phone that was just presented: a MAC under the server's data key of the session's
/// secret CSRF token, the user, the event and the member (the same construction as `MemberAccess.grant`). It cannot
/// be forged, names one member at one event, and dies with the session.
extension MemberAccess {
    /// The form field that carries the proof.
    static let walkInGrantParameter = "grant"

    static func walkInGrant(_ req: Request, eventId: Int64, memberId: Int64) -> String {
        let s = req.staff
        let mac = req.store.env.cipher.hash("door-walkin|\(s.user.id)|\(s.csrfToken)|\(eventId)|\(memberId)")
        return String(mac.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "").prefix(32))
    }

    /// Throws 403 unless the signed-in user may record member `memberId` as a walk-in: they see every member, the
    /// member is one of theirs, or `sent` is the proof issued when that member's card or phone was presented.
    static func checkWalkIn(_ req: Request, eventId: Int64, memberId: Int64, sent: String?) async throws {
        let user = req.staff.user
        guard !seesEveryMember(user) else { return }
        if let sent, constantTimeEqual(sent, walkInGrant(req, eventId: eventId, memberId: memberId)) { return }
        guard let member = try await req.store.member(id: memberId) else { return }   // the store answers "not found"
        guard mayView(user, accountManagerId: member.accountManagerId) else { throw Store.notYourMember }
    }
}
