import Crypto
import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// What one journey did on a day.
public struct JourneyRunResult: Sendable, Equatable {
    public var kind: JourneyKind
    public var enabled: Bool
    /// Already ran this day (job_runs): nothing done.
    public var alreadyRan: Bool
    /// Members due, and of them those already decided on an earlier day (not drafted again).
    public var due: Int
    public var alreadyDecided: Int
    public var queued: Int
    public var refused: Int
    public var holdout: Int
    public var duplicates: Int
    /// Why the journey did not run (a missing or refused template); it is tried again at the next run.
    public var error: String?

    init(kind: JourneyKind, enabled: Bool) {
        self.kind = kind
        self.enabled = enabled
        alreadyRan = false
        due = 0
        alreadyDecided = 0
        queued = 0
        refused = 0
        holdout = 0
        duplicates = 0
    }

    var text: String {
        "due=\(due) decidedBefore=\(alreadyDecided) queued=\(queued) refused=\(refused) holdout=\(holdout) duplicates=\(duplicates)"
    }
}

public struct JourneySummary: Sendable, Equatable {
    public var day: LocalDate
    public var journeys: [JourneyRunResult]
    public var queued: Int { journeys.reduce(0) { $0 + $1.queued } }
    public var refused: Int { journeys.reduce(0) { $0 + $1.refused } }
    public var holdout: Int { journeys.reduce(0) { $0 + $1.holdout } }
    public func result(_ kind: JourneyKind) -> JourneyRunResult? { journeys.first { $0.kind == kind } }
}

/// The control-group draw of a journey: deterministic per member, journey and period (the same send is drawn the
/// same way however often it is decided), uniform over 0…999.
public enum JourneyHoldout {
    public static func permille(memberId: Int64, journey: String, periodKey: String) -> Int {
        let digest = SHA256.hash(data: Data("\(journey)|\(memberId)|\(periodKey)".utf8))
        let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(value % 1000)
    }

    public static func isHeldOut(memberId: Int64, journey: String, periodKey: String, holdoutPermille: Int) -> Bool {
        permille(memberId: memberId, journey: journey, periodKey: periodKey) < holdoutPermille
    }
}

extension Store {
    /// The automatic journeys for business day `day`: each enabled journey once per day (job_runs
    /// `journey:<code>`), its audience computed in SQL, the holdout drawn, the template rendered per member and
    /// the drafts handed to `enqueue`, whose unique dedupe key makes each send happen once even across days,
    /// restarts and concurrent runs. A journey whose template is missing or breaks the content rules records an
    /// error and is tried again at the next run. `now` stamps the run.
    public func runJourneys(on day: LocalDate, now: Date) async throws -> JourneySummary {
        let (_, programme) = try await self.programme()
        var summary = JourneySummary(day: day, journeys: [])
        for journey in try await journeys() {
            var result = JourneyRunResult(kind: journey.kind, enabled: journey.enabled)
            defer { summary.journeys.append(result) }
            guard journey.enabled else { continue }
            let job = "journey:\(journey.code)"
            if try await sql.row("SELECT day FROM job_runs WHERE job = \(bind: job) AND day = \(bind: day.dayNumber)") != nil {
                result.alreadyRan = true
                continue
            }
            if let problem = try await journeyProblems(journey).first {
                result.error = problem.zh
                continue
            }
            try await runJourney(journey, on: day, programme: programme, into: &result)
            let text = result.text
            do {
                try await write { tx in
                    try await tx.sql.exec("""
                        INSERT INTO job_runs (job, day, finished_at_ms, summary)
                        VALUES (\(bind: job), \(bind: day.dayNumber), \(bind: epochMillis(now)), \(bind: text))
                        """)
                }
            } catch where isUniqueViolation(error) {
                result.alreadyRan = true   // a concurrent run finished first; enqueue's dedupe kept each send single
            }
        }
        return summary
    }

