import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor
import VaporTesting

/// Issue 14, finding 2: one request must not stop the server. The three cases found, as named regressions.
@Suite("Numeric bounds: the three overflow traps found") struct NumericBoundsRegressionTests {
    @Test("economics plan: 10,000,000 VIPs × 99,999,999,999,999 yuan answers 422 naming planUplift")
    func economicsPlanOverflow() async throws {
        try await withTestApp { t in
            let planner = try await t.console(as: "planner", .planner)
            let page = try await planner.get("/console/economics?planVIPs=10000000&planUplift=99999999999999")
            #expect(page.status == .unprocessableEntity)
            #expect(page.contains("planUplift"))
            // Just inside the limits the product still fits: a normal page.
            #expect(try await planner.get("/console/economics?planVIPs=10000000&planUplift=900").status == .ok)
            try await t.expectAlive()
        }
    }

    @Test("KPI target of Int64.max: refused with 422; one stored earlier does not crash /console/targets")
    func kpiTargetInt64Max() async throws {
        try await withTestApp { t in
            let manager = try await t.console(as: "manager", .manager)
            _ = try await manager.get("/console/targets")
            for metric in KPIMetric.allCases {
                let r = try await manager.post("/console/targets", [("year", "2026"), ("metric", metric.rawValue), ("mode", "absolute"),
                                                                    ("value", "9223372036854775807"), ("note", "")])
                #expect(r.status == .unprocessableEntity, "\(metric): \(r.status)")
            }
            // Stored before this fix (or by any other path): every figure that uses it saturates instead of trapping.
            for (i, metric) in KPIMetric.allCases.enumerated() {
                try await t.store.setTarget(KPITarget(year: 2026 - (i % 2), metric: metric, mode: i % 2 == 0 ? .absolute : .relative,
                                                      value: i % 3 == 0 ? .max : .min), note: "", actor: "test")
            }
            for year in [2025, 2026, 2027] {
                let page = try await manager.get("/console/targets?year=\(year)")
                #expect(page.status == .ok, "targets \(year): \(page.status)")
            }
            try await t.expectAlive()
        }
    }

    @Test("GET /api/v1/coupons/{code}?amountFen=Int64.max answers 422 naming amountFen")
    func couponAmountInt64Max() async throws {
        try await withTestApp { t in
            for amount in Hostile.numbers + ["1000000000001"] {
                let r = try await t.send(.GET, "/api/v1/coupons/ANYCODE?amountFen=\(amount.formEncoded)&counter=C0001")
                #expect(r.status == .unprocessableEntity, "\(amount): \(r.status) \(r.text.prefix(200))")
                #expect(r.errorField == "amountFen", "\(amount): \(r.text.prefix(200))")
            }
            try await t.expectAlive()
        }
    }

    @Test("an extreme programme (1,000,000 points per 0.01 yuan, ×100 every day) and the largest receipts: points saturate, no trap")
    func extremeProgrammeLargestReceipts() async throws {
        let yaml = programmeYAML(replacing: [
            ("  unit: 10 ", "  unit: 0.01 "), ("  pointsPerUnit: 1\n", "  pointsPerUnit: 1000000\n"),
            ("    - {name: 生日当天双倍积分, factor: 2, birthday: true}", "    - {name: 天天百倍, factor: 100}"),
        ])
        #expect(throws: (any Error).self) {
            try Programme.parse(yaml: yaml.replacingOccurrences(of: "pointsPerUnit: 1000000", with: "pointsPerUnit: 1000001"))
        }
        try await withTestApp(programme: yaml) { t in
            let card = try await t.enrolMember(phone: "13912345678")
            for i in 0..<3 {
                let r = try await t.purchase("BIG\(i)", card: card, lines: Array(repeating: Line(10_000_000_000), count: 500))
                #expect(r.status == .created, "\(r.status) \(r.text.prefix(200))")
            }
            let admin = try await t.console(as: "admin", .admin)
            let id = try await t.memberId(card: card)
            #expect(try await admin.get("/console/members/\(id)").status == .ok)
            #expect(try await admin.get("/console/finance/points").status.code < 500)
            try await t.expectAlive()
        }
    }

    @Test("checked and saturating arithmetic in Core")
    func coreArithmetic() throws {
        #expect(throws: DomainError.self) { try Checked.multiply(10_000_000, 9_999_999_999_999_900, field: "planUplift") }
        #expect(try Checked.multiply(200, 90_000, field: "x") == 18_000_000)
        #expect(Saturating.multiply(.max, 2) == .max && Saturating.multiply(.min, 2) == .min && Saturating.multiply(-3, .max) == .min)
        #expect(Saturating.add(.max, 1) == .max && Saturating.subtract(.min, 1) == .min && Saturating.negate(.min) == .max)
        #expect(ProgrammePlan(newVIPs: 10_000_000, upliftPerVIPFen: 9_999_999_999_999_900, costs: [], marginPermille: 300)
            .pl.roiPermille(.margin) == nil)
        #expect(TargetProgress(target: .max, actual: .min).gap == -Int64.max)
        #expect(Money.yuanCeil(.max) == "92,233,720,368,547,759")
        #expect(TargetProgress(target: 1, actual: .max).attainmentPermille == .max)
        #expect(KPITarget(year: 2026, metric: .vipSales, mode: .relative, value: .max).resolved(lastYear: .max) != nil)
        #expect(Money.apply(permille: 880, to: .max) > 0)
        #expect(KPIMetric.vipCount.parse("9223372036854775807") == nil)
        #expect(KPIMetric.vipSales.parse("92233720368547758.07") == nil)
        #expect(KPIMetric.vipSales.parse("10000000000") == NumericLimits.maxMoneyFen)
    }
}
