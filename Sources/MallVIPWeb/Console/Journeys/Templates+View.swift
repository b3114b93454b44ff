import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension MessagePurpose {
    var label: LocalizedName {
        switch self {
        case .care: LocalizedName(zh: "关怀", en: "Care")
        case .marketing: LocalizedName(zh: "营销", en: "Marketing")
        case .service: LocalizedName(zh: "服务通知", en: "Service")
        }
    }
}

extension MessageChannel {
    var label: LocalizedName {
        switch self {
        case .sms: LocalizedName(zh: "短信", en: "SMS")
        case .email: LocalizedName(zh: "电子邮件", en: "E-mail")
        case .call: LocalizedName(zh: "电话（维护人）", en: "Call (account manager)")
        case .wechat: LocalizedName(zh: "微信订阅消息（无订阅时改发短信）", en: "WeChat subscription (SMS when none left)")
        }
    }
}

extension TemplatesPage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                .p(.a(.class("button"), .href(SiteURL.templateNew.path), .text(ctx.t("新建模板", "New template"))), .text(" "),
                   .a(.href(SiteURL.journeys.path), .text(ctx.t("自动旅程", "Journeys")))),
                .p(.class("muted"), .text(ctx.t(
                    "关怀短信（生日、节日、换季、久未到店）只送祝福，不得含促销用语，并以商场名和发送人署名（{store}{sender}）结尾。",
                    "Care messages (birthday, holiday, season, miss-you) carry wishes only, no promotion, and end with the store and sender ({store}{sender})."))),
                .table(
                    .tr(.th(.text(ctx.t("代码", "Code"))), .th(.text(ctx.t("名称", "Name"))), .th(.text(ctx.t("类别", "Purpose"))),
                        .th(.text(ctx.t("渠道", "Channel"))), .th(.text(ctx.t("内容", "Text"))), .th(.text(ctx.t("用于旅程", "Journeys"))),
                        .th(.text(ctx.t("状态", "Status"))), .th()),
                    .forEach(m.templates) { t in
                        .tr(.td(.text(t.code)), .td(.text(t.name)), .td(.text(t.purpose.label.text(ctx.lang))),
                            .td(.text(t.channel.label.text(ctx.lang))), .td(.class("template-body"), .text(t.body)),
                            .td(.text((m.usedBy[t.code] ?? []).map { $0.name.text(ctx.lang) }.joined(separator: "、"))),
                            .td(.text(t.active ? ctx.t("启用", "active") : ctx.t("停用", "inactive"))),
                            .td(.a(.href(SiteURL.template(t.code).path), .text(ctx.t("编辑 · 预览", "Edit · preview")))))
                    })
            )
        }
    }
}

extension TemplateForm {
    enum View {
        static func title(_ m: Model, _ ctx: PageContext) -> String {
            m.creating ? ctx.t("新建消息模板", "New message template") : ctx.t("消息模板", "Message template") + " · " + m.values.code
        }

        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let v = m.values
            let action = m.creating ? SiteURL.templateNew.path : SiteURL.template(v.code).path
            return .div(
                .if(!m.errors.isEmpty, .div(.class("error"), .attribute(named: "role", value: "alert"),
                                            .p(.text(ctx.t("模板未保存：", "The template was not saved:"))),
                                            .ul(.forEach(m.errors) { .li(.text($0)) }))),
                .if(!m.usedBy.isEmpty, .p(.class("muted"), .text(ctx.t("用于旅程：", "Sent by journeys: ")
                                                                 + m.usedBy.map { $0.name.text(ctx.lang) }.joined(separator: "、")))),
                .form(.class("card"), .method(.post), .action(action),
                      Layout.csrfField(ctx),
                      .if(m.creating, Layout.field(ctx.t("模板代码（字母、数字、- _）", "Code (letters, digits, - _)"), name: "code", value: v.code,
                                                   required: true, placeholder: "newYear")),
                      Layout.field(ctx.t("名称", "Name"), name: "name", value: v.name, required: true),
                      Layout.select(ctx.t("类别", "Purpose"), name: "purpose",
                                    options: MessagePurpose.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) }, selected: v.purpose.rawValue),
                      Layout.select(ctx.t("渠道", "Channel"), name: "channel",
                                    options: MessageChannel.allCases.map { ($0.rawValue, $0.label.text(ctx.lang)) }, selected: v.channel.rawValue),
                      Layout.field(ctx.t("邮件主题（仅电子邮件）", "Subject (e-mail only)"), name: "subject", value: v.subject),
                      .label(.text(ctx.t("内容", "Text")),
                             .textarea(.name("body"), .attribute(named: "rows", value: "5"), .required(true), .text(v.body))),
                      .p(.class("muted"), .text(ctx.t("占位符：", "Placeholders: ") + MessageTemplate.placeholders.map { "{\($0)}" }.joined(separator: " "))),
                      Layout.checkbox(ctx.t("启用", "Active"), name: "active", checked: v.active),
                      Layout.field(ctx.t("预览会员（卡号或手机号）", "Preview for member (card or phone)"), name: "member", value: m.member),
                      .button(.type(.submit), .name("action"), .value("save"), .text(ctx.t("保存", "Save"))),
                      .text(" "),
                      .button(.type(.submit), .name("action"), .value("preview"), .text(ctx.t("检查并预览", "Check and preview"))),
                      .text(" "),
                      .a(.href(SiteURL.templates.path), .text(ctx.t("返回模板列表", "Back to templates")))),
                Layout.errorBox(m.previewError),
                .unwrap(m.preview) { p in
                    .div(.class("card preview"),
                         .h2(.text(ctx.t("预览：", "Preview: ") + p.memberName)),
                         .unwrap(p.subject) { .p(.strong(.text($0))) },
                         .pre(.class("message"), .text(p.text)),
                         .p(.class("muted"), .text(ctx.t("\(p.text.count) 字，\(p.smsSegments) 条短信计费", "\(p.text.count) characters, billed as \(p.smsSegments) SMS"))))
                }
            )
        }
    }
}
