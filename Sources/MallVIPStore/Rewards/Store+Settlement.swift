import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// 南亞: "the mall reimburses the counter for the gift" — what the mall owes each supplying counter for a month.
public struct SupplierSettlement: Sendable, Equatable {
    public var counterId: Int64
    public var counterCode: String
    public var counterName: String
    public var brand: String
    public var count: Int
    public var listPriceFen: Int64
    public var costFen: Int64
    public var lines: [SettlementLine]
}

public struct SettlementLine: Sendable, Equatable {
    public var redemptionId: Int64
    public var businessDate: LocalDate
    public var itemCode: String
    public var itemName: LocalizedName
    public var cardNo: String?
    public var listPriceFen: Int64
    public var costFen: Int64
}

extension Store {
    /// Gifts owed per supplying counter for redemptions made in `year`-`month` (business days); voided ones excluded.
    public func rewardSettlement(year: Int, month: Int) async throws -> [SupplierSettlement] {
        let first = LocalDate(year: year, month: month, day: 1)
        let last = LocalDate(year: year, month: month, day: LocalDate.daysIn(year: year, month: month))
        let rows = try await sql.rows("""
            SELECT r.id, r.business_day, r.card_no, r.list_price_fen, r.cost_fen, r.supplier_counter_id,
                   i.code AS item_code, i.name_zh, i.name_en, c.code AS counter_code, c.name AS counter_name, c.brand
            FROM redemptions r JOIN reward_items i ON i.id = r.item_id JOIN counters c ON c.id = r.supplier_counter_id
            WHERE r.status = 'done' AND r.supplier_counter_id IS NOT NULL
              AND r.business_day >= \(bind: first.dayNumber) AND r.business_day <= \(bind: last.dayNumber)
            ORDER BY c.code, r.business_day, r.id
            """)
        var out: [SupplierSettlement] = []
        for r in rows {
            let counterId = try r.int64("supplier_counter_id")
            let line = SettlementLine(redemptionId: try r.int64("id"), businessDate: LocalDate(dayNumber: try r.int("business_day")),
                                      itemCode: try r.string("item_code"), itemName: LocalizedName(zh: try r.string("name_zh"), en: try r.string("name_en")),
                                      cardNo: try r.optString("card_no"), listPriceFen: try r.optInt64("list_price_fen") ?? 0,
                                      costFen: try r.int64("cost_fen"))
            if out.last?.counterId != counterId {
                out.append(SupplierSettlement(counterId: counterId, counterCode: try r.string("counter_code"), counterName: try r.string("counter_name"),
                                              brand: try r.string("brand"), count: 0, listPriceFen: 0, costFen: 0, lines: []))
            }
            out[out.count - 1].count += 1
            out[out.count - 1].listPriceFen += line.listPriceFen
            out[out.count - 1].costFen += line.costFen
            out[out.count - 1].lines.append(line)
        }
        return out
    }
}
