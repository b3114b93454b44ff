import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    public func campaigns() async throws -> [Campaign] {
        try await sql.rows("SELECT * FROM campaigns ORDER BY id DESC").map(campaignFrom)
    }

    public func campaign(id: Int64) async throws -> Campaign? {
        try await sql.row("SELECT * FROM campaigns WHERE id = \(bind: id)").map(campaignFrom)
    }

    /// Creates a draft (`id` nil) or edits one that has not started. Editing a scheduled campaign takes it back to
    /// draft: it must be scheduled again, so that a changed text or audience is looked at before it goes out.
    @discardableResult
    public func saveCampaign(id: Int64?, _ input: CampaignInput, actor: String) async throws -> Int64 {
        let (_, programme) = try await self.programme()
        var input = input
        input.name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await checkedCampaignText(input, programme: programme)
        if input.templateCode != nil { (input.subject, input.body) = (nil, nil) }
        let nowMs = epochMillis(now)
        let i = input
        return try await write { tx in
            let sql = tx.sql
            if let id {
                guard try await sql.row("""
                    UPDATE campaigns SET name = \(bind: i.name), segment_id = \(bind: i.segmentId), channel = \(bind: i.channel.rawValue),
                      purpose = \(bind: i.purpose.rawValue), template_code = \(bind: i.templateCode), subject = \(bind: i.subject),
                      body = \(bind: i.body), holdout_permille = \(bind: i.holdoutPermille), scheduled_at_ms = \(bind: i.scheduledAt.map(epochMillis)),
                      status = 'draft', window_days = \(bind: i.windowDays), margin_permille = \(bind: i.marginPermille),
                      coupon_name = \(bind: i.coupon?.name.zh), coupon_face_fen = \(bind: i.coupon?.faceFen),
                      coupon_discount_permille = \(bind: i.coupon?.discountPermille), coupon_min_spend_fen = \(bind: i.coupon?.minSpendFen),
                      coupon_valid_days = \(bind: i.coupon?.validDays),
                      updated_at_ms = \(bind: nowMs)
                    WHERE id = \(bind: id) AND status IN ('draft', 'scheduled') RETURNING id
                    """) != nil else { throw try await self.campaignNotOpen(sql, id) }
                try await self.audit(tx, actor: actor, action: "campaign.update", subject: Campaign.sourceCode(id), detail: i.name)
                return id
            }
            let newId = try await sql.row("""
                INSERT INTO campaigns (name, segment_id, channel, purpose, template_code, subject, body, holdout_permille, scheduled_at_ms,
                  status, window_days, margin_permille, note, created_by, created_at_ms, updated_at_ms,
                  coupon_name, coupon_face_fen, coupon_discount_permille, coupon_min_spend_fen, coupon_valid_days)
                VALUES (\(bind: i.name), \(bind: i.segmentId), \(bind: i.channel.rawValue), \(bind: i.purpose.rawValue), \(bind: i.templateCode),
                  \(bind: i.subject), \(bind: i.body), \(bind: i.holdoutPermille), \(bind: i.scheduledAt.map(epochMillis)), 'draft',
                  \(bind: i.windowDays), \(bind: i.marginPermille), '', \(bind: actor), \(bind: nowMs), \(bind: nowMs),
                  \(bind: i.coupon?.name.zh), \(bind: i.coupon?.faceFen), \(bind: i.coupon?.discountPermille), \(bind: i.coupon?.minSpendFen),
                  \(bind: i.coupon?.validDays))
                RETURNING id
                """)!.int64("id")
            try await self.audit(tx, actor: actor, action: "campaign.create", subject: Campaign.sourceCode(newId), detail: i.name)
            return newId
        }
    }

    /// Schedules a draft for its time (`sendNow`, or no time given: now). The text is checked again and frozen on
    /// the campaign, so a template edited later does not change what was approved. Returns the scheduled time.
    @discardableResult
    public func scheduleCampaign(id: Int64, sendNow: Bool = false, actor: String) async throws -> Date {
        let (_, programme) = try await self.programme()
        guard let c = try await campaign(id: id) else { throw Self.campaignNotFound }
        guard c.status == .draft else { throw Self.notDraft(c.status) }
        let input = CampaignInput(name: c.name, segmentId: c.segmentId, channel: c.channel, purpose: c.purpose, templateCode: c.templateCode,
                                  subject: c.subject, body: c.body, holdoutPermille: c.holdoutPermille, scheduledAt: c.scheduledAt,
                                  windowDays: c.windowDays, marginPermille: c.marginPermille, coupon: c.coupon)
        let text = try await checkedCampaignText(input, programme: programme)
        let nowDate = now
        var at = sendNow ? nowDate : (c.scheduledAt ?? nowDate)
        // A time that passed while the form was open means "now"; one long gone is a mistake.
        if at < nowDate.addingTimeInterval(-600) {
            throw DomainError.invalid("scheduledAt", "campaign.scheduledAt.past", zh: "排期时间已过，请重新选择或勾选“立即发送”",
                                      en: "the scheduled time has passed; choose another or tick “send now”")
        }
        at = max(at, nowDate)
        let atMs = epochMillis(at), nowMs = epochMillis(nowDate)
        try await write { tx in
            guard try await tx.sql.row("""
                UPDATE campaigns SET status = 'scheduled', scheduled_at_ms = \(bind: atMs), subject = \(bind: text.subject),
                  body = \(bind: text.body), updated_at_ms = \(bind: nowMs)
                WHERE id = \(bind: id) AND status = 'draft' RETURNING id
                """) != nil else { throw try await self.campaignNotOpen(tx.sql, id) }
            try await self.audit(tx, actor: actor, action: "campaign.schedule", subject: Campaign.sourceCode(id), detail: "at=\(atMs)")
        }
        return at
    }

    /// Cancels a draft or scheduled campaign; one that has started sending cannot be called back.
    public func cancelCampaign(id: Int64, actor: String, note: String = "") async throws {
        let nowMs = epochMillis(now)
        try await write { tx in
            guard try await tx.sql.row("""
                UPDATE campaigns SET status = 'cancelled', note = \(bind: note), updated_at_ms = \(bind: nowMs)
                WHERE id = \(bind: id) AND status IN ('draft', 'scheduled') RETURNING id
                """) != nil else { throw try await self.campaignNotOpen(tx.sql, id) }
            try await self.audit(tx, actor: actor, action: "campaign.cancel", subject: Campaign.sourceCode(id), detail: note)
        }
    }

    /// Validates the campaign and returns the text it sends: its template's (checked for the campaign's purpose,
    /// which may be stricter than the template's own) or its own. Every text problem is reported at once.
    func checkedCampaignText(_ i: CampaignInput, programme: Programme) async throws -> MessageTemplate {
        guard !i.name.isEmpty, i.name.count <= 60 else {
            throw DomainError.invalid("name", "campaign.name.length", zh: "活动名称须为 1–60 字", en: "the name must have 1–60 characters")
        }
        guard try await segment(id: i.segmentId) != nil else {
            throw DomainError.invalid("segmentId", "segment.exists", zh: "请选择一个已保存的分群", en: "choose a saved segment")
        }
        guard (0...500).contains(i.holdoutPermille) else {
            throw DomainError.invalid("holdout", "campaign.holdout.range", zh: "对照组比例须在 0%–50% 之间", en: "the control share must be 0%–50%")
        }
        guard (1...365).contains(i.windowDays) else {
            throw DomainError.invalid("windowDays", "campaign.window.range", zh: "观察期须为 1–365 天", en: "the window must be 1–365 days")
        }
        guard (0...1000).contains(i.marginPermille) else {
            throw DomainError.invalid("margin", "campaign.margin.range", zh: "毛利率须在 0%–100% 之间", en: "the margin must be 0%–100%")
        }
        var text: MessageTemplate
        if let code = i.templateCode {
            guard let t = try await messageTemplate(code: code), t.active else {
                throw DomainError.invalid("templateCode", "template.exists", zh: "模板不存在或已停用：\(code)", en: "no active template \(code)")
            }
            guard t.channel == i.channel else {
                throw DomainError.invalid("templateCode", "campaign.template.channel", zh: "模板“\(t.name)”不是用于该渠道的",
                                          en: "template \(t.name) is for another channel")
            }
            text = t
            text.purpose = i.purpose
        } else {
            text = MessageTemplate(code: Campaign.sourceCode(0), name: i.name, purpose: i.purpose, channel: i.channel,
                                   subject: i.subject, body: i.body ?? "")
        }
        if i.channel != .email { text.subject = nil }
        var errors = text.check(purpose: i.purpose, policy: programme.messaging)
        if i.channel == .email, (text.subject ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            errors.append(.invalid("subject", "campaign.subject.required", zh: "邮件须有主题", en: "an e-mail needs a subject"))
        }
        errors += Self.campaignCouponErrors(i, text: text)   // Store+CampaignCoupons.swift (issue 18)
        if let first = errors.first { throw TemplateCheckError(first: first, all: errors) }
        return text
    }

    static let campaignNotFound = DomainError(.notFound, field: "campaignId", rule: "campaign.exists", zh: "活动不存在", en: "campaign not found")

    static func notDraft(_ status: CampaignStatus) -> DomainError {
        DomainError(.conflict, field: "status", rule: "campaign.status",
                    zh: "活动当前状态为“\(status.label.zh)”，不能再修改", en: "the campaign is \(status.label.en.lowercased()) and can no longer be changed")
    }

    /// The error for a conditional update that matched nothing: no such campaign, or it has moved on.
    func campaignNotOpen(_ sql: any SQLDatabase, _ id: Int64) async throws -> DomainError {
        guard let r = try await sql.row("SELECT status FROM campaigns WHERE id = \(bind: id)") else { return Self.campaignNotFound }
        return Self.notDraft(CampaignStatus(rawValue: try r.string("status")) ?? .sent)
    }

    func campaignFrom(_ r: any SQLRow) throws -> Campaign {
        Campaign(id: try r.int64("id"), name: try r.string("name"), segmentId: try r.int64("segment_id"),
                 channel: MessageChannel(rawValue: try r.string("channel")) ?? .sms,
                 purpose: MessagePurpose(rawValue: try r.string("purpose")) ?? .marketing,
                 templateCode: try r.optString("template_code"), subject: try r.optString("subject"), body: try r.optString("body"),
                 holdoutPermille: try r.int("holdout_permille"), scheduledAt: try r.optInt64("scheduled_at_ms").map(dateFromMillis),
                 status: CampaignStatus(rawValue: try r.string("status")) ?? .draft, windowDays: try r.int("window_days"),
                 marginPermille: try r.int("margin_permille"), note: try r.string("note"), createdBy: try r.string("created_by"),
                 createdAt: dateFromMillis(try r.int64("created_at_ms")), updatedAt: dateFromMillis(try r.int64("updated_at_ms")),
                 sentAt: try r.optInt64("sent_at_ms").map(dateFromMillis), finishedAt: try r.optInt64("finished_at_ms").map(dateFromMillis),
                 audienceCount: try r.optInt("audience_count"), treatedCount: try r.optInt("treated_count"),
                 holdoutCount: try r.optInt("holdout_count"), coupon: try Self.campaignCouponFrom(r))
    }
}
