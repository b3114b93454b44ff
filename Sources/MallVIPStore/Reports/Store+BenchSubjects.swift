import Foundation
import SQLKit

extension Store {
    /// The member of the latest member purchase (by id): the member page `mallvip reports bench` times, a card
    /// that is in use. Nil on a database without member purchases.
    public func lastBuyingMemberId() async throws -> Int64? {
        try await sql.row("SELECT member_id FROM purchases WHERE member_id IS NOT NULL ORDER BY id DESC LIMIT 1")?
            .optInt("member_id").map(Int64.init)
    }
}
