import Foundation
import MallVIPCore
import MallVIPStore
import Testing
import Vapor
@testable import MallVIPWeb

/// `/health`, `/metrics` and the request id (issue 9, operations).
@Suite("Operations: health, metrics, request id") struct OperationsTests {
    @Test("/health answers 200 with the database round trip; 503 naming the failure when the database is gone")
    func health() async throws {
        try await withTestApp { t in
            let ok = try await t.send(.GET, "/health", authorized: false)
            #expect(ok.status == .ok)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(ok.text.utf8)) as? [String: Any])
            #expect(body["status"] as? String == "ok" && body["database"] as? String == "ok")
            #expect((body["databaseMillis"] as? Int).map { $0 >= 0 } == true && body["uptimeSeconds"] is Int)
        }
    }

    @Test("/metrics: requests by route pattern and status with latency buckets, purchases and replays, outbox by status, job runs")
    func metrics() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")     // posts its qualifying purchase first
            #expect(try await t.purchase("M-1", fen: 12_000, card: card).status == .created)
            #expect(try await t.purchase("M-1", fen: 12_000, card: card).status == .ok)          // a retry: replay
            #expect(try await t.purchase("M-2", fen: 12_000, card: card).status == .created)
            #expect(try await t.send(.GET, "/api/v1/coupons/NO-SUCH-CODE").status == .notFound)
            let member = try await t.memberId(card: card)
            _ = try await t.store.enqueue([OutboxDraft(memberId: member, channel: .sms, purpose: .care, source: .journey,
                                                        sourceCode: "birthday", periodKey: "2026-11", body: "生日快乐")],
                                          programme: try await t.store.programme().1)
            _ = try await t.store.runPointsExpiry(on: LocalDate(year: 2026, month: 11, day: 25))

            let m = try await t.send(.GET, "/metrics", authorized: false)
            #expect(m.status == .ok)
            let lines = Set(m.text.split(separator: "\n").map(String.init))
            #expect(lines.contains(#"mallvip_http_requests_total{method="POST",route="/api/v1/purchases",status="201"} 3"#))
            #expect(lines.contains(#"mallvip_http_requests_total{method="POST",route="/api/v1/purchases",status="200"} 1"#))
            // The route pattern, never the value in the URL: the number of series stays bounded.
            #expect(lines.contains(#"mallvip_http_requests_total{method="GET",route="/api/v1/coupons/:code",status="404"} 1"#))
            #expect(!m.text.contains("NO-SUCH-CODE"))
            #expect(lines.contains(#"mallvip_http_request_duration_seconds_count{method="POST",route="/api/v1/purchases"} 4"#))
            #expect(lines.contains(#"mallvip_http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/api/v1/purchases"} 4"#))
            #expect(lines.contains("mallvip_purchases_posted_total 3") && lines.contains("mallvip_purchase_replays_total 1"))
            // Enrolled without SMS consent: the message is recorded as refused.
            #expect(lines.contains(#"mallvip_outbox_messages{status="refused"} 1"#) && lines.contains(#"mallvip_outbox_messages{status="queued"} 0"#))
            #expect(lines.contains(#"mallvip_job_runs_total{job="pointsExpiry"} 1"#))
            #expect(lines.contains("# TYPE mallvip_http_request_duration_seconds histogram"))
        }
    }

    @Test("with MALLVIP_METRICS_TOKEN, /metrics wants it; /health stays open")
    func metricsToken() throws {
        let config = try AppConfig.fromEnvironment(["DATABASE_URL": "sqlite:unused.sqlite", "MALLVIP_METRICS_TOKEN": "scrape-me"])
        #expect(config.metricsToken == "scrape-me")
        #expect(try AppConfig.fromEnvironment(["DATABASE_URL": "sqlite:unused.sqlite"]).metricsToken == nil)
    }

    @Test("every answer carries a request id; a sane one from the caller is kept, an odd one replaced")
    func requestId() async throws {
        try await withTestApp { t in
            let fresh = try await t.app.testing().sendRequest(.GET, "/health")
            let id = try #require(fresh.headers.first(name: "X-Request-Id"))
            #expect(!id.isEmpty)
            let given = try await t.app.testing().sendRequest(.GET, "/health", headers: ["X-Request-Id": "pos-7-abc.1"])
            #expect(given.headers.first(name: "X-Request-Id") == "pos-7-abc.1")
            let odd = try await t.app.testing().sendRequest(.GET, "/health", headers: ["X-Request-Id": "bad id <script>"])
            #expect(odd.headers.first(name: "X-Request-Id").map { $0 != "bad id <script>" && !$0.isEmpty } == true)
        }
    }
}
