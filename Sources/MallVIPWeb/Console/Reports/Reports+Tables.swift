import Foundation
import MallVIPCore
import MallVIPStore

/// A table of the report pack, shown on the page and downloadable as CSV with the same header and cells.
struct ReportTable {
    var name: String
    var title: String
    var header: [String]
    var rows: [[String]]
    /// Columns from this index on are numbers (right-aligned).
    var firstNumeric = 1
}

extension Reports {
    static let tableNames = ["summary", "trend", "departments", "floors", "counters", "bands", "tiers", "migration", "rfm", "abc",
                             "segments", "demographics", "top", "points"]

    static func yuan(_ fen: Int64) -> String { Money.yuan(fen) }
    static func pct(_ permille: Int?) -> String { Ratio.percent(permille) }
    static func hundredths(_ v: Int64) -> String { "\(v / 100).\(String(format: "%02d", abs(v % 100)))" }
    /// Change against last year, "+4.2%" / "−3.0%" / "—".
    static func change(_ now: Int64, _ before: Int64) -> String {
        guard before != 0, let p = Ratio.permille(now - before, before) else { return "—" }
        return (p > 0 ? "+" : "") + Ratio.percent(p)
    }

    static func table(_ name: String, _ m: Model, _ ctx: PageContext) -> ReportTable? {
        let t = ctx.t
        let p = m.programme
        switch name {
        case "summary":
            let (s, l, a, b) = (m.total, m.totalLY, m.members, m.membersLY)
            func ticket(_ fen: Int64, _ n: Int64) -> Int64 { n > 0 ? fen / n : 0 }
            var rows: [[String]] = [
                [t("销售额（元）", "Sales (yuan)"), yuan(s.salesFen), yuan(l.salesFen), change(s.salesFen, l.salesFen)],
                [t("会员销售额（元）", "Member sales (yuan)"), yuan(s.memberSalesFen), yuan(l.memberSalesFen), change(s.memberSalesFen, l.memberSalesFen)],
                [t("VIP业绩占比", "VIP share of sales"), pct(s.vipSharePermille), pct(l.vipSharePermille), ""],
                [t("交易笔数", "Receipts"), String(s.receipts), String(l.receipts), change(s.receipts, l.receipts)],
                [t("会员交易笔数", "Member receipts"), String(s.memberReceipts), String(l.memberReceipts), change(s.memberReceipts, l.memberReceipts)],
                [t("会员客单价（元）", "Member average ticket (yuan)"), yuan(ticket(s.memberSalesFen, s.memberReceipts)),
                 yuan(ticket(l.memberSalesFen, l.memberReceipts)), ""],
                [t("非会员客单价（元）", "Non-member average ticket (yuan)"), yuan(ticket(s.salesFen - s.memberSalesFen, s.receipts - s.memberReceipts)),
                 yuan(ticket(l.salesFen - l.memberSalesFen, l.receipts - l.memberReceipts)), ""],
                [t("退货额（元）", "Refunds (yuan)"), yuan(s.refundedFen), yuan(l.refundedFen), ""],
                [t("会员总数（期末）", "Members (at the end)"), String(a.total), String(b.total), change(Int64(a.total), Int64(b.total))],
                [t("新办卡", "New cards"), String(a.new), String(b.new), change(Int64(a.new), Int64(b.new))],
                [t("日均新办卡", "New cards a day"), hundredths(a.newPerDayHundredths), hundredths(b.newPerDayHundredths), ""],
                [t("有消费卡（活跃会员）", "Active cards (bought in the period)"), String(a.active), String(b.active), change(Int64(a.active), Int64(b.active))],
                [t("活跃率", "Active ratio"), pct(a.activePermille), pct(b.activePermille), ""],
                [t("单卡平均消费（元）", "Spend per active card (yuan)"), yuan(a.spendPerActiveFen), yuan(b.spendPerActiveFen),
                 change(a.spendPerActiveFen, b.spendPerActiveFen)],
                [t("单卡平均消费次数", "Purchases per active card"), hundredths(a.purchasesPerActiveHundredths), hundredths(b.purchasesPerActiveHundredths), ""],
                [t("复购率（≥\(a.minDays)个消费日）", "Repurchase rate (≥ \(a.minDays) purchase days)"), pct(a.repeatPermille), pct(b.repeatPermille), ""],
                [t("回头率（上期活跃本期再购）", "Returning (active last period, again now)"), pct(a.retainedPermille), pct(b.retainedPermille), ""],
                [t("流失率（目标 < \(pct(m.churn.targetPermille))）", "Churn rate (target < \(pct(m.churn.targetPermille)))"),
                 pct(m.churn.ratePermille), pct(m.churnLY.ratePermille), ""],
            ]
            rows.append([t("积分发放", "Points issued"), String(m.points.issued), String(m.pointsLY.issued), change(m.points.issued, m.pointsLY.issued)])
            rows.append([t("积分兑换", "Points redeemed"), String(m.points.redeemed), String(m.pointsLY.redeemed), change(m.points.redeemed, m.pointsLY.redeemed)])
            rows.append([t("积分过期", "Points expired"), String(m.points.expired), String(m.pointsLY.expired), ""])
            rows.append([t("期末积分余额", "Points outstanding at the end"), String(m.points.outstandingEnd), String(m.pointsLY.outstandingEnd), ""])
            rows.append([t("积分负债（元）", "Points liability (yuan)"), yuan(m.points.valueEndFen), yuan(m.pointsLY.valueEndFen), ""])
            return ReportTable(name: name, title: t("核心指标", "Key figures"),
                               header: [t("指标", "Figure"), t("本期", "This period"), t("去年同期", "Same days last year"), t("同比", "Change")], rows: rows)
        case "trend":
            let ly = Dictionary(m.trendLY.map { (shiftKey($0.key, years: 1), $0.sales) }, uniquingKeysWith: +)
            return ReportTable(name: name, title: m.trendByMonth ? t("按月", "By month") : t("按日", "By day"),
                               header: [m.trendByMonth ? t("月份", "Month") : t("日期", "Day"), t("销售额（元）", "Sales (yuan)"),
                                        t("会员销售额（元）", "Member sales (yuan)"), t("VIP业绩占比", "VIP share"),
                                        t("去年同期销售额（元）", "Sales last year (yuan)"), t("去年同期VIP占比", "VIP share last year")],
                               rows: m.trend.map { g in
                                   let l = ly[g.key] ?? SalesTotals()
                                   return [g.key, yuan(g.sales.salesFen), yuan(g.sales.memberSalesFen), pct(g.sales.vipSharePermille),
                                           yuan(l.salesFen), pct(l.vipSharePermille)]
                               })
        case "departments", "floors":
            let (now, before) = name == "floors" ? (m.floors, m.floorsLY) : (m.departments, m.departmentsLY)
            let ly = Dictionary(before.map { ($0.key, $0.sales) }, uniquingKeysWith: +)
            return ReportTable(name: name, title: name == "floors" ? t("按楼层", "By floor") : t("按课（部门）", "By department"),
                               header: [name == "floors" ? t("楼层", "Floor") : t("课", "Department"), t("销售额（元）", "Sales (yuan)"),
                                        t("会员销售额（元）", "Member sales (yuan)"), t("VIP业绩占比", "VIP share"),
                                        t("去年同期销售额（元）", "Sales last year (yuan)"), t("去年同期VIP占比", "VIP share last year"), t("同比", "Change")],
                               rows: now.map { g in
                                   let l = ly[g.key] ?? SalesTotals()
                                   return [g.label, yuan(g.sales.salesFen), yuan(g.sales.memberSalesFen), pct(g.sales.vipSharePermille),
                                           yuan(l.salesFen), pct(l.vipSharePermille), change(g.sales.salesFen, l.salesFen)]
                               })
        case "counters":
            let ly = Dictionary(m.countersLY.map { ($0.key, $0.sales) }, uniquingKeysWith: +)
            return ReportTable(name: name, title: t("按店柜（品牌）", "By counter (brand)"),
                               header: [t("店柜", "Counter"), t("名称·品牌", "Name · brand"), t("课", "Department"), t("销售额（元）", "Sales (yuan)"),
                                        t("会员销售额（元）", "Member sales (yuan)"), t("VIP业绩占比", "VIP share"), t("交易笔数", "Receipts"),
                                        t("去年同期销售额（元）", "Sales last year (yuan)"), t("去年同期VIP占比", "VIP share last year"), t("同比", "Change")],
                               rows: m.counters.sorted { $0.sales.salesFen > $1.sales.salesFen }.map { g in
                                   let l = ly[g.key] ?? SalesTotals()
                                   return [g.key, g.label, g.parent, yuan(g.sales.salesFen), yuan(g.sales.memberSalesFen), pct(g.sales.vipSharePermille),
                                           String(g.sales.tickets), yuan(l.salesFen), pct(l.vipSharePermille), change(g.sales.salesFen, l.salesFen)]
                               }, firstNumeric: 3)
        case "bands":
            let ly = Dictionary(m.bandsLY.map { ($0.bandFen, $0) }, uniquingKeysWith: { a, _ in a })
            return ReportTable(name: name, title: t("价格带", "Price bands"),
                               header: [t("价格带（元）", "Band (yuan)"), t("件数", "Lines"), t("销售额（元）", "Sales (yuan)"), t("会员件数", "Member lines"),
                                        t("会员销售额（元）", "Member sales (yuan)"), t("VIP业绩占比", "VIP share"), t("去年同期销售额（元）", "Sales last year (yuan)")],
                               rows: m.bands.map { b in
                                   [bandLabel(b.bandFen, m.reports, ctx), String(b.lines), yuan(b.salesFen), String(b.memberLines), yuan(b.memberSalesFen),
                                    pct(Ratio.permille(b.memberSalesFen, b.salesFen)), yuan(ly[b.bandFen]?.salesFen ?? 0)]
                               })
        case "tiers":
            let codes = tierCodes(m)
            return ReportTable(name: name, title: t("等级分布", "Members by tier"),
                               header: [t("等级", "Tier"), t("期初", "At the start"), t("期末", "At the end"), t("变化", "Change")],
                               rows: codes.map { c in
                                   let a = m.tiers.start[c] ?? 0, b = m.tiers.end[c] ?? 0
                                   return [ctx.tier(c, p), String(a), String(b), String(b - a)]
                               })
        case "migration":
            let codes = tierCodes(m)
            let from = [""] + codes
            return ReportTable(name: name, title: t("等级迁移（期初 → 期末）", "Tier migration (start → end)"),
                               header: [t("期初 \\ 期末", "Start \\ end")] + codes.map { ctx.tier($0, p) },
                               rows: from.map { f in
                                   [f.isEmpty ? t("期内新会员", "New in the period") : ctx.tier(f, p)] + codes.map { String(m.tiers.matrix[f]?[$0] ?? 0) }
                               })
        case "rfm":
            return ReportTable(name: name, title: "RFM", header: ["R", "F", "M", t("人数", "Members"), t("消费额（元）", "Spend (yuan)")],
                               rows: m.rfm.map { [String($0.r), String($0.f), String($0.m), String($0.members), yuan($0.spendFen)] }, firstNumeric: 0)
        case "abc":
            let members = m.abc.reduce(0) { $0 + $1.members }, spend = m.abc.reduce(Int64(0)) { $0 + $1.spendFen }
            return ReportTable(name: name, title: t("ABC 分类", "ABC classes"),
                               header: [t("类别", "Class"), t("人数", "Members"), t("人数占比", "Share of members"), t("消费额（元）", "Spend (yuan)"),
                                        t("消费占比", "Share of spend")],
                               rows: m.abc.map { [$0.key, String($0.members), pct(Ratio.permille(Int64($0.members), Int64(members))), yuan($0.spendFen),
                                                  pct(Ratio.permille($0.spendFen, spend))] })
        case "segments":
            let s = m.segments
            var rows = s.rows.map { r -> [String] in
                let label = m.reports.segments.first { $0.code == r.key }?.name.text(ctx.lang) ?? t("其他", "Other")
                return [label, String(r.members), yuan(r.spendFen), pct(Ratio.permille(r.spendFen, s.mallSalesFen))]
            }
            let important = s.rows.filter { m.reports.importantSegments.contains($0.key) }.reduce(Int64(0)) { $0 + $1.spendFen }
            rows.append([t("重要客户贡献（", "Important customers (") + m.reports.importantSegments.joined(separator: "+") + t("）", ")"), "",
                         yuan(important), pct(Ratio.permille(important, s.mallSalesFen))])
            rows.append([t("高价值（年消费 ≥ \(Money.yuan(m.reports.highValue.fen, decimals: false))）",
                           "High value (≥ \(Money.yuan(m.reports.highValue.fen, decimals: false)) a year)"),
                         String(s.highValue.members), yuan(s.highValue.spendFen), pct(Ratio.permille(s.highValue.spendFen, s.mallSalesFen))])
            return ReportTable(name: name, title: t("重要客户分群（\(s.from) – \(s.to) 年消费）", "Segments (spend \(s.from) – \(s.to))"),
                               header: [t("分群", "Segment"), t("人数", "Members"), t("年消费额（元）", "Spend (yuan)"), t("占全场销售", "Share of all sales")],
                               rows: rows)
        case "demographics":
            return ReportTable(name: name, title: t("性别与年龄", "Gender and age"),
                               header: [t("性别", "Gender"), t("年龄段", "Age"), t("会员数", "Members"), t("活跃", "Active"), t("消费额（元）", "Spend (yuan)")],
                               rows: m.demographics.map { d in
                                   [Gender(rawValue: d.gender)?.label.text(ctx.lang) ?? d.gender,
                                    AgeBands.label(d.ageBand, ages: m.reports.ageBands, language: ctx.lang == .en ? .en : .zh),
                                    String(d.members), String(d.active), yuan(d.spendFen)]
                               }, firstNumeric: 2)
        case "top":
            return ReportTable(name: name, title: t("VIP 前 \(m.reports.topN) 名", "Top \(m.reports.topN) VIPs"),
                               header: [t("排名", "Rank"), t("卡号", "Card"), t("姓名", "Name"), t("期初等级", "Tier at start"), t("期末等级", "Tier at end"),
                                        t("消费额（元）", "Spend (yuan)"), t("次数", "Purchases"), t("消费日", "Days"), t("最近消费", "Last purchase"),
                                        t("上期排名", "Rank last period"), t("上期消费（元）", "Spend last period (yuan)"),
                                        t("去年同期消费（元）", "Spend last year (yuan)")],
                               rows: m.top.rows.map { r in
                                   [String(r.rank), r.cardNo ?? "", m.unmasked ? r.name : Identity.maskName(r.name), ctx.tier(r.tierStart, p),
                                    ctx.tier(r.tierEnd, p), yuan(r.spendFen), String(r.purchases), String(r.days), r.lastDay.description,
                                    r.previousRank.map(String.init) ?? t("新进", "new"), yuan(r.previousSpendFen), yuan(r.lastYearSpendFen)]
                               }, firstNumeric: 5)
        case "points":
            let (a, b) = (m.points, m.pointsLY)
            func row(_ zh: String, _ en: String, _ x: Int64, _ y: Int64) -> [String] { [t(zh, en), String(x), String(y)] }
            return ReportTable(name: name, title: t("积分", "Points"),
                               header: [t("项目", "Item"), t("本期", "This period"), t("去年同期", "Same days last year")],
                               rows: [row("发放（消费、推荐）", "Issued (purchases, referrals)", a.issued, b.issued),
                                      row("退货冲减", "Reversed by refunds", a.reversed, b.reversed),
                                      row("兑换（扣除作废）", "Redeemed (net of voids)", a.redeemed, b.redeemed),
                                      row("过期", "Expired", a.expired, b.expired), row("人工调整", "Adjusted", a.adjusted, b.adjusted),
                                      row("期初余额", "Outstanding at the start", a.outstandingStart, b.outstandingStart),
                                      row("期末余额", "Outstanding at the end", a.outstandingEnd, b.outstandingEnd),
                                      [t("期末负债（元）", "Liability at the end (yuan)"), yuan(a.valueEndFen), yuan(b.valueEndFen)]])
        default:
            return nil
        }
    }

    /// Tier codes in programme order, then any others the history holds.
    static func tierCodes(_ m: Model) -> [String] {
        let known = m.programme.tiers.map(\.code)
        let seen = Set(m.tiers.end.keys).union(m.tiers.start.keys)
        return known + seen.subtracting(known).sorted()
    }

    static func bandLabel(_ floor: Int64, _ policy: ReportsPolicy, _ ctx: PageContext) -> String {
        let next = policy.priceBandFloors.first { $0 > floor }
        let a = Money.yuan(floor, decimals: false)
        guard let next else { return ctx.t("\(a) 以上", "\(a) and over") }
        return "\(a) – \(Money.yuan(next, decimals: false))"
    }

    /// A day or month key moved forward by whole years ("2025-05" → "2026-05"), to set last year beside this year.
    static func shiftKey(_ key: String, years: Int) -> String {
        guard let y = Int(key.prefix(4)) else { return key }
        if key.count == 10, let d = LocalDate(key) { return d.adding(months: 12 * years).description }
        return String(format: "%04d", y + years) + key.dropFirst(4)
    }
}
