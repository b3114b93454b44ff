import Foundation
import MallVIPCore

/// A purchase checked outside any transaction: valid, counters known, business date and amounts computed.
struct PreparedPurchase: Sendable {
    var request: PurchaseRequest
    var lines: [Store.PostedLine]
    var mallId: Int64
    var mallCode: String
    var hash: String
    var day: LocalDate
    var total: Int64
    var eligible: Int64
    var programmeVersion: Int
    var programme: Programme
    /// Imports: the purchase is posted as of this moment (its own time) instead of now; see `insertBatch`.
    var postedAsOf: Date? = nil
    /// The report-aggregate shard its batch adds to: the index of the purchase lane that writes it (migration 031).
    var shard = 0

    var key: String { "\(mallId)|\(request.receiptNo)" }
}

enum BatchItemResult: Sendable {
    /// `referralPending`: the buyer's referral reward is still to settle, after the batch commits.
    case created(PurchaseOutcome, referralPending: Bool = false)
    case replayed(PurchaseOutcome)
    case failed(DomainError)
}
