import Foundation
import MallVIPCore
import MallVIPStore
import Testing
@testable import MallVIPWeb

/// Members, purchases and ledger as CSV (issue 9, export): UTF-8 with BOM, role-checked, masked for planners,
/// audited with the row count.
@Suite("Exports") struct ExportsTests {
    @Test("members: every member, Chinese names intact behind a BOM; full data for managers, masked for planners; audited with rows; desk refused")
    func members() async throws {
        try await withTestApp { t in
            let a = try await t.enrolMember(phone: "13800000001", name: "陈静")
            _ = try await t.enrolMember(phone: "13800000002", name: "王小明,二")
            let manager = try await t.console(as: "m1", .manager)
            let csv = try await manager.get("/console/exports/members.csv")
            #expect(csv.status == .ok)
            let lines = csv.body.split(separator: "\r\n").map(String.init)
            #expect(lines.count == 3)
            #expect(lines[0] == "\u{FEFF}" + SegmentCSV.header.joined(separator: ","))
            #expect(lines[1].contains(",\(a),陈静,13800000001,") || lines[1].contains(",陈静,13800000001,"))
            #expect(lines[2].contains(#","王小明,二","#))                 // a comma in a cell: quoted
            #expect(try await t.auditCount("export.members", actor: "staff:m1") == 1)
            let detail = try await t.store.recentExports().first?.detail
            #expect(detail?.hasPrefix("rows=2") == true && detail?.contains("unmasked=true") == true)

            let planner = try await t.console(as: "p1", .planner)
            let masked = try await planner.get("/console/exports/members.csv")
            #expect(masked.status == .ok && masked.contains("138****0001") && !masked.contains("13800000001") && masked.contains("陈*"))
            let desk = try await t.console(as: "d1", .desk)
            #expect(try await desk.get("/console/exports/members.csv").status == .forbidden)
            #expect(try await desk.get("/console/exports").status == .forbidden)
            let page = try await manager.get("/console/exports")
            #expect(page.status == .ok && page.contains("export.members") && page.contains("staff:p1"))
        }
    }

    @Test("purchases and ledger for a period: rows of those business days only, amounts in yuan, receipts on ledger rows; a bad period is refused naming the field")
    func purchasesAndLedger() async throws {
        try await withTestApp(now: shanghai(2026, 11, 25, 10)) { t in
            let card = try await t.enrolMember(phone: "13800000001")           // its qualifying receipt is on the 25th
            t.clock.set(shanghai(2026, 11, 26, 11))
            #expect(try await t.purchase("E-26", fen: 123_456, card: card).status == .created)
            t.clock.set(shanghai(2026, 11, 27, 11))
            #expect(try await t.purchase("E-27", fen: 10_000, card: card).status == .created)
            let manager = try await t.console(as: "m1", .manager)

            let p = try await manager.get("/console/exports/purchases.csv?from=2026-11-26&to=2026-11-26")
            #expect(p.status == .ok)
            let rows = p.body.split(separator: "\r\n").map(String.init)
            #expect(rows.count == 2 && rows[0].hasPrefix("\u{FEFF}receiptNo,mall,"))
            // Plain numbers (no thousands separator), so that a spreadsheet sums them.
            #expect(rows[1].hasPrefix("E-26,") && rows[1].contains(",2026-11-26,\(card),1234.56,1234.56,0.00,"))
            #expect(try await t.auditCount("export.purchases", actor: "staff:m1") == 1)

            let l = try await manager.get("/console/exports/ledger.csv?from=2026-11-26&to=2026-11-27")
            let ledger = l.body.split(separator: "\r\n").map(String.init)
            #expect(ledger.count == 3)
            #expect(ledger[1].contains(",earn,") && ledger[1].contains(",E-26,") && ledger[2].contains(",E-27,"))

            for (query, field) in [("from=2026-11-27&to=2026-11-26", "to"), ("from=x&to=2026-11-26", "from"), ("from=2025-01-01&to=2026-11-26", "to")] {
                let bad = try await manager.get("/console/exports/purchases.csv?" + query)
                #expect(bad.status.code >= 400 && bad.status.code < 500, "\(query)")
                #expect(bad.contains(field), "\(query)")
            }
            #expect(try await t.auditCount("export.purchases") == 1)
        }
    }

    @Test("pages by id: the keyset pages join up to every member exactly once")
    func keysetPages() async throws {
        try await withTestApp { t in
            for i in 0..<5 { _ = try await t.enrolMember(phone: "1380000000\(i)") }
            var seen: [Int64] = [], after: Int64 = 0
            while true {
                let page = try await t.store.exportMembersPage(after: after, limit: 2, on: t.today)
                guard let last = page.last else { break }
                seen += page.map(\.id)
                after = last.id
            }
            #expect(seen.count == 5 && Set(seen).count == 5 && seen == seen.sorted())
        }
    }
}
