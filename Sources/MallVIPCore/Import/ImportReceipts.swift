/// A receipt of a purchases file: its lines (rows with the same receipt number), which must agree on the time,
/// the card and the phone.
public struct ImportReceipt: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var line: Int
        public var counter: String
        public var amountFen: Int64
        public var specialPrice: Bool
    }

    public var receiptNo: String
    public var occurredAtMs: Int64
    public var card: String?
    public var phone: String?
    public var lines: [Line]

    public var firstLine: Int { lines[0].line }
    public var fileLines: [Int] { lines.map(\.line) }

    /// Groups purchase rows into receipts in chronological order (ties in file order), as they are to be posted.
    /// A receipt whose lines disagree, or with more lines than a till may post, is refused whole: every one of its
    /// lines is reported, the offending ones with the reason and the others pointing at them.
    /// `refused`: receipt numbers of rows already rejected (a bad cell), with their lines: the rest of such a receipt
    /// is refused too, so that a receipt is imported whole or not at all.
    public static func group(_ rows: [PurchaseImportRow], refused: [String: [Int]] = [:], columns: ImportColumns? = nil,
                             maxLines: Int = 500) -> (receipts: [ImportReceipt], rejects: [ImportReject]) {
        var index: [String: Int] = [:]
        index.reserveCapacity(rows.count)
        var receipts: [ImportReceipt] = []
        receipts.reserveCapacity(rows.count)
        var problems: [Int: [ImportReject]] = [:]   // receipt index → rejects of its offending lines
        for row in rows {
            let line = Line(line: row.line, counter: row.counter, amountFen: row.amountFen, specialPrice: row.specialPrice)
            guard let i = index[row.receiptNo] else {
                index[row.receiptNo] = receipts.count
                receipts.append(ImportReceipt(receiptNo: row.receiptNo, occurredAtMs: row.occurredAtMs, card: row.card, phone: row.phone,
                                              lines: [line]))
                continue
            }
            let first = receipts[i]
            func differ(_ what: String, _ whatEn: String, rule: String, _ field: ImportField) -> ImportReject {
                ImportReject(line: row.line, column: columns?.header(field) ?? field.rawValue, rule: rule,
                             zh: "同一小票 \(row.receiptNo) 的第 \(first.firstLine) 行\(what)不同", en: "line \(first.firstLine) of receipt \(row.receiptNo) has another \(whatEn)")
            }
            if row.occurredAtMs != first.occurredAtMs { problems[i, default: []].append(differ("时间", "date/time", rule: "receipt.sameTime", .date)) }
            if row.card != first.card { problems[i, default: []].append(differ("卡号", "card", rule: "receipt.sameCard", .card)) }
            if row.phone != first.phone { problems[i, default: []].append(differ("手机", "phone", rule: "receipt.samePhone", .phone)) }
            receipts[i].lines.append(line)
        }
        var rejects: [ImportReject] = []
        for (i, r) in receipts.enumerated() where r.lines.count > maxLines {
            problems[i, default: []].append(ImportReject(line: r.firstLine, column: "", rule: "lines.max",
                zh: "小票 \(r.receiptNo) 有 \(r.lines.count) 行，超过 \(maxLines) 行", en: "receipt \(r.receiptNo) has \(r.lines.count) lines, more than \(maxLines)"))
        }
        var dropped: Set<Int> = []
        for (i, r) in receipts.enumerated() where !problems.isEmpty || !refused.isEmpty {
            if let list = problems[i] {
                rejects += list
                rejects += r.refusal(cause: list.map(\.line))
                dropped.insert(i)
            } else if let bad = refused[r.receiptNo] {
                rejects += r.refusal(cause: bad)
                dropped.insert(i)
            }
        }
        if !dropped.isEmpty {
            receipts = receipts.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
        }
        // Chronological; a stable sort keeps the file's order among receipts of the same moment.
        let order = receipts.indices.sorted { (receipts[$0].occurredAtMs, $0) < (receipts[$1].occurredAtMs, $1) }
        if !zip(order, order.dropFirst()).allSatisfy({ $0.0 < $0.1 }) {
            receipts = order.map { receipts[$0] }
        }
        return (receipts, rejects)
    }

    /// This receipt's lines other than `cause`, each reported as refused because of the lines in `cause`.
    public func refusal(cause: [Int]) -> [ImportReject] {
        let bad = Set(cause)
        let text = cause.sorted().map(String.init).joined(separator: ", ")
        return lines.filter { !bad.contains($0.line) }.map {
            ImportReject(line: $0.line, column: "", rule: "receipt.whole",
                         zh: "同一小票 \(receiptNo) 的其他行被拒（第 \(text) 行），整张小票未导入",
                         en: "another line of receipt \(receiptNo) was rejected (line \(text)); the receipt is not imported")
        }
    }
}
