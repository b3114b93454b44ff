import Foundation
import Testing
@testable import MallVIPWeb

/// The purchase body's fast reader (PurchaseRequestDTO+Fast.swift) must never answer differently from JSONDecoder:
/// for every body it either gives up (nil: the route decodes with JSONDecoder, errors included) or returns what
/// JSONDecoder returns.
@Suite("Purchase body: the fast reader agrees with JSONDecoder") struct PurchaseFastDecodeTests {
    static func fast(_ text: String) -> PurchaseRequestDTO? {
        Array(text.utf8).withUnsafeBytes { PurchaseRequestDTO.fastDecode(bytes: $0) }
    }
    static func foundation(_ text: String) -> PurchaseRequestDTO? {
        try? JSONDecoder().decode(PurchaseRequestDTO.self, from: Data(text.utf8))
    }
    static func same(_ a: PurchaseRequestDTO, _ b: PurchaseRequestDTO) -> Bool {
        a.receiptNo == b.receiptNo && a.occurredAt == b.occurredAt && a.card == b.card && a.phone == b.phone
            && a.lines.count == b.lines.count
            && zip(a.lines, b.lines).allSatisfy { $0.counter == $1.counter && $0.amountFen == $1.amountFen && $0.specialPrice == $1.specialPrice }
    }

    static let plain = [
        #"{"receiptNo":"R-1","occurredAt":"2026-11-25T10:00:00+08:00","card":"880000000013","lines":[{"counter":"C01","amountFen":120000}]}"#,
        #"{"receiptNo":"R-2","occurredAt":"2026-11-25T10:00:00+08:00","card":null,"phone":"13800000001","lines":[{"counter":"C01","amountFen":1,"specialPrice":true},{"counter":"C02","amountFen":9223372036854775807,"specialPrice":null}]}"#,
        " { \"lines\" : [ ] , \"occurredAt\" : \"x\" ,\n\t\"receiptNo\" : \"\" } \n",
        #"{"receiptNo":"R-3","occurredAt":"t","lines":[{"amountFen":-5,"counter":"C","specialPrice":false}]}"#,
        #"{"receiptNo":"R-4","occurredAt":"t","lines":[{"counter":"C","amountFen":0}]}"#,
    ]

    @Test("the plain bodies a till sends are read, and read exactly as JSONDecoder reads them", arguments: plain)
    func plainBodies(_ body: String) throws {
        let f = try #require(Self.fast(body))
        let j = try #require(Self.foundation(body))
        #expect(Self.same(f, j))
    }

    static let unusual = [
        #"{"receiptNo":"R\u0031","occurredAt":"t","lines":[]}"#,                      // an escape
        #"{"receiptNo":"票1","occurredAt":"t","lines":[]}"#,                            // non-ASCII
        #"{"receiptNo":"R","occurredAt":"t","lines":[],"extra":1}"#,                    // an unknown key
        #"{"receiptNo":"R","receiptNo":"S","occurredAt":"t","lines":[]}"#,              // a repeated key
        #"{"receiptNo":"R","occurredAt":"t","lines":[{"counter":"C","amountFen":10.5}]}"#,
        #"{"receiptNo":"R","occurredAt":"t","lines":[{"counter":"C","amountFen":1e3}]}"#,
        #"{"receiptNo":"R","occurredAt":"t","lines":[{"counter":"C","amountFen":012}]}"#,
        #"{"receiptNo":"R","occurredAt":"t","lines":[{"counter":"C","amountFen":9223372036854775808}]}"#,
        #"{"receiptNo":"R","occurredAt":"t","lines":[{"counter":"C","amountFen":"100"}]}"#,
        #"{"receiptNo":"R","occurredAt":"t","lines":[{"counter":"C"}]}"#,               // amountFen missing
        #"{"receiptNo":"R","occurredAt":"t"}"#,                                          // lines missing
        #"{"receiptNo":null,"occurredAt":"t","lines":[]}"#,
        #"{"receiptNo":"R","occurredAt":"t","lines":null}"#,
        #"{"receiptNo":"R","occurredAt":"t","card":5,"lines":[]}"#,
        #"{"receiptNo":"R","occurredAt":"t","lines":[{"counter":"C","amountFen":1,"specialPrice":1}]}"#,
        #"{"receiptNo":"R","occurredAt":"t","lines":[]} x"#,                            // trailing bytes
        #"{"receiptNo":"R","occurredAt":"t","lines":[],}"#,                             // trailing comma
        #"{"receiptNo":"R","occurredAt":"t","lines":[{"counter":"C","amountFen":1},]}"#,
        #"{"receiptNo":"R","occurredAt":"t","lines":[{"counter":"C","amountFen":1}"#,  // cut short
        #"["receiptNo"]"#, "", "null", "{}",
    ]

    @Test("anything else is left to JSONDecoder (so its error answers stay as they were)", arguments: unusual)
    func unusualBodies(_ body: String) {
        #expect(Self.fast(body) == nil)
    }

    @Test("only a plain JSON content type takes the fast reader; any other spelling goes through Vapor's parser")
    func contentTypes() {
        for t in ["application/json", "application/json; charset=utf-8", "application/json;charset=utf-8"] {
            #expect(PurchaseRequestDTO.isPlainJSON(t), "\(t)")
        }
        for t in ["application/jsonx", "application/json; charset=utf-16", "text/json", "Application/JSON", "application/json5", ""] {
            #expect(!PurchaseRequestDTO.isPlainJSON(t), "\(t)")
        }
    }

    @Test("random bodies, plain and mangled: the fast reader never answers where JSONDecoder would not, nor otherwise")
    func randomBodies() throws {
        var rng = SystemRandomNumberGenerator()
        let keys = ["receiptNo", "occurredAt", "card", "phone", "lines", "x"]
        let values = [#""R-1""#, #""""#, "null", "12", "-3", "1.5", "true", #"[{"counter":"C","amountFen":7}]"#, "[]",
                      #"[{"counter":"C","amountFen":7,"specialPrice":false},{"counter":"D","amountFen":0}]"#, #""a\"b""#]
        var agreed = 0
        for _ in 0..<3_000 {
            let n = Int.random(in: 0...6, using: &rng)
            var members = (0..<n).map { _ in "\"\(keys.randomElement(using: &rng)!)\":\(values.randomElement(using: &rng)!)" }
            if Bool.random(using: &rng) {   // often a well-formed body, shuffled
                members = [#""receiptNo":"R""#, #""occurredAt":"t""#, #""lines":[{"counter":"C","amountFen":5}]"#]
                members.shuffle(using: &rng)
            }
            let body = "{" + members.joined(separator: ",") + "}"
            if let f = Self.fast(body) {
                let j = try #require(Self.foundation(body), "fast read \(body), JSONDecoder refused it")
                #expect(Self.same(f, j), "\(body)")
                agreed += 1
            }
        }
        #expect(agreed > 100)   // the plain shape does come through the fast reader
    }
}
