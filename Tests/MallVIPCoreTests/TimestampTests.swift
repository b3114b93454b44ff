import Foundation
import Testing
@testable import MallVIPCore

@Suite("ISO 8601 timestamps") struct TimestampTests {
    @Test("offsets, Z and fractions give the right instant", arguments: [
        ("2026-11-25T10:00:00+08:00", 1_795_572_000.0),
        ("2026-11-25T02:00:00Z", 1_795_572_000.0),
        ("2026-11-25T10:00:00+0800", 1_795_572_000.0),
        ("2026-11-24T21:00:00-05:00", 1_795_572_000.0),
        ("2026-11-25T02:00:00.250Z", 1_795_572_000.25),
        ("2024-02-29T00:00:00Z", 1_709_164_800.0),
    ])
    func parses(_ text: String, _ epoch: Double) {
        #expect(Timestamp.parse(text)?.timeIntervalSince1970 == epoch)
    }

    @Test("matches Foundation's parser on a range of instants")
    func matchesFoundation() throws {
        for seconds in stride(from: 0, to: 4_000_000_000, by: 97_654_321) {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let text = date.formatted(Date.ISO8601FormatStyle())
            #expect(Timestamp.parse(text) == date, "\(text)")
        }
    }

    @Test("refuses what has no offset or is not a real time", arguments: [
        "2026-11-25T10:00:00", "2026-11-25 10:00:00+08:00", "2026-02-30T10:00:00Z", "2026-11-25T24:00:00Z",
        "2026-11-25T10:00Z", "2026-11-25T10:00:00+8:00", "2026-11-25T10:00:00.Z", "2026-11-25T10:00:00Zx", "", "yesterday",
    ])
    func refuses(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}
