import Crypto
import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// Where an import reads from: a file, read a few megabytes at a time, or bytes already in memory (a console upload).
public enum ImportSource: Sendable {
    case file(String)
    case bytes([UInt8])
}

public struct ImportOptions: Sendable {
    public var kind: ImportKind
    public var encoding: ImportEncoding
    public var mapping: ImportMapping
    public var dryRun: Bool
    public var actor: String
    /// The name the import log and the audit record show.
    public var fileName: String
    /// Receipts per transaction (purchases).
    public var batchSize: Int
    public var progress: (@Sendable (String) -> Void)?

    public init(kind: ImportKind, encoding: ImportEncoding = .auto, mapping: ImportMapping = ImportMapping(), dryRun: Bool = false,
                actor: String, fileName: String, batchSize: Int = 20_000, progress: (@Sendable (String) -> Void)? = nil) {
        self.kind = kind
        self.encoding = encoding
        self.mapping = mapping
        self.dryRun = dryRun
        self.actor = actor
        self.fileName = fileName
        self.batchSize = batchSize
        self.progress = progress
    }
}

/// What an import did (or, for a dry run, would do). Counts are of data rows (lines of the file after the header).
public struct ImportReport: Sendable {
    public var kind: ImportKind
    public var dryRun: Bool
    public var encoding: String
    /// field → the header it was read from.
    public var columns: [(field: String, header: String)]
    public var ignored: [String]
    public var rows = 0
    public var imported = 0
    public var skipped = 0
    /// Rows rejected (a row with two bad cells counts once and has two entries in `rejects`).
    public var rejected = 0
    /// Purchases: receipts imported, already there, rejected.
    public var receipts: (imported: Int, skipped: Int)?
    public var pointsEarned: Int64 = 0
    public var notes: [String] = []
    /// Every problem, in line order.
    public var rejects: [ImportReject] = []
    public var runId: Int64?
    public var seconds: Double = 0
    public var parseSeconds: Double = 0

    /// 0 when every row was imported or was already there, 1 when some were rejected.
    public var exitCode: Int32 { rejected > 0 ? 1 : 0 }
    public var rowsPerSecond: Double { seconds > 0 ? Double(rows) / seconds : 0 }

    /// `imported N, skipped (already there) N, rejected N`
    public var summary: String {
        (dryRun ? "dry run, nothing written: would have " : "") + "imported \(imported), skipped (already there) \(skipped), rejected \(rejected)"
    }

    /// The rejects file (UTF-8 with BOM).
    public var rejectsCSV: String {
        var out = ImportRejectsCSV.head
        for r in rejects { out += ImportRejectsCSV.line(r) }
        return out
    }
}

extension Store {
    /// Reads, checks and imports a members, purchases or counters file. A file that cannot be used at all (not
    /// decodable, columns missing or not understood, a bad mapping) throws a `DomainError` before anything is
    /// written; every row that cannot be imported is in the report's `rejects` with its line, column and reason.
    public func importFile(_ source: ImportSource, _ options: ImportOptions) async throws -> ImportReport {
        let started = Date()
        var parsed = try await readImportFile(source, options)
        var report = parsed.report
        report.parseSeconds = Date().timeIntervalSince(started)
        var runId: Int64?
        try await useBulkWriterSettings()
        if !options.dryRun {
            runId = try await startImportRun(options, sha256: parsed.sha256, encoding: report.encoding)
            report.runId = runId
        }
        do {
            var rejects = parsed.rejects
            switch parsed.rows {
            case .purchases:
                let receipts = Self.groupReceipts(&parsed, rejects: &rejects)
                options.progress?("\(report.rows) rows, \(receipts.count) receipts to post")
                let counts = try await importReceipts(receipts, columns: parsed.columns, dryRun: options.dryRun, batchSize: options.batchSize,
                                                      rejects: &rejects) { done, total in
                    if done == total || done % (options.batchSize * 50) == 0 { options.progress?("\(done)/\(total) receipts") }
                }
                report.imported = counts.rowsImported
                report.skipped = counts.rowsSkipped
                report.pointsEarned = counts.pointsEarned
                report.receipts = (counts.receiptsImported, counts.receiptsSkipped)
            case .members(let rows):
                let done = try await importMembers(rows, columns: parsed.columns, dryRun: options.dryRun, actor: options.actor, rejects: &rejects)
                (report.imported, report.skipped) = done
            case .counters(let rows):
                var notes: [String] = []
                let done = try await importCounters(rows, columns: parsed.columns, dryRun: options.dryRun, actor: options.actor,
                                                    rejects: &rejects, notes: &notes)
                (report.imported, report.skipped) = done
                report.notes += notes
            }
            report.rejects = rejects.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
            report.rejected = Set(report.rejects.map(\.line)).count
            report.seconds = Date().timeIntervalSince(started)
            if let runId {
                try await finishImportRun(runId, report: report, status: "finished", detail: report.notes.joined(separator: "; "))
                try await audit(actor: options.actor, action: "import.\(options.kind.rawValue)", subject: options.fileName,
                                detail: "run \(runId): \(report.summary)")
            }
            return report
        } catch {
            if let runId {
                try? await finishImportRun(runId, report: report, status: "failed", detail: String(describing: error))
            }
            throw error
        }
    }

    /// Takes the purchase rows out of `parsed` (so that they are freed once grouped) and groups them into receipts.
    private static func groupReceipts(_ parsed: inout ParsedFile, rejects: inout [ImportReject]) -> [ImportReceipt] {
        guard case .purchases(let rows, let refused) = parsed.rows else { return [] }
        parsed.rows = .purchases([], [:])
        let (receipts, grouped) = ImportReceipt.group(rows, refused: refused, columns: parsed.columns)
        rejects += grouped
        return receipts
    }

