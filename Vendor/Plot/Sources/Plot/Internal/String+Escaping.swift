/**
*  Plot
*  Copyright (c) John Sundell 2019
*  MIT license, see LICENSE file for details
*
*  MallVIP patch (see Vendor/Plot/PATCHES.md): upstream passed `&name;` / `&#n;` sequences through unescaped and
*  escaped only `<` and `>`; attribute values were not escaped at all. This file now holds the one escaping function
*  used for every text node and every attribute value, and it escapes `& < > " '` always, with no pass-through.
*/

/// The one HTML escaping function of the product: every text node and attribute value Plot renders goes through it,
/// and so does the text inside the SVG our own generators build (`QRCode`, `BarcodeSVG`, `SVGChart`, `BarChartSVG`).
/// It escapes `&`, `<`, `>`, `"` and `'` everywhere, so its output is safe in element content and in a quoted
/// attribute value alike. Nothing is passed through: `&amp;` in the input comes out as `&amp;amp;`.
public enum HTMLEscaping {
    public static func escape(_ text: String) -> String {
        // Fast path: most text needs nothing.
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

internal extension String {
    func escaped() -> String { HTMLEscaping.escape(self) }
}
