import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

extension TestContext {
    /// Imports `bytes` as the CLI and the console do.
    func importBytes(_ kind: ImportKind, _ bytes: [UInt8], dryRun: Bool = false, mapping: ImportMapping = ImportMapping(),
                     encoding: ImportEncoding = .auto) async throws -> ImportReport {
        try await store.importFile(.bytes(bytes), ImportOptions(kind: kind, encoding: encoding, mapping: mapping, dryRun: dryRun,
                                                                actor: "test", fileName: "\(kind.rawValue).csv", batchSize: 3))
    }

    func importText(_ kind: ImportKind, _ text: String, bom: Bool = false, dryRun: Bool = false) async throws -> ImportReport {
        try await importBytes(kind, (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8), dryRun: dryRun)
    }

    /// Rows of every table an import writes, to show that a re-import or a dry run changed nothing.
    func importCounts() async throws -> [String: Int] {
        var out = try await writeCounts()
        for t in ["counters", "departments", "import_runs", "mall_day_counts"] { out[t] = try await count(t) }
        return out
    }

    /// A table's rows as text, in a stable order, for comparing two databases.
    func dump(_ query: String) async throws -> [String] {
        try await store.sql.raw(SQLQueryString(stringLiteral: query)).all().map { row in
            try row.allColumns.map { c in
                // Numbers first: PostgreSQL hands an integer's binary form to a String decode.
                if let n = try? row.decode(column: c, as: Int64?.self) { return "\(c)=\(n)" }
                return "\(c)=\(try row.decode(column: c, as: String?.self) ?? "nil")"
            }.joined(separator: " ")
        }
    }
}

/// "line column rule" of each reject, the form the rejects report is checked in.
private func lines(_ r: ImportReport) -> [String] { r.rejects.map { "\($0.line) \($0.column) \($0.rule)" } }

private let card1 = CardNumber.make(prefix: "77", serial: 1), card2 = CardNumber.make(prefix: "77", serial: 2),
            card3 = CardNumber.make(prefix: "77", serial: 3)

/// Three members with legacy cards (77…), as an old system exports them: UTF-8 with a BOM, Chinese headers.
private let membersCSV = """
    会员卡号,手机号,姓名,性别,生日,积分\r
    \(card1),139 0000 0001,张三,女,1990年3月4日,100\r
    \(card2),+86 13900000002,李四,男,1985/07/08,0\r
    \(card3),13900000003,王五,M,,\r

    """

@Suite("Import members") struct ImportMembersTests {
    @Test("UTF-8 with BOM: members with legacy cards, opening points as a ledger row; importing again changes nothing")
    func membersWithBOM() async throws {
        try await withTestApp { t in
            let first = try await t.importText(.members, membersCSV, bom: true)
            #expect(first.encoding == "utf8-bom")
            #expect((first.imported, first.skipped, first.rejected) == (3, 0, 0))
            #expect(first.summary == "imported 3, skipped (already there) 0, rejected 0")
            let id = try await t.memberId(card: card1)
            let m = try #require(try await t.store.member(id: id))
            #expect(m.phone == "13900000001" && m.name == "张三" && m.gender == .female && m.birthday == LocalDate(year: 1990, month: 3, day: 4))
            #expect(m.pointsBalance == 100 && m.earnedTier == "regular")
            #expect(try await t.ledgerRows(id).map { "\($0.kind) \($0.points) \($0.balanceAfter)" } == ["import 100 100"])
            #expect(try await t.memberId(card: card3) > 0)
            try await t.expectVerifyClean()

            let before = try await t.importCounts()
            let again = try await t.importText(.members, membersCSV, bom: true)
            #expect((again.imported, again.skipped, again.rejected) == (0, 3, 0))
            var after = try await t.importCounts()
            #expect(after["import_runs"] == before["import_runs"]! + 1)
            after["import_runs"] = before["import_runs"]
            #expect(after == before)
        }
    }

