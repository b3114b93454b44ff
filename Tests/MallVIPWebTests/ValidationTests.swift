import Foundation
import MallVIPCore
import MallVIPStore
import Testing
import Vapor
import VaporTesting
@testable import MallVIPWeb

/// Bad input to POST /api/v1/purchases: a 4xx that names the field, and nothing written.
@Suite("Purchase validation") struct ValidationTests {
    /// Posts `body` and checks status, field and that no table changed.
    func expectRejected(_ t: TestContext, _ body: String, status: HTTPStatus, field: String?, rule: String? = nil,
                        sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = try await t.writeCounts()
        let r = try await t.postRaw("/api/v1/purchases", body)
        #expect(r.status == status, "\(r.text)", sourceLocation: sourceLocation)
        if let field { #expect(r.errorField == field, "\(r.text)", sourceLocation: sourceLocation) }
        if let rule { #expect(r.errorRule == rule, "\(r.text)", sourceLocation: sourceLocation) }
        #expect(!r.errorMessage.trimmingCharacters(in: .whitespaces).isEmpty, sourceLocation: sourceLocation)
        #expect(try await t.writeCounts() == before, "a rejected purchase wrote rows", sourceLocation: sourceLocation)
    }

    @Test("unknown card (valid check digit) is 422 naming card; a mistyped check digit too")
    func unknownCard() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            try await expectRejected(t, t.purchaseJSON("R-1", card: CardNumber.make(serial: 999_999), lines: [Line(10_000)]),
                                     status: .unprocessableEntity, field: "card", rule: "card.exists")
            let mistyped = String(card.dropLast()) + String((Int(String(card.last!))! + 1) % 10)
            try await expectRejected(t, t.purchaseJSON("R-1", card: mistyped, lines: [Line(10_000)]),
                                     status: .unprocessableEntity, field: "card", rule: "card.checkDigit")
        }
    }

    @Test("unknown or inactive counter is 422 naming lines[i].counter")
    func unknownCounter() async throws {
        try await withTestApp { t in
            try await expectRejected(t, t.purchaseJSON("R-1", lines: [Line(10_000, counter: "NOPE")]),
                                     status: .unprocessableEntity, field: "lines[0].counter", rule: "counter.exists")
            try await expectRejected(t, t.purchaseJSON("R-1", lines: [Line(10_000), Line(10_000, counter: "NOPE")]),
                                     status: .unprocessableEntity, field: "lines[1].counter")
            let dept = try #require(try await t.store.departments().first)
            try await t.store.saveCounter(id: nil, CounterInput(departmentId: dept.id, code: "CLOSED", name: "撤柜", brand: "x",
                                                                category: "x", floor: "1F", participatesInDiscount: true, active: false),
                                          actor: "test")
            try await expectRejected(t, t.purchaseJSON("R-1", lines: [Line(10_000, counter: "CLOSED")]),
                                     status: .unprocessableEntity, field: "lines[0].counter")
        }
    }

    @Test("counters of two malls on one receipt are 422 naming the second line")
    func twoMalls() async throws {
        try await withTestApp { t in
            let mall = try await t.store.createMall(code: "EAST", name: "东店", actor: "test")
            let dept = try await t.store.createDepartment(mallId: mall, code: "D1", name: "一课", actor: "test")
            try await t.store.saveCounter(id: nil, CounterInput(departmentId: dept, code: "E0001", name: "东店收银", brand: "综合",
                                                                category: "综合", floor: "1F", participatesInDiscount: true), actor: "test")
            try await expectRejected(t, t.purchaseJSON("R-1", lines: [Line(100), Line(100, counter: "E0001")]),
                                     status: .unprocessableEntity, field: "lines[1].counter", rule: "counter.sameMall")
        }
    }

