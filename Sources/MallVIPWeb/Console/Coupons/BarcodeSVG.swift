import MallVIPCore
import Plot

/// Code 128 as inline SVG: one rect per bar, quiet zones either side, crisp edges so printers and scanners see
/// whole modules. Nil when the text cannot be encoded.
enum BarcodeSVG {
    static func code128(_ text: String, moduleWidth: Int = 2, height: Int = 64) -> String? {
        guard let widths = Code128.widths(text) else { return nil }
        let quiet = Code128.quietZone
        let total = widths.reduce(0, +) + 2 * quiet
        var x = quiet
        var bars = ""
        for (i, w) in widths.enumerated() {
            if i % 2 == 0 { bars += #"<rect x="\#(x)" y="0" width="\#(w)" height="\#(height)"/>"# }
            x += w
        }
        let label = escape(text)
        return #"<svg xmlns="http://www.w3.org/2000/svg" class="barcode" role="img" aria-label="Code 128 \#(label)" data-code="\#(label)" "#
            + #"viewBox="0 0 \#(total) \#(height)" width="\#(total * moduleWidth)" height="\#(height)" preserveAspectRatio="none" shape-rendering="crispEdges">"#
            + #"<rect x="0" y="0" width="\#(total)" height="\#(height)" fill="white"/><g fill="black">\#(bars)</g></svg>"#
    }

    /// Text inside the SVG goes through the one HTML escaping function (vendored Plot, `& < > " '`).
    static func escape(_ s: String) -> String { HTMLEscaping.escape(s) }
}
