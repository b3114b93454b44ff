import Foundation
import MallVIPCore
import MallVIPStore

/// Campaigns (活动推送): the list, the form, and a campaign's page with its audience, outbox and report.
enum CampaignsPage {
    struct Model: Sendable {
        var campaigns: [Campaign]
        var segmentNames: [Int64: String]
        var programme: Programme
        var notice: String?
    }

    enum Query {
        static func model(_ store: Store, notice: String?) async throws -> Model {
            let (_, programme) = try await store.programme()
            let names = Dictionary(try await store.segments().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            return Model(campaigns: try await store.campaigns(), segmentNames: names, programme: programme, notice: notice)
        }
    }
}

enum CampaignForm {
    /// What the form shows: the saved campaign, or what was typed when saving failed. Percentages and the time
    /// are text as typed; `input` parses them.
    struct Values: Sendable {
        var name = ""
        var segmentId = ""
        var channel = MessageChannel.sms.rawValue
        var purpose = MessagePurpose.marketing.rawValue
        var templateCode = ""
        var subject = ""
        var body = ""
        var holdout = ""
        var scheduledAt = ""
        var sendNow = false
        var windowDays = "30"
        var margin = ""
        /// The attached coupon (issue 18); all blank = none.
        var coupon = AttachedCouponFields()

        init(programme: Programme) {
            holdout = CampaignForm.percentText(programme.messaging.defaultHoldoutPermille)
            margin = CampaignForm.percentText(programme.messaging.marginPermille)
        }

        init(_ c: Campaign, programme: Programme) {
            name = c.name
            segmentId = String(c.segmentId)
            channel = c.channel.rawValue
            purpose = c.purpose.rawValue
            templateCode = c.templateCode ?? ""
            // A scheduled template campaign carries the frozen text; the form edits the template choice instead.
            subject = c.templateCode == nil ? c.subject ?? "" : ""
            body = c.templateCode == nil ? c.body ?? "" : ""
            holdout = CampaignForm.percentText(c.holdoutPermille)
            scheduledAt = c.scheduledAt.map { CampaignForm.localText($0, programme.timeZone) } ?? ""
            windowDays = String(c.windowDays)
            margin = CampaignForm.percentText(c.marginPermille)
            coupon = AttachedCouponFields(c.coupon)
        }

        init(form: [String: String]) {
            name = Forms.trimmed(form["name"])
            segmentId = Forms.trimmed(form["segmentId"])
            channel = Forms.trimmed(form["channel"])
            purpose = Forms.trimmed(form["purpose"])
            templateCode = Forms.trimmed(form["templateCode"])
            subject = Forms.trimmed(form["subject"])
            body = Forms.trimmed(form["body"])
            holdout = Forms.trimmed(form["holdout"])
            scheduledAt = Forms.trimmed(form["scheduledAt"])
            sendNow = form["sendNow"] != nil
            windowDays = Forms.trimmed(form["windowDays"])
            margin = Forms.trimmed(form["margin"])
            coupon = AttachedCouponFields(form: form)
        }

        func input(_ programme: Programme) throws -> CampaignInput {
            guard let segment = Int64(segmentId) else {
                throw DomainError.invalid("segmentId", "segment.exists", zh: "请选择一个已保存的分群", en: "choose a saved segment")
            }
            guard let channel = MessageChannel(rawValue: channel) else {
                throw DomainError.invalid("channel", "channel.valid", zh: "请选择渠道", en: "choose a channel")
            }
            guard let purpose = MessagePurpose(rawValue: purpose) else {
                throw DomainError.invalid("purpose", "purpose.valid", zh: "请选择用途", en: "choose a purpose")
            }
            guard let holdout = CampaignForm.parsePercent(holdout) else {
                throw DomainError.invalid("holdout", "percent.format", zh: "对照组比例格式不正确（如 10 或 2.5）", en: "the control share must be a percentage such as 10 or 2.5")
            }
            guard let margin = CampaignForm.parsePercent(margin) else {
                throw DomainError.invalid("margin", "percent.format", zh: "毛利率格式不正确（如 30）", en: "the margin must be a percentage such as 30")
            }
            guard let window = Int(windowDays) else {
                throw DomainError.invalid("windowDays", "campaign.window.range", zh: "观察期须为 1–365 天", en: "the window must be 1–365 days")
            }
            var at: Date?
            if !sendNow && !scheduledAt.isEmpty {
                guard let d = CampaignForm.parseLocal(scheduledAt, programme.timeZone) else {
                    throw DomainError.invalid("scheduledAt", "datetime.format", zh: "发送时间格式不正确", en: "the send time is not a date and time")
                }
                at = d
            }
            let template = templateCode.isEmpty ? nil : templateCode
            return CampaignInput(name: name, segmentId: segment, channel: channel, purpose: purpose, templateCode: template,
                                 subject: template == nil && !subject.isEmpty ? subject : nil, body: template == nil ? body : nil,
                                 holdoutPermille: holdout, scheduledAt: at, windowDays: window, marginPermille: margin,
                                 coupon: try coupon.coupon())
        }
    }

