import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension CataloguePage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                Layout.errorBox(m.error),
                .p(.a(.class("button"), .href(SiteURL.rewardNew.path), .text(ctx.t("新增兑换商品", "New item"))),
                   .text(" "),
                   .a(.href(SiteURL.rewardSettlement(month: nil).path), .text(ctx.t("店柜礼品结算", "Counter settlement")))),
                .if(m.items.isEmpty, .p(.class("muted"), .text(ctx.t("目录为空", "The catalogue is empty")))),
                .if(!m.items.isEmpty, .table(
                    .tr(.th(.text(ctx.t("代码", "Code"))), .th(.text(ctx.t("名称", "Name"))), .th(.text(ctx.t("类型", "Kind"))),
                        .th(.text(ctx.t("价格", "Price"))), .th(.text(ctx.t("条件", "Conditions"))), .th(.class("num"), .text(ctx.t("库存", "Stock"))),
                        .th(.text(ctx.t("状态", "Status"))), .th()),
                    .forEach(m.items) { i in row(i, m, ctx) }))
            )
        }

        static func row(_ i: RewardItem, _ m: Model, _ ctx: PageContext) -> Node<HTML.TableContext> {
            .tr(.td(.text(i.code)), .td(.text(i.name.text(ctx.lang))), .td(.text(i.kind.label.text(ctx.lang))),
                .td(.text(price(i, m.programme, ctx))), .td(.text(conditions(i, m, ctx))),
                .td(.class("num"), .text(i.stock.map(String.init) ?? ctx.t("不限", "unlimited"))),
                .td(.text(i.active ? ctx.t("兑换中", "active") : ctx.t("已停用", "inactive"))),
                .td(.a(.href(SiteURL.reward(i.id).path), .text(ctx.t("编辑", "Edit"))),
                    .if(i.stock != nil,
                        .form(.method(.post), .action(SiteURL.rewardAction(i.id, .stock).path), .class("stock"),
                              Layout.csrfField(ctx),
                              .input(.type(.number), .name("delta"), .required(true), .placeholder("±")),
                              .input(.type(.text), .name("reason"), .required(true), .placeholder(ctx.t("原因", "Reason"))),
                              .button(.class("secondary"), .type(.submit), .text(ctx.t("调整库存", "Adjust stock"))))),
                    .form(.method(.post), .action(SiteURL.rewardAction(i.id, .active).path), .class("inline"),
                          Layout.csrfField(ctx),
                          .input(.type(.hidden), .name("active"), .value(i.active ? "0" : "1")),
                          .button(.class("secondary"), .type(.submit), .text(i.active ? ctx.t("停用", "Deactivate") : ctx.t("启用", "Activate"))))))
        }

        static func price(_ i: RewardItem, _ p: Programme, _ ctx: PageContext) -> String {
            var parts: [String] = []
            if let pts = i.points { parts.append(ctx.t("\(pts) 分", "\(pts) points")) }
            if let code = i.ladderCode { parts.append(p.redemption.ladder(code)?.name.text(ctx.lang) ?? code) }
            if let l = i.listPriceFen { parts.append(ctx.t("标价 \(Money.yuan(l))", "list \(Money.yuan(l))")) }
            if i.specialPrice { parts.append(ctx.t("特价", "special price")) }
            if let c = i.coupon { parts.append(CouponValue(faceFen: c.faceFen, discountPermille: c.discountPermille).label(ctx.lang)) }
            return parts.joined(separator: " · ")
        }

        static func conditions(_ i: RewardItem, _ m: Model, _ ctx: PageContext) -> String {
            var parts: [String] = []
            if let w = i.windowCode { parts.append(m.programme.redemption.window(w)?.name.text(ctx.lang) ?? w) }
            if i.validFrom != nil || i.validTo != nil { parts.append("\(i.validFrom?.description ?? "…") – \(i.validTo?.description ?? "…")") }
            if !i.allowedTiers.isEmpty { parts.append(i.allowedTiers.map { ctx.tier($0, m.programme) }.joined(separator: "/")) }
            if let b = i.maxBalance { parts.append(ctx.t("积分 ≤ \(b)", "points ≤ \(b)")) }
            if let l = i.perMemberLimit { parts.append(ctx.t("每人限 \(l)", "\(l) per member")) }
            if let l = i.perPeriodLimit { parts.append("\(i.period.label.text(ctx.lang)) \(l)") }
            if i.onePerCard { parts.append(ctx.t("每卡一份", "one per card")) }
            if let c = i.supplierCounterId { parts.append(ctx.t("供货：", "supplier: ") + (m.counters[c].map { "\($0.code) \($0.name)" } ?? "#\(c)")) }
            return parts.joined(separator: " · ")
        }
    }
}

