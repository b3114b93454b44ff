import Vapor

/// The console's one script, served from our own origin so pages work under the Content-Security-Policy
/// (`script-src 'self'`, no inline script, no `javascript:` URLs, no `on…=` handlers; see SecurityHeadersMiddleware).
/// Pages opt in with data attributes; without JavaScript every page still works (printing via the browser menu).
enum ConsoleScript {
    static let path = "/console.js"

    static func serve(_ req: Request) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/javascript; charset=utf-8")
        headers.add(name: .cacheControl, value: "max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(string: js))
    }

    /// `data-print`: a button that prints the page (the coupon page's 打印 / Print).
    static let js = """
    document.addEventListener("click", function (e) {
      var t = e.target && e.target.closest ? e.target.closest("[data-print]") : null;
      if (t) { e.preventDefault(); window.print(); }
    });

    """
}
