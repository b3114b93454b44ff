import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import Testing

/// `mallvip reports bench --database URL --runs N` (issue 21) as an operator runs it: the real binary on a small
/// demo database prints one table with a row per figure — dashboard, each report table for month, quarter, half,
/// year and the last 12 months, segment previews, the member page, the churn and account-manager lists — each with
/// cold and warm p50/p95.
@Suite struct ReportsBenchCommandTests {
    @Test func benchPrintsEveryFigureOnASmallDemo() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mallvip-bench-\(KillNet.randomTag(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let demo = "sqlite:" + dir.appendingPathComponent("demo.sqlite").path
        var env = KillEnvironment(binary: try KillEnvironment.locateBinary(), dir: dir, databaseURL: demo, postgres: nil)
        env.extraEnvironment["MALLVIP_ENV"] = "development"
        let made = try await env.run(["demo", "--scale", "0.01", "--seed", "21"])
        try #require(made.status == 0, "\(made.output)")
        // DATABASE_URL points elsewhere: --database must win.
        env.extraEnvironment["DATABASE_URL"] = "sqlite:" + dir.appendingPathComponent("elsewhere.sqlite").path
        let run = try await env.run(["reports", "bench", "--database", demo, "--runs", "2", "--skip-nightly"])
        #expect(run.status == 0, "\(run.output)")
        let lines = run.output.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("figure") && $0.contains("cold p50") && $0.contains("warm p95") })
        // A figure row: its name, its period, then four timings in ms.
        func row(_ name: String, _ period: String) -> String? {
            lines.first { $0.hasPrefix(name + " ") && $0.dropFirst(40).hasPrefix(period + " ") }
        }
        var expected: [(String, String)] = [("dashboard", "today"), ("member page", "today"), ("churn figures", "today"),
                                            ("churn list (lapsing, unassigned)", "today"), ("account managers (candidates)", "today"),
                                            ("account managers (KPI ranking)", "this month")]
        let today = LocalDate.of(Date(), in: TimeZone(identifier: "Asia/Shanghai")!)
        let periods = [ReportPeriod.containing(today, kind: .month), .containing(today, kind: .quarter), .containing(today, kind: .half),
                       .containing(today, kind: .year), .last12(endingOn: today.adding(days: -1))].map(\.key)
        let tables = ["report pack (whole page)", "sales total", "sales by month/day", "sales by department", "sales by floor", "sales by counter",
                      "price bands", "members, active, repurchase", "churn", "tiers and migration", "RFM grid", "ABC", "segments",
                      "age and gender", "top N", "points"]
        for p in periods { for t in tables { expected.append((t, p)) } }
        for (name, period) in expected {
            let line = row(name, period)
            #expect(line != nil, "no row for \(name) \(period) in:\n\(run.output)")
            if let line {
                let numbers = line.dropFirst(56).split(separator: " ").compactMap { Double($0) }
                #expect(numbers.count == 4 && numbers.allSatisfy { $0 >= 0 }, "\(line)")
            }
        }
        #expect(lines.contains { $0.hasPrefix("segment preview: ") }, "\(run.output)")
        #expect(run.output.contains("slowest (cold p95)"))
        #expect(!run.output.contains("nightly jobs"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("elsewhere.sqlite").path))
    }

    @Test func runsMustBePositive() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mallvip-bench-\(KillNet.randomTag(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = KillEnvironment(binary: try KillEnvironment.locateBinary(), dir: dir,
                                  databaseURL: "sqlite:" + dir.appendingPathComponent("x.sqlite").path, postgres: nil)
        let run = try await env.run(["reports", "bench", "--runs", "0"])
        #expect(run.status != 0 && run.output.contains("--runs must be from 1 to 1000"))
        let bad = try await env.run(["reports", "bench", "--database", "mysql://x"])
        #expect(bad.status != 0 && bad.output.contains("DATABASE_URL must start with sqlite: or postgres://"))
    }
}
