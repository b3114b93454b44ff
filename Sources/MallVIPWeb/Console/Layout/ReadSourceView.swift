import Foundation
import MallVIPStore
import Plot

/// "数据截至 … / Data as of …" under a report or the dashboard (issue 21): where its figures were read — the
/// streaming replica and how far behind it is, or the primary, and why when a configured replica was passed over.
enum ReadSourceView {
    /// `zone`: the programme's time zone (nil: Asia/Shanghai). The dashboard shows the line only when a replica is
    /// configured; report pages always show it.
    static func line(_ s: ReadSource, zone: TimeZone?, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone ?? TimeZone(identifier: "Asia/Shanghai")!
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let at = f.string(from: s.dataAsOf)
        let bound = s.maxLagSeconds.map(seconds) ?? ""
        let text: String
        let fell: Bool
        switch (s.fromReplica, s.replica?.state) {
        case (true, _):
            let lag = seconds(s.replica?.lagSeconds ?? 0)
            text = ctx.t("数据截至 \(at)（只读副本，落后 \(lag) 秒）", "Data as of \(at) (read replica, \(lag) s behind)")
            fell = false
        case (false, .lagging?):
            let lag = seconds(s.replica?.lagSeconds ?? 0)
            text = ctx.t("数据截至 \(at)（主库：只读副本落后 \(lag) 秒，超过 \(bound) 秒上限）",
                         "Data as of \(at) (primary: the read replica is \(lag) s behind, over the \(bound) s bound)")
            fell = true
        case (false, .unreachable?):
            text = ctx.t("数据截至 \(at)（主库：只读副本无法连接）", "Data as of \(at) (primary: the read replica does not answer)")
            fell = true
        default:
            text = ctx.t("数据截至 \(at)（主库）", "Data as of \(at) (primary)")
            fell = false
        }
        return .p(.class(fell ? "notice data-as-of" : "muted data-as-of"), .id("data-as-of"),
                  .attribute(named: "data-source", value: s.fromReplica ? "replica" : "primary"), .text(text))
    }

    static func seconds(_ v: Double) -> String { v < 10 ? String(format: "%.1f", v) : String(Int(v.rounded())) }
}
