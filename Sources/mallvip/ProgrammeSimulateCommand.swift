import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb
import Vapor

extension ProgrammeCommand {
    /// `mallvip programme simulate FILE [--months 12]`: the draft replayed over the last months beside the active
    /// programme. Validated as `programme apply` validates; nothing is activated. Exit 1 when the draft is invalid.
    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay the last months of purchases under the draft FILE beside the active programme; nothing is activated.")
        @ArgumentParser.Argument(help: "Draft programme YAML file.") var file: String
        @ArgumentParser.Option(help: "Months replayed, ending today (1–36).") var months: Int = 12

        func run() async throws {
            guard (1...36).contains(months) else { throw ValidationError("--months must be from 1 to 36") }
            let draft: Programme
            do {
                draft = try Programme.parse(yaml: try ProgrammeCommand.read(file))
            } catch let e as ProgrammeInvalid {
                for issue in e.issues { print("\(file): \(issue.path): \(issue.message)") }
                throw ExitCode(1)
            }
            let started = Date()
            let result = try await withApplication { app in try await app.store.simulateProgramme(draft: draft, months: months) }
            print(Self.table(result))
            print(String(format: "replayed %d members, %d purchases in %.1f s", result.current.members, result.current.purchases,
                         Date().timeIntervalSince(started)))
        }

        /// The side-by-side table, zh and en labels, columns padded by display width (a Chinese character takes two).
        static func table(_ r: SimulationResult) -> String {
            let header = ["指标 Figure", "现行 Active", "草案 Draft", "差异 Change", "实际 Recorded"]
            let rows = [header] + r.rows.map { ["\($0.label.zh) \($0.label.en)", $0.current, $0.draft, $0.change, $0.recorded ?? "—"] }
            func width(_ s: String) -> Int { s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x2E80 ? 2 : 1) } }
            let widths = (0..<header.count).map { c in rows.map { width($0[c]) }.max() ?? 0 }
            var out = "模拟 Simulation \(r.from) … \(r.through)\n"
            for (i, row) in rows.enumerated() {
                let cells = row.enumerated().map { c, text in
                    let pad = String(repeating: " ", count: widths[c] - width(text))
                    return c == 0 ? text + pad : pad + text
                }
                out += cells.joined(separator: "  ") + "\n"
                if i == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
            }
            return out
        }
    }
}
