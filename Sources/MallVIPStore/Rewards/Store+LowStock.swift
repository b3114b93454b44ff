import Foundation
import MallVIPCore
import SQLKit

/// Reward items running out (the console home's to-do list, issue 17): active items with a counted stock at or below
/// `threshold`. Unlimited stock (NULL) never runs out.
public struct LowStockItem: Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var name: LocalizedName
    public var stock: Int64
}

extension Store {
    /// The level at or below which the home page lists an item as low.
    public static let lowStockThreshold: Int64 = 10

    public func lowStockRewards(threshold: Int64 = Store.lowStockThreshold) async throws -> [LowStockItem] {
        try await sql.rows("""
            SELECT id, code, name_zh, name_en, stock FROM reward_items
            WHERE active = \(bind: true) AND stock IS NOT NULL AND stock <= \(bind: threshold)
            ORDER BY stock, code LIMIT 50
            """).map {
            LowStockItem(id: try $0.int64("id"), code: try $0.string("code"),
                         name: LocalizedName(zh: try $0.string("name_zh"), en: try $0.string("name_en")), stock: try $0.int64("stock"))
        }
    }
}