    @Test("zero and negative amounts are 422 naming lines[i].amountFen", arguments: [Int64(0), -1, -50_000])
    func nonPositiveAmount(fen: Int64) async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            try await expectRejected(t, t.purchaseJSON("R-1", card: card, lines: [Line(fen)]),
                                     status: .unprocessableEntity, field: "lines[0].amountFen", rule: "amount.positive")
            try await expectRejected(t, t.purchaseJSON("R-1", card: card, lines: [Line(10_000), Line(fen)]),
                                     status: .unprocessableEntity, field: "lines[1].amountFen")
        }
    }

    @Test("malformed JSON and wrong types are 400")
    func malformed() async throws {
        try await withTestApp { t in
            try await expectRejected(t, #"{"receiptNo":"R-1","occurredAt":"#, status: .badRequest, field: nil, rule: "json.invalid")
            try await expectRejected(t, "not json at all", status: .badRequest, field: nil, rule: "json.invalid")
            try await expectRejected(t, #"{"receiptNo":"R-1","occurredAt":"\#(iso(t.clock.now))","lines":[{"counter":"C0001","amountFen":"100"}]}"#,
                                     status: .badRequest, field: "lines[0].amountFen")
            // A fraction where whole fen belong names the field too.
            try await expectRejected(t, #"{"receiptNo":"R-1","occurredAt":"\#(iso(t.clock.now))","lines":[{"counter":"C0001","amountFen":10.5}]}"#,
                                     status: .badRequest, field: "lines[0].amountFen", rule: "json.invalid")
            try await expectRejected(t, #"{"occurredAt":"\#(iso(t.clock.now))","lines":[{"counter":"C0001","amountFen":100}]}"#,
                                     status: .badRequest, field: "receiptNo")
            try await expectRejected(t, #"{"receiptNo":"R-1","occurredAt":"\#(iso(t.clock.now))"}"#, status: .badRequest, field: "lines")
        }
    }

    @Test("other shape problems are 422 naming the field")
    func shape() async throws {
        try await withTestApp { t in
            try await expectRejected(t, t.purchaseJSON("R-1", lines: []), status: .unprocessableEntity, field: "lines")
            try await expectRejected(t, t.purchaseJSON("R 1", lines: [Line(100)]), status: .unprocessableEntity, field: "receiptNo")
            try await expectRejected(t, t.purchaseJSON(String(repeating: "R", count: 65), lines: [Line(100)]),
                                     status: .unprocessableEntity, field: "receiptNo")
            try await expectRejected(t, t.purchaseJSON("R-1", phone: "1234", lines: [Line(100)]), status: .unprocessableEntity, field: "phone")
        }
    }

    @Test("occurredAt: up to 5 minutes ahead is accepted, more is 422")
    func future() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            try await expectRejected(t, t.purchaseJSON("R-1", at: t.clock.now.addingTimeInterval(301), card: card, lines: [Line(100)]),
                                     status: .unprocessableEntity, field: "occurredAt", rule: "occurredAt.future")
            try await expectRejected(t, t.purchaseJSON("R-1", at: t.clock.now.addingTimeInterval(86_400), card: card, lines: [Line(100)]),
                                     status: .unprocessableEntity, field: "occurredAt")
            let skew = try await t.purchase("R-2", fen: 100, at: t.clock.now.addingTimeInterval(300), card: card)
            #expect(skew.status == .created, "\(skew.text)")
        }
    }

    @Test("occurredAt: up to 400 days back is accepted (offline POS), older is 422")
    func tooOld() async throws {
        try await withTestApp { t in
            try await expectRejected(t, t.purchaseJSON("R-1", at: t.clock.now.addingTimeInterval(-401 * 86_400), lines: [Line(100)]),
                                     status: .unprocessableEntity, field: "occurredAt", rule: "occurredAt.tooOld")
            let old = try await t.purchase("R-2", fen: 100, at: t.clock.now.addingTimeInterval(-399 * 86_400))
            #expect(old.status == .created, "\(old.text)")
            #expect(old.string("businessDate") == "2025-10-22")
        }
    }

    @Test("occurredAt must carry an offset and be ISO 8601", arguments: [
        "2026-11-25T10:00:00", "2026-11-25 10:00:00+08:00", "2026-11-25", "yesterday", "",
    ])
    func occurredAtFormat(text: String) async throws {
        try await withTestApp { t in
            try await expectRejected(t, #"{"receiptNo":"R-1","occurredAt":"\#(text)","lines":[{"counter":"C0001","amountFen":100}]}"#,
                                     status: .unprocessableEntity, field: "occurredAt", rule: "time.iso8601")
        }
    }

    @Test("other offsets and UTC are read as the same instant")
    func offsets() async throws {
        try await withTestApp { t in
            // 2026-11-25 01:30 UTC is 09:30 in Shanghai, business date 2026-11-25; 2026-11-24 23:30 -02:00 likewise.
            for (i, text) in ["2026-11-25T01:30:00Z", "2026-11-24T23:30:00-02:00", "2026-11-25T09:30:00.250+08:00"].enumerated() {
                let r = try await t.postRaw("/api/v1/purchases",
                    #"{"receiptNo":"R-\#(i)","occurredAt":"\#(text)","lines":[{"counter":"C0001","amountFen":100}]}"#)
                #expect(r.status == .created, "\(text): \(r.text)")
                #expect(r.string("businessDate") == "2026-11-25")
            }
            // 16:30 UTC is 00:30 the next day in Shanghai: the business date follows Shanghai.
            let r = try await t.postRaw("/api/v1/purchases",
                #"{"receiptNo":"R-LATE","occurredAt":"2026-11-23T16:30:00Z","lines":[{"counter":"C0001","amountFen":100}]}"#)
            #expect(r.string("businessDate") == "2026-11-24")
        }
    }

    @Test("no API key, or an unknown one, is 401 and writes nothing")
    func unauthorized() async throws {
        try await withTestApp { t in
            let before = try await t.writeCounts()
            let body = t.purchaseJSON("R-1", lines: [Line(100)])
            let none = try await t.send(.POST, "/api/v1/purchases", body: body, authorized: false)
            #expect(none.status == .unauthorized)
            #expect(none.errorRule != nil)
            let wrong = try await t.send(.POST, "/api/v1/purchases", body: body, authorized: false,
                                         headers: ["Authorization": "Bearer not-a-key"])
            #expect(wrong.status == .unauthorized)
            for path in ["/api/v1/counters", "/api/v1/members/lookup?phone=13800000001"] {
                #expect(try await t.send(.GET, path, authorized: false).status == .unauthorized)
            }
            for path in ["/api/v1/members", "/api/v1/quotes", "/api/v1/refunds"] {
                #expect(try await t.send(.POST, path, body: "{}", authorized: false).status == .unauthorized)
            }
            #expect(try await t.writeCounts() == before)
            // The OpenAPI document is public.
            #expect(try await t.send(.GET, "/api/v1/openapi.json", authorized: false).status == .ok)
        }
    }

    @Test("a body over 64 KiB is 413 over a real connection; just under is accepted")
    func bodyTooLarge() async throws {
        try await withTestApp { t in
            let live = try t.app.testing(method: .running(port: 0))
            func post(_ body: String) async throws -> RawResponse {
                let res = try await live.sendRequest(.POST, "/api/v1/purchases",
                                                     headers: t.auth.merging(["Content-Type": "application/json"]),
                                                     body: ByteBuffer(string: body))
                return RawResponse(status: res.status, text: res.body.string)
            }
            func padded(_ receipt: String, to size: Int) -> String {
                let base = t.purchaseJSON(receipt, lines: [Line(100)])
                let prefix = String(base.dropLast()) + ",\"note\":\""
                return prefix + String(repeating: "x", count: size - prefix.utf8.count - 2) + "\"}"
            }
            let before = try await t.writeCounts()
            let big = padded("R-BIG", to: 64 * 1024 + 1)
            #expect(big.utf8.count == 64 * 1024 + 1)
            let r = try await post(big)
            #expect(r.status == .payloadTooLarge, "\(r.text)")
            #expect(r.errorField == "body")
            #expect(try await t.writeCounts() == before)
            let fits = try await post(padded("R-FITS", to: 60 * 1024))
            #expect(fits.status == .created, "\(fits.text)")
        }
    }
}
