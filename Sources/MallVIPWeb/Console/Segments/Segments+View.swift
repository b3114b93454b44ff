import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension SegmentsPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let editor = SegmentsPage.canEdit(ctx.user?.role)
            return .div(
                Layout.noticeBox(m.notice),
                .if(editor, .p(.a(.class("button"), .href(SiteURL.segmentNew.path), .text(ctx.t("新建分群", "New segment"))))),
                .p(.class("muted"), .text(ctx.t("分群按条件实时计算（只含有效会员）；人数为上次保存或导出时的人数，打开分群可看当前人数。",
                                                "Segments are computed live from their conditions (active members only); the count is as of the last save or export — open a segment for today's count."))),
                .if(m.segments.isEmpty, .p(.class("muted"), .text(ctx.t("还没有分群", "No segments yet")))),
                .if(!m.segments.isEmpty, .table(
                    .tr(.th(.text(ctx.t("名称", "Name"))), .th(.text(ctx.t("条件", "Conditions"))), .th(.class("num"), .text(ctx.t("人数", "Members"))),
                        .th(.text(ctx.t("更新", "Updated"))), .th()),
                    .forEach(m.segments) { s in
                        .tr(.td(.a(.href(SiteURL.segment(s.id).path), .text(s.name)),
                                .if(!s.description.isEmpty, .div(.class("muted"), .text(s.description)))),
                            .td(.forEach(SegmentsPage.describe(s.conditions, m.lookups, ctx)) { .div(.text($0)) }),
                            .td(.class("num"), .text(s.lastCount.map(String.init) ?? "—")),
                            .td(.text(Layout.dateTime(s.updatedAt, m.lookups.programme)), .div(.class("muted"), .text(s.createdBy))),
                            .td(.a(.href(SiteURL.segmentExport(s.id).path), .text(ctx.t("导出 CSV", "Export CSV")))))
                    }))
            )
        }
    }
}

extension SegmentEditor {
    enum View {
        static func title(_ m: Model, _ ctx: PageContext) -> String {
            m.id == nil ? ctx.t("新建分群", "New segment") : ctx.t("分群", "Segment") + " · " + m.values.name
        }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let action = m.id.map { SiteURL.segment($0).path } ?? SiteURL.segmentNew.path
            return .div(
                Layout.noticeBox(m.notice),
                .unwrap(m.error) { e in
                    .p(.class("error"), .attribute(named: "role", value: "alert"), .attribute(named: "data-field", value: m.errorField ?? ""),
                       .text(m.errorField.map { "\($0): " } ?? ""), .text(e))
                },
                preview(m, ctx),
                .if(!m.canEdit, readOnly(m, ctx)),
                .if(m.canEdit, form(m, ctx, action: action)),
                .if(m.id != nil && m.canEdit, .form(.method(.post), .action(m.id.map { SiteURL.segmentDelete($0).path } ?? ""), .class("inline no-print"),
                                                    Layout.csrfField(ctx),
                                                    .button(.type(.submit), .class("secondary"), .text(ctx.t("删除分群", "Delete segment"))))),
                .p(.a(.href(SiteURL.segments.path), .text(ctx.t("返回分群列表", "Back to segments"))))
            )
        }

