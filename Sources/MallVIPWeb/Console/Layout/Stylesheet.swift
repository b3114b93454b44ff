import Vapor

/// The console's one stylesheet: plain CSS, no build step. Works on a phone-sized screen.
enum Stylesheet {
    static func serve(_ req: Request) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .css
        headers.add(name: .cacheControl, value: "max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(string: css))
    }

    static let css = """
    *{box-sizing:border-box}body{margin:0;font:15px/1.5 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f2328;background:#f6f7f9}
    header{display:flex;flex-wrap:wrap;gap:12px;align-items:center;padding:10px 20px;background:#6b1d3a;color:#fff}
    header a{color:#fff;text-decoration:none;margin-right:12px}header .brand{font-weight:700;font-size:18px}
    header nav{flex:1;display:flex;flex-wrap:wrap;gap:4px 18px}header .menu-group{display:flex;flex-wrap:wrap;align-items:baseline;gap:2px 10px}
    header .menu-title{font-size:12px;opacity:.75}header nav a[aria-current]{text-decoration:underline}
    nav.tabs{display:flex;gap:4px;border-bottom:1px solid #ccc;margin:16px 0 8px}nav.tabs a{padding:6px 12px;text-decoration:none}
    nav.tabs a[aria-current]{border:1px solid #ccc;border-bottom-color:#fff;background:#fff;font-weight:600}
    details.dialog{margin:8px 0;border:1px solid #ddd;border-radius:4px;padding:4px 12px;background:#fff}details.dialog>summary{cursor:pointer;font-weight:600;padding:4px 0}
    header .who{display:flex;gap:8px;align-items:center;font-size:13px}
    header button{background:transparent;color:#fff;border:1px solid #fff8;border-radius:4px;padding:2px 8px;cursor:pointer}
    main{max-width:1100px;margin:0 auto;padding:20px}h1{font-size:22px;margin:8px 0 16px}h2{font-size:17px;margin:24px 0 8px}
    table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e5e7eb;vertical-align:top}
    th{background:#f0f1f4;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
    form.inline{display:inline}form.card,.panel{background:#fff;padding:16px;border-radius:6px;border:1px solid #e5e7eb;margin-bottom:16px}
    label{display:block;margin:8px 0}label input,label select,label textarea{display:block;width:100%;max-width:420px;padding:6px 8px;border:1px solid #c9ced6;border-radius:4px;font:inherit}
    label.check{display:flex;gap:6px;align-items:center}label.check input{width:auto;display:inline}
    button,.button{background:#6b1d3a;color:#fff;border:0;border-radius:4px;padding:7px 14px;font:inherit;cursor:pointer;text-decoration:none;display:inline-block}
    button.secondary{background:#57606a}.error{background:#ffebe9;border:1px solid #ff8182;padding:8px 12px;border-radius:4px}
    .notice{background:#dafbe1;border:1px solid #4ac26b;padding:8px 12px;border-radius:4px}
    .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px}.stat{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:12px}
    .stat b{display:block;font-size:22px}.tag{display:inline-block;padding:0 6px;border-radius:3px;background:#eef;font-size:12px}
    .tier{font-weight:700;color:#6b1d3a}.progress{color:#9a6700}.muted{color:#57606a;font-size:13px}
    pre{background:#fff;border:1px solid #e5e7eb;padding:12px;overflow:auto;font-size:13px}textarea.code{font-family:ui-monospace,monospace;min-height:360px;max-width:100%}
    summary{cursor:pointer}summary h2.inline{display:inline-block}code.secret{font-size:16px;background:#fff;padding:4px 8px;border:1px solid #4ac26b;border-radius:4px;user-select:all;word-break:break-all}
    .coupon{background:#fff;border:2px dashed #6b1d3a;border-radius:8px;padding:16px 20px;max-width:520px;margin-bottom:16px}.coupon table{background:transparent}
    .coupon-name{font-size:18px;font-weight:700;margin:0}.coupon-value{font-size:30px;font-weight:700;color:#6b1d3a;margin:4px 0}
    .coupon-code{font:600 18px ui-monospace,monospace;letter-spacing:2px;text-align:center;margin:4px 0}.coupon-barcode{text-align:center;margin-top:12px}
    .coupon-barcode svg{max-width:100%;height:64px}.coupon-used .coupon-status,.coupon-void .coupon-status,.coupon-expired .coupon-status,td.coupon-expired,td.coupon-void{color:#cf222e}
    span.on,span.off{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px}span.on{background:#dafbe1;color:#116329}span.off{background:#eaeef2;color:#57606a}
    pre.message,td.message-text,.template-body{white-space:pre-wrap;word-break:break-word}td.message-text{max-width:360px;font-size:13px}
    .status-failed,.status-refused{color:#cf222e}.status-deferred,.status-queued{color:#9a6700}.status-delivered,.status-sent{color:#116329}.status-holdout{color:#57606a}
    .campaign-report td,.campaign-report th{font-variant-numeric:tabular-nums}
    tr.overdue td{background:#fff4f2}tr.overdue td.due{color:#cf222e;font-weight:700}
    tr.winner td{background:#dafbe1;font-weight:600}td.attention{color:#9a6700;font-weight:700}
    @media print{header,.no-print{display:none}body,main{background:#fff;padding:0}h1{display:none}}
    @media(max-width:640px){main{padding:12px}header nav a{display:inline-block;margin:2px 8px 2px 0}}
    .checkin input,.checkin button{min-height:48px;font-size:18px}.checkin form button{width:100%;margin:8px 0}.checkin .grid{grid-template-columns:repeat(3,1fr);gap:8px;margin:12px 0}
    @media(max-width:640px){header button,header .button{min-height:44px}}
    .report-tiles .stat span{display:block}.report-section{margin:8px 0 20px}.report-section svg.chart{display:block;max-width:100%;height:auto;background:#fff;border:1px solid #e5e7eb;border-radius:6px;margin:8px 0}
    .report-table td,.report-table th{font-size:13px;padding:4px 8px}a.csv{font-size:13px;font-weight:400;margin-left:8px}.report-picker label{display:inline-block;margin-right:12px}
    @media print{@page{size:A4;margin:12mm}.report-section{break-inside:avoid-page}.report-section.page-break{break-before:page}.report-table{break-inside:auto}.report-table tr{break-inside:avoid}.report-tiles{grid-template-columns:repeat(3,1fr)}.report-title{display:block;font-size:20px}a.csv{display:none}}
    """
}
