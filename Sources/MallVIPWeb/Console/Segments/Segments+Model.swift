import Foundation
import MallVIPCore
import MallVIPStore

/// Saved segments: the list, the builder (with a live count and sample before saving) and the CSV export.
/// Planners, managers and admins build; account managers read. Names and phones are shown in full only to
/// managers and admins.
enum SegmentsPage {
    static func unmasked(_ role: StaffRole?) -> Bool { role.map { StaffRole.managers.contains($0) } ?? false }
    static func canEdit(_ role: StaffRole?) -> Bool { role.map { StaffRole.segmentEditors.contains($0) } ?? false }

    struct Model: Sendable {
        var segments: [Segment]
        var lookups: Lookups
        var notice: String?
    }

    /// Names for ids a condition mentions, and the choices the builder offers.
    struct Lookups: Sendable {
        var programme: Programme
        var departments: [Department]
        var categories: [String]
        var managers: [StaffUser]
        var tags: [String]

        static func load(_ store: Store) async throws -> Lookups {
            let (_, programme) = try await store.programme()
            let categories = Array(Set(try await store.counterList().map(\.category))).sorted()
            let managers = try await store.staffList().filter { $0.role == .accountManager }
            return Lookups(programme: programme, departments: try await store.departments(), categories: categories,
                           managers: managers, tags: try await store.tagUsage().map(\.tag))
        }

        func staffName(_ id: Int64) -> String { managers.first { $0.id == id }?.displayName ?? "#\(id)" }
        func departmentName(_ id: Int64) -> String { departments.first { $0.id == id }?.name ?? "#\(id)" }
    }

    enum Query {
        static func model(_ store: Store, notice: String?) async throws -> Model {
            Model(segments: try await store.segments(), lookups: try await Lookups.load(store), notice: notice)
        }
    }

    /// One line per condition, in the page's language, for the list and the read-only view.
    static func describe(_ c: SegmentConditions, _ l: Lookups, _ ctx: PageContext) -> [String] {
        var out: [String] = []
        if let t = c.tiers { out.append(ctx.t("等级：", "Tier: ") + t.map { ctx.tier($0, l.programme) }.joined(separator: ctx.t("、", ", "))) }
        if c.enrolledFrom != nil || c.enrolledTo != nil {
            out.append(ctx.t("入会：", "Enrolled: ") + (c.enrolledFrom?.description ?? "…") + " – " + (c.enrolledTo?.description ?? "…"))
        }
        if let s = c.spend {
            var parts: [String] = []
            if let lo = s.minFen { parts.append("≥ \(Money.yuan(lo))") }
            if let hi = s.maxFen { parts.append("≤ \(Money.yuan(hi))") }
            out.append(ctx.t("近 \(s.months) 个月消费 ", "Spend in \(s.months) months ") + parts.joined(separator: ctx.t(" 且 ", " and ")) + ctx.t(" 元", " yuan"))
        }
        if let n = c.lastPurchaseAtLeastDays { out.append(ctx.t("最近一次消费至少 \(n) 天前（含从未消费）", "Last purchase at least \(n) days ago (or never)")) }
        if let n = c.lastPurchaseAtMostDays { out.append(ctx.t("最近一次消费在 \(n) 天内", "Last purchase within \(n) days")) }
        if let p = c.purchaseDays { out.append(ctx.t("近 \(p.withinDays) 天至少 \(p.atLeast) 天有消费", "At least \(p.atLeast) purchase days in \(p.withinDays) days")) }
        if let b = c.bought {
            let what = b.departmentIds.map(l.departmentName) + b.categories
            out.append(ctx.t("近 \(b.months) 个月在以下课/品类购买：", "Bought in \(b.months) months in: ") + what.joined(separator: ctx.t("、", ", ")))
        }
        if let m = c.birthMonths { out.append(ctx.t("生日月份：", "Birthday month: ") + m.map(String.init).joined(separator: ctx.t("、", ", "))) }
        if let r = c.rfm {
            out.append("RFM：" + r.classes.map { $0.label.text(ctx.lang) }.joined(separator: ctx.t("、", ", "))
                       + (r.definition == nil ? "" : ctx.t("（自定义分界）", " (own cut-offs)")))
        }
        if let a = c.accountManagers {
            out.append(ctx.t("维护人：", "Account manager: ") + a.map { f in
                switch f {
                case .none: ctx.t("无", "none")
                case .staff(let id): l.staffName(id)
                }
            }.joined(separator: ctx.t("、", ", ")))
        }
        if let ch = c.consent { out.append(ctx.t("同意接收：", "Consent: ") + ch.map { $0.label.text(ctx.lang) }.joined(separator: ctx.t(" 或 ", " or "))) }
        if let t = c.tags { out.append(ctx.t("标签：", "Tags: ") + t.joined(separator: ctx.t("、", ", "))) }
        out += describeProfile(c, ctx)
        return out.isEmpty ? [ctx.t("全部有效会员", "All active members")] : out
    }
}

enum SegmentEditor {
    struct Model: Sendable {
        var id: Int64?
        var values: SegmentForm.Values
        var lookups: SegmentsPage.Lookups
        var preview: SegmentPreview?
        var canEdit: Bool
        var unmasked: Bool
        var error: String?
        var errorField: String?
        var notice: String?
    }
}

enum SegmentCSV {
    /// Member rows; name, phone and e-mail masked unless `unmasked`.
    static func render(_ members: [SegmentMember], unmasked: Bool, programme: Programme) -> String {
        CSVFormat.bom + CSVFormat.line(header) + members.map { CSVFormat.line(row($0, unmasked: unmasked, programme: programme)) }.joined()
    }

    static let header = ["memberId", "cardNo", "name", "phone", "email", "tier", "tierName", "enrolled", "consentSms", "consentEmail", "consentPhone"]

    /// Shared with the members export, which writes the same columns.
    static func row(_ m: SegmentMember, unmasked: Bool, programme: Programme) -> [String] {
        [String(m.id), m.cardNo ?? "", unmasked ? m.name : Identity.maskName(m.name), unmasked ? m.phone : Identity.maskPhone(m.phone),
         unmasked ? (m.email ?? "") : "", m.tier, programme.tier(m.tier)?.name.zh ?? m.tier,
         m.enrolled.description, m.consentSMS ? "1" : "0", m.consentEmail ? "1" : "0", m.consentPhone ? "1" : "0"]
    }
}

extension StaffRole {
    /// Who builds and changes segments; account managers only read them.
    static let segmentEditors: Set<StaffRole> = [.admin, .manager, .planner]
    static let segmentReaders: Set<StaffRole> = segmentEditors.union([.accountManager])
}
