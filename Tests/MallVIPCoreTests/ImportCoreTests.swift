import Foundation
import Testing
@testable import MallVIPCore

/// Reads all records of `bytes`, fed in chunks of `chunk` bytes (so that quotes, CRLF and multi-byte characters fall
/// across chunk boundaries).
private func records(_ bytes: [UInt8], encoding: ImportEncoding = .auto, chunk: Int = 3) throws -> (records: [CSVRecord], detected: String?) {
    let decoder = ImportTextDecoder(encoding)
    var reader = CSVReader()
    var out: [CSVRecord] = []
    var i = 0
    repeat {
        let end = min(bytes.count, i + chunk)
        let text = try decoder.decode(Array(bytes[i..<end]), final: end == bytes.count)
        try reader.feed(text, final: end == bytes.count) { out.append($0) }
        i = end
    } while i < bytes.count
    return (out, decoder.detected)
}

@Suite("Import CSV reader and encodings") struct ImportCSVReaderTests {
    @Test("RFC 4180: quotes, doubled quotes, commas and line breaks inside quotes, CRLF and LF; physical line numbers")
    func rfc4180() throws {
        let text = "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",z\n\n3,,last"
        for chunk in [1, 2, 5, 1000] {
            let (rs, _) = try records(Array(text.utf8), chunk: chunk)
            #expect(rs == [
                CSVRecord(line: 1, fields: ["a", "b", "c"]),
                CSVRecord(line: 2, fields: ["1", "x, y", "say \"hi\""]),
                CSVRecord(line: 3, fields: ["2", "two\nlines", "z"]),
                CSVRecord(line: 6, fields: ["3", "", "last"]),   // line 5 is blank; the quoted break made line 4
            ], "chunk \(chunk)")
        }
    }

    @Test("Excel's empty trailing rows are skipped; an unclosed quote refuses the file naming its line")
    func emptyRowsAndUnclosedQuote() throws {
        let (rs, _) = try records(Array("h1,h2\r\nx,y\r\n,\r\n,\r\n".utf8))
        #expect(rs.map(\.line) == [1, 2])
        #expect(throws: DomainError.self) { try records(Array("h1,h2\nx,\"open\n".utf8)) }
        do { _ = try records(Array("h1,h2\nx,\"open\n".utf8)) } catch let e as DomainError {
            #expect(e.rule == "csv.quote" && e.en.contains("line 2"))
        }
    }

    @Test("Tab and semicolon delimiters are found from the header line")
    func delimiters() throws {
        #expect(try records(Array("a\tb\n1\t2".utf8)).records.last?.fields == ["1", "2"])
        #expect(try records(Array("a;b\n1;2,5".utf8)).records.last?.fields == ["1", "2,5"])
    }

    @Test("UTF-8 with and without BOM, GB18030 (Excel's GBK) and UTF-16 with BOM all read the same Chinese text")
    func encodings() throws {
        let text = "卡号,姓名,金额\r\n8800000001,张三,¥1,234.50\r\n8800000002,欧阳娜娜,８８元\r\n"
        let expected = [["卡号", "姓名", "金额"], ["8800000001", "张三", "¥1", "234.50"], ["8800000002", "欧阳娜娜", "８８元"]]
        let utf8 = Array(text.utf8)
        let gb = try ImportTextDecoder.encode(text, as: "GB18030")
        #expect(gb != utf8 && gb.count < utf8.count)
        let utf16 = [0xFF, 0xFE] + (try ImportTextDecoder.encode(text, as: "UTF-16LE"))
        for (bytes, detected) in [(utf8, "utf8"), ([0xEF, 0xBB, 0xBF] + utf8, "utf8-bom"), (gb, "gb18030"), (utf16, "utf16le")] {
            for chunk in [1, 7, 4096] {
                let (rs, found) = try records(bytes, chunk: chunk)
                #expect(rs.map(\.fields) == expected, "\(detected) chunk \(chunk)")
                #expect(found == detected)
            }
        }
        // Forced: GB18030 read as UTF-8 is refused with a hint; forced GB18030 reads it.
        #expect(throws: DomainError.self) { try records(gb, encoding: .utf8) }
        #expect(try records(gb, encoding: .gb18030).records.map(\.fields) == expected)
    }

    @Test("A GBK file whose first megabytes are ASCII is still detected at its first Chinese character")
    func lateChinese() throws {
        let ascii = String(repeating: "C0001,100.00\r\n", count: 2_000)
        let gb = try ImportTextDecoder.encode("counter,amount\r\n" + ascii + "C0002,王五\r\n", as: "GB18030")
        let (rs, found) = try records(gb, chunk: 4096)
        #expect(found == "gb18030")
        #expect(rs.last?.fields == ["C0002", "王五"])
        #expect(rs.last?.line == 2_002)   // header, 2,000 rows, then this one
    }
}

