import Foundation
import Plot

/// Charts drawn on the server as inline SVG: fixed sizes (they print the same on A4), every text escaped, no
/// script. Values are only geometry here; the figures themselves stay integers in the tables beside each chart.
enum SVGChart {
    struct Series {
        var name: String
        var values: [Double?]
        var color: String
    }

    static let palette = ["#6b1d3a", "#c9a227", "#2f6f8f", "#6a994e", "#bc4749", "#8d6a9f", "#57606a"]

    /// Text inside the SVG goes through the one HTML escaping function (vendored Plot, `& < > " '`).
    static func escape(_ s: String) -> String { HTMLEscaping.escape(s) }

    private static func n(_ x: Double) -> String { String(format: "%.1f", x) }

    private static func open(_ title: String, width: Int, height: Int, kind: String) -> String {
        ##"<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-\##(kind)" role="img" aria-label="\##(escape(title))" "##
            + ##"width="\##(width)" height="\##(height)" viewBox="0 0 \##(width) \##(height)" font-family="sans-serif" font-size="11">"##
            + "<title>\(escape(title))</title>"
    }

    private static func legend(_ series: [Series], x: Double, y: Double) -> String {
        var out = ""
        var cx = x
        for s in series {
            out += ##"<rect x="\##(n(cx))" y="\##(n(y - 9))" width="10" height="10" fill="\##(s.color)"/>"##
            out += ##"<text x="\##(n(cx + 14))" y="\##(n(y))">\##(escape(s.name))</text>"##
            cx += 24 + Double(s.name.count) * 11
        }
        return out
    }

    /// A "nice" upper bound for an axis.
    static func niceMax(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        let e = pow(10, floor(log10(v)))
        for m in [1.0, 2, 2.5, 5, 10] where m * e >= v { return m * e }
        return 10 * e
    }

    /// Grouped vertical bars: one group per category, one bar per series.
    static func bars(title: String, categories: [String], series: [Series], format: (Double) -> String,
                     width: Int = 680, height: Int = 260) -> String {
        let left = 56.0, right = 12.0, top = 26.0, bottom = 44.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let maxV = niceMax(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0)
        var out = open(title, width: width, height: height, kind: "bars")
        out += legend(series, x: left, y: 14)
        for i in 0...4 {
            let v = maxV * Double(i) / 4, y = top + plotH - plotH * Double(i) / 4
            out += ##"<line x1="\##(n(left))" y1="\##(n(y))" x2="\##(n(left + plotW))" y2="\##(n(y))" stroke="#e5e7eb"/>"##
            out += ##"<text x="\##(n(left - 4))" y="\##(n(y + 4))" text-anchor="end">\##(escape(format(v)))</text>"##
        }
        let groupW = categories.isEmpty ? plotW : plotW / Double(categories.count)
        let barW = max(1, (groupW * 0.8) / Double(max(1, series.count)))
        for (c, label) in categories.enumerated() {
            let gx = left + groupW * Double(c) + groupW * 0.1
            for (k, s) in series.enumerated() {
                guard c < s.values.count, let v = s.values[c] else { continue }
                let h = max(0, plotH * v / maxV)
                out += ##"<rect class="bar" x="\##(n(gx + barW * Double(k)))" y="\##(n(top + plotH - h))" width="\##(n(barW))" height="\##(n(h))" fill="\##(s.color)"><title>\##(escape("\(label) · \(s.name): \(format(v))"))</title></rect>"##
            }
            if categories.count <= 16 || c % Int((Double(categories.count) / 16).rounded(.up)) == 0 {
                out += ##"<text x="\##(n(left + groupW * (Double(c) + 0.5)))" y="\##(n(top + plotH + 14))" text-anchor="middle">\##(escape(String(label.prefix(8))))</text>"##
            }
        }
        out += ##"<line x1="\##(n(left))" y1="\##(n(top + plotH))" x2="\##(n(left + plotW))" y2="\##(n(top + plotH))" stroke="#57606a"/>"##
        return out + "</svg>"
    }