    enum ParsedRows {
        case purchases([PurchaseImportRow], [String: [Int]])
        case members([MemberImportRow])
        case counters([CounterImportRow])
    }

    struct ParsedFile {
        var report: ImportReport
        var columns: ImportColumns
        var rows: ParsedRows
        var rejects: [ImportReject]
        var sha256: String
    }

    /// Decodes and parses every row; nothing touches the database yet.
    private func readImportFile(_ source: ImportSource, _ options: ImportOptions) async throws -> ParsedFile {
        let (_, programme) = try await self.programme()
        let now = self.now
        let decoder = ImportTextDecoder(options.encoding)
        var csv = CSVReader()
        var hasher = SHA256()
        var columns: ImportColumns?
        var purchaseParser: PurchaseRowParser?
        var purchases: [PurchaseImportRow] = []
        var refused: [String: [Int]] = [:]
        var members: [MemberImportRow] = []
        var counters: [CounterImportRow] = []
        var rejects: [ImportReject] = []
        var rows = 0
        let today = LocalDate.of(now, in: programme.timeZone)

        func handle(_ record: CSVRecord) throws {
            guard let cols = columns else {
                let c = try ImportColumns.resolve(kind: options.kind, header: record.fields, mapping: options.mapping)
                columns = c
                if options.kind == .purchases {
                    purchaseParser = PurchaseRowParser(columns: c, timeZone: programme.timeZone, now: now, policy: programme.purchases)
                }
                return
            }
            rows += 1
            switch options.kind {
            case .purchases:
                switch purchaseParser!.parse(record) {
                case .row(let r): purchases.append(r)
                case .rejected(let list):
                    rejects += list
                    let receipt = ImportCell.normalize(ImportRowReader(columns: cols, record: record).raw(.receipt))
                    if !receipt.isEmpty { refused[receipt, default: []].append(record.line) }
                }
            case .members:
                switch MemberRowParser(columns: cols, programme: programme, today: today).parse(record) {
                case .row(let r): members.append(r)
                case .rejected(let list): rejects += list
                }
            case .counters:
                switch CounterRowParser(columns: cols).parse(record) {
                case .row(let r): counters.append(r)
                case .rejected(let list): rejects += list
                }
            }
        }

        func feed(_ chunk: [UInt8], final: Bool) throws {
            hasher.update(data: chunk)
            let text = try decoder.decode(chunk, final: final)
            try csv.feed(text, final: final, handle)
        }
        switch source {
        case .bytes(let all):
            try feed(all, final: true)
        case .file(let path):
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw DomainError.invalid("file", "import.file", zh: "无法打开文件：\(path)", en: "cannot open \(path)")
            }
            defer { try? handle.close() }
            while true {
                let data = try handle.read(upToCount: 4 << 20) ?? Data()
                if data.isEmpty { try feed([], final: true); break }
                try feed([UInt8](data), final: false)
            }
        }
        guard let columns else {
            throw DomainError.invalid("file", "import.empty", zh: "文件是空的（没有表头）", en: "the file is empty (no header row)")
        }
        let parsed: ParsedRows = switch options.kind {
        case .purchases: .purchases(purchases, refused)
        case .members: .members(members)
        case .counters: .counters(counters)
        }
        var report = ImportReport(kind: options.kind, dryRun: options.dryRun, encoding: decoder.detected ?? "ascii",
                                  columns: options.kind.fields.compactMap { f in columns.index[f].map { (f.rawValue, columns.headers[$0]) } },
                                  ignored: columns.ignored)
        report.rows = rows
        return ParsedFile(report: report, columns: columns, rows: parsed, rejects: rejects,
                          sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }

    private func startImportRun(_ o: ImportOptions, sha256: String, encoding: String) async throws -> Int64 {
        try await write { tx in
            try await tx.sql.row("""
                INSERT INTO import_runs (kind, file_name, file_sha256, encoding, actor, status, rows, imported, skipped, rejected, detail,
                  started_at_ms) VALUES (\(bind: o.kind.rawValue), \(bind: o.fileName), \(bind: sha256), \(bind: encoding), \(bind: o.actor),
                  'running', 0, 0, 0, 0, '', \(bind: epochMillis(self.now))) RETURNING id
                """)!.int64("id")
        }
    }

    private func finishImportRun(_ id: Int64, report: ImportReport, status: String, detail: String) async throws {
        try await write { tx in
            try await tx.sql.exec("""
                UPDATE import_runs SET status = \(bind: status), rows = \(bind: report.rows), imported = \(bind: report.imported),
                  skipped = \(bind: report.skipped), rejected = \(bind: report.rejected), detail = \(bind: String(detail.prefix(2000))),
                  finished_at_ms = \(bind: epochMillis(self.now)) WHERE id = \(bind: id)
                """)
        }
    }

    /// The latest imports, newest first.
    public func recentImports(limit: Int = 20) async throws -> [ImportRun] {
        try await sql.rows("SELECT * FROM import_runs ORDER BY id DESC LIMIT \(bind: limit)").map {
            ImportRun(id: try $0.int64("id"), kind: try $0.string("kind"), fileName: try $0.string("file_name"), actor: try $0.string("actor"),
                      status: try $0.string("status"), rows: try $0.int64("rows"), imported: try $0.int64("imported"),
                      skipped: try $0.int64("skipped"), rejected: try $0.int64("rejected"), detail: try $0.string("detail"),
                      startedAt: dateFromMillis(try $0.int64("started_at_ms")))
        }
    }
}

public struct ImportRun: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var fileName: String
    public var actor: String
    public var status: String
    public var rows: Int64
    public var imported: Int64
    public var skipped: Int64
    public var rejected: Int64
    public var detail: String
    public var startedAt: Date
}
