import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

@Suite("Feedback: survey links answered once, complaints against SLA, the quarterly report")
struct FeedbackTests {
    func member(_ t: TestContext, _ phone: String) async throws -> Int64 {
        let card = try await t.enrolMember(phone: phone)
        return try #require(try await t.store.lookup(card: card, phone: nil)).id
    }

    @Test("a survey link is answered once: the second answer is refused and the first kept; one link per member and reason")
    func oneAnswerPerLink() async throws {
        try await withTestApp(now: shanghai(2026, 11, 25, 10)) { t in
            let m = try await member(t, "13900001001")
            let (_, programme) = try await t.store.programme()
            let links = try await t.store.sendSurveys(memberIds: [m], reason: .quarterly, ref: "2026-Q4", programme: programme, linkBase: "")
            let link = try #require(links.first)
            #expect(try await t.store.sendSurveys(memberIds: [m], reason: .quarterly, ref: "2026-Q4", programme: programme, linkBase: "").isEmpty)
            let queued = try await t.store.sql.raw("SELECT body FROM outbox_messages WHERE member_id = \(bind: m) AND source_code = 'survey:quarterly'").all()
            #expect(queued.count == 1)
            #expect(try queued.first?.decode(column: "body", as: String.self).contains("/s/\(link.token)") == true)

            let browser = ConsoleClient(t)
            let form = try await browser.get("/s/\(link.token)")
            #expect(form.status == .ok && form.contains("name=\"nps\"") && form.contains("name=\"csat\""))

            let bad = try await browser.post("/s/\(link.token)", [("nps", "11"), ("csat", "3")], csrf: .none)
            #expect(bad.status == .unprocessableEntity)
            #expect(try await t.store.surveyLink(token: link.token)?.answeredAtMs == nil)

            let ok = try await browser.post("/s/\(link.token)", [("nps", "9"), ("csat", "5"), ("comment", "停车方便")], csrf: .none)
            #expect(ok.status == .ok && ok.contains("已收到"))
            let again = try await browser.post("/s/\(link.token)", [("nps", "0"), ("csat", "1")], csrf: .none)
            #expect(again.status == .conflict && again.contains("已提交过"))
            let stored = try #require(try await t.store.surveyLink(token: link.token))
            #expect(stored.nps == 9 && stored.csat == 5 && stored.comment == "停车方便")
            #expect(try await browser.get("/s/\(link.token)").contains("已提交过"))
            #expect(try await browser.get("/s/nosuchtoken").status == .notFound)
        }
    }