    /// Lines over the same x labels, one per series (nil values leave a gap).
    static func lines(title: String, labels: [String], series: [Series], format: (Double) -> String,
                      width: Int = 680, height: Int = 240) -> String {
        let left = 56.0, right = 32.0, top = 26.0, bottom = 40.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let maxV = niceMax(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0)
        var out = open(title, width: width, height: height, kind: "lines")
        out += legend(series, x: left, y: 14)
        for i in 0...4 {
            let v = maxV * Double(i) / 4, y = top + plotH - plotH * Double(i) / 4
            out += ##"<line x1="\##(n(left))" y1="\##(n(y))" x2="\##(n(left + plotW))" y2="\##(n(y))" stroke="#e5e7eb"/>"##
            out += ##"<text x="\##(n(left - 4))" y="\##(n(y + 4))" text-anchor="end">\##(escape(format(v)))</text>"##
        }
        let step = labels.count > 1 ? plotW / Double(labels.count - 1) : 0
        func x(_ i: Int) -> Double { labels.count > 1 ? left + step * Double(i) : left + plotW / 2 }
        let every = max(1, Int((Double(labels.count) / 12).rounded(.up)))
        for (i, l) in labels.enumerated() where i % every == 0 {
            out += ##"<text x="\##(n(x(i)))" y="\##(n(top + plotH + 14))" text-anchor="middle">\##(escape(l))</text>"##
        }
        for s in series {
            var path = ""
            var pen = false
            for (i, v) in s.values.enumerated() {
                guard let v else { pen = false; continue }
                let y = top + plotH - plotH * v / maxV
                path += (pen ? " L" : " M") + "\(n(x(i))) \(n(y))"
                pen = true
                out += ##"<circle cx="\##(n(x(i)))" cy="\##(n(y))" r="2.5" fill="\##(s.color)"><title>\##(escape("\(labels[i]) · \(s.name): \(format(v))"))</title></circle>"##
            }
            if !path.isEmpty { out += ##"<path class="line" d="\##(path.trimmingCharacters(in: .whitespaces))" fill="none" stroke="\##(s.color)" stroke-width="2"/>"## }
        }
        out += ##"<line x1="\##(n(left))" y1="\##(n(top + plotH))" x2="\##(n(left + plotW))" y2="\##(n(top + plotH))" stroke="#57606a"/>"##
        return out + "</svg>"
    }

    /// A grid of cells shaded by value (the RFM heat map, the tier migration matrix): `values[row][column]`, the
    /// text of each cell given, rows and columns labelled, axis titles on the left and top.
    static func heatMap(title: String, rowTitle: String, columnTitle: String, rows: [String], columns: [String],
                        values: [[Double]], texts: [[String]], cell: Int = 64) -> String {
        let left = 96.0, top = 44.0, c = Double(cell)
        let width = Int(left + c * Double(columns.count) + 8), height = Int(top + c * Double(rows.count) + 8)
        let maxV = values.flatMap { $0 }.max() ?? 0
        var out = open(title, width: width, height: height, kind: "heatmap")
        out += ##"<text x="\##(n(left))" y="12" font-weight="bold">\##(escape(columnTitle)) →</text>"##
        out += ##"<text x="4" y="\##(n(top - 6))" font-weight="bold">\##(escape(rowTitle)) ↓</text>"##
        for (j, col) in columns.enumerated() {
            out += ##"<text x="\##(n(left + c * (Double(j) + 0.5)))" y="\##(n(top - 6))" text-anchor="middle">\##(escape(col))</text>"##
        }
        for (i, row) in rows.enumerated() {
            let y = top + c * Double(i)
            out += ##"<text x="\##(n(left - 6))" y="\##(n(y + c / 2 + 4))" text-anchor="end">\##(escape(row))</text>"##
            for j in columns.indices {
                let v = i < values.count && j < values[i].count ? values[i][j] : 0
                let t = maxV > 0 ? v / maxV : 0
                // From near-white to the console's maroon.
                let r = Int(255 - (255 - 0x6b) * t), g = Int(255 - (255 - 0x1d) * t), b = Int(255 - (255 - 0x3a) * t)
                let fill = String(format: "#%02x%02x%02x", r, g, b)
                let ink = t > 0.5 ? "#ffffff" : "#1f2328"
                let text = i < texts.count && j < texts[i].count ? texts[i][j] : ""
                out += ##"<rect class="cell" x="\##(n(left + c * Double(j)))" y="\##(n(y))" width="\##(n(c - 2))" height="\##(n(c - 2))" fill="\##(fill)"><title>\##(escape("\(row) × \(columns[j]): \(text)"))</title></rect>"##
                out += ##"<text x="\##(n(left + c * (Double(j) + 0.5) - 1))" y="\##(n(y + c / 2 + 4))" text-anchor="middle" fill="\##(ink)">\##(escape(text))</text>"##
            }
        }
        return out + "</svg>"
    }
}
