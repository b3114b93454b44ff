import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// `/health` for load balancers and `/metrics` for Prometheus. Neither shows personal data. `/metrics` wants the
/// `MALLVIP_METRICS_TOKEN` bearer token when one is set; in production without one it is closed (403, issue 14), in
/// development (`MALLVIP_ENV=development`) it is open.
struct HealthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.health, use: health)
        routes.get(.metrics, use: metrics)
    }

    struct HealthDTO: Content {
        var status: String
        var database: String
        var databaseMillis: Int?
        var uptimeSeconds: Int
        /// Issue 21: the streaming replica reports read from (absent when none is configured).
        var replica: ReplicaHealth?
    }

    /// 200 when the process and the database answer, 503 (with the database's error) when the database does not.
    @Sendable func health(req: Request) async throws -> Response {
        let uptime = Int(Date().timeIntervalSince(req.metrics.started))
        do {
            let seconds = try await req.store.ping()
            return try await HealthDTO(status: "ok", database: "ok", databaseMillis: Int((seconds * 1000).rounded()), uptimeSeconds: uptime,
                                       replica: await ReplicaHealth.of(req.store))
                .encodeResponse(status: .ok, for: req)
        } catch {
            req.logger.error("health: database check failed: \(String(reflecting: error))")
            return try await HealthDTO(status: "fail", database: "\(error)", databaseMillis: nil, uptimeSeconds: uptime)
                .encodeResponse(status: .serviceUnavailable, for: req)
        }
    }

    @Sendable func metrics(req: Request) async throws -> Response {
        let config = req.application.appConfig
        if let token = config.metricsToken {
            guard let sent = req.headers.bearerAuthorization?.token, constantTimeEqual(sent, token) else { throw Abort(.unauthorized) }
        } else if config.production {
            throw Abort(.forbidden, reason: "/metrics is closed in production until MALLVIP_METRICS_TOKEN is set; scrape it with that bearer token")
        }
        var text = MetricsText()
        let s = req.metrics.snapshot
        text.family("mallvip_http_requests_total", "counter", "HTTP requests by route pattern and status")
        for (k, n) in s.requests.sorted(by: { ($0.key.route.route, $0.key.route.method, $0.key.status) < ($1.key.route.route, $1.key.route.method, $1.key.status) }) {
            text.sample("mallvip_http_requests_total", ["method": k.route.method, "route": k.route.route, "status": String(k.status)], Double(n))
        }
        text.family("mallvip_http_request_duration_seconds", "histogram", "HTTP request latency by route pattern")
        for (k, h) in s.latency.sorted(by: { ($0.key.route, $0.key.method) < ($1.key.route, $1.key.method) }) {
            let labels = ["method": k.method, "route": k.route]
            for (i, bound) in Metrics.buckets.enumerated() {
                text.sample("mallvip_http_request_duration_seconds_bucket", labels.merging(["le": MetricsText.number(bound)]) { a, _ in a }, Double(h.counts[i]))
            }
            text.sample("mallvip_http_request_duration_seconds_bucket", labels.merging(["le": "+Inf"]) { a, _ in a }, Double(h.count))
            text.sample("mallvip_http_request_duration_seconds_sum", labels, h.sum)
            text.sample("mallvip_http_request_duration_seconds_count", labels, Double(h.count))
        }
        text.family("mallvip_purchases_posted_total", "counter", "Purchases recorded through the POS API (replays not counted)")
        text.sample("mallvip_purchases_posted_total", [:], Double(s.purchasesPosted))
        text.family("mallvip_purchase_replays_total", "counter", "Purchase posts answered from the idempotency record")
        text.sample("mallvip_purchase_replays_total", [:], Double(s.purchaseReplays))
        text.family("mallvip_refunds_posted_total", "counter", "Refunds recorded through the POS API (replays not counted)")
        text.sample("mallvip_refunds_posted_total", [:], Double(s.refundsPosted))

        // From the database: shared by every server process, so they agree whichever one is scraped.
        let outbox = try await req.store.outboxStatusCounts(OutboxFilter())
        text.family("mallvip_outbox_messages", "gauge", "Messages in the outbox by status")
        for status in MessageStatus.allCases {
            text.sample("mallvip_outbox_messages", ["status": status.rawValue], Double(outbox[status] ?? 0))
        }
        let webhooks = try await req.store.webhookStatusCounts()
        text.family("mallvip_webhook_deliveries", "gauge", "Webhook deliveries by status")
        for status in WebhookDeliveryStatus.allCases {
            text.sample("mallvip_webhook_deliveries", ["status": status.rawValue], Double(webhooks[status] ?? 0))
        }
        let jobs = try await req.store.jobRunSummary()
        text.family("mallvip_job_runs_total", "counter", "Business days each daily job has run")
        for j in jobs { text.sample("mallvip_job_runs_total", ["job": j.job], Double(j.runs)) }
        text.family("mallvip_job_last_run_timestamp_seconds", "gauge", "When each daily job last finished (Unix time)")
        for j in jobs { text.sample("mallvip_job_last_run_timestamp_seconds", ["job": j.job], j.lastFinished.timeIntervalSince1970.rounded()) }
        text.family("mallvip_uptime_seconds", "gauge", "Seconds since this process started")
        text.sample("mallvip_uptime_seconds", [:], Date().timeIntervalSince(req.metrics.started).rounded())

        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(string: text.body))
    }
}

/// The Prometheus text exposition format (version 0.0.4).
struct MetricsText {
    private(set) var body = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        body += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        let l = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",")
        body += name + (l.isEmpty ? "" : "{\(l)}") + " " + Self.number(value) + "\n"
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