extension RewardForm {
    enum View {
        static func title(_ m: Model, _ ctx: PageContext) -> String {
            m.id == nil ? ctx.t("新增兑换商品", "New reward item") : ctx.t("编辑兑换商品", "Edit reward item") + " · " + m.values.code
        }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let v = m.values
            let p = m.programme.redemption
            return .div(
                Layout.errorBox(m.error),
                .form(.class("card"), .method(.post), .action(m.id.map { SiteURL.reward($0).path } ?? SiteURL.rewardNew.path),
                      Layout.csrfField(ctx),
                      Layout.field(ctx.t("代码", "Code"), name: "code", value: v.code, required: true, placeholder: "SMALL500"),
                      Layout.field(ctx.t("中文名称", "Name (Chinese)"), name: "nameZh", value: v.nameZh, required: true),
                      Layout.field(ctx.t("英文名称", "Name (English)"), name: "nameEn", value: v.nameEn),
                      Layout.select(ctx.t("类型", "Kind"), name: "kind",
                                    options: RewardItem.Kind.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) }, selected: v.kind),
                      .h3(.text(ctx.t("价格（积分价格与阶梯规则二选一）", "Price (a points price or a ladder)"))),
                      Layout.field(ctx.t("积分价格", "Points"), name: "points", value: v.points, type: .number),
                      Layout.select(ctx.t("阶梯规则", "Ladder"), name: "ladderCode",
                                    options: [("", ctx.t("（不用阶梯）", "(none)"))] + p.ladders.map { ($0.code, $0.name.text(ctx.lang)) },
                                    selected: v.ladderCode),
                      Layout.field(ctx.t("标价（元；阶梯商品留空则兑换时填写）", "List price (yuan; blank on a ladder item: entered at redemption)"),
                                   name: "listPrice", value: v.listPrice),
                      Layout.checkbox(ctx.t("特价商品（不参加阶梯兑换）", "Special price (excluded from ladders)"), name: "specialPrice", checked: v.specialPrice),
                      .h3(.text(ctx.t("库存与供货", "Stock and supplier"))),
                      .if(m.id == nil, Layout.field(ctx.t("库存（留空为不限）", "Stock (blank = unlimited)"), name: "stock", value: v.stock, type: .number)),
                      .if(m.id != nil, .p(.class("muted"), .text(ctx.t("库存：\(v.stock.isEmpty ? "不限" : v.stock)（在列表中调整）",
                                                                       "Stock: \(v.stock.isEmpty ? "unlimited" : v.stock) (adjust it on the list)")))),
                      Layout.select(ctx.t("供货店柜（商场按标价结算给店柜）", "Supplying counter (the mall pays it the list price)"), name: "supplierCounterId",
                                    options: [("", ctx.t("（无）", "(none)"))] + m.counters.map { (String($0.id), "\($0.code) \($0.name)") },
                                    selected: v.supplierCounterId),
                      .h3(.text(ctx.t("兑换条件", "Conditions"))),
                      Layout.field(ctx.t("每人限兑次数", "Per-member limit"), name: "perMemberLimit", value: v.perMemberLimit, type: .number),
                      Layout.select(ctx.t("限兑周期", "Period"), name: "period",
                                    options: RewardItem.Period.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) }, selected: v.period),
                      Layout.field(ctx.t("每期每人限兑次数", "Per-period limit (per member)"), name: "perPeriodLimit", value: v.perPeriodLimit, type: .number),
                      Layout.field(ctx.t("开始日期", "First day"), name: "validFrom", value: v.validFrom, type: .date),
                      Layout.field(ctx.t("截止日期", "Last day"), name: "validTo", value: v.validTo, type: .date),
                      .h3(.text(ctx.t("可兑换等级（不选为全部）", "Tiers (none ticked = all)"))),
                      .forEach(m.programme.tiers) { t in
                          Layout.checkbox(t.name.text(ctx.lang), name: "tier_\(t.code)", checked: v.tiers.contains(t.code))
                      },
                      Layout.field(ctx.t("仅限积分不超过（如 2999 = 3000分以下）", "Only members with at most (e.g. 2999 = under 3,000)"),
                                   name: "maxBalance", value: v.maxBalance, type: .number),
                      Layout.select(ctx.t("兑换时段", "Window"), name: "windowCode",
                                    options: [("", ctx.t("（不限）", "(any time)"))] + p.windows.map { ($0.code, "\($0.name.text(ctx.lang)) · \($0.describe(ctx.lang == .en ? .en : .zh))") },
                                    selected: v.windowCode),
                      Layout.checkbox(ctx.t("每卡限领一份（回门礼）", "One per card (return gift)"), name: "onePerCard", checked: v.onePerCard),
                      .h3(.text(ctx.t("券（现金券、服务券）", "Coupon (cash and service coupons)"))),
                      Layout.field(ctx.t("面值（元）", "Face value (yuan)"), name: "couponFace", value: v.couponFace),
                      Layout.field(ctx.t("或折扣（折，如 8.8）", "or discount (折, e.g. 8.8)"), name: "couponDiscount", value: v.couponDiscount),
                      Layout.field(ctx.t("最低消费（元）", "Minimum spend (yuan)"), name: "couponMinSpend", value: v.couponMinSpend),
                      Layout.field(ctx.t("有效天数（留空用章程默认）", "Valid days (blank: programme default)"), name: "couponValidDays",
                                   value: v.couponValidDays, type: .number),
                      Layout.field(ctx.t("或有效至（年度券，如 2026-12-31）", "or valid to (year voucher, e.g. 2026-12-31)"), name: "couponValidTo",
                                   value: v.couponValidTo, type: .date),
                      Layout.field(ctx.t("适用店柜代码（逗号分隔，留空为全部）", "Accepting counters (codes, comma separated; blank = all)"),
                                   name: "couponCounters", value: v.couponCounters),
                      Layout.checkbox(ctx.t("兑换中", "Active"), name: "active", checked: v.active),
                      .button(.type(.submit), .text(ctx.t("保存", "Save"))),
                      .text(" "),
                      .a(.href(SiteURL.rewards.path), .text(ctx.t("返回目录", "Back to the catalogue"))))
            )
        }
    }
}

