import Foundation
import MallVIPCore
import SQLKit

/// Reward items running out (the console home's to-do list, issue 17): active items with a counted stock at or below
/// `threshold` (the programme's `redemption.lowStockThreshold`). Unlimited stock (NULL) never runs out.
public struct LowStockItem: Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var name: LocalizedName
    public var stock: Int64
}

extension Store {
    /// Items at or below `threshold`; nil: the programme's `redemption.lowStockThreshold`.
    public func lowStockRewards(threshold: Int64? = nil) async throws -> [LowStockItem] {
        var level = threshold ?? 0
        if threshold == nil { level = try await self.programme().1.redemption.lowStockThreshold }
        return try await sql.rows("""
            SELECT id, code, name_zh, name_en, stock FROM reward_items
            WHERE active = \(bind: true) AND stock IS NOT NULL AND stock <= \(bind: level)
            ORDER BY stock, code LIMIT 50
            """).map {
            LowStockItem(id: try $0.int64("id"), code: try $0.string("code"),
                         name: LocalizedName(zh: try $0.string("name_zh"), en: try $0.string("name_en")), stock: try $0.int64("stock"))
        }
    }
}
