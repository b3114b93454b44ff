import MallVIPStore
import Plot

/// The staff page's counter column: counter staff register regular customers at this counter and see only its.
enum StaffCounterCell {
    static func cell(_ u: StaffUser, counters: [Counter], current: Int64?, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        guard u.role == .counterStaff || current != nil else { return .text("—") }
        return .form(.method(.post), .action(SiteURL.staffCounter(u.id).path), .class("inline"),
                     Layout.csrfField(ctx),
                     .select(.attribute(named: "name", value: "counterId"),
                             .option(.value(""), .label(ctx.t("未设置", "None")), .isSelected(current == nil)),
                             .forEach(counters) { c in .option(.value(String(c.id)), .label("\(c.code) \(c.name)"), .isSelected(c.id == current)) }),
                     .button(.class("secondary"), .type(.submit), .text(ctx.t("保存", "Save"))))
    }
}