@Suite("Import cells: dates, amounts, phones") struct ImportCellTests {
    @Test("Dates as offices write them, with and without a time; impossible dates and Excel serials refused")
    func dates() throws {
        let d = LocalDate(year: 2013, month: 11, day: 5)
        for s in ["2013/11/05", "2013-11-05", "2013年11月5日", "2013.11.05", "2013/11/5", "20131105", "２０１３－１１－０５", " 2013年11月5 "] {
            #expect(try ImportCell.parseDate(s).get() == ImportCell.DateTime(date: d), "\(s)")
        }
        #expect(try ImportCell.parseDate("2013/11/5 14:30").get() == ImportCell.DateTime(date: d, seconds: 14 * 3600 + 30 * 60))
        #expect(try ImportCell.parseDate("2013-11-05T09:05:07").get().seconds == 9 * 3600 + 5 * 60 + 7)
        #expect(try ImportCell.parseDate("2013年11月5日 14:30:05").get().seconds == 14 * 3600 + 30 * 60 + 5)
        #expect(ImportCell.parseDate("2013-02-30") == .failure(.impossible))
        #expect(ImportCell.parseDate("2013-11-05 25:00") == .failure(.impossible))
        #expect(ImportCell.parseDate("41583") == .failure(.excelSerial))
        #expect(ImportCell.parseDate("11/05/2013") == .failure(.format))
        #expect(ImportCell.parseDate("2013/11-05") == .failure(.format))
        #expect(ImportCell.parseTime("9:05") == 9 * 3600 + 300)
        #expect(ImportCell.parseTime("9:5") == nil)
    }

    @Test("Amounts to fen exactly: ¥ ￥ 元, thousands separators, full-width digits; negatives and fractions of a fen refused")
    func amounts() throws {
        let cases: [(String, Int64)] = [("1234.5", 123_450), ("1,234.50", 123_450), ("¥1,234.50", 123_450), ("￥88", 8_800), ("88元", 8_800),
                                        ("RMB 12.3", 1_230), ("１，２３４．５０", 123_450), ("0.01", 1), ("12.500", 1_250), ("1234567", 123_456_700)]
        for (s, fen) in cases { #expect(try ImportCell.parseAmount(s).get() == fen, "\(s)") }
        #expect(ImportCell.parseAmount("-5") == .failure(.negative))
        #expect(ImportCell.parseAmount("¥-5.00") == .failure(.negative))
        #expect(ImportCell.parseAmount("(5.00)") == .failure(.negative))
        #expect(ImportCell.parseAmount("1.234") == .failure(.fraction))
        #expect(ImportCell.parseAmount("1,23.00") == .failure(.format))
        #expect(ImportCell.parseAmount("1.2E+05") == .failure(.scientific))
        #expect(ImportCell.parseAmount("") == .failure(.empty))
        #expect(ImportCell.parseAmount("abc") == .failure(.format))
    }

    @Test("Phones with +86, 0086, spaces and dashes become 11 digits; landlines and foreign numbers are refused")
    func phones() {
        for s in ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+8613800138000", "008613800138000",
                  "8613800138000", "１３８００１３８０００"] {
            #expect(ImportCell.phone(s) == "13800138000", "\(s)")
        }
        for s in ["021-62345678", "+1 415 555 0100", "1380013800", "12800138000", "138001380001"] { #expect(ImportCell.phone(s) == nil, "\(s)") }
        #expect(ImportCell.isScientific("8.8E+10") && !ImportCell.isScientific("8800000001"))
        #expect(ImportCell.gender("男") == .male && ImportCell.gender("F") == .female && ImportCell.gender("?") == nil)
    }
}

@Suite("Import columns and rows") struct ImportColumnsTests {
    @Test("Chinese and English headers find their fields; units in brackets and spacing do not matter")
    func synonyms() throws {
        let c = try ImportColumns.resolve(kind: .purchases, header: ["小票号", "交易日期", "时间", "会员卡号", "手机号码", "专柜编码", "实收金额(元)"])
        #expect(c.index == [.receipt: 0, .date: 1, .time: 2, .card: 3, .phone: 4, .counter: 5, .amount: 6])
        let e = try ImportColumns.resolve(kind: .members, header: ["Card No", "Mobile", "Name", "Gender", "Date of Birth", "Points"])
        #expect(e.index[.birthday] == 4 && e.index[.points] == 5 && e.index[.card] == 0)
    }