    @Test("two answers to the same link at once: exactly one is recorded")
    func concurrentAnswers() async throws {
        try await withTestApp { t in
            let m = try await member(t, "13900001002")
            let (_, programme) = try await t.store.programme()
            let link = try #require(try await t.store.sendSurveys(memberIds: [m], reason: .quarterly, ref: "2026-Q4",
                                                                  programme: programme, linkBase: "").first)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for n in [10, 0, 5, 8] {
                    group.addTask {
                        do { try await t.store.answerSurvey(token: link.token, SurveyAnswer(nps: n, csat: 3)); return true }
                        catch let e as DomainError { #expect(e.rule == "survey.once"); return false }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
        }
    }

    @Test("an expired link is closed")
    func expiry() async throws {
        try await withTestApp(now: shanghai(2026, 11, 1, 10)) { t in
            let m = try await member(t, "13900001003")
            let (_, programme) = try await t.store.programme()
            let link = try #require(try await t.store.sendSurveys(memberIds: [m], reason: .quarterly, ref: "2026-Q4",
                                                                  programme: programme, linkBase: "").first)
            t.clock.advance(Double(programme.feedback.linkValidDays) * 86_400 + 1)
            await #expect(throws: DomainError.self) { try await t.store.answerSurvey(token: link.token, SurveyAnswer(nps: 9, csat: 5)) }
            #expect(try await ConsoleClient(t).get("/s/\(link.token)").status == .gone)
        }
    }

    @Test("SLA timing per channel with the injected clock; closing tells the member and sends a survey")
    func slaTiming() async throws {
        try await withTestApp(now: shanghai(2026, 11, 2, 10)) { t in
            let m = try await member(t, "13900001004")
            let (_, programme) = try await t.store.programme()
            // Desk: 30 min to first response, 24 h to resolve. Phone: 60 min, 48 h.
            let desk = try await t.store.openComplaint(NewComplaint(memberId: m, kind: .complaint, channel: .desk, category: "服务态度",
                                                                    owner: "desk1", description: "柜员态度差"), actor: "test")
            let phone = try await t.store.openComplaint(NewComplaint(memberId: nil, kind: .request, channel: .phone, category: "停车",
                                                                     owner: "desk1", description: "停车券"), actor: "test")
            t.clock.advance(45 * 60)
            _ = try await t.store.respondToComplaint(id: desk.id, actor: "test")     // 45 min: late for the desk
            _ = try await t.store.respondToComplaint(id: phone.id, actor: "test")    // 45 min: on time by phone
            t.clock.advance(20 * 3600)
            let closed = try await t.store.resolveComplaint(id: desk.id, outcome: "已道歉并赠送停车券", told: true, actor: "test",
                                                            programme: programme, linkBase: "https://vip.example")
            #expect(closed.status == .resolved && closed.outcomeTold && closed.resolvedAtMs! - closed.createdAtMs == (45 * 60 + 20 * 3600) * 1000)
            await #expect(throws: DomainError.self) {
                _ = try await t.store.resolveComplaint(id: desk.id, outcome: "x", told: true, actor: "test", programme: programme, linkBase: "")
            }
            let survey = try await t.store.sql.raw("SELECT token FROM survey_links WHERE reason = 'complaint' AND reason_ref = \(bind: String(desk.id))").all()
            #expect(survey.count == 1)
            t.clock.advance(30 * 3600)                                               // phone request still open after 50 h: late

            let report = try await t.store.feedbackReport(quarter: Quarter(year: 2026, number: 4), programme: programme)
            let d = try #require(report.sla.first { $0.channel == .desk })
            #expect(d.cases == 1 && d.firstResponseMet == 0 && d.firstResponseDecided == 1 && d.resolutionMet == 1 && d.resolutionDecided == 1)
            let p = try #require(report.sla.first { $0.channel == .phone })
            #expect(p.cases == 1 && p.firstResponseMet == 1 && p.resolutionMet == 0 && p.resolutionDecided == 1)
            #expect(report.complaints == 1 && report.requests == 1)
            #expect(report.topCategories.map(\.name) == ["服务态度"] && report.topCategories.first?.count == 1)

            await #expect(throws: DomainError.self) {
                _ = try await t.store.openComplaint(NewComplaint(memberId: nil, kind: .complaint, channel: .email, category: " ",
                                                                 owner: "a", description: "b"), actor: "test")
            }
        }
    }

    @Test("quarterly report: NPS and CSAT of the quarter's answers, trend, targets; the sample follows the configured share")
    func quarterlyReport() async throws {
        try await withTestApp(now: shanghai(2026, 10, 5, 10)) { t in
            var ids: [Int64] = []
            for i in 0..<20 { ids.append(try await member(t, "1390000\(String(format: "%04d", 2000 + i))")) }
            let (_, programme) = try await t.store.programme()
            let sample = try await t.store.sendQuarterlySurveys(quarter: Quarter(year: 2026, number: 4), programme: programme, linkBase: "")
            #expect(sample.count == 1)   // 5 % of 20
            let links = try await t.store.sendSurveys(memberIds: ids, reason: .event, ref: "99", programme: programme, linkBase: "")
            // 10 answers: 5 promoters, 3 passives, 2 detractors → NPS 30; CSAT 5×5, 5×4 → 88 (87.5).
            let nps = [10, 9, 9, 10, 9, 7, 8, 7, 3, 6]
            for (i, link) in links.prefix(10).enumerated() {
                try await t.store.answerSurvey(token: link.token, SurveyAnswer(nps: nps[i], csat: i < 5 ? 5 : 4, comment: i == 0 ? "很好" : ""))
            }
            t.clock.set(shanghai(2027, 1, 3, 10))
            let r = try await t.store.feedbackReport(quarter: Quarter(year: 2026, number: 4), programme: programme)
            #expect(r.npsCount == SurveyScore.NPSCount(promoters: 5, passives: 3, detractors: 2))
            #expect(r.nps == 30 && r.csat == 88 && r.npsTarget == 40 && r.csatTarget == 85)
            #expect(r.sent == 21 && r.comments == ["很好"])
            #expect(r.trend.map(\.quarter.key) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"])
            #expect(r.trend.last?.nps == 30 && r.trend.first?.nps == nil)

            let page = try await t.console(as: "plan", .planner).get("/console/feedback?quarter=2026-Q4")
            #expect(page.status == .ok && page.contains("id=\"nps\">30<") && page.contains("未达标") && page.contains("净推荐值 30"))
        }
    }

    @Test("roles: the desk records complaints but cannot see the report; counter staff get neither")
    func roles() async throws {
        try await withTestApp { t in
            let desk = try await t.console(as: "desk1", .desk)
            #expect(try await desk.get("/console/complaints").status == .ok)
            let made = try await desk.post("/console/complaints", [("kind", "complaint"), ("channel", "phone"), ("category", "商品质量"),
                                                                   ("member", ""), ("counter", ""), ("owner", ""), ("description", "拉链坏了")])
            #expect(made.status == .seeOther)
            let c = try #require(try await t.store.complaints().first)
            #expect(c.owner == "desk1" && c.channel == .phone && c.status == .open)
            #expect(try await desk.post("/console/complaints/\(c.id)/respond", []).status == .seeOther)
            #expect(try await t.store.complaint(id: c.id)?.status == .responded)
            let closed = try await desk.post("/console/complaints/\(c.id)/resolve", [("outcome", "已换货"), ("told", "1")])
            #expect(closed.status == .seeOther)
            #expect(try await t.store.complaint(id: c.id)?.status == .resolved)
            #expect(try await desk.get("/console/feedback").status == .forbidden)
            let counter = try await t.console(as: "cs1", .counterStaff)
            #expect(try await counter.get("/console/complaints").status == .forbidden)
        }
    }
}
