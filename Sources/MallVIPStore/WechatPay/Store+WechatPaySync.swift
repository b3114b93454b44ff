import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// What a queued WeChat Pay call says (migration 041).
public enum WechatPaySyncKind: String, Sendable, CaseIterable {
    /// POST /v3/businesscircle/points/notify for a WeChat Pay purchase of a bound member.
    case points
    /// The same call after a refund of that purchase: nothing earned, the new total.
    case refund
    /// POST /v3/businesscircle/parkings, state IN / OUT, for a bound member's parking exit with a plate.
    case parkingIn = "parking_in"
    case parkingOut = "parking_out"

    public var path: String {
        switch self {
        case .points, .refund: "/v3/businesscircle/points/notify"
        case .parkingIn, .parkingOut: "/v3/businesscircle/parkings"
        }
    }
}

public enum WechatPaySyncState: String, Sendable, CaseIterable {
    case pending, sending, sent, dead
}

/// One signed call to make: the mall (code) picks the merchant keys and API base.
public struct WechatPayCall: Sendable {
    public var mall: String
    public var method: String
    public var path: String
    public var body: String
    public init(mall: String, method: String = "POST", path: String, body: String) {
        self.mall = mall
        self.method = method
        self.path = path
        self.body = body
    }
}

/// What WeChat Pay answered: status and, on an error, its `{"code","message"}`. `problem` is set when a 2xx answer
/// could not be trusted (missing or bad Wechatpay-Signature): the call is then tried again.
public struct WechatPayAnswer: Sendable {
    public var status: Int
    public var code: String?
    public var message: String?
    public var problem: String?
    public init(status: Int, code: String? = nil, message: String? = nil, problem: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.problem = problem
    }

    /// 429 (频率超限) and 5xx (SYSTEM_ERROR …) are worth another try; any other 4xx (PARAM_ERROR, SIGN_ERROR,
    /// NOT_FOUND …) is a refusal that repeating will not change.
    public var retryable: Bool { status == 429 || status >= 500 || problem != nil }
}

/// The HTTP edge of the sync worker (signing, sending, verifying the answer): injected, so tests put the
/// simulator behind it. Throws when no answer came (refused, timed out) or the mall has no WeChat Pay account.
public protocol WechatPaySyncSender: Sendable {
    func send(_ call: WechatPayCall) async throws -> WechatPayAnswer
}

/// The mall has no 智慧商圈 account configured: the row waits (retried with backoff), then is dead.
public struct WechatPayNotConfigured: Error, CustomStringConvertible {
    public var mall: String
    public init(mall: String) { self.mall = mall }
    public var description: String { "mall \(mall) has no WeChat Pay account in MALLVIP_WECHATPAY_CONFIG" }
}

public struct WechatPaySyncSummary: Sendable, Equatable {
    public var sent = 0
    public var retrying = 0
    public var dead = 0
    /// Left `sending` by a worker that stopped mid-call (lease expired): queued again with the same body.
    public var recovered = 0
    public init() {}
    public var handled: Int { sent + retrying + dead }
    public var line: String {
        "wechat pay sync: \(sent) sent, \(retrying) to retry, \(dead) dead" + (recovered > 0 ? ", \(recovered) recovered after a stopped worker" : "")
    }
}

/// A queue row for the console and the tests.
public struct WechatPaySyncRow: Sendable {
    public var id: Int64
    public var mall: String
    public var kind: WechatPaySyncKind
    public var subjectId: Int64
    public var purchaseId: Int64?
    public var memberId: Int64
    public var state: WechatPaySyncState
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastHTTPStatus: Int?
    public var lastError: String?
    public var createdAt: Date
    public var sentAt: Date?
    public var payload: String?
}

struct ClaimedWechatPaySync: Sendable {
    var id: Int64
    var mallId: Int64
    var mall: String
    var kind: WechatPaySyncKind
    var subjectId: Int64
    var purchaseId: Int64?
    var memberId: Int64
    var attempts: Int
    var payload: String?
}

/// A row's body cannot be built (the authorization was revoked, the purchase has no transaction id): it is dead
/// at once with this reason, nothing sent.
struct WechatPaySyncUnbuildable: Error { var reason: String }

