import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb

/// `mallvip import members|purchases|counters FILE`: CSV from Excel or another system. Exit 0 when every row was
/// imported or was already there, 1 when some rows were rejected (the others are imported), 2 when the file itself
/// cannot be used (encoding, missing or unknown columns, mapping file) and nothing was written, 3 when the import
/// stopped on an error (the database): what was committed stays, running it again finishes the job.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import members, purchases or counters from CSV (UTF-8 with or without BOM, or GB18030/GBK).",
        subcommands: [Members.self, Purchases.self, Counters.self, Generate.self])

    struct Options: ParsableArguments {
        @Argument(help: "The CSV file.") var file: String
        @ArgumentParser.Option(help: "A mapping file: field=header lines, or YAML (field: header; ignore: [..]).") var mapping: String?
        @ArgumentParser.Option(help: "auto, utf8 or gb18030.") var encoding: String = "auto"
        @Flag(help: "Check everything and report what would happen; write nothing to the database.") var dryRun = false
        @ArgumentParser.Option(help: "Where to write the rejected rows (default FILE.rejects.csv).") var rejects: String?
        @ArgumentParser.Option(help: "Purchases: receipts per transaction.") var batch: Int = 20_000
    }

    struct Members: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import members (key: card number, else phone; existing ones are skipped).")
        @OptionGroup var options: Options
        func run() async throws { try await ImportCommand.run(.members, options) }
    }

    struct Purchases: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import purchases (one row per receipt line) through the POS write path; prints rows per second.")
        @OptionGroup var options: Options
        func run() async throws { try await ImportCommand.run(.purchases, options) }
    }

    struct Counters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import counters (店柜), creating missing departments (课).")
        @OptionGroup var options: Options
        func run() async throws { try await ImportCommand.run(.counters, options) }
    }

    static func run(_ kind: ImportKind, _ o: Options) async throws {
        guard let encoding = ImportEncoding(rawValue: o.encoding) else {
            throw ValidationError("--encoding must be auto, utf8 or gb18030")
        }
        var mapping = ImportMapping()
        do {
            if let path = o.mapping {
                guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    throw DomainError.invalid("mapping", "import.mapping", zh: "无法读取映射文件 \(path)", en: "cannot read the mapping file \(path)")
                }
                mapping = try ImportMapping.parse(text)
            }
        } catch let e as DomainError {
            print("\(o.mapping ?? ""): \(e.zh) / \(e.en)")
            throw ExitCode(2)
        }
        let rejectsPath = o.rejects ?? o.file + ".rejects.csv"
        let options = ImportOptions(kind: kind, encoding: encoding, mapping: mapping, dryRun: o.dryRun, actor: "cli",
                                    fileName: URL(fileURLWithPath: o.file).lastPathComponent, batchSize: max(1, o.batch),
                                    progress: { line in FileHandle.standardError.write(Data("\(line)\n".utf8)) })
        let report: ImportReport
        do {
            report = try await withApplication { app in try await app.store.importFile(.file(o.file), options) }
        } catch let e as DomainError {
            print("\(o.file): \(e.zh) / \(e.en)")
            print("nothing imported")
            throw ExitCode(2)
        } catch let e as ExitCode {
            throw e
        } catch {
            print("\(o.file): the import stopped: \(String(reflecting: error))")
            print("what was committed stays; run the same command again to finish")
            throw ExitCode(3)
        }
        print("\(o.file): \(report.encoding), columns \(report.columns.map { "\($0.field)=\($0.header)" }.joined(separator: ", "))"
              + (report.ignored.isEmpty ? "" : "; ignored \(report.ignored.joined(separator: ", "))"))
        for note in report.notes { print(note) }
        for r in report.rejects.prefix(20) {
            print("line \(r.line)\(r.column.isEmpty ? "" : ", \(r.column)"): \(r.zh) / \(r.en)")
        }
        if report.rejects.count > 20 { print("… \(report.rejects.count - 20) more in \(rejectsPath)") }
        do {
            try report.rejectsCSV.write(toFile: rejectsPath, atomically: true, encoding: .utf8)
        } catch {
            print("cannot write \(rejectsPath): \(error)")
        }
        if let r = report.receipts {
            print("receipts: \(report.dryRun ? "would import" : "imported") \(r.imported), skipped (already there) \(r.skipped)"
                  + (report.dryRun ? "" : ", points earned \(report.pointsEarned)"))
        }
        print(report.summary)
        print("rejects: \(rejectsPath) (\(report.rejects.count) lines)")
        print(String(format: "%d rows in %.1f s (reading %.1f s): %.0f rows/s", report.rows, report.seconds, report.parseSeconds,
                     report.rowsPerSecond))
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
