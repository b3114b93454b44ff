import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// One line of a purchase or refund body.
struct Line: Sendable {
    var counter: String = "C0001"
    var amountFen: Int64
    var specialPrice: Bool = false

    init(_ amountFen: Int64, counter: String = "C0001", specialPrice: Bool = false) {
        self.amountFen = amountFen
        self.counter = counter
        self.specialPrice = specialPrice
    }

    var purchaseJSON: String {
        "{\"counter\":\"\(counter)\",\"amountFen\":\(amountFen)\(specialPrice ? ",\"specialPrice\":true" : "")}"
    }
    var refundJSON: String { "{\"counter\":\"\(counter)\",\"amountFen\":\(amountFen)}" }
}

/// A raw HTTP answer: status and body text (for byte-for-byte replay checks) plus the decoded object.
struct RawResponse: Sendable {
    var status: HTTPStatus
    var text: String
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    /// `error.field` of an error body.
    var errorField: String? { (json["error"] as? [String: Any])?["field"] as? String }
    var errorRule: String? { (json["error"] as? [String: Any])?["rule"] as? String }
    var errorMessage: String {
        let e = json["error"] as? [String: Any]
        return "\(e?["message"] as? String ?? "") \(e?["messageZh"] as? String ?? "")"
    }
}

extension TestContext {
    /// Any request, with the API key unless `authorized` is false; returns the raw body.
    func send(_ method: HTTPMethod, _ path: String, body: String? = nil, authorized: Bool = true,
              headers extra: HTTPHeaders = [:]) async throws -> RawResponse {
        var headers: HTTPHeaders = authorized ? auth : [:]
        if body != nil { headers.replaceOrAdd(name: "Content-Type", value: "application/json") }
        headers = headers.merging(extra)
        let res = try await app.testing().sendRequest(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return RawResponse(status: res.status, text: res.body.string)
    }

    func postRaw(_ path: String, _ json: String) async throws -> RawResponse {
        try await send(.POST, path, body: json)
    }

    /// The JSON body of a purchase post.
    func purchaseJSON(_ receipt: String, at: Date? = nil, card: String? = nil, phone: String? = nil, lines: [Line]) -> String {
        var fields = ["\"receiptNo\":\"\(receipt)\"", "\"occurredAt\":\"\(iso(at ?? clock.now))\""]
        if let card { fields.append("\"card\":\"\(card)\"") }
        if let phone { fields.append("\"phone\":\"\(phone)\"") }
        fields.append("\"lines\":[\(lines.map(\.purchaseJSON).joined(separator: ","))]")
        return "{" + fields.joined(separator: ",") + "}"
    }

    @discardableResult
    func purchase(_ receipt: String, at: Date? = nil, card: String? = nil, phone: String? = nil,
                  lines: [Line]) async throws -> RawResponse {
        try await postRaw("/api/v1/purchases", purchaseJSON(receipt, at: at, card: card, phone: phone, lines: lines))
    }

    /// A one-line purchase at C0001.
    @discardableResult
    func purchase(_ receipt: String, fen: Int64, at: Date? = nil, card: String? = nil, phone: String? = nil) async throws -> RawResponse {
        try await purchase(receipt, at: at, card: card, phone: phone, lines: [Line(fen)])
    }

    func refundJSON(_ refundNo: String, receipt: String, lines: [Line]) -> String {
        "{\"refundNo\":\"\(refundNo)\",\"receiptNo\":\"\(receipt)\",\"lines\":[\(lines.map(\.refundJSON).joined(separator: ","))]}"
    }

    @discardableResult
    func refund(_ refundNo: String, receipt: String, fen: Int64, counter: String = "C0001") async throws -> RawResponse {
        try await postRaw("/api/v1/refunds", refundJSON(refundNo, receipt: receipt, lines: [Line(fen, counter: counter)]))
    }

    /// POST /api/v1/members with the fields given.
    @discardableResult
    func enrol(phone: String, name: String = "张三", receipts: [String]? = nil, idNumber: String? = nil,
               birthday: String? = nil) async throws -> RawResponse {
        var fields = ["\"phone\":\"\(phone)\"", "\"name\":\"\(name)\""]
        if let receipts { fields.append("\"receipts\":[\(receipts.map { "\"\($0)\"" }.joined(separator: ","))]") }
        if let idNumber { fields.append("\"idNumber\":\"\(idNumber)\"") }
        if let birthday { fields.append("\"birthday\":\"\(birthday)\"") }
        return try await postRaw("/api/v1/members", "{" + fields.joined(separator: ",") + "}")
    }

    func lookup(card: String) async throws -> RawResponse {
        try await send(.GET, "/api/v1/members/lookup?card=\(card)")
    }

    func lookup(phone: String) async throws -> RawResponse {
        try await send(.GET, "/api/v1/members/lookup?phone=\(phone)")
    }

    /// The member id behind an active card.
    func memberId(card: String) async throws -> Int64 {
        let m = try await store.lookup(card: card, phone: nil)
        return try #require(m, "no active member for card \(card)").id
    }

    func count(_ table: String) async throws -> Int {
        try await store.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()!.decode(column: "n", as: Int.self)
    }

    /// Rows of `points_ledger` for a member, oldest first.
    func ledgerRows(_ memberId: Int64) async throws -> [(kind: String, points: Int64, balanceAfter: Int64)] {
        try await store.sql.raw("""
            SELECT kind, points, balance_after FROM points_ledger WHERE member_id = \(bind: memberId) ORDER BY id
            """).all().map {
            (try $0.decode(column: "kind", as: String.self), try $0.decode(column: "points", as: Int64.self),
             try $0.decode(column: "balance_after", as: Int64.self))
        }
    }

    func balance(_ memberId: Int64) async throws -> Int64 {
        try #require(try await store.member(id: memberId)).pointsBalance
    }

    /// Balance = ledger sum and rolling spend = purchases, for every member.
    func expectVerifyClean(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let report = try await store.verify()
        #expect(report.ok, "verify: \(report.mismatches)", sourceLocation: sourceLocation)
    }

    /// Rows of a table that a failed write must not have touched.
    func writeCounts() async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for t in ["purchases", "purchase_lines", "points_ledger", "refunds", "members", "cards", "member_daily_spend", "tier_changes"] {
            out[t] = try await count(t)
        }
        return out
    }

    /// A department to hang test counters on.
    func saveCounter(code: String, participates: Bool, earnsPoints: Bool = true) async throws {
        let dept = try #require(try await store.departments().first)
        try await store.saveCounter(id: nil, CounterInput(departmentId: dept.id, code: code, name: "测试店柜 \(code)", brand: "测试",
                                                          category: "服饰", floor: "2F", participatesInDiscount: participates,
                                                          earnsPoints: earnsPoints), actor: "test")
    }
}

/// A valid 18-character national ID number (correct check character), different for each `n`.
func nationalID(_ n: Int) -> String {
    let body = "1101051990030" + String(format: "%04d", n)
    return body + String(Identity.nationalIDCheck(body))
}

/// The default programme with `replace` applied (each pair must match exactly once).
func programmeYAML(replacing pairs: [(String, String)]) -> String {
    var yaml = Programme.defaultYAML()
    for (old, new) in pairs {
        if yaml.components(separatedBy: old).count != 2 { Issue.record("programme text not found exactly once: \(old)") }
        yaml = yaml.replacingOccurrences(of: old, with: new)
    }
    return yaml
}

extension RawResponse {
    func int(_ key: String) -> Int? { json[key] as? Int }
    func string(_ key: String) -> String? { json[key] as? String }
    func bool(_ key: String) -> Bool? { json[key] as? Bool }
}
