import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// Churn figures over the last 12 months against the programme's target (docs/domain.md §10).
enum ChurnPage {
    static func percent(_ permille: Int) -> String { "\(permille / 10).\(permille % 10)%" }

    static func body(_ f: ChurnFigures, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        func stat(_ label: String, _ value: String) -> Node<HTML.BodyContext> { .div(.class("stat"), .b(.text(value)), .text(label)) }
        let rate = f.ratePermille.map(percent) ?? "—"
        return .div(
            .p(.class("muted"), .text(ctx.t("统计期 \(f.from) 至 \(f.to)。流失率 = 期内被标记流失的重要会员 ÷ 期初重要会员；挽回 = 回访后 \(f.wonBackDays) 天内再次消费。",
                                            "Period \(f.from) to \(f.to). Churn rate = important members flagged in the period ÷ important members at its start; won back = bought within \(f.wonBackDays) days of the call."))),
            .div(.class("grid"),
                stat(ctx.t("标记流失", "Flagged"), String(f.flagged)),
                stat(ctx.t("已回访", "Called"), String(f.called)),
                stat(ctx.t("已联系上", "Reached"), String(f.reached)),
                stat(ctx.t("已挽回", "Won back"), String(f.wonBack)),
                stat(ctx.t("期初重要会员", "Important members at start"), String(f.base)),
                stat(ctx.t("流失率", "Churn rate"), rate),
                stat(ctx.t("目标", "Target"), "< " + percent(f.targetPermille))),
            .p(.class(f.meetsTarget ? "notice" : "error"),
               .text(f.meetsTarget ? ctx.t("流失率低于目标", "Churn rate is under target") : ctx.t("流失率未达目标", "Churn rate misses the target")))
        )
    }
}