extension Store {
    public static let wechatPaySyncLeaseSeconds: TimeInterval = 60

    /// Sends the calls due now (at most `limit`), in queue order: claims them (conditional update; `FOR UPDATE SKIP
    /// LOCKED` on PostgreSQL), builds each body once and keeps it, signs and sends through `sender`, and records the
    /// outcome: `sent` on 2xx; a retry after the doubling backoff on 429, 5xx, no answer or an unverifiable answer;
    /// `dead` (visible on /console/wechatpay/sync, retried from there) on another 4xx or after the last attempt.
    ///
    /// Exactly-once effect: a call is sent again only when no outcome was recorded (a worker stopped mid-call), with
    /// the same body. points/notify is keyed by WeChat's `transaction_id` (【微信订单号】微信支付推送的商圈内交易通知里携带的
    /// 微信订单号): a second notify of one transaction tells WeChat the same earned points and total, and changes
    /// nothing more on its side; parking status sync states a car's IN/OUT at a time, which repeated is the same state.
    /// The points themselves were earned once, in MallVIP's ledger, by the posting that queued the row.
    public func deliverWechatPaySync(now: Date? = nil, limit: Int = 50, sender: any WechatPaySyncSender,
                                     policy: WebhookRetryPolicy = WebhookRetryPolicy(),
                                     lease: TimeInterval = Store.wechatPaySyncLeaseSeconds) async throws -> WechatPaySyncSummary {
        let fixed = now
        func clock() -> Date { fixed ?? self.now }
        var summary = WechatPaySyncSummary()
        let (claimed, recovered) = try await claimWechatPaySync(now: clock(), limit: limit, lease: lease)
        summary.recovered = recovered
        guard !claimed.isEmpty else { return summary }
        let programme = try await programme().1
        for (i, var c) in claimed.enumerated() {
            if Task.isCancelled {
                try? await releaseWechatPaySync(Array(claimed[i...]))
                throw CancellationError()
            }
            let now = clock()
            if c.payload == nil {
                do {
                    let body = try await wechatPaySyncBody(c, programme: programme)
                    c.payload = body
                    let id = c.id
                    try await write { tx in
                        try await tx.sql.exec("UPDATE wechatpay_sync SET payload_json = \(bind: body) WHERE id = \(bind: id) AND payload_json IS NULL")
                    }
                } catch let e as WechatPaySyncUnbuildable {
                    if try await recordWechatPaySync(c, state: .dead, status: nil, error: e.reason, next: now, now: now) { summary.dead += 1 }
                    continue
                }
            }
            // The lease runs from the moment of sending; a worker that took the row over meanwhile wins.
            guard try await touchWechatPaySync(c, now: now) else { continue }
            var status: Int?
            var error: String?
            var retry = true
            do {
                let answer = try await sender.send(WechatPayCall(mall: c.mall, path: c.kind.path, body: c.payload ?? "{}"))
                status = answer.status
                if let problem = answer.problem {
                    error = "HTTP \(answer.status): \(problem)"
                } else if !(200..<300).contains(answer.status) {
                    error = "HTTP \(answer.status)" + (answer.code.map { " \($0)" } ?? "") + (answer.message.map { ": \($0)" } ?? "")
                    retry = answer.retryable
                }
            } catch is CancellationError {
                // Stopping mid-call: WeChat may have it. The row stays `sending` and goes again after the lease.
                try? await releaseWechatPaySync(Array(claimed[(i + 1)...]))
                throw CancellationError()
            } catch let e {
                // The client's own error (refused, timed out), or the mall not configured.
                error = String(String(describing: e).prefix(300))
            }
            let state: WechatPaySyncState = error == nil ? .sent : (!retry || c.attempts >= policy.maxAttempts ? .dead : .pending)
            let recorded = try await recordWechatPaySync(c, state: state, status: status, error: error.map { String($0.prefix(500)) },
                                                         next: now.addingTimeInterval(policy.delay(afterAttempts: c.attempts)), now: now)
            guard recorded else { continue }
            switch state {
            case .sent: summary.sent += 1
            case .dead: summary.dead += 1
            default: summary.retrying += 1
            }
        }
        return summary
    }

