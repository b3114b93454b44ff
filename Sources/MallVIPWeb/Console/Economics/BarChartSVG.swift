import Foundation
import Plot

/// Small bar charts drawn on the server as inline SVG (no JavaScript): a progress bar of actual against target, and
/// grouped bars comparing two series (members per tier, active programme against a draft).
enum BarChartSVG {
    /// Text inside the SVG goes through the one HTML escaping function (vendored Plot, `& < > " '`).
    static func escape(_ s: String) -> String { HTMLEscaping.escape(s) }

    /// Actual against target: the bar is the actual, the tick the target; green when met, red when short, blue without
    /// a target. The scale is `full` (1000 for a share in per mille) or else the larger of the two.
    static func progress(actual: Int64?, target: Int64?, label: String, full: Int64? = nil, width: Int = 160, height: Int = 14) -> String {
        let a = max(0, actual ?? 0), t = max(0, target ?? 0)
        let scale = max(full ?? 0, a, t, 1)
        let barW = Int(Double(a) / Double(scale) * Double(width)), tickX = Int(Double(t) / Double(scale) * Double(width))   // Double: a × width may overflow Int64
        let met = target != nil && actual != nil && a >= t
        return """
            <svg class="bar" width="\(width + 2)" height="\(height)" viewBox="0 0 \(width + 2) \(height)" role="img" aria-label="\(escape(label))">\
            <rect x="0" y="2" width="\(width)" height="\(height - 4)" fill="#eee"/>\
            <rect x="0" y="2" width="\(barW)" height="\(height - 4)" fill="\(target == nil ? "#1565c0" : met ? "#2e7d32" : "#c62828")"/>\
            \(target == nil ? "" : "<rect x=\"\(min(tickX, width))\" y=\"0\" width=\"2\" height=\"\(height)\" fill=\"#222\"/>")\
            </svg>
            """
    }

    /// Grouped bars: for each label, one bar per series.
    static func grouped(labels: [String], series: [(name: String, color: String, values: [Int])], title: String) -> String {
        let barW = 30, gap = 6, groupGap = 28, chartH = 140, top = 24, bottom = 34
        let groupW = series.count * barW + (series.count - 1) * gap
        let width = max(240, labels.count * (groupW + groupGap) + groupGap)
        let maxV = max(1, series.flatMap(\.values).max() ?? 1)
        var out = """
            <svg class="chart" width="\(width)" height="\(chartH + top + bottom)" viewBox="0 0 \(width) \(chartH + top + bottom)" role="img" \
            aria-label="\(escape(title))">
            """
        var legendX = 0
        for s in series {
            out += "<rect x=\"\(legendX)\" y=\"4\" width=\"12\" height=\"12\" fill=\"\(s.color)\"/>"
            out += "<text x=\"\(legendX + 16)\" y=\"15\" font-size=\"12\">\(escape(s.name))</text>"
            legendX += 16 + s.name.count * 12 + 20
        }
        for (i, label) in labels.enumerated() {
            let x0 = groupGap + i * (groupW + groupGap)
            for (j, s) in series.enumerated() {
                let v = j < series.count && i < s.values.count ? s.values[i] : 0
                let h = Int(Double(v) / Double(maxV) * Double(chartH))
                let x = x0 + j * (barW + gap)
                out += "<rect x=\"\(x)\" y=\"\(top + chartH - h)\" width=\"\(barW)\" height=\"\(h)\" fill=\"\(s.color)\"><title>\(escape(s.name)) \(escape(label)): \(v)</title></rect>"
                out += "<text x=\"\(x + barW / 2)\" y=\"\(top + chartH - h - 3)\" font-size=\"10\" text-anchor=\"middle\">\(v)</text>"
            }
            out += "<text x=\"\(x0 + groupW / 2)\" y=\"\(top + chartH + 16)\" font-size=\"12\" text-anchor=\"middle\">\(escape(label))</text>"
        }
        return out + "</svg>"
    }
}
