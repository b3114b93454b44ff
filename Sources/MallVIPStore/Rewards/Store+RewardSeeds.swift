import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Catalogue items taken from the mall plans (docs/domain.md §5.1–5.2), for `mallvip demo` and as a starting point a
/// mall edits: the 南亞 ladder gift, 成都 small redemption in VIP week, the 30/40/50-yuan vouchers, the November
/// annual voucher and the one-per-card return gift.
extension Store {
    public static func seedRewardItems(year: Int, supplierCounterId: Int64?, programme: Programme) -> [RewardItem] {
        let p = programme.redemption
        var items: [RewardItem] = []
        if let ladder = p.ladders.first {
            items.append(RewardItem(code: "LADDER-GIFT", name: LocalizedName(zh: "积分任选礼品（按标价）", en: "Gift of choice (by list price)"),
                                    ladderCode: ladder.code, supplierCounterId: supplierCounterId))
        }
        let vipWeek = p.window("vipWeek")?.code, anniversary = p.window("anniversary")?.code
        for (points, yuan, zh, en) in [(Int64(500), Int64(5), "改衣券 / 好家乡糕点券", "Alteration or pastry voucher"),
                                       (1_000, 10, "水吧券 / 创意礼品", "Water-bar voucher or creative gift"),
                                       (2_000, 20, "2D电影票 / 美甲券", "2D movie ticket or manicure voucher")] {
            items.append(RewardItem(code: "SMALL-\(points)", name: LocalizedName(zh: "\(yuan)元小额兑换：\(zh)", en: "\(yuan)-yuan small redemption: \(en)"),
                                    points: points, listPriceFen: yuan * 100, stock: 200, maxBalance: 2_999, windowCode: vipWeek))
        }
        for yuan in [Int64(30), 40, 50] {
            items.append(RewardItem(code: "VOUCHER-\(yuan)", name: LocalizedName(zh: "\(yuan)元购物券", en: "\(yuan)-yuan voucher"), kind: .cashCoupon,
                                    points: yuan * 100, coupon: RewardCoupon(faceFen: yuan * 100, validDays: 90)))
        }
        let short = String(year % 100)
        items.append(RewardItem(code: "ANNUAL-\(year)", name: LocalizedName(zh: "\(short)年度积分通用券", en: "\(year) points voucher"), kind: .cashCoupon,
                                points: 1_000, validFrom: LocalDate(year: year, month: 11, day: 1), validTo: LocalDate(year: year, month: 11, day: 30),
                                windowCode: anniversary,
                                coupon: RewardCoupon(faceFen: 1_000, validTo: LocalDate(year: year, month: 12, day: 31))))
        items.append(RewardItem(code: "RETURN-\(year)", name: LocalizedName(zh: "店庆回门赠礼", en: "Anniversary return gift"), points: 0, stock: 500,
                                validFrom: LocalDate(year: year, month: 11, day: 1), validTo: LocalDate(year: year, month: 11, day: 30),
                                windowCode: anniversary, onePerCard: true))
        return items
    }

    /// Adds the seed items whose codes are not in the catalogue yet; returns how many were added.
    @discardableResult
    public func addSeedRewardItems(supplierCounterCode: String? = nil, actor: String) async throws -> Int {
        let (_, programme) = try await self.programme()
        let year = LocalDate.of(now, in: programme.timeZone).year
        var supplier: Int64?
        if let code = supplierCounterCode { supplier = try await counter(code: code)?.id }
        var added = 0
        for item in Self.seedRewardItems(year: year, supplierCounterId: supplier, programme: programme)
        where try await rewardItem(code: item.code) == nil {
            try await saveRewardItem(item, actor: actor)
            added += 1
        }
        return added
    }
}