    func claimWechatPaySync(now: Date, limit: Int, lease: TimeInterval) async throws -> ([ClaimedWechatPaySync], Int) {
        let nowMs = epochMillis(now)
        return try await write { tx in
            let sql = tx.sql
            let lost = try await sql.rows("""
                UPDATE wechatpay_sync SET state = 'pending', next_attempt_at_ms = \(bind: nowMs),
                  last_error = 'lease expired: the worker stopped while sending'
                WHERE state = 'sending' AND claimed_at_ms <= \(bind: nowMs - Int64(lease * 1000))
                RETURNING id
                """).count
            guard limit > 0 else { return ([], lost) }
            // A refund's reversal waits until the points it reverses were told.
            let ids = try await sql.rows("""
                SELECT id FROM wechatpay_sync s
                WHERE s.state = 'pending' AND s.next_attempt_at_ms <= \(bind: nowMs)
                  AND (s.kind <> 'refund' OR EXISTS (SELECT 1 FROM wechatpay_sync p WHERE p.kind = 'points'
                       AND p.subject_id = s.purchase_id AND p.state = 'sent'))
                ORDER BY s.id LIMIT \(unsafeRaw: String(limit))\(unsafeRaw: sql.storeDialect.forUpdateSkipLocked)
                """).map { try $0.int64("id") }
            guard !ids.isEmpty else { return ([], lost) }
            let rows = try await sql.rows("""
                UPDATE wechatpay_sync SET state = 'sending', attempts = attempts + 1, claimed_at_ms = \(bind: nowMs)
                WHERE id IN \(list: ids) AND state = 'pending'
                RETURNING id, mall_id, kind, subject_id, purchase_id, member_id, attempts, payload_json
                """)
            var malls: [Int64: String] = [:]
            let mallIds = Array(Set(try rows.map { try $0.int64("mall_id") })).sorted()
            if !mallIds.isEmpty {
                for r in try await sql.rows("SELECT id, code FROM malls WHERE id IN \(list: mallIds)") {
                    malls[try r.int64("id")] = try r.string("code")
                }
            }
            return (try rows.map { r in
                let mallId = try r.int64("mall_id")
                return ClaimedWechatPaySync(id: try r.int64("id"), mallId: mallId, mall: malls[mallId] ?? "",
                                            kind: WechatPaySyncKind(rawValue: try r.string("kind")) ?? .points,
                                            subjectId: try r.int64("subject_id"), purchaseId: try r.optInt64("purchase_id"),
                                            memberId: try r.int64("member_id"), attempts: try r.int("attempts"),
                                            payload: try r.optString("payload_json"))
            }.sorted { $0.id < $1.id }, lost)
        }
    }

    func touchWechatPaySync(_ c: ClaimedWechatPaySync, now: Date) async throws -> Bool {
        try await write { tx in
            try await tx.sql.rows("""
                UPDATE wechatpay_sync SET claimed_at_ms = \(bind: epochMillis(now))
                WHERE id = \(bind: c.id) AND state = 'sending' AND attempts = \(bind: c.attempts) RETURNING id
                """).count == 1
        }
    }

    /// The outcome, only if this worker still holds the claim (`attempts` fences a worker whose lease ran out).
    func recordWechatPaySync(_ c: ClaimedWechatPaySync, state: WechatPaySyncState, status: Int?, error: String?,
                             next: Date, now: Date) async throws -> Bool {
        let nowMs = epochMillis(now)
        return try await write { tx in
            try await tx.sql.rows("""
                UPDATE wechatpay_sync SET state = \(bind: state.rawValue), last_http_status = \(bind: status),
                  last_error = \(bind: error), next_attempt_at_ms = \(bind: state == .pending ? epochMillis(next) : nowMs),
                  sent_at_ms = \(bind: state == .sent ? nowMs : nil)
                WHERE id = \(bind: c.id) AND state = 'sending' AND attempts = \(bind: c.attempts) RETURNING id
                """).count == 1
        }
    }

