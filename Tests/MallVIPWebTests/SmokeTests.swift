import Foundation
import Testing
import Vapor
@testable import MallVIPWeb

@Suite("POS smoke") struct SmokeTests {
    @Test func enrolAndPost() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let (status, body) = try await t.post("/api/v1/purchases", """
                {"receiptNo":"R-100","occurredAt":"\(iso(t.clock.now))","card":"\(card)","lines":[{"counter":"C0001","amountFen":55900}]}
                """)
            #expect(status == .created)
            #expect(body["pointsEarned"] as? Int == 55)
            #expect(body["pointsBalance"] as? Int == 60 + 55)
            let report = try await t.store.verify()
            #expect(report.ok, "\(report.mismatches)")
        }
    }
}
