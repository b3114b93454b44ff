import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// Search results, the enrolment form and the profile form.
enum MemberForms {
    /// `link`: a hit's member page (counter staff's links carry their exact-match grant, `MemberAccess.memberLink`).
    static func searchBody(_ query: String, _ hits: [MemberSearchHit], _ programme: Programme, _ ctx: PageContext,
                           link: (Int64) -> String = { SiteURL.member($0).path }) -> Node<HTML.BodyContext> {
        .div(
            .form(.class("card"), .method(.get), .action(SiteURL.members(query: nil).path),
                  Layout.field(ctx.t("卡号、手机号、手机尾号4位或姓名", "Card, phone, last 4 digits or name"), name: "q", value: query),
                  .button(.type(.submit), .text(ctx.t("查找", "Search")))),
            .if(!query.isEmpty && hits.isEmpty, .p(.class("muted"), .text(ctx.t("没有找到会员", "No member found")))),
            .if(!hits.isEmpty, .table(
                .tr(.th(.text(ctx.t("姓名", "Name"))), .th(.text(ctx.t("手机", "Phone"))), .th(.text(ctx.t("卡号", "Card"))),
                    .th(.text(ctx.t("等级", "Tier"))), .th(.class("num"), .text(ctx.t("积分", "Points")))),
                .forEach(hits) { h in
                    .tr(.td(.a(.href(link(h.id)), .text(h.name))),
                        .td(.text(ctx.seesPersonalData ? h.phone : Identity.maskPhone(h.phone))),
                        .td(.text(h.cardNo ?? "—")), .td(.text(ctx.tier(h.tier, programme) + (h.status == "active" ? "" : " ✕"))),
                        .td(.class("num"), .text("\(h.points)")))
                }))
        )
    }

    struct EnrolValues: Sendable {
        var phone = "", name = "", gender = "unknown", birthday = "", idNumber = "", email = "", receipts = "", cardNo = "", overrideReason = ""
        var referralCode = ""
    }

    static func enrolBody(_ v: EnrolValues, error: String?, canOverride: Bool, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(
            Layout.errorBox(error),
            .form(.class("card"), .method(.post), .action(SiteURL.enrol.path),
                  Layout.csrfField(ctx),
                  Layout.field(ctx.t("手机号", "Phone"), name: "phone", value: v.phone, type: .tel, required: true),
                  Layout.field(ctx.t("姓名", "Name"), name: "name", value: v.name, required: true),
                  genderSelect(v.gender, ctx),
                  Layout.field(ctx.t("生日", "Birthday"), name: "birthday", value: v.birthday, type: .date),
                  Layout.field(ctx.t("身份证号", "National ID number"), name: "idNumber", value: v.idNumber),
                  Layout.field(ctx.t("邮箱", "E-mail"), name: "email", value: v.email, type: .email),
                  Layout.field(ctx.t("购物小票号（多张用逗号分隔）", "Receipt numbers (comma separated)"), name: "receipts", value: v.receipts),
                  Layout.field(ctx.t("预制卡卡号（社区办卡激活时填写）", "Pre-issued card number (activating a community card)"), name: "cardNo", value: v.cardNo),
                  Layout.field(ctx.t("推荐人的推荐码（选填）", "Referrer's referral code (optional)"), name: "referralCode", value: v.referralCode),
                  Layout.checkbox(ctx.t("同意接收短信", "Agrees to SMS"), name: "consentSms", checked: false),
                  Layout.checkbox(ctx.t("同意接收邮件", "Agrees to e-mail"), name: "consentEmail", checked: false),
                  .if(canOverride, Layout.field(ctx.t("经理特批原因（不满足办卡条件时）", "Manager override reason (when the rules are not met)"),
                                                name: "overrideReason", value: v.overrideReason)),
                  .button(.type(.submit), .text(ctx.t("办卡", "Enrol"))))
        )
    }

    static func genderSelect(_ selected: String, _ ctx: PageContext) -> Node<HTML.FormContext> {
        .label(.text(ctx.t("性别", "Gender")),
               .select(.attribute(named: "name", value: "gender"), .forEach(Gender.allCases) { g in
                   .option(.value(g.rawValue), .label(g.label.text(ctx.lang)), .isSelected(g.rawValue == selected))
               }))
    }

    static func editBody(_ m: Member, error: String?, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        .div(
            Layout.errorBox(error),
            .form(.class("card"), .method(.post), .action(SiteURL.memberEdit(m.id).path),
                  Layout.csrfField(ctx),
                  Layout.field(ctx.t("姓名", "Name"), name: "name", value: m.name, required: true),
                  genderSelect(m.gender.rawValue, ctx),
                  Layout.field(ctx.t("生日", "Birthday"), name: "birthday", value: m.birthday?.description ?? "", type: .date),
                  Layout.field(ctx.t("邮箱", "E-mail"), name: "email", value: shown(m.email, ctx), type: ctx.seesPersonalData ? .email : .text),
                  Layout.field(ctx.t("地址", "Address"), name: "address", value: shown(m.address, ctx)),
                  Layout.field(ctx.t("服装尺码", "Clothing size"), name: "clothingSize", value: m.profile.clothingSize),
                  Layout.field(ctx.t("鞋码", "Shoe size"), name: "shoeSize", value: m.profile.shoeSize),
                  Layout.field(ctx.t("职业", "Occupation"), name: "occupation", value: m.profile.occupation),
                  Layout.field(ctx.t("家庭情况", "Family"), name: "family", value: m.profile.family),
                  Layout.field(ctx.t("消费偏好", "Preferences"), name: "preferences", value: m.profile.preferences),
                  Layout.field(ctx.t("兴趣爱好", "Hobbies"), name: "hobbies", value: m.profile.hobbies),
                  Layout.field(ctx.t("喜欢的服务方式", "Preferred service"), name: "preferredService", value: m.profile.preferredService),
                  Layout.field(ctx.t("备注", "Notes"), name: "notes", value: m.notes),
                  Layout.checkbox(ctx.t("同意接收短信", "Agrees to SMS"), name: "consentSms", checked: m.consentSMS),
                  Layout.checkbox(ctx.t("同意接收邮件", "Agrees to e-mail"), name: "consentEmail", checked: m.consentEmail),
                  Layout.checkbox(ctx.t("同意电话联系", "Agrees to phone calls"), name: "consentPhone", checked: m.consentPhone),
                  // Recorded with the before and after of each field changed (issue 17, MemberPage+History).
                  Layout.field(ctx.t("变更原因（选填，记入变更记录）", "Reason (optional, kept in the change history)"), name: "reason"),
                  .button(.type(.submit), .text(ctx.t("保存", "Save"))))
        )
    }
}
