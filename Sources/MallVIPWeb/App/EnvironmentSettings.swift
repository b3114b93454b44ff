import Foundation
import MallVIPStore

/// Operations settings read from the environment (webhook delivery, WeChat Pay sync): a value trimmed, empty counts
/// as unset, numbers within their bounds — an error names the key and the bound, never a silent default.
struct EnvironmentSettings {
    let env: [String: String]

    func value(_ key: String) -> String? {
        env[key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    func seconds(_ key: String, _ range: ClosedRange<Double>) throws -> TimeInterval? {
        guard let v = value(key) else { return nil }
        guard let s = Double(v), range.contains(s) else {
            throw StoreConfigurationError("\(key) must be a number of seconds from \(MetricsNumber.text(range.lowerBound)) to \(MetricsNumber.text(range.upperBound))")
        }
        return s
    }

    func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let v = value(key) else { return nil }
        guard let n = Int(v), range.contains(n) else {
            throw StoreConfigurationError("\(key) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }
}
