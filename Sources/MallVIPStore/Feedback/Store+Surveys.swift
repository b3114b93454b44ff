import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Personal survey links (`/s/{token}`): created once per member and reason, sent through the outbox, answered once.
extension Store {
    static let surveyColumns = """
        id, token, member_id, reason, reason_ref, quarter, created_at_ms, expires_at_ms, answered_at_ms, nps, csat, comment
        """

    public func surveyLink(token: String) async throws -> SurveyLink? {
        try await sql.row("SELECT \(unsafeRaw: Store.surveyColumns) FROM survey_links WHERE token = \(bind: token)")
            .map(Store.surveyLink)
    }

    /// Creates one link per (member, reason, ref) — a member asked again for the same reason gets nothing new — and
    /// queues an SMS with the link. `linkBase` is the public address of the site ("" gives a relative link).
    /// Returns the links created now.
    @discardableResult
    public func sendSurveys(memberIds: [Int64], reason: SurveyReason, ref: String, programme: Programme,
                            linkBase: String) async throws -> [SurveyLink] {
        if memberIds.isEmpty { return [] }
        let nowMs = epochMillis(now)
        let zone = TimeZone(identifier: programme.timezone) ?? .current
        let quarter = Quarter(LocalDate.of(now, in: zone)).key
        let expires = nowMs + Int64(programme.feedback.linkValidDays) * 86_400_000
        let ids = Array(Set(memberIds)).sorted()
        let created: [SurveyLink] = try await write { tx in
            var out: [SurveyLink] = []
            for id in ids {
                let token = Store.surveyToken()
                if let r = try await tx.sql.row("""
                    INSERT INTO survey_links (token, member_id, reason, reason_ref, quarter, created_at_ms, expires_at_ms)
                    VALUES (\(bind: token), \(bind: id), \(bind: reason.rawValue), \(bind: ref), \(bind: quarter),
                            \(bind: nowMs), \(bind: expires))
                    ON CONFLICT (member_id, reason, reason_ref) DO NOTHING RETURNING \(unsafeRaw: Store.surveyColumns)
                    """) {
                    out.append(try Store.surveyLink(r))
                }
            }
            return out
        }
        let drafts = created.map { link in
            OutboxDraft(memberId: link.memberId!, channel: .sms, purpose: .service, source: .journey,
                        sourceCode: "survey:\(reason.rawValue)", periodKey: ref,
                        body: "\(programme.messaging.storeName)感谢您的支持，请花一分钟告诉我们您的感受：\(linkBase)/s/\(link.token)")
        }
        _ = try await enqueue(drafts, programme: programme)
        return created
    }

    /// Records the answer if the link is open; a second answer, an expired or unknown link is refused and nothing changes.
    public func answerSurvey(token: String, _ a: SurveyAnswer) async throws {
        guard SurveyScore.validNPS(a.nps) else {
            throw DomainError.invalid("nps", "survey.nps.range", zh: "推荐意愿请选择 0–10 分", en: "choose a score from 0 to 10")
        }
        guard SurveyScore.validCSAT(a.csat) else {
            throw DomainError.invalid("csat", "survey.csat.range", zh: "满意度请选择 1–5 分", en: "choose a satisfaction score from 1 to 5")
        }
        let comment = String(a.comment.trimmingCharacters(in: .whitespacesAndNewlines).prefix(1000))
        let nowMs = epochMillis(now)
        let (_, programme) = try await self.programme()
        let answered = try await write { tx in
            guard let row = try await tx.sql.row("""
                UPDATE survey_links SET answered_at_ms = \(bind: nowMs), nps = \(bind: a.nps), csat = \(bind: a.csat),
                  comment = \(bind: comment)
                WHERE token = \(bind: token) AND answered_at_ms IS NULL AND expires_at_ms > \(bind: nowMs) RETURNING id, member_id
                """) else { return false }
            // Activity points for the answer (issue 18), once per survey link, with the answer.
            if let member = try row.optInt64("member_id") {
                try await self.awardActivityPoints(tx, memberId: member, occasion: .survey(linkId: try row.int64("id")), programme: programme,
                                                   actor: "member:\(member)", nowMs: nowMs)
            }
            return true
        }
        if answered { return }
        guard let link = try await surveyLink(token: token) else {
            throw DomainError(.notFound, field: "token", rule: "survey.exists", zh: "问卷链接无效", en: "this survey link is not valid")
        }
        if link.answeredAtMs != nil {
            throw DomainError(.conflict, field: "token", rule: "survey.once", zh: "此问卷已提交过，感谢您的反馈", en: "this survey has already been answered, thank you")
        }
        throw DomainError(.conflict, field: "token", rule: "survey.expired", zh: "问卷已过期", en: "this survey has closed")
    }

    /// After an event: members who attended (walk-ins without a card have no one to ask).
    @discardableResult
    public func sendEventSurveys(eventId: Int64, programme: Programme, linkBase: String) async throws -> [SurveyLink] {
        let ids = try await sql.rows("""
            SELECT member_id FROM event_invitations
            WHERE event_id = \(bind: eventId) AND status = 'attended' AND member_id IS NOT NULL
            """).map { try $0.int64("member_id") }
        return try await sendSurveys(memberIds: ids, reason: .event, ref: String(eventId), programme: programme, linkBase: linkBase)
    }

    /// Once per quarter: a random share (`feedback.quarterlySamplePerMille`) of active members; the seed makes a
    /// rerun of the same quarter draw the same sample, and the unique key stops double links.
    @discardableResult
    public func sendQuarterlySurveys(quarter: Quarter, programme: Programme, linkBase: String) async throws -> [SurveyLink] {
        let all = try await sql.rows("SELECT id FROM members WHERE status = 'active' ORDER BY id").map { try $0.int64("id") }
        let share = programme.feedback.quarterlySamplePerMille
        guard share > 0, !all.isEmpty else { return [] }
        let n = max(1, (all.count * share + 500) / 1000)
        var rng = SplitMix64(seed: UInt64(quarter.year * 10 + quarter.number))
        let sample = Array(all.shuffled(using: &rng).prefix(n))
        return try await sendSurveys(memberIds: sample, reason: .quarterly, ref: quarter.key, programme: programme, linkBase: linkBase)
    }

    static func surveyToken() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        var g = SystemRandomNumberGenerator()
        return String((0..<22).map { _ in alphabet[Int(g.next(upperBound: UInt64(alphabet.count)))] })
    }

    static func surveyLink(_ r: any SQLRow) throws -> SurveyLink {
        SurveyLink(id: try r.int64("id"), token: try r.string("token"), memberId: try r.optInt64("member_id"),
                   reason: SurveyReason(rawValue: try r.string("reason")) ?? .quarterly, reasonRef: try r.string("reason_ref"),
                   quarter: try r.string("quarter"), createdAtMs: try r.int64("created_at_ms"),
                   expiresAtMs: try r.int64("expires_at_ms"), answeredAtMs: try r.optInt64("answered_at_ms"),
                   nps: try r.optInt("nps"), csat: try r.optInt("csat"), comment: try r.optString("comment"))
    }
}
