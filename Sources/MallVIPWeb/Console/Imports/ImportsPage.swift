import Foundation
import MallVIPCore
import MallVIPStore
import Plot

/// The console's import page (admins): choose what to import, upload the file (and a mapping), dry run or import;
/// the result shows the counts, every rejected row and a rejects CSV to download; recent imports below.
enum ImportsPage {
    static var path: String { SiteURL.imports.path }

    struct Model {
        var kind = ImportKind.purchases.rawValue
        var encoding = ImportEncoding.auto.rawValue
        var mapping = ""
        var report: ImportReport?
        var fileName = ""
        var error: String?
        var recent: [ImportRun] = []
        var programme: Programme
    }

    enum View {
        static func body(_ m: Model, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            .div(
                Layout.errorBox(m.error),
                .unwrap(m.report) { result($0, fileName: m.fileName, ctx) },
                .form(.class("card"), .method(.post), .action(path), .attribute(named: "enctype", value: "multipart/form-data"),
                      Layout.csrfField(ctx),
                      Layout.select(ctx.t("导入内容", "What"), name: "kind",
                                    options: ImportKind.allCases.map { ($0.rawValue, $0.label.text(ctx.lang == .en ? .en : .zh)) }, selected: m.kind),
                      .label(.text(ctx.t("CSV 文件", "CSV file")), .input(.type(.file), .name("file"), .required(true))),
                      Layout.select(ctx.t("编码", "Encoding"), name: "encoding",
                                    options: [("auto", ctx.t("自动（UTF-8 或 GBK）", "Automatic (UTF-8 or GBK)")), ("utf8", "UTF-8"), ("gb18030", "GB18030 / GBK")],
                                    selected: m.encoding),
                      .label(.text(ctx.t("列映射（可选，每行 字段=表头，如 counter=柜组；ignore=备注）",
                                         "Column mapping (optional, one field=header a line, e.g. counter=柜组; ignore=备注)")),
                             .textarea(.name("mapping"), .attribute(named: "rows", value: "3"), .text(m.mapping))),
                      .button(.type(.submit), .name("mode"), .value("dry"), .text(ctx.t("试导入（不写入）", "Dry run (writes nothing)"))),
                      .button(.type(.submit), .name("mode"), .value("import"), .text(ctx.t("导入", "Import")))),
                .p(.class("muted"), .text(ctx.t(
                    "表头可用中文或英文（如 卡号/card、手机/phone、小票号/receipt、日期/date、店柜/counter、金额/amount）。同一文件重复导入不会重复记账；被拒的行写入拒绝清单。",
                    "Headers in Chinese or English (卡号/card, 手机/phone, 小票号/receipt, 日期/date, 店柜/counter, 金额/amount …). Importing a file again changes nothing; rejected rows go to the rejects list."))),
                .h2(.text(ctx.t("最近的导入", "Recent imports"))),
                .if(m.recent.isEmpty, .p(.class("muted"), .text(ctx.t("暂无", "None yet")))),
                .if(!m.recent.isEmpty, .table(
                    .tr(.th(.text(ctx.t("时间", "When"))), .th(.text(ctx.t("操作人", "Who"))), .th(.text(ctx.t("文件", "File"))),
                        .th(.text(ctx.t("状态", "Status"))), .th(.text(ctx.t("导入 / 已有 / 被拒", "Imported / there / rejected")))),
                    .forEach(m.recent) { r in
                        .tr(.td(.text(Layout.dateTime(r.startedAt, m.programme))), .td(.text(r.actor)), .td(.text("\(r.kind) · \(r.fileName)")),
                            .td(.text(r.status)), .td(.text("\(r.imported) / \(r.skipped) / \(r.rejected)")))
                    }))
            )
        }

        static func result(_ r: ImportReport, fileName: String, _ ctx: PageContext) -> Node<HTML.BodyContext> {
            let csv = Data(r.rejectsCSV.utf8).base64EncodedString()
            return .div(.class("card"), .id("import-result"),
                .h2(.text(r.dryRun ? ctx.t("试导入结果（未写入）", "Dry run (nothing written)") : ctx.t("导入结果", "Import result"))),
                .p(.text("\(fileName) · \(r.encoding) · " + r.columns.map { "\($0.field)=\($0.header)" }.joined(separator: ", "))),
                .p(.strong(.text(ctx.t(
                    "\(r.dryRun ? "将导入" : "已导入") \(r.imported) 行，已存在跳过 \(r.skipped) 行，被拒 \(r.rejected) 行",
                    "\(r.dryRun ? "would import" : "imported") \(r.imported), skipped (already there) \(r.skipped), rejected \(r.rejected)")))),
                .forEach(r.notes) { .p(.class("muted"), .text($0)) },
                .if(!r.rejects.isEmpty, .group(
                    .p(.a(.class("button"), .href("data:text/csv;charset=utf-8;base64,\(csv)"),
                          .attribute(named: "download", value: fileName + ".rejects.csv"), .text(ctx.t("下载拒绝清单 CSV", "Download the rejects CSV")))),
                    .table(.class("rejects"),
                        .tr(.th(.text(ctx.t("行号", "Line"))), .th(.text(ctx.t("列", "Column"))), .th(.text(ctx.t("原因", "Reason"))),
                            .th(.text(ctx.t("内容", "Value")))),
                        .forEach(r.rejects.prefix(500)) { x in
                            .tr(.td(.text(String(x.line))), .td(.text(x.column)), .td(.text(ctx.lang == .en ? x.en : x.zh)), .td(.text(x.value)))
                        }),
                    .if(r.rejects.count > 500, .p(.class("muted"), .text(ctx.t("仅显示前 500 条，完整清单请下载", "The first 500 shown; download for all"))))
                ))
            )
        }
    }
}
