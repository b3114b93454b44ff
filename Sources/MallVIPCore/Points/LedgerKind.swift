/// What a `points_ledger` row records (its `kind` column). The raw values are stored, exported (CSV, member data
/// export), sent in webhooks (`points.changed` → `kind`) and grouped on by reports and `points_day_stats`, so they
/// never change; add a case, never rename one.
///
/// How each kind counts for expiry is `PointsLedgerEffect` (Expiry.swift).
public enum LedgerKind: String, Sendable, Codable, CaseIterable {
    /// + points for a purchase (POS, batch, import of purchases, demo, pre-enrolment purchases); carries `purchase_id`.
    case earn
    /// − refund clawback of an earlier purchase's points; carries `purchase_id` and `refund_id`.
    case reverse
    /// ± manual adjustment by staff; also the write-off when an account is deleted.
    case adjust
    /// − points spent on a catalogue item.
    case redeem
    /// + points given back when a redemption is voided.
    case redeemVoid
    /// − points lapsed by the expiry job.
    case expire
    /// + opening balance brought in by a member import.
    case `import`
    /// + reward to the referrer on the referred member's first purchase.
    case referral
    /// − referral reward taken back (the note ends `referral:<id>`).
    case referralReverse
    /// + points for being checked in at an event (issue 18, `activities.eventCheckIn`); note `activity:checkIn:event:<id>`.
    case checkIn
    /// + points for answering a survey (`activities.surveyAnswered`); note `activity:survey:survey:<link id>`.
    case survey
    /// + points the first time the profile is complete (`activities.profileCompleted`); note `activity:profile`.
    case profile
}