    @Test("Missing required and unknown columns refuse the file, naming them; a mapping file maps and ignores")
    func refusedAndMapped() throws {
        do {
            _ = try ImportColumns.resolve(kind: .purchases, header: ["小票号", "日期", "金额", "收银员"])
            Issue.record("should refuse")
        } catch let e as DomainError {
            #expect(e.rule == "import.header.missing")
            #expect(e.en.contains("counter") && e.en.contains("收银员") && e.zh.contains("收银员"))
        }
        let mapping = try ImportMapping.parse("# our till export\ncounter=柜组\nignore=收银员, 备注\n")
        let c = try ImportColumns.resolve(kind: .purchases, header: ["小票号", "日期", "金额", "柜组", "收银员", "备注"], mapping: mapping)
        #expect(c.index[.counter] == 3 && c.ignored == ["收银员", "备注"])
        let yaml = try ImportMapping.parse("counter: 柜组\nignore: [收银员]\n")
        #expect(yaml == ImportMapping(headers: [.counter: "柜组"], ignore: ["收银员"]))
        #expect(throws: DomainError.self) { try ImportMapping.parse("kounter=柜组") }
        #expect(throws: DomainError.self) {
            try ImportColumns.resolve(kind: .purchases, header: ["小票号", "日期", "金额"], mapping: mapping)   // 柜组 not in the file
        }
        #expect(throws: DomainError.self) { try ImportColumns.resolve(kind: .members, header: ["手机", "电话", "姓名"]) }  // two phones
    }

    @Test("A purchase row is checked cell by cell: every problem with its column; future purchases refused, old ones not")
    func purchaseRow() throws {
        let c = try ImportColumns.resolve(kind: .purchases, header: ["小票号", "日期", "卡号", "手机", "店柜", "金额"])
        let tz = TimeZone(identifier: "Asia/Shanghai")!
        let now = LocalDate(year: 2026, month: 11, day: 25).start(in: tz).addingTimeInterval(10 * 3600)
        var p = PurchaseRowParser(columns: c, timeZone: tz, now: now, policy: PurchasePolicy(maxBackdateDays: 400, maxFutureSeconds: 300))
        guard case .row(let ok) = p.parse(CSVRecord(line: 2, fields: ["R1", "2013年11月5日 14:30", "", "+86 139 0000 0001", "C0001", "¥1,234.50"])) else {
            Issue.record("row refused"); return
        }
        #expect(ok.amountFen == 123_450 && ok.phone == "13900000001" && ok.card == nil)
        #expect(ok.occurredAtMs == Int64(LocalDate(year: 2013, month: 11, day: 5).start(in: tz).timeIntervalSince1970 * 1000) + 52_200_000)
        guard case .rejected(let bad) = p.parse(CSVRecord(line: 7, fields: ["R 2", "2027-01-01", "8.8E+10", "12345", "C0001", "-5"])) else {
            Issue.record("row accepted"); return
        }
        #expect(bad.map { "\($0.line) \($0.column) \($0.rule)" } == [
            "7 小票号 reference.format", "7 卡号 excel.scientific", "7 手机 phone.format", "7 金额 amount.negative", "7 日期 occurredAt.future",
        ])
    }
}

@Suite("Import receipts: grouping") struct ImportReceiptTests {
    func row(_ line: Int, _ receipt: String, at: Int64, card: String? = nil, counter: String = "C0001", fen: Int64 = 100) -> PurchaseImportRow {
        PurchaseImportRow(line: line, receiptNo: receipt, occurredAtMs: at, card: card, phone: nil, counter: counter, amountFen: fen, specialPrice: false)
    }

    @Test("Lines of a receipt are grouped wherever they are; receipts come out in time order; a disagreeing receipt is refused whole")
    func grouping() {
        let rows = [row(2, "B", at: 200), row(3, "A", at: 100), row(4, "B", at: 200, counter: "C2"), row(5, "X", at: 50, card: "1"),
                    row(6, "X", at: 50, card: "2"), row(8, "Y", at: 10)]
        let (receipts, rejects) = ImportReceipt.group(rows, refused: ["Y": [7]])
        #expect(receipts.map(\.receiptNo) == ["A", "B"])
        #expect(receipts[1].lines.map(\.line) == [2, 4])
        #expect(rejects.map { "\($0.line) \($0.rule)" }.sorted() == ["5 receipt.whole", "6 receipt.sameCard", "8 receipt.whole"])
    }
}