        static func preview(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .unwrap(m.preview) { p in
                .div(.class("panel"),
                     .h2(.text(ctx.t("当前人数：", "Members today: ")), .span(.id("segment-count"), .text(String(p.count)))),
                     .if(m.id != nil, .p(.a(.class("button"), .href(m.id.map { SiteURL.segmentExport($0).path } ?? ""),
                                            .text(ctx.t("导出 CSV", "Export CSV"))),
                                         .text(" "),
                                         .span(.class("muted"), .text(m.unmasked ? ctx.t("导出含完整姓名和手机号，并记入审计日志", "The export holds full names and phones and is audited")
                                                                               : ctx.t("导出的姓名和手机号已打码，并记入审计日志", "Names and phones are masked in the export, which is audited"))))),
                     .if(p.sample.isEmpty, .p(.class("muted"), .text(ctx.t("没有符合条件的会员", "No member matches")))),
                     .if(!p.sample.isEmpty, .table(
                        .tr(.th(.text(ctx.t("卡号", "Card"))), .th(.text(ctx.t("姓名", "Name"))), .th(.text(ctx.t("手机", "Phone"))),
                            .th(.text(ctx.t("等级", "Tier"))), .th(.text(ctx.t("入会", "Enrolled")))),
                        .forEach(p.sample) { s in
                            .tr(.td(.a(.href(SiteURL.member(s.id).path), .text(s.cardNo ?? "#\(s.id)"))),
                                .td(.text(m.unmasked ? s.name : Identity.maskName(s.name))),
                                .td(.text(m.unmasked ? s.phone : Identity.maskPhone(s.phone))),
                                .td(.text(ctx.tier(s.tier, m.lookups.programme))), .td(.text(s.enrolled.description)))
                        })),
                     .if(p.count > p.sample.count && !p.sample.isEmpty,
                         .p(.class("muted"), .text(ctx.t("显示前 \(p.sample.count) 位", "Showing the first \(p.sample.count)")))))
            }
        }

        static func readOnly(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let conditions = (try? m.values.conditions()) ?? SegmentConditions()
            return .div(.class("panel"),
                        .if(!m.values.description.isEmpty, .p(.text(m.values.description))),
                        .h2(.text(ctx.t("条件", "Conditions"))),
                        .ul(.forEach(SegmentsPage.describe(conditions, m.lookups, ctx)) { .li(.text($0)) }))
        }

