import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension CountersPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                .p(.a(.class("button"), .href(SiteURL.counterNew.path), .text(ctx.t("新增店柜", "New counter"))),
                   .text(" "),
                   .a(.href(SiteURL.departments.path), .text(ctx.t("管理课与商场", "Departments and malls")))),
                .p(.class("muted"), .text(ctx.t("共 \(m.counterCount) 个店柜", "\(m.counterCount) counters"))),
                .forEach(m.groups) { g in
                    .section(.class("mall"),
                             .h2(.text("\(g.mall.name) (\(g.mall.code))")),
                             .if(g.departments.isEmpty, .p(.class("muted"), .text(ctx.t("此商场还没有课", "No departments in this mall yet")))),
                             .forEach(g.departments) { d in departmentTable(d, ctx) })
                }
            )
        }

        static func departmentTable(_ d: DepartmentGroup, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(.class("department"),
                 .h3(.text("\(d.department.name) (\(d.department.code))")),
                 .if(d.counters.isEmpty, .p(.class("muted"), .text(ctx.t("暂无店柜", "No counters")))),
                 .if(!d.counters.isEmpty, .table(
                    .tr(.th(.text(ctx.t("代码", "Code"))), .th(.text(ctx.t("名称", "Name"))), .th(.text(ctx.t("品牌", "Brand"))),
                        .th(.text(ctx.t("品类", "Category"))), .th(.text(ctx.t("楼层", "Floor"))),
                        .th(.text(ctx.t("参与会员折扣", "Member discount"))), .th(.text(ctx.t("积分", "Earns points"))),
                        .th(.text(ctx.t("状态", "Status"))), .th()),
                    .forEach(d.counters) { c in
                        .tr(.td(.text(c.code)), .td(.text(c.name)), .td(.text(c.brand)), .td(.text(c.category)), .td(.text(c.floor)),
                            .td(.text(yesNo(c.participatesInDiscount, ctx))), .td(.text(yesNo(c.earnsPoints, ctx))),
                            .td(.text(c.active ? ctx.t("启用", "active") : ctx.t("停用", "inactive"))),
                            .td(.a(.href(SiteURL.counter(c.id).path), .text(ctx.t("编辑", "Edit")))))
                    })))
        }

        static func yesNo(_ b: Bool, _ ctx: PageContext) -> String { b ? ctx.t("是", "yes") : ctx.t("否", "no") }
    }
}

extension CounterForm {
    enum View {
        static func title(_ m: Model, _ ctx: PageContext) -> String {
            m.id == nil ? ctx.t("新增店柜", "New counter") : ctx.t("编辑店柜", "Edit counter") + " · " + m.values.code
        }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let v = m.values
            let action = m.id.map { SiteURL.counter($0).path } ?? SiteURL.counterNew.path
            return .div(
                Layout.errorBox(m.error),
                .if(m.departments.isEmpty, .p(.class("error"), .text(ctx.t("请先新建一个课", "Create a department first")),
                                              .text(" "), .a(.href(SiteURL.departments.path), .text(ctx.t("课与商场", "Departments"))))),
                .form(.class("card"), .method(.post), .action(action),
                      Layout.csrfField(ctx),
                      Layout.select(ctx.t("所属课", "Department"), name: "departmentId",
                                    options: m.departments.map { (String($0.id), $0.label) }, selected: v.departmentId),
                      Layout.field(ctx.t("店柜代码（收银系统使用）", "Counter code (used by the POS)"), name: "code", value: v.code, required: true,
                                   placeholder: "C0101"),
                      Layout.field(ctx.t("店柜名称", "Name"), name: "name", value: v.name, required: true),
                      Layout.field(ctx.t("品牌", "Brand"), name: "brand", value: v.brand),
                      Layout.field(ctx.t("品类", "Category"), name: "category", value: v.category),
                      Layout.field(ctx.t("楼层", "Floor"), name: "floor", value: v.floor, placeholder: "1F"),
                      Layout.checkbox(ctx.t("参与会员折扣", "Takes part in member discounts"), name: "participatesInDiscount",
                                      checked: v.participatesInDiscount),
                      Layout.checkbox(ctx.t("消费可积分", "Purchases earn points"), name: "earnsPoints", checked: v.earnsPoints),
                      Layout.checkbox(ctx.t("启用", "Active"), name: "active", checked: v.active),
                      .button(.type(.submit), .text(ctx.t("保存", "Save"))),
                      .text(" "),
                      .a(.href(SiteURL.counters.path), .text(ctx.t("返回店柜列表", "Back to counters"))))
            )
        }
    }
}

extension DepartmentsPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                .p(.a(.href(SiteURL.counters.path), .text(ctx.t("返回店柜列表", "Back to counters")))),
                .table(
                    .tr(.th(.text(ctx.t("商场", "Mall"))), .th(.text(ctx.t("课代码", "Code"))), .th(.text(ctx.t("课名称", "Department"))),
                        .th(.class("num"), .text(ctx.t("店柜数", "Counters")))),
                    .forEach(m.groups) { g in
                        .group(.forEach(g.departments) { d in
                            .tr(.td(.text("\(g.mall.name) (\(g.mall.code))")), .td(.text(d.department.code)), .td(.text(d.department.name)),
                                .td(.class("num"), .text("\(d.counters.count)")))
                        })
                    }),
                .h2(.text(ctx.t("新建课", "New department"))),
                .if(m.errorForm == "department", Layout.errorBox(m.error)),
                .form(.class("card"), .method(.post), .action(SiteURL.departments.path),
                      Layout.csrfField(ctx),
                      Layout.select(ctx.t("商场", "Mall"), name: "mallId",
                                    options: m.groups.map { (String($0.mall.id), "\($0.mall.name) (\($0.mall.code))") },
                                    selected: m.department.mallId),
                      Layout.field(ctx.t("课代码", "Code"), name: "code", value: m.department.code, required: true, placeholder: "D2"),
                      Layout.field(ctx.t("课名称", "Name"), name: "name", value: m.department.name, required: true, placeholder: "二课"),
                      .button(.type(.submit), .text(ctx.t("新建课", "Create department")))),
                .if(m.canCreateMall, .group(
                    // Issue 17: regions and which malls each staff user works with (MallsAdmin.swift).
                    .p(.a(.href(SiteRoute.regions.path()), .text(ctx.t("区域、商场与员工所属商场 →", "Regions, malls and staff malls →")))),
                    .h2(.text(ctx.t("新建商场", "New mall"))),
                    .if(m.errorForm == "mall", Layout.errorBox(m.error)),
                    .form(.class("card"), .method(.post), .action(SiteURL.malls.path),
                          Layout.csrfField(ctx),
                          Layout.field(ctx.t("商场代码", "Code"), name: "code", value: m.mall.code, required: true, placeholder: "CD2"),
                          Layout.field(ctx.t("商场名称", "Name"), name: "name", value: m.mall.name, required: true),
                          .button(.type(.submit), .text(ctx.t("新建商场", "Create mall"))))))
            )
        }
    }
}
