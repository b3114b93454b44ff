import MallVIPCore
import Testing

@Suite("Survey arithmetic: NPS, CSAT, quarters, SLA")
struct SurveyScoreTests {
    @Test("55 promoters, 30 passives, 15 detractors of 100 → NPS 40")
    func npsExample() {
        let scores = Array(repeating: 9, count: 30) + Array(repeating: 10, count: 25)
            + Array(repeating: 7, count: 14) + Array(repeating: 8, count: 16)
            + Array(repeating: 0, count: 5) + Array(repeating: 6, count: 10)
        let c = SurveyScore.count(scores)
        #expect(c == SurveyScore.NPSCount(promoters: 55, passives: 30, detractors: 15))
        #expect(SurveyScore.nps(c) == 40)
        #expect(SurveyScore.nps(scores: scores) == 40)
    }

    @Test("group boundaries: 6 detractor, 7–8 passive, 9 promoter; extremes ±100; none → nil")
    func npsBoundaries() {
        #expect(SurveyScore.group(6) == .detractor && SurveyScore.group(0) == .detractor)
        #expect(SurveyScore.group(7) == .passive && SurveyScore.group(8) == .passive)
        #expect(SurveyScore.group(9) == .promoter && SurveyScore.group(10) == .promoter)
        #expect(SurveyScore.nps(scores: [10, 9]) == 100)
        #expect(SurveyScore.nps(scores: [3, 6]) == -100)
        #expect(SurveyScore.nps(scores: [7, 8]) == 0)
        #expect(SurveyScore.nps(scores: []) == nil)
        // 1 promoter, 2 detractors of 3: −33.3 → −33; 2 of 3 promoters: 66.7 → 67.
        #expect(SurveyScore.nps(scores: [10, 0, 0]) == -33)
        #expect(SurveyScore.nps(scores: [10, 10, 8]) == 67)
    }

    @Test("CSAT 1–5 as 0–100: 5 → 100, 1 → 0, 3 → 50, mean 4.4 → 85")
    func csat() {
        #expect(SurveyScore.csat(scores: [5]) == 100)
        #expect(SurveyScore.csat(scores: [1]) == 0)
        #expect(SurveyScore.csat(scores: [3]) == 50)
        #expect(SurveyScore.csat(scores: [5, 5, 4, 4, 4]) == 85)
        #expect(SurveyScore.csat(scores: [4, 5]) == 88)   // 87.5 rounds up
        #expect(SurveyScore.csat(scores: []) == nil)
        #expect(!SurveyScore.validCSAT(0) && !SurveyScore.validCSAT(6) && SurveyScore.validNPS(0) && !SurveyScore.validNPS(11))
    }

    @Test("quarters: keys, the day's quarter, next and previous across years")
    func quarters() {
        #expect(Quarter(LocalDate(year: 2026, month: 11, day: 25)).key == "2026-Q4")
        #expect(Quarter(LocalDate(year: 2026, month: 3, day: 31)).key == "2026-Q1")
        #expect(Quarter("2026-Q4")?.next.key == "2027-Q1")
        #expect(Quarter("2026-Q1")?.previous.key == "2025-Q4")
        #expect(Quarter("2026-Q4")?.firstDay == LocalDate(year: 2026, month: 10, day: 1))
        #expect(Quarter("2026-Q5") == nil && Quarter("x") == nil)
    }

    @Test("SLA: on time at the limit, late after it, undecided while open and within it")
    func slaTiming() {
        let desk = ChannelSLA(channel: .desk, firstResponseMinutes: 30, resolutionHours: 24)
        let t0: Int64 = 1_000_000
        #expect(desk.firstResponseMet(openedMs: t0, respondedMs: t0 + 30 * 60_000, nowMs: t0 + 99 * 3_600_000) == true)
        #expect(desk.firstResponseMet(openedMs: t0, respondedMs: t0 + 30 * 60_000 + 1, nowMs: t0) == false)
        #expect(desk.firstResponseMet(openedMs: t0, respondedMs: nil, nowMs: t0 + 29 * 60_000) == nil)
        #expect(desk.firstResponseMet(openedMs: t0, respondedMs: nil, nowMs: t0 + 31 * 60_000) == false)
        #expect(desk.resolutionMet(openedMs: t0, resolvedMs: t0 + 24 * 3_600_000, nowMs: t0) == true)
    }

    @Test("the feedback section: defaults targets 40 and 85, SLA per channel falls back to the default")
    func programmeSection() throws {
        #expect(Programme.defaultProgramme().feedback.npsTarget == 40)
        #expect(Programme.defaultProgramme().feedback.csatTarget == 85)
        #expect(Programme.defaultProgramme().feedback.target(.phone).firstResponseMinutes == 60)
        #expect(Programme.defaultProgramme().feedback.sla.count == FeedbackChannel.allCases.count)
        let p = FeedbackPolicy(sla: [ChannelSLA(channel: .email, firstResponseMinutes: 10, resolutionHours: 5)])
        #expect(p.target(.email).firstResponseMinutes == 10)
        #expect(p.target(.desk).firstResponseMinutes == 30)
    }
}
