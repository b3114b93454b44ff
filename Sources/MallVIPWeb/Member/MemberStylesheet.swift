import Vapor

/// The member site's stylesheet: phone first (390 px wide), large tap targets (≥ 44 px), WCAG AA contrast.
enum MemberStylesheet {
    static func serve(_ req: Request) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .css
        headers.add(name: .cacheControl, value: "max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(string: css))
    }

    static let css = """
    *{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
    body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei",sans-serif;color:#1f2328;background:#f6f7f9}
    .m-top{display:flex;align-items:center;gap:8px;padding:4px 12px;background:#6b1d3a;color:#fff;min-height:52px}
    .m-brand{flex:1;font-weight:700;font-size:17px}
    .m-top button.link{background:transparent;color:#fff;border:1px solid #ffffffb0;min-height:44px;min-width:44px;padding:0 12px;border-radius:6px;font:inherit;cursor:pointer}
    .m-nav{display:grid;grid-template-columns:repeat(6,1fr);background:#fff;border-bottom:1px solid #d0d7de;position:sticky;top:0}
    .m-nav a{display:flex;align-items:center;justify-content:center;min-height:48px;color:#6b1d3a;text-decoration:none;font-size:15px}
    .m-nav a[aria-current=page]{font-weight:700;border-bottom:3px solid #6b1d3a}
    main{max-width:560px;margin:0 auto;padding:12px 16px 32px}h1{font-size:21px;margin:8px 0 12px}h2{font-size:17px;margin:20px 0 8px}
    form.inline{display:inline}.panel,form.card{background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:16px;margin-bottom:14px}
    label{display:block;margin:10px 0;font-weight:600}
    label input,label select,label textarea{display:block;width:100%;min-height:44px;margin-top:4px;padding:8px 10px;border:1px solid #8c959f;border-radius:6px;font:inherit;font-weight:400}
    label.check{display:flex;gap:10px;align-items:center;min-height:44px;font-weight:400}label.check input{width:24px;min-height:24px;margin:0}
    button,.button{display:inline-flex;align-items:center;justify-content:center;min-height:44px;min-width:44px;padding:0 18px;background:#6b1d3a;color:#fff;border:0;border-radius:6px;font:inherit;text-decoration:none;cursor:pointer}
    button.secondary,.button.secondary{background:#fff;color:#6b1d3a;border:1px solid #6b1d3a}
    button.wide,.button.wide{width:100%}
    a{color:#0b57d0}a:focus,button:focus,input:focus,select:focus{outline:3px solid #f4b400;outline-offset:2px}
    .error{background:#ffebe9;border:1px solid #cf222e;color:#82071e;padding:10px 12px;border-radius:6px}
    .notice{background:#dafbe1;border:1px solid #1a7f37;color:#0a3b1a;padding:10px 12px;border-radius:6px}
    .muted{color:#57606a;font-size:14px}.tier{font-weight:700;color:#6b1d3a}
    table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:8px;border-bottom:1px solid #d0d7de;vertical-align:top}
    td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
    .pager{display:flex;justify-content:space-between;gap:8px;margin:12px 0}
    .code{font-family:ui-monospace,monospace;font-size:20px;letter-spacing:2px}
    .barcode svg,.qr svg{display:block;max-width:100%;height:auto;background:#fff}
    .member-card,.coupon-scan{text-align:center}.member-card svg,.coupon-scan svg{margin:8px auto}
    """
}
