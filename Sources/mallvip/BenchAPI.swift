// The HTTP side of `mallvip bench`: the POS API calls and their wire types. Names are prefixed `Bench` to stay
// clear of the rest of the target.

import AsyncHTTPClient
import Foundation
import MallVIPCore
import NIOCore
import NIOHTTP1

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct BenchLine: Encodable, Sendable {
    let counter: String
    let amountFen: Int
    let specialPrice: Bool
}

enum BenchMember: Sendable {
    case card(String)
    case phone(String)
}

enum BenchTime {
    /// Now as ISO 8601 with the +08:00 offset, e.g. 2026-11-25T10:00:00+08:00.
    static func nowUTC8() -> String {
        let offset = 8 * 3600
        let now = Date()
        let date = LocalDate.of(now, in: TimeZone(secondsFromGMT: offset)!)
        let secs = Int(now.timeIntervalSince1970.rounded(.down)) + offset - date.dayNumber * 86_400
        return date.description + String(format: "T%02d:%02d:%02d+08:00", secs / 3600, (secs % 3600) / 60, secs % 60)
    }
}

struct BenchAPI: Sendable {
    let http: HTTPClient
    let baseURL: String
    let apiKey: String

    init(http: HTTPClient, baseURL: String, apiKey: String) {
        self.http = http
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = apiKey
    }

    private struct Counter: Decodable { let code: String }
    private struct Enrolled: Decodable { let cardNo: String }

    private struct PurchaseBody: Encodable {
        let receiptNo: String
        let occurredAt: String
        let card: String?
        let phone: String?
        let lines: [BenchLine]
    }

    private struct EnrolBody: Encodable {
        let phone: String
        let name: String
        let receipts: [String]
    }

    func counters() async throws -> [String] {
        let data = try await send(.GET, "/api/v1/counters", body: nil)
        do {
            return try JSONDecoder().decode([Counter].self, from: data).map(\.code)
        } catch {
            throw BenchError("GET /api/v1/counters: unexpected body: \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
    }

    func purchase(receiptNo: String, occurredAt: String, member: BenchMember, lines: [BenchLine]) async throws {
        var card: String?
        var phone: String?
        switch member {
        case .card(let c): card = c
        case .phone(let p): phone = p
        }
        let body = PurchaseBody(receiptNo: receiptNo, occurredAt: occurredAt, card: card, phone: phone, lines: lines)
        _ = try await send(.POST, "/api/v1/purchases", body: try JSONEncoder().encode(body))
    }

    func enrol(phone: String, name: String, receipts: [String]) async throws -> String {
        let body = EnrolBody(phone: phone, name: name, receipts: receipts)
        let data = try await send(.POST, "/api/v1/members", body: try JSONEncoder().encode(body))
        do {
            return try JSONDecoder().decode(Enrolled.self, from: data).cardNo
        } catch {
            throw BenchError("POST /api/v1/members: no cardNo in \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
    }

    /// Sends a request; returns the body of a 2xx response, throws otherwise.
    private func send(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(body)
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 4 * 1024 * 1024)
        let data = Data(buffer.readableBytesView)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw BenchError("\(method) \(path): HTTP \(response.status.code) \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        return data
    }
}
