import MallVIPCore
import Plot

extension QRCode {
    /// Inline SVG, one path for all dark modules, with the quiet zone. Empty when the text is too long.
    /// Lives beside the pages (not in MallVIPCore) so its label and code go through the one HTML escaping function.
    static func svg(_ text: String, pixelsPerModule: Int = 4, label: String? = nil) -> String {
        guard let code = QRCode(text) else { return "" }
        let side = code.size + 2 * quietZone
        var path = ""
        for (y, row) in code.modules.enumerated() {
            for (x, dark) in row.enumerated() where dark { path += "M\(x + quietZone) \(y + quietZone)h1v1h-1z" }
        }
        let aria = HTMLEscaping.escape(label ?? "QR \(text)")
        return #"<svg xmlns="http://www.w3.org/2000/svg" class="qrcode" role="img" aria-label="\#(aria)" data-code="\#(HTMLEscaping.escape(text))" "#
            + #"viewBox="0 0 \#(side) \#(side)" width="\#(side * pixelsPerModule)" height="\#(side * pixelsPerModule)" shape-rendering="crispEdges">"#
            + #"<rect width="\#(side)" height="\#(side)" fill="white"/><path fill="black" d="\#(path)"/></svg>"#
    }
}
