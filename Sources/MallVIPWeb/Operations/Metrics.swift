import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The process's counters and latency histograms, written as Prometheus text at `/metrics`. Kept by hand rather
/// than through a metrics library: a handful of series, one lock per request, and the exposition format is plain.
final class Metrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Histogram: Sendable {
        var counts = [Int](repeating: 0, count: Metrics.buckets.count)
        var count = 0
        var sum = 0.0
    }

    struct State: Sendable {
        /// (method, route, status) → requests.
        var requests: [RequestKey: Int] = [:]
        /// (method, route) → latency.
        var latency: [RouteKey: Histogram] = [:]
        var purchasesPosted = 0
        var purchaseReplays = 0
        var refundsPosted = 0
    }

    struct RouteKey: Hashable, Sendable { var method: String; var route: String }
    struct RequestKey: Hashable, Sendable { var route: RouteKey; var status: UInt }

    private let state = NIOLockedValueBox(State())
    let started = Date()

    func record(method: String, route: String, status: UInt, seconds: Double) {
        let key = RouteKey(method: method, route: route)
        state.withLockedValue { s in
            s.requests[RequestKey(route: key, status: status), default: 0] += 1
            var h = s.latency[key] ?? Histogram()
            for (i, bound) in Self.buckets.enumerated() where seconds <= bound { h.counts[i] += 1 }
            h.count += 1
            h.sum += seconds
            s.latency[key] = h
        }
    }

    func purchase(replay: Bool) {
        state.withLockedValue { replay ? ($0.purchaseReplays += 1) : ($0.purchasesPosted += 1) }
    }

    func refund() { state.withLockedValue { $0.refundsPosted += 1 } }

    var snapshot: State { state.withLockedValue { $0 } }
}

struct MetricsKey: StorageKey { typealias Value = Metrics }

extension Application {
    var metrics: Metrics {
        if let m = storage[MetricsKey.self] { return m }
        let m = Metrics()
        storage[MetricsKey.self] = m
        return m
    }
}

extension Request {
    var metrics: Metrics { application.metrics }
}

/// Counts every request by its route pattern (`/api/v1/coupons/:code`, never the code itself, so the number of
/// series stays bounded) and status, with its latency; and answers with the request id (`X-Request-Id`, taken
/// from the caller when it sends a sane one) that the request's log lines carry.
struct MetricsMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let id = Self.requestId(request)
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            // The error middleware (inside) normally turns errors into responses; count what escapes as a 500.
            record(request, status: 500, since: start)
            throw error
        }
        record(request, status: response.status.code, since: start)
        response.headers.replaceOrAdd(name: "X-Request-Id", value: id)
        return response
    }

    /// The request's id, set on its logger. Vapor takes the caller's X-Request-Id as it comes; one that could forge
    /// log lines or headers is replaced. (Without one, Vapor's `Request.init` has already made a UUID: one read of
    /// /dev/urandom per request that a middleware cannot avoid.)
    static func requestId(_ request: Request) -> String {
        let given = request.headers.first(name: "X-Request-Id")
        let id = given.map { isSane($0) ? $0 : UUID().uuidString } ?? request.id
        if given != nil { request.logger[metadataKey: "request-id"] = .string(id) }   // else Vapor's logger has it already
        return id
    }

    func record(_ request: Request, status: UInt, since start: ContinuousClock.Instant) {
        let d = ContinuousClock.now - start
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        request.metrics.record(method: request.method.rawValue, route: route, status: status, seconds: seconds)
    }

    /// Letters, digits, `-`, `_`, `.`, up to 64: a caller's id goes into logs and headers verbatim.
    static func isSane(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }
    }
}