    /// Claimed but never sent (the worker is stopping): back to the queue, the claim not counted.
    func releaseWechatPaySync(_ claimed: [ClaimedWechatPaySync]) async throws {
        guard !claimed.isEmpty else { return }
        try await write { tx in
            for c in claimed {
                try await tx.sql.exec("""
                    UPDATE wechatpay_sync SET state = 'pending', attempts = attempts - 1
                    WHERE id = \(bind: c.id) AND state = 'sending' AND attempts = \(bind: c.attempts)
                    """)
            }
        }
    }

    /// A dead row goes back to the queue (console "retry"): attempts start again, the kept body is sent as is.
    @discardableResult
    public func retryWechatPaySync(id: Int64, actor: String) async throws -> Bool {
        let nowMs = epochMillis(now)
        return try await write { tx in
            try await tx.sql.rows("""
                UPDATE wechatpay_sync SET state = 'pending', attempts = 0, next_attempt_at_ms = \(bind: nowMs),
                  last_error = \(bind: "retry requested by " + String(actor.prefix(64)))
                WHERE id = \(bind: id) AND state = 'dead' RETURNING id
                """).count == 1
        }
    }

    /// The queue, newest first; `state` filters. `malls` (codes) limits it to a manager's malls (nil: all).
    public func wechatPaySyncRows(state: WechatPaySyncState? = nil, malls: [String]? = nil, limit: Int = 200) async throws -> [WechatPaySyncRow] {
        if let malls, malls.isEmpty { return [] }
        var q = SQLQueryString("""
            SELECT s.id, ml.code AS mall_code, s.kind, s.subject_id, s.purchase_id, s.member_id, s.state, s.attempts,
              s.next_attempt_at_ms, s.last_http_status, s.last_error, s.created_at_ms, s.sent_at_ms, s.payload_json
            FROM wechatpay_sync s JOIN malls ml ON ml.id = s.mall_id WHERE 1 = 1
            """)
        if let state { q.appendInterpolation(unsafeRaw: " AND s.state = "); q.appendInterpolation(bind: state.rawValue) }
        if let malls { q.appendInterpolation(unsafeRaw: " AND ml.code IN "); q.appendInterpolation(list: malls) }
        q.appendInterpolation(unsafeRaw: " ORDER BY s.id DESC LIMIT \(max(1, min(limit, 10_000)))")
        return try await sql.rows(q).map { r in
            WechatPaySyncRow(id: try r.int64("id"), mall: try r.string("mall_code"),
                             kind: WechatPaySyncKind(rawValue: try r.string("kind")) ?? .points,
                             subjectId: try r.int64("subject_id"), purchaseId: try r.optInt64("purchase_id"),
                             memberId: try r.int64("member_id"),
                             state: WechatPaySyncState(rawValue: try r.string("state")) ?? .pending,
                             attempts: try r.int("attempts"), nextAttemptAt: dateFromMillis(try r.int64("next_attempt_at_ms")),
                             lastHTTPStatus: try r.optInt("last_http_status"), lastError: try r.optString("last_error"),
                             createdAt: dateFromMillis(try r.int64("created_at_ms")),
                             sentAt: try r.optInt64("sent_at_ms").map(dateFromMillis), payload: try r.optString("payload_json"))
        }
    }

    /// Rows per state (for the console's summary line).
    public func wechatPaySyncCounts(malls: [String]? = nil) async throws -> [WechatPaySyncState: Int] {
        if let malls, malls.isEmpty { return [:] }
        var q = SQLQueryString("SELECT s.state, COUNT(*) AS n FROM wechatpay_sync s JOIN malls ml ON ml.id = s.mall_id WHERE 1 = 1")
        if let malls { q.appendInterpolation(unsafeRaw: " AND ml.code IN "); q.appendInterpolation(list: malls) }
        q.appendInterpolation(unsafeRaw: " GROUP BY s.state")
        var out: [WechatPaySyncState: Int] = [:]
        for r in try await sql.rows(q) {
            if let s = WechatPaySyncState(rawValue: try r.string("state")) { out[s] = try r.int("n") }
        }
        return out
    }
}
