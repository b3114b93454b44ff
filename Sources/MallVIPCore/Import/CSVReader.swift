/// One record of a CSV file: its cells and the physical line it starts on (the header is line 1; a quoted cell
/// with line breaks makes the next record start further down).
public struct CSVRecord: Sendable, Equatable {
    public var line: Int
    public var fields: [String]
    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// A streaming RFC 4180 reader over UTF-8: quoted cells with doubled quotes, commas and line breaks inside, CRLF,
/// LF or CR line ends, fed chunk by chunk so that a file of any size is read in constant memory. The delimiter is
/// the comma, or the tab or semicolon when the header line has more of those (Excel's "text" exports). Records
/// whose cells are all empty (blank lines, Excel's trailing ",,,,") are skipped. Lenient where Excel is sloppy: a
/// quote inside an unquoted cell, or text after a closing quote, is kept as written.
public struct CSVReader {
    public private(set) var delimiter: UInt8?
    private var state: State = .fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var line = 1
    private var recordLine = 1
    private var quoteLine = 1
    private var afterCR = false
    private var quotedCR = false
    private var head: [UInt8] = []

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    public init(delimiter: UInt8? = nil) {
        self.delimiter = delimiter
        field.reserveCapacity(256)
    }

    /// Reads `bytes`, calling `emit` for each complete record; `final`: the end of the file.
    public mutating func feed(_ bytes: [UInt8], final: Bool, _ emit: (CSVRecord) throws -> Void) throws {
        if delimiter == nil {
            // Wait for the whole first line to choose the delimiter.
            head += bytes
            guard final || head.contains(0x0A) || head.contains(0x0D) else { return }
            delimiter = Self.detectDelimiter(head)
            let all = head
            head = []
            try run(all, emit)
        } else {
            try run(bytes, emit)
        }
        if final { try finish(emit) }
    }

    static func detectDelimiter(_ bytes: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [0x2C: 0, 0x09: 0, 0x3B: 0]
        var quoted = false
        for b in bytes {
            if b == 0x22 { quoted.toggle(); continue }
            if !quoted && (b == 0x0A || b == 0x0D) { break }
            if !quoted, counts[b] != nil { counts[b]! += 1 }
        }
        let comma = counts[0x2C]!, tab = counts[0x09]!, semi = counts[0x3B]!
        if tab > comma && tab >= semi { return 0x09 }
        if semi > comma && semi > tab { return 0x3B }
        return 0x2C
    }

    private mutating func run(_ bytes: [UInt8], _ emit: (CSVRecord) throws -> Void) throws {
        let delim = delimiter!
        for b in bytes {
            if afterCR {
                afterCR = false
                if b == 0x0A { continue }   // CRLF: one line end
            }
            switch state {
            case .fieldStart:
                if b == 0x22 {
                    state = .quoted
                    quoteLine = line
                } else if b == delim {
                    endField()
                } else if b == 0x0A || b == 0x0D {
                    try endRecord(emit, lineEnd: b)
                } else {
                    field.append(b)
                    state = .unquoted
                }
            case .unquoted:
                if b == delim {
                    endField()
                    state = .fieldStart
                } else if b == 0x0A || b == 0x0D {
                    try endRecord(emit, lineEnd: b)
                } else {
                    field.append(b)
                }
            case .quoted:
                if b == 0x22 {
                    state = .quoteInQuoted
                    quotedCR = false
                } else {
                    // A line break inside quotes is part of the cell, and of the file's physical lines.
                    if b == 0x0D {
                        line += 1
                        quotedCR = true
                    } else {
                        if b == 0x0A && !quotedCR { line += 1 }
                        quotedCR = false
                    }
                    field.append(b)
                }
            case .quoteInQuoted:
                if b == 0x22 {
                    field.append(0x22)   // "" inside quotes: one quote
                    state = .quoted
                } else if b == delim {
                    endField()
                    state = .fieldStart
                } else if b == 0x0A || b == 0x0D {
                    try endRecord(emit, lineEnd: b)
                } else {
                    field.append(b)      // text after the closing quote: kept
                    state = .unquoted
                }
            }
        }
    }


    private mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
    }

    private mutating func endRecord(_ emit: (CSVRecord) throws -> Void, lineEnd: UInt8) throws {
        endField()
        state = .fieldStart
        if fields.contains(where: { !$0.isEmpty }) {
            try emit(CSVRecord(line: recordLine, fields: fields))
        }
        fields.removeAll(keepingCapacity: true)
        line += 1
        recordLine = line
        afterCR = lineEnd == 0x0D
    }

    private mutating func finish(_ emit: (CSVRecord) throws -> Void) throws {
        if state == .quoted {
            throw DomainError.invalid("file", "csv.quote",
                zh: "第 \(quoteLine) 行的引号没有结束（文件在引号内结束）",
                en: "the quoted cell starting on line \(quoteLine) is never closed (the file ends inside quotes)")
        }
        if state != .fieldStart || !fields.isEmpty || !field.isEmpty {
            endField()
            if fields.contains(where: { !$0.isEmpty }) {
                try emit(CSVRecord(line: recordLine, fields: fields))
            }
            fields.removeAll()
        }
        state = .fieldStart
    }
}