extension SettlementPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                .form(.method(.get), .action(SiteURL.rewardSettlement(month: nil).path), .class("inline"),
                      .label(.text(ctx.t("月份", "Month")), .input(.type(.month), .name("month"), .value(m.month))),
                      .button(.type(.submit), .text(ctx.t("查看", "Show")))),
                .p(.a(.href(SiteURL.rewardSettlementCSV(month: m.month).path), .text(ctx.t("下载 CSV", "Download CSV"))),
                   .text(" · "),
                   .a(.href(SiteURL.rewards.path), .text(ctx.t("返回目录", "Back to the catalogue")))),
                .p(.class("muted"), .text(ctx.t("\(m.month)：\(m.totalCount) 件礼品，标价合计 \(Money.yuan(m.totalListFen)) 元，应付 \(Money.yuan(m.totalCostFen)) 元（已作废的兑换不计）",
                                                "\(m.month): \(m.totalCount) gifts, list prices \(Money.yuan(m.totalListFen)) yuan, owed \(Money.yuan(m.totalCostFen)) yuan (voided redemptions excluded)"))),
                .if(m.rows.isEmpty, .p(.class("muted"), .text(ctx.t("本月没有店柜供货的兑换", "No counter-supplied gifts this month")))),
                .if(!m.rows.isEmpty, .table(
                    .tr(.th(.text(ctx.t("店柜", "Counter"))), .th(.text(ctx.t("品牌", "Brand"))), .th(.class("num"), .text(ctx.t("件数", "Gifts"))),
                        .th(.class("num"), .text(ctx.t("标价合计（元）", "List prices (yuan)"))), .th(.class("num"), .text(ctx.t("应付（元）", "Owed (yuan)")))),
                    .forEach(m.rows) { r in
                        .tr(.td(.text("\(r.counterCode) \(r.counterName)")), .td(.text(r.brand)), .td(.class("num"), .text("\(r.count)")),
                            .td(.class("num"), .text(Money.yuan(r.listPriceFen))), .td(.class("num"), .text(Money.yuan(r.costFen))))
                    })),
                .forEach(m.rows) { r in
                    .group(.h2(.text("\(r.counterCode) \(r.counterName)")),
                           .table(.tr(.th(.text(ctx.t("日期", "Day"))), .th(.text(ctx.t("兑换号", "Redemption"))), .th(.text(ctx.t("商品", "Item"))),
                                      .th(.text(ctx.t("卡号", "Card"))), .th(.class("num"), .text(ctx.t("标价（元）", "List price")))),
                                  .forEach(r.lines) { l in
                                      .tr(.td(.text(l.businessDate.description)), .td(.text("#\(l.redemptionId)")),
                                          .td(.text("\(l.itemName.text(ctx.lang)) (\(l.itemCode))")), .td(.text(l.cardNo ?? "")),
                                          .td(.class("num"), .text(Money.yuan(l.listPriceFen))))
                                  }))
                }
            )
        }
    }
}
