import FluentKit
import Foundation
import SQLKit

/// What one `mallvip keys rotate` pass did, per table.
public struct KeyRotationCounts: Sendable, Equatable {
    /// Opened with the old key and written again under the new one.
    public var rotated = 0
    /// Already opened with the new key (a rerun, or a row written since): left alone.
    public var alreadyNew = 0
    /// Opened with neither key: left alone and reported.
    public var unreadable: [Int64] = []
    public init() {}
}

public struct KeyRotationReport: Sendable, Equatable {
    public var nationalIDs = KeyRotationCounts()
    public var webhookSecrets = KeyRotationCounts()
    /// False when the pass stopped early (`maxBatches`): a rerun finishes it.
    public var finished = true
    public var ok: Bool { nationalIDs.unreadable.isEmpty && webhookSecrets.unreadable.isEmpty }
    public init() {}
}

extension Store {
    /// Re-encrypts national IDs (and their keyed uniqueness hash, which depends on the key) and webhook signing
    /// secrets from `old` to this store's key, `batchSize` rows per transaction. Resumable by construction: a row that
    /// already opens with the new key is skipped, so a rerun after a kill finishes the job and re-encrypts nothing
    /// twice. `maxBatches` stops early (tests interrupt a run with it).
    public func rotateDataKey(from old: PersonalDataCipher, batchSize: Int = 1_000, maxBatches: Int? = nil,
                              progress: (@Sendable (String) -> Void)? = nil) async throws -> KeyRotationReport {
        let new = env.cipher
        let size = max(1, batchSize)
        var report = KeyRotationReport()
        var batches = 0
        func mayRun() -> Bool {
            if let maxBatches, batches >= maxBatches { report.finished = false; return false }
            return true
        }

        /// One encrypted column, `size` rows a transaction in id order. `hash` names the column that holds the keyed
        /// hash of the same plain text (national IDs: the one-person-one-card check), re-computed under the new key.
        func rotate(_ table: String, _ column: String, hash: String?) async throws -> KeyRotationCounts {
            var counts = KeyRotationCounts()
            var after: Int64 = 0
            while mayRun() {
                let from = after
                let (last, c) = try await write { tx -> (Int64?, KeyRotationCounts) in
                    let rows = try await tx.sql.rows("""
                        SELECT id, \(ident: column) AS cipher FROM \(ident: table)
                        WHERE \(ident: column) IS NOT NULL AND id > \(bind: from) ORDER BY id LIMIT \(bind: size)
                        """)
                    var c = KeyRotationCounts()
                    for r in rows {
                        let id = try r.int64("id")
                        let text = try r.string("cipher")
                        if (try? new.decrypt(text)) != nil { c.alreadyNew += 1; continue }
                        guard let plain = try? old.decrypt(text) else { c.unreadable.append(id); continue }
                        if let hash {
                            try await tx.sql.exec("""
                                UPDATE \(ident: table) SET \(ident: column) = \(bind: try new.encrypt(plain)), \(ident: hash) = \(bind: new.hash(plain))
                                WHERE id = \(bind: id)
                                """)
                        } else {
                            try await tx.sql.exec("""
                                UPDATE \(ident: table) SET \(ident: column) = \(bind: try new.encrypt(plain)) WHERE id = \(bind: id)
                                """)
                        }
                        c.rotated += 1
                    }
                    return (try rows.last.map { try $0.int64("id") }, c)
                }
                counts.rotated += c.rotated
                counts.alreadyNew += c.alreadyNew
                counts.unreadable += c.unreadable
                guard let last else { break }
                batches += 1
                after = last
                progress?("\(table).\(column): \(counts.rotated) re-encrypted, \(counts.alreadyNew) already under the new key (up to id \(last))")
            }
            return counts
        }
        report.nationalIDs = try await rotate("members", "id_cipher", hash: "id_hash")
        report.webhookSecrets = try await rotate("webhook_subscriptions", "secret_cipher", hash: nil)
        if report.nationalIDs.rotated + report.webhookSecrets.rotated > 0 {
            try await audit(actor: "cli", action: "dataKey.rotate",
                            subject: "members+webhooks",
                            detail: "\(report.nationalIDs.rotated) national IDs, \(report.webhookSecrets.rotated) webhook secrets")
        }
        return report
    }
}
