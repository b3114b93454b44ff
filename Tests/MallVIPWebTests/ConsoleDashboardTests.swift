import Foundation
import MallVIPCore
import MallVIPStore
import Testing
@testable import MallVIPWeb

@Suite("Console home") struct ConsoleDashboardTests {
    @Test("today's sales can be cut per mall; members stay group-wide")
    func perMall() async throws {
        try await withTestApp { t in
            let second = try await t.store.createMall(code: "SH", name: "上海店", actor: "test")
            let dept = try await t.store.createDepartment(mallId: second, code: "D1", name: "一课", actor: "test")
            try await t.store.saveCounter(id: nil, CounterInput(departmentId: dept, code: "SH01", name: "女装", brand: "X", category: "女装",
                                                                floor: "1F", participatesInDiscount: true), actor: "test")
            #expect(try await t.purchase("R-MAIN", fen: 30_000).status == .created)
            #expect(try await t.purchase("R-SH", lines: [Line(70_000, counter: "SH01")]).status == .created)

            let console = try await t.console(as: "boss", .manager)
            let all = try await console.get("/console")
            #expect(all.contains("1,000.00"))   // 300 + 700 yuan across both malls
            #expect(all.contains("上海店"))
            let sh = try await console.get("/console?mall=SH")
            #expect(sh.contains("700.00"))
            #expect(!sh.contains("1,000.00"))
            let main = try await console.get("/console?mall=MAIN")
            #expect(main.contains("300.00"))
        }
    }

    @Test("blank cards issued in advance are activated by enrolling with their number")
    func inactiveCards() async throws {
        try await withTestApp { t in
            let cards = try await t.store.issueInactiveCards(count: 3, actor: "test")
            #expect(cards.count == 3)
            #expect(cards.allSatisfy(CardNumber.isValid))
            // Not usable at the till before activation.
            #expect(try await t.purchase("R-BLANK", fen: 60_000, card: cards[0]).status == .unprocessableEntity)
            #expect(try await t.purchase("R-Q", fen: 60_000, phone: "13900000077").status == .created)
            let (status, body) = try await t.post("/api/v1/members", """
                {"phone":"13900000077","name":"李四","receipts":["R-Q"],"cardNo":"\(cards[0])"}
                """)
            #expect(status == .created)
            #expect(body["cardNo"] as? String == cards[0])
            #expect(try await t.purchase("R-AFTER", fen: 10_000, card: cards[0]).status == .created)
        }
    }
}
