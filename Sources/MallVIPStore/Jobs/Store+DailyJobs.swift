import Foundation
import MallVIPCore

/// What one pass of the daily jobs did (each job runs once per business day, so a second pass reports "already ran").
public struct DailyJobsSummary: Sendable {
    public var review: ReviewSummary
    public var referrals: ReferralSweepSummary
    public var expiry: PointsExpirySummary
    public var tasks: TaskRulesSummary
    public var managerAward: ManagerAward?
    public var conversionAwards: Int
    public var journeys: JourneySummary
    /// The nightly rebuild of the report aggregates' last two months; nil when it already ran today.
    public var reportRebuild: Duration? = nil
    /// Gift entitlements issued and expired (issue 18, Store+Gifts.swift).
    public var gifts = GiftJobSummary()
    /// Till purchases newly flagged as copies of a WeChat Pay or photo purchase (issue 19, `sweepChannelMatches`; every pass).
    public var channelMatches = 0
    /// History partitions created ahead (PostgreSQL, issue 21: `ensureHistoryPartitions`; every pass, usually none).
    public var partitionsCreated: [String] = []
}

extension Store {
    /// The daily jobs in their order, for `serve` (hourly) and `mallvip jobs run` alike: the review first, so that
    /// the task rules see today's tiers and requests; the journeys last, so that today's upgrades and balances are
    /// what the messages say.
    public func runDailyJobs(on day: LocalDate, now: Date) async throws -> DailyJobsSummary {
        let review = try await runTierReview(on: day)
        let referrals = try await runReferralSweep(on: day)
        let expiry = try await runPointsExpiry(on: day)
        let tasks = try await runTaskRules(on: day)
        let award = try await runManagerAward(on: day)
        let conversion = try await awardLastConversionWeek(on: day)
        let journeys = try await runJourneys(on: day, now: now)
        var summary = DailyJobsSummary(review: review, referrals: referrals, expiry: expiry, tasks: tasks, managerAward: award,
                                       conversionAwards: conversion, journeys: journeys)
        summary.gifts = try await runGiftJob(on: day)   // after the review: gifts follow today's tiers
        summary.channelMatches = try await sweepChannelMatches()   // idempotent: runs on every (hourly) pass
        summary.reportRebuild = try await runReportRebuild(on: day)
        summary.partitionsCreated = try await ensureHistoryPartitions(on: day)   // months ahead; idempotent
        return summary
    }
}
