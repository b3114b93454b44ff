import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb

/// `mallvip keys`: the data key that encrypts national IDs and webhook secrets (see DataKey.swift).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "The data key: make a new one, re-encrypt the database under a new one.",
        subcommands: [Generate.self, Rotate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random data key (base64 of 32 bytes) for MALLVIP_DATA_KEY; nothing is stored.")
        func run() async throws {
            var rng = SystemRandomNumberGenerator()
            print(Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }).base64EncodedString())
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-encrypt national IDs (and their uniqueness hash) and webhook secrets under the current key.",
            discussion: """
                The new key is the one the server would use (MALLVIP_DATA_KEY, or the key file beside a SQLite database); \
                the old one comes from MALLVIP_DATA_KEY_OLD (or --old-development-key for a database written with the \
                built-in development key). Rows are rewritten in batches, one transaction each; a row that already opens \
                with the new key is skipped, so after an interruption just run it again. Stop the server first. Exits 1 \
                when rows open with neither key. Unsubscribe links and sign-in codes sent under the old key stop working.
                """)

        @ArgumentParser.Option(help: "Rows per transaction.") var batchSize: Int = 1_000
        @ArgumentParser.Flag(help: "The old key is the built-in development key (a database started before it had a key).")
        var oldDevelopmentKey = false
        @ArgumentParser.Option(help: .hidden) var maxBatches: Int?

        func run() async throws {
            guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 100000") }
            if let maxBatches, maxBatches < 1 { throw ValidationError("--max-batches must be at least 1") }
            let env = ProcessInfo.processInfo.environment
            let oldKey: Data
            if oldDevelopmentKey {
                guard env[DataKey.oldVariable] == nil else {
                    throw ValidationError("give either \(DataKey.oldVariable) or --old-development-key, not both")
                }
                oldKey = DataKey.developmentKeyData
            } else {
                guard let text = env[DataKey.oldVariable] else {
                    throw ValidationError("\(DataKey.oldVariable) must hold the key the data is encrypted with now (base64); MALLVIP_DATA_KEY the new one")
                }
                do { oldKey = try DataKey.parse(text, source: DataKey.oldVariable) } catch { throw ValidationError("\(error)") }
            }
            let report = try await withApplication { app -> KeyRotationReport in
                guard let current = app.dataKey else { throw CLIError("no data key resolved") }
                guard current.keyData != oldKey else {
                    throw CLIError("the old and the new key are the same: set MALLVIP_DATA_KEY to the new key")
                }
                print("new key: \(current.source == .environment ? DataKey.variable : current.line)")
                return try await app.store.rotateDataKey(from: PersonalDataCipher(keyData: oldKey), batchSize: batchSize,
                                                         maxBatches: maxBatches) { line in print(line); fflush(nil) }
            }
            for (name, c) in [("national IDs", report.nationalIDs), ("webhook secrets", report.webhookSecrets)] {
                print("\(name): \(c.rotated) re-encrypted, \(c.alreadyNew) already under the new key, \(c.unreadable.count) unreadable"
                      + (c.unreadable.isEmpty ? "" : " (ids \(c.unreadable.prefix(20).map(String.init).joined(separator: ", "))\(c.unreadable.count > 20 ? ", …" : ""))"))
            }
            if !report.finished { print("stopped after \(maxBatches ?? 0) batches; run again to finish") }
            if !report.ok {
                print("some rows open with neither key: check MALLVIP_DATA_KEY_OLD (they were left as they are)")
                throw ExitCode(1)
            }
        }
    }
}