        static func form(_ m: Model, _ ctx: PageContext, action: String) -> Node<HTML.BodyContext> {
            let v = m.values
            let l = m.lookups
            func box(_ label: String, _ key: String) -> Node<HTML.FormContext> { Layout.checkbox(label, name: key, checked: v.checked(key)) }
            func number(_ label: String, _ key: String, placeholder: String = "") -> Node<HTML.FormContext> {
                Layout.field(label, name: key, value: v.text(key), type: .number, placeholder: placeholder)
            }
            func section(_ title: String, _ note: String? = nil, _ content: Node<HTML.FormContext>...) -> Node<HTML.FormContext> {
                .group(.h2(.text(title)), .unwrap(note) { .p(.class("muted"), .text($0)) }, .group(content))
            }
            return .form(.class("card"), .method(.post), .action(action),
                Layout.csrfField(ctx),
                Layout.field(ctx.t("名称", "Name"), name: "name", value: v.name, required: true),
                Layout.field(ctx.t("说明", "Description"), name: "description", value: v.description),
                .p(.class("muted"), .text(ctx.t("所填条件同时满足（且）；同一组内勾选多项为任一满足（或）。只含有效会员。",
                                                "All filled conditions must hold (AND); ticking several boxes in one group means any of them (OR). Active members only."))),
                section(ctx.t("等级", "Tier"), nil,
                        .div(.class("grid"), .forEach(l.programme.tiers) { t in box(t.name.text(ctx.lang), "tier_\(t.code)") })),
                section(ctx.t("入会日期", "Enrolment date"), nil,
                        Layout.field(ctx.t("从（含）", "From (inclusive)"), name: "enrolledFrom", value: v.text("enrolledFrom"), type: .date),
                        Layout.field(ctx.t("至（含）", "To (inclusive)"), name: "enrolledTo", value: v.text("enrolledTo"), type: .date)),
                section(ctx.t("滚动消费", "Rolling spend"), ctx.t("退货已扣除", "Net of refunds"),
                        number(ctx.t("近几个月", "Months"), "spendMonths"),
                        Layout.field(ctx.t("至少（元）", "At least (yuan)"), name: "spendMin", value: v.text("spendMin")),
                        Layout.field(ctx.t("至多（元）", "At most (yuan)"), name: "spendMax", value: v.text("spendMax"))),
                section(ctx.t("最近一次消费", "Last purchase"), ctx.t("从未消费视为很久以前", "Never purchased counts as long ago"),
                        number(ctx.t("至少几天前", "At least N days ago"), "lastPurchaseAtLeastDays", placeholder: "90"),
                        number(ctx.t("至多几天前", "At most N days ago"), "lastPurchaseAtMostDays", placeholder: "30")),
                section(ctx.t("消费天数", "Purchase days"), nil,
                        number(ctx.t("近几天", "In the last N days"), "purchaseDaysWithin", placeholder: "90"),
                        number(ctx.t("至少几天有消费", "At least K days with a purchase"), "purchaseDaysAtLeast", placeholder: "3")),
                section(ctx.t("购买过的课或品类", "Departments or categories bought"), nil,
                        number(ctx.t("近几个月", "Months"), "boughtMonths"),
                        .div(.class("grid"), .forEach(l.departments) { d in box(d.name + " (\(d.code))", "dept_\(d.id)") }),
                        .div(.class("grid"), .forEach(l.categories) { c in box(c, "category_\(c)") })),
                section(ctx.t("生日月份", "Birthday month"), nil,
                        .div(.class("grid"), .forEach(Array(1...12)) { mo in box(ctx.t("\(mo) 月", "Month \(mo)"), "birth_\(mo)") })),
                section("RFM", ctx.t("R = 距最近一次消费天数，F = 消费次数，M = 消费金额（元）；各给 4 个递增分界，得分 ≥“高”分即为高。",
                                     "R = days since the last purchase, F = purchases, M = spend (yuan); 4 ascending cut-offs each; a score at or above the high mark counts as high."),
                        .div(.class("grid"), .forEach(RFMClass.allCases) { k in box(k.label.text(ctx.lang), "rfm_\(k.rawValue)") }),
                        number(ctx.t("F、M 统计月数", "Months for F and M"), "rfmMonths"),
                        Layout.field(ctx.t("R 分界（天，得 5/4/3/2 分）", "R cut-offs (days, for 5/4/3/2)"), name: "rfmRecency", value: v.text("rfmRecency")),
                        Layout.field(ctx.t("F 分界（次，得 2/3/4/5 分）", "F cut-offs (purchases, for 2/3/4/5)"), name: "rfmFrequency", value: v.text("rfmFrequency")),
                        Layout.field(ctx.t("M 分界（元，得 2/3/4/5 分）", "M cut-offs (yuan, for 2/3/4/5)"), name: "rfmMonetary", value: v.text("rfmMonetary")),
                        number(ctx.t("“高”从几分起", "High from score"), "rfmHighFrom")),
                section(ctx.t("维护人", "Account manager"), nil,
                        .div(.class("grid"), box(ctx.t("无维护人", "None"), "am_none"),
                             .forEach(l.managers) { s in box(s.displayName, "am_\(s.id)") })),
                section(ctx.t("同意接收", "Consent"), nil,
                        .div(.class("grid"), .forEach(ConsentChannel.allCases) { ch in box(ch.label.text(ctx.lang), "consent_\(ch.rawValue)") })),
                profileSections(v, ctx),
                section(ctx.t("标签", "Tags"), l.tags.isEmpty ? nil : ctx.t("已有标签：", "Tags in use: ") + l.tags.prefix(30).joined(separator: ctx.t("、", ", ")),
                        Layout.field(ctx.t("任一标签（逗号分隔）", "Any of these tags (comma separated)"), name: "tags", value: v.text("tags"))),
                .button(.type(.submit), .name("action"), .value("preview"), .class("secondary"), .text(ctx.t("预览人数", "Preview count"))),
                .text(" "),
                .button(.type(.submit), .name("action"), .value("save"), .text(ctx.t("保存分群", "Save segment"))))
        }
    }
}