    private func runJourney(_ journey: Journey, on day: LocalDate, programme: Programme, into result: inout JourneyRunResult) async throws {
        let candidates = try await journeyAudience(journey, on: day, programme: programme)
        result.due = candidates.count
        var templates: [String: MessageTemplate] = [:]
        for code in Set(journey.templateCodes) { templates[code] = try await messageTemplate(code: code) }
        for chunk in candidates.chunked(500) {
            let chunk = Array(chunk)
            let decided = try await decidedKeys(chunk.map { draftKey(journey, $0) })
            let fresh = chunk.filter { !decided.contains(draftKey(journey, $0)) }
            result.alreadyDecided += chunk.count - fresh.count
            if fresh.isEmpty { continue }
            let contexts = try await templateContexts(sql, memberIds: Array(Set(fresh.map(\.memberId))), programme: programme, on: day)
            let heldOut = { (c: JourneyCandidate) in
                JourneyHoldout.isHeldOut(memberId: c.memberId, journey: journey.code, periodKey: c.periodKey, holdoutPermille: journey.holdoutPermille)
            }
            // The attached coupon (issue 18): one per treated member and send, never the holdout; its code goes in the text.
            var coupons: [OfferRecipient: OfferCoupon] = [:]
            if let coupon = journey.coupon {
                let treated = fresh.filter { c in !heldOut(c) && contexts[c.memberId] != nil && templates[c.templateCode ?? journey.templateCode] != nil }
                coupons = try await journeyCoupons(journey, template: coupon, treated: treated.map { ($0.memberId, $0.periodKey) }, day: day,
                                                   programme: programme)
            }
            var drafts: [OutboxDraft] = []
            for c in fresh {
                guard var context = contexts[c.memberId], let template = templates[c.templateCode ?? journey.templateCode] else { continue }
                if let coupon = journey.coupon, let got = coupons[OfferRecipient(memberId: c.memberId, period: c.periodKey)] {
                    (context.couponCode, context.couponName, context.couponExpiry) = (got.code, coupon.name.zh, got.validTo)
                }
                if let h = c.holiday { context.holiday = h }
                if let coupon = c.coupon { (context.couponName, context.couponExpiry) = (coupon.name, coupon.expiry) }
                if let e = c.expiring { (context.expiringPoints, context.expiryDate) = (e.points, e.date) }
                if let t = c.tier { context.tier = t }
                if c.expiring == nil, Self.mentionsExpiry(template),
                   let next = try await pointsExpiring(withinDays: 3660, on: day, memberId: c.memberId).first(where: { $0.expiresOn >= day }) {
                    (context.expiringPoints, context.expiryDate) = (next.points, next.expiresOn)
                }
                drafts.append(OutboxDraft(
                    memberId: c.memberId, channel: journey.channel, purpose: journey.purpose, source: .journey, sourceCode: journey.code,
                    periodKey: c.periodKey, subject: journey.channel == .email ? (template.renderSubject(context) ?? template.name) : nil,
                    body: template.render(context),
                    holdout: heldOut(c),
                    templateCode: template.code))
            }
            let r = try await enqueue(drafts, programme: programme)
            result.queued += r.queued
            result.refused += r.refused
            result.holdout += r.holdout
            result.duplicates += r.duplicates
        }
    }

    /// The outbox dedupe key a candidate's draft will have (the body does not enter it).
    private func draftKey(_ j: Journey, _ c: JourneyCandidate) -> String {
        OutboxDraft(memberId: c.memberId, channel: j.channel, purpose: j.purpose, source: .journey, sourceCode: j.code,
                    periodKey: c.periodKey, body: "").dedupeKey
    }

    /// Which of these sends the outbox has already decided: skipped before rendering, so that a month-long
    /// birthday window or a re-run costs one indexed lookup per member, not a render and an insert.
    private func decidedKeys(_ keys: [String]) async throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return Set(try await sql.rows("SELECT dedupe_key FROM outbox_messages WHERE dedupe_key IN \(list: keys)").map { try $0.string("dedupe_key") })
    }

    static func mentionsExpiry(_ t: MessageTemplate) -> Bool {
        let text = t.body + (t.subject ?? "")
        return text.contains("{expiringPoints}") || text.contains("{expiryDate}")
    }
}
