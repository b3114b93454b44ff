import Foundation
import MallVIPCore
import MallVIPStore
import Plot

extension MemberProfilePage {
    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.noticeBox(m.notice),
                Layout.errorBox(m.error),
                identity(m, ctx),
                editForm(m, ctx),
                consents(m, ctx),
                MemberWechatProfile.section(bound: m.wechatBound, ctx),   // issue 22b
                myData(ctx),
                deletion(m, ctx)
            )
        }

        static func identity(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .section(.class("panel"), .attribute(named: "aria-labelledby", value: "who"),
                .h2(.id("who"), .text(ctx.t("我的资料", "My details"))),
                .p(.strong(.text(m.member.name)), .text(" · "), .text(m.member.phone)),
                .p(.class("muted"), .text(ctx.t("姓名和证件号请到服务台更改。", "Name and ID number are changed at the service desk."))),
                MemberProfilePhoneView.form(ctx))
        }

        static func editForm(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let f = m.form
            return .form(.method(.post), .action(MemberURL.profile.path), .class("card"),
                MemberLayout.csrfField(ctx),
                .h2(.text(ctx.t("联系方式与偏好", "Contact details and preferences"))),
                Layout.field(ctx.t("邮箱", "E-mail"), name: "email", value: f.email, type: .email),
                Layout.field(ctx.t("地址", "Address"), name: "address", value: f.address),
                birthday(m, ctx),
                Layout.field(ctx.t("服装尺码", "Clothing size"), name: "clothingSize", value: f.clothingSize),
                Layout.field(ctx.t("鞋码", "Shoe size"), name: "shoeSize", value: f.shoeSize),
                Layout.field(ctx.t("购物偏好（品类、品牌）", "Shopping preferences (categories, brands)"), name: "preferences", value: f.preferences),
                Layout.field(ctx.t("兴趣爱好", "Hobbies"), name: "hobbies", value: f.hobbies),
                Layout.field(ctx.t("喜欢的服务方式", "Preferred service"), name: "preferredService", value: f.preferredService),
                .button(.type(.submit), .class("wide"), .text(ctx.t("保存", "Save"))))
        }

        /// Set once here; afterwards only the desk changes it (it drives birthday benefits).
        static func birthday(_ m: Model, _ ctx: PageContext) -> Node<HTML.FormContext> {
            if let b = m.member.birthday {
                return .p(.text(ctx.t("生日：", "Birthday: ") + b.description),
                          .span(.class("muted"), .text(ctx.t("（如需更改请到服务台）", " (ask at the service desk to change it)"))))
            }
            return .label(.text(ctx.t("生日（只能设置一次）", "Birthday (can be set only once)")),
                          .input(.type(.date), .name("birthday"), .value(m.form.birthday)))
        }

        static func channelName(_ c: MessageChannel, _ ctx: PageContext) -> String {
            switch c {
            case .sms: ctx.t("短信", "SMS")
            case .email: ctx.t("邮件", "E-mail")
            case .call: ctx.t("电话", "Phone calls")
            case .wechat: ctx.t("微信订阅消息", "WeChat subscription messages")
            }
        }

        /// One small form per channel, so each works without JavaScript and takes effect on its own.
        static func consents(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .section(.class("panel"), .attribute(named: "aria-labelledby", value: "consent"),
                .h2(.id("consent"), .text(ctx.t("接收消息", "Messages from us"))),
                .p(.class("muted"), .text(ctx.t("退订立即生效，已排队的消息也不再发送。", "Opting out takes effect at once, including messages already queued."))),
                .table(.forEach(m.consents) { c in
                    .tr(.td(.text(channelName(c.channel, ctx))),
                        .td(.text(c.granted ? ctx.t("已同意", "On") : ctx.t("未同意", "Off"))),
                        .td(.form(.method(.post), .action(MemberURL.profileConsent.path),
                                  MemberLayout.csrfField(ctx),
                                  .input(.type(.hidden), .name("channel"), .value(c.channel.rawValue)),
                                  .input(.type(.hidden), .name("granted"), .value(c.granted ? "0" : "1")),
                                  .button(.type(.submit), .class(c.granted ? "secondary" : ""),
                                          .attribute(named: "aria-label", value: (c.granted ? ctx.t("退订", "Opt out of ") : ctx.t("同意接收", "Opt in to "))
                                                     + channelName(c.channel, ctx)),
                                          .text(c.granted ? ctx.t("退订", "Opt out") : ctx.t("同意接收", "Opt in"))))))
                }))
        }

        static func myData(_ ctx: PageContext) -> Node<HTML.BodyContext> {
            .section(.class("panel"), .attribute(named: "aria-labelledby", value: "data"),
                .h2(.id("data"), .text(ctx.t("下载我的数据", "Download my data"))),
                .p(.class("muted"), .text(ctx.t("包括资料、会员卡、消费、积分、优惠券、消息和同意记录。", "Profile, cards, purchases, points, coupons, messages and consents."))),
                .p(.a(.class("button secondary"), .href(MemberURL.profileData("json").path), .text("JSON")), .text(" "),
                   .a(.class("button secondary"), .href(MemberURL.profileData("csv").path), .text("CSV"))))
        }

        static func deletion(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            if let d = m.deletion, d.status == .pending {
                return .section(.class("panel"), .h2(.text(ctx.t("注销账户", "Delete my account"))),
                    .p(.text(ctx.t("您的注销申请已提交，服务台处理后生效。", "Your deletion request has been received; the service desk will process it."))))
            }
            return .form(.method(.post), .action(MemberURL.profileDelete.path), .class("card"),
                MemberLayout.csrfField(ctx),
                .h2(.text(ctx.t("注销账户", "Delete my account"))),
                .unwrap(m.deletion.flatMap { $0.status == .rejected ? $0 : nil }) { d in
                    .p(.class("muted"), .text(ctx.t("上次申请未获批准：", "Your last request was not approved: ") + d.note))
                },
                .p(.class("muted"), .text(ctx.t("注销后您的个人资料将被清除，会员卡和积分失效；消费记录仅以匿名方式保留用于统计。",
                                                "After deletion your personal data is erased and your card and points end; purchases are kept only anonymously for reporting."))),
                Layout.field(ctx.t("原因（可不填）", "Reason (optional)"), name: "reason"),
                Layout.checkbox(ctx.t("我确认要注销账户", "I confirm I want my account deleted"), name: "confirm", checked: false),
                .button(.type(.submit), .class("wide secondary"), .text(ctx.t("提交注销申请", "Request deletion"))))
        }
    }
}
