import Foundation
import MallVIPCore
import Testing

/// `LedgerKind`: the stored `points_ledger.kind` values (exported, sent in webhooks, grouped by reports), and the one
/// writer that uses them (issue 15).
@Suite("Ledger kinds")
struct LedgerKindTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the raw values are exactly the strings stored before the enum existed")
    func rawValues() {
        #expect(LedgerKind.allCases.map(\.rawValue) == [
            "earn", "reverse", "adjust", "redeem", "redeemVoid", "expire", "import", "referral", "referralReverse",
            "checkIn", "survey", "profile",
        ])
        let json = try? JSONEncoder().encode([LedgerKind.redeemVoid, .import])
        #expect(json.flatMap { String(data: $0, encoding: .utf8) } == #"["redeemVoid","import"]"#)
    }

    @Test("expiry counts a stored kind as its enum case does; an unknown kind counts by its sign")
    func effects() {
        for kind in LedgerKind.allCases {
            for points: Int64 in [-5, 5] {
                #expect(PointsLedgerEffect.of(kind: kind.rawValue, points: points) == PointsLedgerEffect.of(kind: kind, points: points))
            }
        }
        #expect(PointsLedgerEffect.of(kind: .earn, points: -3) == .credit)
        #expect(PointsLedgerEffect.of(kind: .redeemVoid, points: 3) == .consumption)
        #expect(PointsLedgerEffect.of(kind: .import, points: 3) == .credit)
        #expect(PointsLedgerEffect.of(kind: .adjust, points: -3) == .consumption)
        #expect(PointsLedgerEffect.of(kind: "legacy", points: 3) == .credit)
        #expect(PointsLedgerEffect.of(kind: "legacy", points: -3) == .consumption)
    }

    @Test("only the ledger writer inserts into points_ledger, and no store code spells a kind as a string literal in SQL")
    func oneWriter() throws {
        let sources = Self.root.appendingPathComponent("Sources/MallVIPStore")
        let walker = try #require(FileManager.default.enumerator(atPath: sources.path))
        var inserting: [String] = []
        var literalKinds: [String] = []
        let kinds = LedgerKind.allCases.map(\.rawValue)
        for case let path as String in walker where path.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)
            if text.contains("INSERT INTO points_ledger") || text.contains("table: \"points_ledger\", columns") { inserting.append(path) }
            for line in text.split(separator: "\n") where line.contains("points_ledger") || line.contains("l.kind") {
                if kinds.contains(where: { line.contains("'\($0)'") }) { literalKinds.append("\(path): \(line)") }
            }
        }
        #expect(inserting == ["Ledger/LedgerWriter.swift"])
        #expect(literalKinds.isEmpty, "\(literalKinds)")
    }
}