    @Test("GB18030 (Excel's GBK) with Chinese headers and names: every rejected row by line, column and reason; dry run writes nothing")
    func gb18030Rejects() async throws {
        try await withTestApp { t in
            let text = """
                卡号,手机,姓名,性别,出生日期,身份证号,积分
                L001,13900000011,赵六,男,1980-01-02,\(nationalID(7)),50
                L002,12345,钱七,女,,,
                L003,13900000013,,女,,,
                L004,13900000014,孙八,X,2099-01-01,,
                L005,139 0000 0011,周九,,,,
                ,13900000016,吴十,,,,-5
                L001,13900000099,郑一,,,,

                """
            let gb = try ImportTextDecoder.encode(text, as: "GB18030")
            let before = try await t.importCounts()
            let dry = try await t.importBytes(.members, gb, dryRun: true)
            #expect(dry.dryRun && dry.encoding == "gb18030" && dry.imported == 1)
            #expect(try await t.importCounts() == before)

            let r = try await t.importBytes(.members, gb)
            #expect(lines(r) == ["3 手机 phone.format", "4 姓名 name.required", "5 出生日期 birthday.past", "5 性别 gender.format",
                                 "6 手机 member.phone.unique", "7 积分 points.opening", "8 卡号 import.duplicate"])
            #expect(lines(dry) == lines(r))
            #expect((r.imported, r.skipped, r.rejected) == (1, 0, 6))
            #expect(r.exitCode == 1)
            let reasons = r.rejects.first { $0.line == 6 }!
            #expect(reasons.zh.contains("第 2 行") && reasons.en.contains("line 2"))
            // The rejects file: UTF-8 with BOM, a header, then one line per problem in line order.
            let csv = r.rejectsCSV
            #expect(csv.hasPrefix("\u{FEFF}行号 line,列 column,原因,reason,规则 rule,内容 value\r\n"))
            #expect(csv.contains("3,手机,不是有效的手机号"))
            #expect(csv.components(separatedBy: "\r\n").count == 1 + 7 + 1)
            let id = try await t.memberId(card: "L001")
            let m = try #require(try await t.store.member(id: id))
            #expect(m.name == "赵六" && m.idMasked == Identity.maskNationalID(nationalID(7)) && m.pointsBalance == 50)
            try await t.expectVerifyClean()
        }
    }
}

@Suite("Import counters") struct ImportCountersTests {
    @Test("English headers; a missing department is created; existing counters are skipped; purchases can then use them")
    func counters() async throws {
        try await withTestApp { t in
            let text = "code,name,department,department name,brand,floor,discount,earns points\nG1,Only 女装,D9,九课,ONLY,3F,是,是\nG2,特价花车,D9,九课,,1F,否,N\nC0001,dup,D1,,,,,\nG1,again,D9,,,,,\n"
            let r = try await t.importText(.counters, text)
            #expect((r.imported, r.skipped, r.rejected) == (2, 1, 1))
            #expect(lines(r) == ["5 code import.duplicate"])
            #expect(r.notes.count == 1 && r.notes[0].contains("D9"))
            let g2 = try #require(try await t.store.counter(code: "G2"))
            #expect(!g2.participatesInDiscount && !g2.earnsPoints && g2.departmentCode == "D9" && g2.departmentName == "九课")
            let again = try await t.importText(.counters, text)
            #expect((again.imported, again.skipped) == (0, 3))
            #expect(try await t.purchase("G-1", lines: [Line(10_000, counter: "G1")]).status == .created)
        }
    }
}

@Suite("Import purchases") struct ImportPurchasesTests {
    @Test("Rejects line by line (cells, unknown counter and card, a receipt refused whole); re-import and dry run change nothing")
    func rejectsAndIdempotency() async throws {
        try await withTestApp { t in
            _ = try await t.importText(.members, membersCSV)
            let text = """
                小票号,日期,卡号,店柜,金额\r
                Q1,2026-05-01,\(card1),C0001,100\r
                Q2,2026-05-01,,C9999,100\r
                Q3,2026-13-01,,C0001,100\r
                Q4,2026-05-01,,C0001,-20\r
                Q5,2026-05-01,\(CardNumber.make(prefix: "77", serial: 99)),C0001,10\r
                Q6,2026-05-01,,C0001,10\r
                Q6,2026-05-01,,C0001,abc\r
                "Q7","2026-05-01 18:30",,C0001,"1,000.00"\r

                """
            let before = try await t.importCounts()
            let dry = try await t.importText(.purchases, text, dryRun: true)
            #expect(try await t.importCounts() == before)
            let r = try await t.importText(.purchases, text)
            let expected = ["3 店柜 counter.exists", "4 日期 date.invalid", "5 金额 amount.negative", "6 卡号 card.exists",
                            "7  receipt.whole", "8 金额 amount.format"]
            #expect(lines(r) == expected)
            #expect(lines(dry) == expected)
            #expect((r.rows, r.imported, r.skipped, r.rejected) == (8, 2, 0, 6))
            #expect((dry.imported, dry.skipped, dry.rejected) == (2, 0, 6))
            #expect(r.receipts?.imported == 2)
            #expect(try await t.count("purchases") == before["purchases"]! + 2)
            let id = try await t.memberId(card: card1)
            #expect(try await t.balance(id) == 100 + 10)

            let counts = try await t.importCounts()
            let again = try await t.importText(.purchases, text)
            #expect((again.imported, again.skipped, again.rejected) == (0, 2, 6))
            var after = try await t.importCounts()
            after["import_runs"] = counts["import_runs"]
            #expect(after == counts)
            #expect(try await t.balance(id) == 110)
            try await t.expectVerifyClean()
        }
    }