    struct Model: Sendable {
        /// nil when creating.
        var id: Int64?
        var values: Values
        var segments: [Segment]
        var templates: [MessageTemplate]
        var programme: Programme
        /// Every problem at once (a template check may find several).
        var errors: [String] = []
    }

    enum Query {
        static func model(_ store: Store, id: Int64?, values: Values?, errors: [String] = []) async throws -> Model {
            let (_, programme) = try await store.programme()
            let v: Values
            if let values {
                v = values
            } else if let id {
                v = Values(try await CampaignPage.Query.campaign(store, id: id), programme: programme)
            } else {
                v = Values(programme: programme)
            }
            return Model(id: id, values: v, segments: try await store.segments(), templates: try await store.messageTemplates().filter(\.active),
                         programme: programme, errors: errors)
        }
    }

    /// "10%" of 100‰; "2.5%" of 25‰.
    static func percentText(_ permille: Int) -> String {
        permille % 10 == 0 ? "\(permille / 10)" : "\(permille / 10).\(permille % 10)"
    }

    /// "10", "10%", "2.5" → per mille; at most one decimal.
    static func parsePercent(_ text: String) -> Int? {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("%") { t.removeLast() }
        guard let hundredths = Money.parseYuan(t), hundredths % 10 == 0, hundredths <= 100_000 else { return nil }
        return Int(hundredths / 10)
    }

    /// A `datetime-local` value in the mall's time zone: "2026-11-25T10:00".
    static func localText(_ date: Date, _ tz: TimeZone) -> String {
        let d = LocalDate.of(date, in: tz)
        let minutes = Int(date.timeIntervalSince(d.start(in: tz)) / 60)
        return "\(d)T" + String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }

    static func parseLocal(_ text: String, _ tz: TimeZone) -> Date? {
        let parts = text.split(separator: "T")
        guard parts.count == 2, let day = LocalDate(String(parts[0])) else { return nil }
        let time = parts[1].split(separator: ":")
        guard time.count >= 2, let h = Int(time[0]), let m = Int(time[1]), (0...23).contains(h), (0...59).contains(m) else { return nil }
        return day.start(in: tz).addingTimeInterval(TimeInterval(h * 3600 + m * 60))
    }
}

enum CampaignPage {
    struct Model: Sendable {
        var report: CampaignReport
        var segmentName: String?
        var programme: Programme
        var notice: String?
        var campaign: Campaign { report.campaign }
    }

    enum Query {
        static func campaign(_ store: Store, id: Int64) async throws -> Campaign {
            guard let c = try await store.campaign(id: id) else {
                throw DomainError(.notFound, field: nil, rule: "campaign.exists", zh: "活动不存在", en: "campaign not found")
            }
            return c
        }

        static func model(_ store: Store, id: Int64, notice: String?) async throws -> Model {
            guard let report = try await store.campaignReport(id: id) else {
                throw DomainError(.notFound, field: nil, rule: "campaign.exists", zh: "活动不存在", en: "campaign not found")
            }
            let (_, programme) = try await store.programme()
            return Model(report: report, segmentName: try await store.segment(id: report.campaign.segmentId)?.name,
                         programme: programme, notice: notice)
        }
    }
}
