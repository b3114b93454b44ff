import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// What became of the receipts of a purchases file.
public struct PurchaseImportCounts: Sendable, Equatable {
    public var receiptsImported = 0
    public var receiptsSkipped = 0
    public var rowsImported = 0
    public var rowsSkipped = 0
    public var pointsEarned: Int64 = 0
}

extension Store {
    /// Posts imported receipts through the import's batch writer (`insertImportBatch`: the live writer's decisions,
    /// written in bulk), in chronological order and in large batches, so that balances, ledger, rolling spend, tiers
    /// and report aggregates come out exactly as if the purchases had been posted live at their own time. Only the till's back-dating limit is not applied. Each
    /// batch is one transaction of whole receipts; receipts already recorded are replays (skipped), so running an
    /// import again after a crash finishes it. A dry run writes each batch and rolls it back: everything is checked
    /// (unknown cards and counters, receipts already there) and nothing stays.
    func importReceipts(_ receipts: [ImportReceipt], columns: ImportColumns, dryRun: Bool, batchSize: Int,
                        rejects: inout [ImportReject], progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> PurchaseImportCounts {
        let (version, programme) = try await self.programme()
        var counters: [String: Counter] = [:]
        for c in try await counterList() { counters[c.code] = c }
        var counts = PurchaseImportCounts()
        var done = 0
        var start = 0
        while start < receipts.count {
            let end = min(receipts.count, start + batchSize)
            var items: [PreparedPurchase] = []
            var sources: [ImportReceipt] = []
            items.reserveCapacity(end - start)
            for r in receipts[start..<end] {
                switch prepareImported(r, counters: counters, columns: columns, version: version, programme: programme) {
                case .success(let item):
                    items.append(item)
                    sources.append(r)
                case .failure(let refused):
                    rejects += refused.rejects
                }
            }
            if !items.isEmpty {
                let results = try await dryRun ? dryRunBatch(items) : writeImportBatch(items)
                for ((result, r), item) in zip(zip(results, sources), items) {
                    switch result {
                    case .success(.created(let o, let referralPending)):
                        counts.receiptsImported += 1
                        counts.rowsImported += r.lines.count
                        counts.pointsEarned += o.pointsEarned
                        if referralPending && !dryRun {
                            await settleReferralAfterPurchase(mallId: item.mallId, receiptNo: r.receiptNo, programme: programme)
                        }
                    case .success(.replayed):
                        counts.receiptsSkipped += 1
                        counts.rowsSkipped += r.lines.count
                    case .success(.failed(let e)):
                        let field: ImportField = switch e.field { case "card": .card; case "phone": .phone; default: .receipt }
                        rejects.append(ImportReject(line: r.firstLine, column: columns.header(field), e,
                                                    value: field == .card ? r.card ?? "" : field == .phone ? r.phone ?? "" : r.receiptNo))
                        rejects += r.refusal(cause: [r.firstLine])
                    case .failure(let error):
                        // Not a row's fault (the database went away): stop; what was committed stays, and running the
                        // import again finishes it.
                        throw error
                    }
                }
            }
            done = end
            progress?(done, receipts.count)
            start = end
        }
        return counts
    }

    /// A receipt as the POS path takes it: counters resolved (known, active, one mall), amounts summed, hashed.
    private func prepareImported(_ r: ImportReceipt, counters: [String: Counter], columns: ImportColumns, version: Int,
                                 programme: Programme) -> Result<PreparedPurchase, RefusedReceipt> {
        var lines: [PostedLine] = []
        lines.reserveCapacity(r.lines.count)
        var bad: [ImportReject] = []
        var mall: Int64?
        for l in r.lines {
            guard let c = counters[l.counter], c.active else {
                bad.append(ImportReject(line: l.line, column: columns.header(.counter), rule: "counter.exists",
                                        zh: "店柜不存在或已停用：\(l.counter)", en: "unknown or inactive counter \(l.counter)", value: l.counter))
                continue
            }
            if let mall, mall != c.mallId {
                bad.append(ImportReject(line: l.line, column: columns.header(.counter), rule: "counter.sameMall",
                                        zh: "一张小票的店柜必须属于同一商场", en: "all counters on one receipt must belong to the same mall", value: l.counter))
                continue
            }
            mall = c.mallId
            lines.append(PostedLine(request: PurchaseLineRequest(counter: l.counter, amountFen: l.amountFen, specialPrice: l.specialPrice),
                                    counter: c))
        }
        if !bad.isEmpty { return .failure(RefusedReceipt(rejects: bad + r.refusal(cause: bad.map(\.line)))) }
        let occurredAt = dateFromMillis(r.occurredAtMs)
        let request = PurchaseRequest(receiptNo: r.receiptNo, occurredAt: occurredAt, card: r.card, phone: r.phone,
                                      lines: lines.map(\.request), channel: .import)
        var total: Int64 = 0, eligible: Int64 = 0
        for l in lines {
            total += l.request.amountFen
            if l.counter.earnsPoints { eligible += l.request.amountFen }
        }
        return .success(PreparedPurchase(
            request: request, lines: lines, mallId: lines[0].counter.mallId, mallCode: lines[0].counter.mallCode,
            hash: sha256Hex(request.fingerprint), day: LocalDate.of(occurredAt, in: programme.timeZone), total: total, eligible: eligible,
            programmeVersion: version, programme: programme, postedAsOf: occurredAt))
    }

    struct RefusedReceipt: Error {
        var rejects: [ImportReject]
    }

    /// A batch in one transaction through the import's writer. If a receipt raced in meanwhile (a till posting the
    /// same receipt number), the batch goes through the live writer instead, which retries each receipt on its own
    /// and answers that one as a replay or conflict; both writers leave the same rows. Any other error stops the
    /// import (exit 3): what was committed stays.
    private func writeImportBatch(_ items: [PreparedPurchase]) async throws -> [Result<BatchItemResult, any Error>] {
        do {
            let results = try await writeBatched { tx in try await self.insertImportBatch(tx, items) }
            return results.map { .success($0) }
        } catch where isUniqueViolation(error) {
            return await writeBatch(items)
        }
    }

    /// The batch written and rolled back: the results a real import would have, nothing kept.
    private func dryRunBatch(_ items: [PreparedPurchase]) async throws -> [Result<BatchItemResult, any Error>] {
        struct RolledBack: Error { var results: [BatchItemResult] }
        do {
            _ = try await write { tx -> Int in
                throw RolledBack(results: try await self.insertImportBatch(tx, items))
            }
            return []
        } catch let r as RolledBack {
            return r.results.map { .success($0) }
        }
    }
}
