import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The completeness report, its member list and the duplicate pairs (see `DataQualityController`).
enum DataQualityPage {
    struct Model: Sendable {
        var rows: [CompletenessRow]
        var list: [QualityMember]?
        var missing: MissingField?
        var listRequested: Bool
        var cellMall: Int64?
        var cellManager: Int64?
        var unmasked: Bool
        var canMail: Bool
        var malls: [Mall]
        var mall: String?
        var today: LocalDate
    }

    /// a***@example.com
    static func maskEmail(_ email: String) -> String {
        guard let at = email.firstIndex(of: "@"), at > email.startIndex else { return "***" }
        return String(email[email.startIndex]) + "***" + String(email[at...])
    }

    static func name(_ m: QualityMember, _ unmasked: Bool) -> String { unmasked ? m.name : Identity.maskName(m.name) }
    static func phone(_ m: QualityMember, _ unmasked: Bool) -> String { unmasked ? m.phone : Identity.maskPhone(m.phone) }

    static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let fields = MissingField.allCases
        let total = m.rows.reduce(0) { $0 + $1.members }
        let link = { (f: String, r: CompletenessRow?) -> String in
            QualityURL.page(missing: f, mallId: r?.mallId, managerId: r.map { $0.managerId ?? 0 }, mall: m.mall)
        }
        return .div(
            .p(.class("muted"), .text(ctx.t("有效会员中缺生日、邮箱、地址或没有任何渠道同意（短信、邮件、电话）的人数，按办卡商场和维护人分列。点数字查看名单（查看记入审计日志）。",
                                            "Active members missing a birthday, an e-mail, an address or any consent (SMS, e-mail, phone), by mall of enrolment and account manager. Click a count for the list (viewing it is audited)."))),
            .form(.method(.get), .action(SiteRoute.dataQuality.path()), .class("inline no-print"),
                  Layout.select(ctx.t("商场", "Mall"), name: "mall", options: [("", ctx.t("我的全部商场", "All my malls"))] + m.malls.map { ($0.code, "\($0.code) \($0.name)") },
                                selected: m.mall ?? ""),
                  .button(.type(.submit), .class("secondary"), .text(ctx.t("查看", "Show")))),
            .table(.id("completeness"),
                .tr(.th(.text(ctx.t("商场", "Mall"))), .th(.text(ctx.t("维护人", "Account manager"))), .th(.class("num"), .text(ctx.t("会员", "Members"))),
                    .forEach(fields) { f in .th(.class("num"), .text(f.label.text(ctx.lang))) },
                    .th(.class("num"), .text(ctx.t("不完整", "Incomplete")))),
                .forEach(m.rows) { r in
                    .tr(.td(.text(r.mallCode ?? ctx.t("未记录", "not recorded"))), .td(.text(r.managerName ?? ctx.t("无", "none"))),
                        .td(.class("num"), .text(String(r.members))),
                        .forEach(fields) { f in
                            .td(.class("num"), .a(.href(link(f.rawValue, r)), .attribute(named: "data-missing", value: f.rawValue), .text(String(r.missing[f] ?? 0))))
                        },
                        .td(.class("num"), .a(.href(link("any", r)), .text(String(r.incomplete)))))
                },
                .tr(.th(.text(ctx.t("合计", "Total"))), .th(), .th(.class("num"), .text(String(total))),
                    .forEach(fields) { f in
                        .th(.class("num"), .a(.href(link(f.rawValue, nil)), .id("total-\(f.rawValue)"), .text(String(m.rows.reduce(0) { $0 + ($1.missing[f] ?? 0) }))))
                    },
                    .th(.class("num"), .a(.href(link("any", nil)), .id("total-any"), .text(String(m.rows.reduce(0) { $0 + $1.incomplete })))))),
            .unwrap(m.list) { list in listSection(list, m, ctx) },
            .p(.a(.href(QualityURL.duplicates(mall: m.mall)), .text(ctx.t("疑似重复会员 →", "Suspected duplicates →")))),
            .if(m.canMail, mailingForm(m, ctx))
        )
    }

    static func listSection(_ list: [QualityMember], _ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let missing = m.missing?.rawValue ?? "any"
        return .section(.id("quality-list"),
            .h2(.text((m.missing?.label.text(ctx.lang) ?? ctx.t("资料不完整", "Incomplete")) + ctx.t("：\(list.count) 位", ": \(list.count)"))),
            .p(.a(.href(QualityURL.csv(missing: missing, mallId: m.cellMall, managerId: m.cellManager, mall: m.mall)), .id("quality-csv"),
                  .text(ctx.t("下载 CSV（记入审计日志）", "Download CSV (audited)"))),
               .text(" "), .span(.class("muted"), .text(m.unmasked ? "" : ctx.t("姓名、手机号和邮箱已打码", "Names, phones and e-mails are masked")))),
            .table(
                .tr(.th(.text(ctx.t("卡号", "Card"))), .th(.text(ctx.t("姓名", "Name"))), .th(.text(ctx.t("手机", "Phone"))),
                    .th(.text(ctx.t("商场", "Mall"))), .th(.text(ctx.t("缺", "Missing")))),
                .forEach(list) { q in
                    .tr(.td(.a(.href(SiteURL.member(q.id).path), .text(q.cardNo ?? "#\(q.id)"))), .td(.text(name(q, m.unmasked))),
                        .td(.text(phone(q, m.unmasked))), .td(.text(q.mallCode ?? "")),
                        .td(.text(q.missing.map { $0.label.text(ctx.lang) }.joined(separator: ctx.t("、", ", ")))))
                }))
    }

    static func mailingForm(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let next = m.today.adding(months: 1).month
        return .form(.class("card"), .id("mailing-form"), .method(.get), .action(SiteRoute.birthdayMailingCSV.path()),
            .h2(.text(ctx.t("生日贺卡邮寄名单", "Birthday-card mailing list"))),
            .p(.class("muted"), .text(ctx.t("该月生日、填有地址的有效会员（姓名、称谓、地址）。会员资料中没有单独的邮寄同意，故列出全部；仅经理可下载，每次下载记入审计日志。",
                                            "Active members born that month who have an address (name, title, address). The member record holds no separate consent for post, so all are listed; managers only, each download is audited."))),
            .input(.type(.hidden), .name("mall"), .value(m.mall ?? "")),
            Layout.select(ctx.t("生日月份", "Birthday month"), name: "month", options: (1...12).map { (String($0), ctx.t("\($0) 月", "Month \($0)")) },
                          selected: String(next)),
            .button(.type(.submit), .id("mailing-download"), .text(ctx.t("下载 CSV", "Download CSV"))))
    }

    static func duplicates(_ pairs: [DuplicatePair], unmasked: Bool, mall: String?, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        func cell(_ q: QualityMember) -> Node<HTML.TableRowContext> {
            let detail: String = phone(q, unmasked) + (q.birthday.map { " · \($0)" } ?? "") + (q.mallCode.map { " · \($0)" } ?? "")
            let card: String = q.cardNo ?? "#\(q.id)"
            return .td(.a(.href(SiteURL.member(q.id).path), .text(card)), .text(" " + name(q, unmasked)), .div(.class("muted"), .text(detail)))
        }
        return .div(
            .p(.class("muted"), .text(ctx.t("同一人可能办了两张卡：姓名与生日相同、身份证号相同，或邮箱相同（忽略大小写和首尾空格）。打开两位会员核对后再处理；系统不自动合并。查看记入审计日志。",
                                            "One person may hold two cards: same name and birthday, same ID number, or same e-mail (case and surrounding spaces ignored). Open both members to check; nothing is merged automatically. Viewing is audited."))),
            .if(pairs.isEmpty, .p(.id("no-duplicates"), .text(ctx.t("没有发现疑似重复", "No suspected duplicates")))),
            .if(!pairs.isEmpty, .table(.id("duplicates"),
                .tr(.th(.text(ctx.t("原因", "Reason"))), .th(.text(ctx.t("会员 A", "Member A"))), .th(.text(ctx.t("会员 B", "Member B")))),
                .forEach(pairs) { p in
                    .tr(.attribute(named: "data-reason", value: p.reason.rawValue), .td(.text(p.reason.label.text(ctx.lang))), cell(p.first), cell(p.second))
                })),
            .p(.a(.href(QualityURL.page(mall: mall)), .text(ctx.t("← 资料完整度", "← Data completeness"))))
        )
    }
}