    @Test("A file that cannot be used is refused before anything is written, naming the columns")
    func refusedFile() async throws {
        try await withTestApp { t in
            let before = try await t.importCounts()
            do {
                _ = try await t.importText(.purchases, "小票号,日期,金额,收银员\nR1,2026-05-01,10,王\n")
                Issue.record("accepted")
            } catch let e as DomainError {
                #expect(e.rule == "import.header.missing" && e.zh.contains("counter") && e.zh.contains("收银员"))
            }
            #expect(try await t.importCounts() == before)
        }
    }

    /// The same purchases, dated and formatted in every way the import reads: shuffled in the file, posted in time order.
    static let purchasesCSV = """
        小票号,交易日期,时间,会员卡号,手机,专柜,实收金额
        P003,2026年5月6日,12:30,\(card1),,C0001,2000元
        P001,2026/02/04,10:00,\(card1),,C0001,"¥3,200.00"
        P002,2026-03-04,11:00,\(card1),,C0001,８８０．５０
        P004,2026.06.01,09:15,,+86 139 0000 0003,C0001,600
        P005,2026-07-01,15:00,\(card2),,C0001,"1,000.00"
        P006,2026-08-01,10:00,,,C0001,99
        P005,2026-07-01,15:00,\(card2),,C0001,500.5
        P007,2026-09-09,20:00,\(card2),,C0001,"￥4,000"

        """

    static let posted: [(receipt: String, at: Date, card: String?, phone: String?, lines: [Int64])] = [
        ("P001", shanghai(2026, 2, 4, 10), card1, nil, [320_000]),
        ("P002", shanghai(2026, 3, 4, 11), card1, nil, [88_050]),
        ("P003", shanghai(2026, 5, 6, 12, 30), card1, nil, [200_000]),
        ("P004", shanghai(2026, 6, 1, 9, 15), nil, "13900000003", [60_000]),
        ("P005", shanghai(2026, 7, 1, 15), card2, nil, [100_000, 50_050]),
        ("P006", shanghai(2026, 8, 1, 10), nil, nil, [9_900]),
        ("P007", shanghai(2026, 9, 9, 20), card2, nil, [400_000]),
    ]

    @Test("Imported purchases give the same balances, ledger, tiers, daily spend and answers as the same purchases posted live through the POS API")
    func sameAsPostedLive() async throws {
        try await withTestApp { imported in
            try await withTestApp { live in
                for t in [imported, live] { _ = try await t.importText(.members, membersCSV, bom: true) }
                let r = try await imported.importText(.purchases, Self.purchasesCSV)
                #expect((r.imported, r.skipped, r.rejected) == (8, 0, 0), "\(r.rejects)")
                let now = live.clock.now
                for p in Self.posted {
                    live.clock.set(p.at)
                    let res = try await live.purchase(p.receipt, at: p.at, card: p.card, phone: p.phone, lines: p.lines.map { Line($0) })
                    #expect(res.status == .created, "\(p.receipt): \(res.text)")
                }
                live.clock.set(now)

                let queries = [
                    "SELECT phone, points_balance, earned_tier, tier_since_day FROM members ORDER BY phone",
                    """
                    SELECT m.phone, l.kind, l.points, l.balance_after, l.at_ms, l.note FROM points_ledger l JOIN members m ON m.id = l.member_id
                    ORDER BY m.phone, l.id
                    """,
                    "SELECT m.phone, d.day, d.spend_fen, d.purchases FROM member_daily_spend d JOIN members m ON m.id = d.member_id ORDER BY m.phone, d.day",
                    """
                    SELECT m.phone, c.from_tier, c.to_tier, c.kind, c.at_ms FROM tier_changes c JOIN members m ON m.id = c.member_id
                    ORDER BY m.phone, c.id
                    """,
                    """
                    SELECT receipt_no, card_no, phone, occurred_at_ms, business_day, total_fen, eligible_fen, points_earned, factor_permille,
                      request_hash, response_json FROM purchases ORDER BY receipt_no
                    """,
                    "SELECT mall_id, day, member_purchases FROM mall_day_counts ORDER BY mall_id, day",
                ]
                for q in queries {
                    let a = try await imported.dump(q), b = try await live.dump(q)
                    #expect(a == b, "\(q)")
                    #expect(!a.isEmpty)
                }
                // The point of the comparison: multipliers, the big-ticket bonus and upgrades happened.
                let m1 = try #require(try await imported.store.member(id: try await imported.memberId(card: card1)))
                #expect(m1.earnedTier == "gold" && m1.tierSince == LocalDate(year: 2026, month: 5, day: 6))
                let doubled = try await imported.dump("SELECT factor_permille FROM purchases WHERE receipt_no IN ('P001', 'P002')")
                #expect(doubled == ["factor_permille=2000", "factor_permille=2000"])
                try await imported.expectVerifyClean()
                try await live.expectVerifyClean()
            }
        }
    }
}
