import MallVIPCore
import Testing

/// The one CSV cell function (issue 14): formula starts defused, numbers kept, RFC 4180 quoting.
@Suite("CSV cell")
struct CSVFormatTests {
    @Test("a leading = + - @ tab or CR is defused with an apostrophe", arguments: [
        ("=HYPERLINK(\"http://evil\",\"x\")", "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "\"'\r=1+1\""),
        ("\r\n=1", "\"'\r\n=1\""),
        ("＝1+1", "'＝1+1"),
        ("－1", "'－1"),
        ("-", "'-"),
        ("-1e5", "'-1e5"),
        ("--12", "'--12"),
        ("-12.", "'-12."),
        ("+12", "'+12"),
    ])
    func defused(_ raw: String, _ expected: String) {
        #expect(CSVFormat.cell(raw) == expected)
    }

    @Test("plain numbers stay numbers", arguments: ["-12", "3.50", "-0.5", "0", "12345678901234567890", "-199.00"])
    func numbers(_ raw: String) {
        #expect(CSVFormat.cell(raw) == raw)
    }

    @Test("quoted as RFC 4180 needs: comma, quote, CR, LF; quotes doubled; other cells as they are")
    func quoting() {
        #expect(CSVFormat.cell("王小明,二") == "\"王小明,二\"")
        #expect(CSVFormat.cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVFormat.cell("a\nb") == "\"a\nb\"")
        #expect(CSVFormat.cell("a\rb") == "\"a\rb\"")
        #expect(CSVFormat.cell("陈静") == "陈静")
        #expect(CSVFormat.cell("a=b") == "a=b")
        #expect(CSVFormat.cell(" =1") == " =1")
        #expect(CSVFormat.cell("") == "")
        #expect(CSVFormat.cell("2026-11-25") == "2026-11-25")
    }

    @Test("a line is CRLF-terminated; the BOM is UTF-8's")
    func line() {
        #expect(CSVFormat.line(["1", "=x", "a,b"]) == "1,'=x,\"a,b\"\r\n")
        #expect(CSVFormat.bom == "\u{FEFF}")
        #expect(ImportRejectsCSV.head.hasPrefix("\u{FEFF}"))
        #expect(ImportRejectsCSV.line(ImportReject(line: 2, column: "姓名", rule: "r", zh: "中", en: "en", value: "@x")).hasSuffix(",'@x\r\n"))
    }
}
