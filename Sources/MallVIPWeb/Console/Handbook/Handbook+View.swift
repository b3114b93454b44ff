import Foundation
import MallVIPCore
import Plot

/// The handbook's text as HTML, in one language (the member's phone) or both, Chinese first and English beside it
/// (the printed A4 copy the desk hands over). The words are ProgrammeHandbook's; nothing is written here.
enum HandbookView {
    static func sections(_ h: ProgrammeHandbook, _ lang: UILanguage) -> Node<HTML.BodyContext> {
        .forEach(h.sections) { s in
            .section(.class("panel handbook-section"), .attribute(named: "data-section", value: s.kind.rawValue),
                     .h2(.text(s.title.text(lang))),
                     .ul(.forEach(s.lines) { .li(.text($0.text(lang))) }))
        }
    }

    static func bilingual(_ h: ProgrammeHandbook) -> Node<HTML.BodyContext> {
        .forEach(h.sections) { s in
            .section(.class("handbook-section"), .attribute(named: "data-section", value: s.kind.rawValue),
                     .h2(.text(s.title.zh), .span(.class("en"), .attribute(named: "lang", value: "en"), .text(s.title.en))),
                     .ul(.forEach(s.lines) { line in
                         .li(.text(line.zh), .span(.class("en"), .attribute(named: "lang", value: "en"), .text(line.en)))
                     }))
        }
    }

    /// A4 print rules for the desk copy; the console's own print rules already hide its header and `.no-print`.
    static let printCSS = """
    .handbook{background:#fff;padding:16px;border:1px solid #e5e7eb;border-radius:6px;max-width:210mm}
    .handbook h2{font-size:16px;margin:14px 0 4px;border-bottom:1px solid #6b1d3a;color:#6b1d3a}
    .handbook h2 .en{font-weight:400;margin-left:8px;font-size:13px;color:#57606a}
    .handbook ul{margin:4px 0;padding-left:18px}.handbook li{margin:3px 0}
    .handbook li .en{display:block;color:#57606a;font-size:12px}
    .handbook-title{font-size:20px;font-weight:700;margin:0}.handbook-sub{margin:2px 0 8px;color:#57606a}
    @media print{@page{size:A4;margin:14mm}.handbook{border:0;padding:0;max-width:none;font-size:11pt}
    .handbook-section{break-inside:avoid-page}.handbook li{break-inside:avoid}}
    """
}
