import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

/// Issue 17 (17D) data quality, built on a small world (today 2026-11-25 on the test clock, mall A = the seeded mall):
/// - p1 王芳 ♀ 1996-11-25 (30 today), e-mail "Wang@Example.com ", address, SMS consent, 1,000 points, mall A.
/// - p2 王芳 ♀ 1996-11-25: same name and birthday as p1; no e-mail, address or consent; 999 points.
/// - p3 王芳 ♀ 1996-11-26 (29; a near miss by name and birthday); e-mail "wang@example.com" (p1's, normalised); 8 points.
/// - p4 李雷 ♂ no birthday; e-mail "wang@example.co" (a near miss); e-mail consent; 18 points.
/// - p5 韩梅 ♀ 1986-11-26 (39, 40 tomorrow); 0 points.
/// - p6 王芳 1996-11-25 like p1 but deactivated: never listed.
/// - p7 赵雪 in mall B, nothing filled in.
struct QualityWorld {
    var p1: Int64, p2: Int64, p3: Int64, p4: Int64, p5: Int64, p6: Int64, p7: Int64
    var mallA: Int64, mallB: Int64
    var active: Set<Int64> { [p1, p2, p3, p4, p5, p7] }
}

extension TestContext {
    func qualityMember(_ phone: String, _ name: String, gender: Gender = .female, birthday: String? = nil, email: String? = nil,
                       address: String? = nil, sms: Bool = false, emailConsent: Bool = false, phoneConsent: Bool = false,
                       balance: Int64 = 0, mall: Int64, actor: String = "test") async throws -> Int64 {
        let r = try await store.enrol(EnrolmentRequest(phone: phone, name: name, gender: gender, birthday: birthday.flatMap(LocalDate.init),
                                                       email: email, address: address, overrideReason: "测试", consentSMS: sms,
                                                       consentEmail: emailConsent, consentPhone: phoneConsent),
                                      actor: actor, mallId: mall)
        try await store.sql.raw("UPDATE members SET points_balance = \(bind: balance) WHERE id = \(bind: r.memberId)").run()
        return r.memberId
    }

    func qualityWorld() async throws -> QualityWorld {
        let mallA = try #require(try await store.malls().first).id
        let mallB = try await store.createMall(code: "B", name: "B 店", actor: "test")
        let p1 = try await qualityMember("13900000001", "王芳", birthday: "1996-11-25", email: "Wang@Example.com ", address: "北京路1号", sms: true,
                                         balance: 1_000, mall: mallA)
        let p2 = try await qualityMember("13900000002", "王芳", birthday: "1996-11-25", balance: 999, mall: mallA)
        let p3 = try await qualityMember("13900000003", "王芳", birthday: "1996-11-26", email: "wang@example.com", address: "南京路3号",
                                         phoneConsent: true, balance: 8, mall: mallA)
        let p4 = try await qualityMember("13900000004", "李雷", gender: .male, email: "wang@example.co", address: "上海路4号", emailConsent: true,
                                         balance: 18, mall: mallA)
        let p5 = try await qualityMember("13900000005", "韩梅", birthday: "1986-11-26", email: "han@example.com", address: "广州路5号", sms: true,
                                         mall: mallA)
        let p6 = try await qualityMember("13900000006", "王芳", birthday: "1996-11-25", address: "北京路1号", mall: mallA)
        try await store.sql.raw("UPDATE members SET status = 'deactivated' WHERE id = \(bind: p6)").run()
        let p7 = try await qualityMember("13900000007", "赵雪", mall: mallB)
        return QualityWorld(p1: p1, p2: p2, p3: p3, p4: p4, p5: p5, p6: p6, p7: p7, mallA: mallA, mallB: mallB)
    }

    var qualityToday: LocalDate { LocalDate(year: 2026, month: 11, day: 25) }

    func segment(_ c: SegmentConditions) async throws -> Set<Int64> {
        Set(try await store.segmentMemberIds(c, on: qualityToday))
    }
}

@Suite("Data quality: completeness, duplicates, birthday mailing, segment conditions, staff figures")
struct DataQualityTests {
    static let everyone = MallScope(mallIds: nil, sinceDay: LocalDate(year: 2025, month: 11, day: 25))

    @Test("completeness counts equal an independent recount, per mall and account manager; the list matches the counts")
    func completeness() async throws {
        try await withTestApp { t in
            let w = try await t.qualityWorld()
            let am = try await t.makeStaff("am1", .accountManager)
            try await t.store.sql.raw("UPDATE members SET account_manager_id = \(bind: am) WHERE id IN (\(bind: w.p1), \(bind: w.p2))").run()
            let rows = try await t.store.completeness(QualityScope(malls: Self.everyone))

            // Recount in Swift from the raw rows.
            struct Key: Hashable { var mall: Int64?; var manager: Int64? }
            var expected: [Key: [MissingField: Int]] = [:]
            var members: [Key: Int] = [:]
            var incomplete: [Key: Int] = [:]
            for r in try await t.store.sql.raw("""
                SELECT enrolled_mall_id, account_manager_id, birthday, email, address, consent_sms, consent_email, consent_phone
                FROM members WHERE status = 'active'
                """).all() {
                let k = Key(mall: try r.decode(column: "enrolled_mall_id", as: Int64?.self), manager: try r.decode(column: "account_manager_id", as: Int64?.self))
                func blank(_ c: String) throws -> Bool { (try r.decode(column: c, as: String?.self) ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
                let consent = try r.decode(column: "consent_sms", as: Bool.self) || r.decode(column: "consent_email", as: Bool.self)
                    || r.decode(column: "consent_phone", as: Bool.self)
                let miss: [MissingField: Bool] = [.birthday: try blank("birthday"), .email: try blank("email"), .address: try blank("address"), .consent: !consent]
                members[k, default: 0] += 1
                for (f, m) in miss where m { expected[k, default: [:]][f, default: 0] += 1 }
                if miss.values.contains(true) { incomplete[k, default: 0] += 1 }
            }
            #expect(rows.count == members.count)
            for r in rows {
                let k = Key(mall: r.mallId, manager: r.managerId)
                #expect(r.members == members[k], "\(k)")
                #expect(r.incomplete == incomplete[k] ?? 0, "\(k)")
                for f in MissingField.allCases { #expect(r.missing[f] == expected[k]?[f] ?? 0, "\(k) \(f)") }
            }
            // Known values: mall A without a manager holds p3, p4, p5; with am1 p1 and p2.
            let amRow = try #require(rows.first { $0.managerId == am })
            #expect(amRow.members == 2 && amRow.missing[.email] == 1 && amRow.missing[.consent] == 1 && amRow.missing[.birthday] == 0)
            // The list behind a count: same members, and each one's missing fields.
            let all = QualityScope(malls: Self.everyone)
            let noEmail = try await t.store.incompleteMembers(all, missing: .email)
            #expect(Set(noEmail.map(\.id)) == [w.p2, w.p7])
            #expect(Set(try await t.store.incompleteMembers(all, missing: .birthday).map(\.id)) == [w.p4, w.p7])
            let any = Set(try await t.store.incompleteMembers(all, missing: nil).map(\.id))
            #expect(any == [w.p2, w.p4, w.p7])   // p1, p3, p5 have all four; p6 is deactivated
            #expect(try await t.store.incompleteMembers(all, missing: .email).first { $0.id == w.p2 }?.missing == [.email, .address, .consent])
            // Scoped: mall B only; an account manager sees only their own members.
            let mallB = QualityScope(malls: MallScope(mallIds: [w.mallB], sinceDay: t.qualityToday))
            #expect(try await t.store.completeness(mallB).map(\.members) == [1])
            #expect(Set(try await t.store.incompleteMembers(QualityScope(malls: Self.everyone, managerId: am), missing: nil).map(\.id)) == [w.p2])
        }
    }

    @Test("duplicates: each reason found, near misses and deactivated members not; one ID number is refused at the door")
    func duplicates() async throws {
        try await withTestApp { t in
            let w = try await t.qualityWorld()
            let pairs = try await t.store.suspectedDuplicates(QualityScope(malls: Self.everyone))
            let found = Set(pairs.map { "\($0.reason.rawValue):\($0.first.id)-\($0.second.id)" })
            #expect(found == ["nameBirthday:\(w.p1)-\(w.p2)", "email:\(w.p1)-\(w.p3)"])   // not p3 by birthday, not p4's .co, not p6
            // A second member with the same national ID number cannot be made (one person, one card): the ID reason
            // can only list rows the unique index let through.
            _ = try await t.store.enrol(EnrolmentRequest(phone: "13900000008", name: "周七", idNumber: nationalID(1), overrideReason: "测试"),
                                        actor: "test", mallId: w.mallA)
            await #expect(throws: (any Error).self) {
                _ = try await t.store.enrol(EnrolmentRequest(phone: "13900000009", name: "周七", idNumber: nationalID(1), overrideReason: "测试"),
                                            actor: "test", mallId: w.mallA)
            }
            #expect(try await t.store.suspectedDuplicates(QualityScope(malls: Self.everyone)).filter { $0.reason == .idHash }.isEmpty)
            // Scope: a pair needs both members inside it.
            let onlyB = QualityScope(malls: MallScope(mallIds: [w.mallB], sinceDay: t.qualityToday))
            #expect(try await t.store.suspectedDuplicates(onlyB).isEmpty)
        }
    }

    @Test("segment conditions on the database agree with the Core checks: age band edges, gender, balance, can redeem, lottery")
    func segmentConditions() async throws {
        try await withTestApp { t in
            let w = try await t.qualityWorld()
            typealias C = SegmentConditions
            #expect(try await t.segment(C(age: AgeBandCondition(minAge: 30, maxAge: 39))) == [w.p1, w.p2, w.p5])   // p1, p2 turn 30 today
            #expect(try await t.segment(C(age: AgeBandCondition(maxAge: 29))) == [w.p3])                          // 30 tomorrow
            #expect(try await t.segment(C(age: AgeBandCondition(minAge: 40))) == [])                              // p5 is 40 tomorrow
            #expect(try await t.segment(C(genders: [.male])) == [w.p4])
            #expect(try await t.segment(C(genders: [.female, .unknown])) == w.active.subtracting([w.p4]))
            #expect(try await t.segment(C(balance: BalanceCondition(minPoints: 999))) == [w.p1, w.p2])           // exactly 999 counts
            #expect(try await t.segment(C(balance: BalanceCondition(minPoints: 1_001))) == [])
            // Can redeem now: nothing on offer yet, then the cheapest on offer (inactive and sold-out items do not count).
            #expect(try await t.segment(C(balance: BalanceCondition(canRedeemNow: true))) == [])
            _ = try await t.store.saveRewardItem(RewardItem(code: "CHEAP-OFF", name: LocalizedName(zh: "下架", en: "Off"), points: 5, active: false), actor: "test")
            _ = try await t.store.saveRewardItem(RewardItem(code: "SOLD", name: LocalizedName(zh: "售罄", en: "Sold out"), points: 5, stock: 0), actor: "test")
            _ = try await t.store.saveRewardItem(RewardItem(code: "TEA", name: LocalizedName(zh: "茶", en: "Tea"), points: 1_000), actor: "test")
            #expect(try await t.store.cheapestRewardPoints(programme: try await t.store.programme().programme, on: t.qualityToday) == 1_000)
            #expect(try await t.segment(C(balance: BalanceCondition(canRedeemNow: true))) == [w.p1])              // 1,000 yes, 999 no
            #expect(try await t.segment(C(lotteryEligible: true)) == [w.p3, w.p4])                                // 8 and 18; not 0
            #expect(try await t.segment(C(lotteryEligible: false)) == w.active.subtracting([w.p3, w.p4]))
            #expect(try await t.segment(C(age: AgeBandCondition(minAge: 29, maxAge: 29), lotteryEligible: true)) == [w.p3])
            // Oracle: the SQL agrees with the Core checks member by member.
            let rows = try await t.store.sql.raw("SELECT id, birthday, points_balance FROM members WHERE status = 'active'").all()
            let band = AgeBandCondition(minAge: 25, maxAge: 35), programme = try await t.store.programme().programme
            var inBand: Set<Int64> = [], lottery: Set<Int64> = []
            for r in rows {
                let id = try r.decode(column: "id", as: Int64.self), balance = try r.decode(column: "points_balance", as: Int64.self)
                if band.matches(birthday: try r.decode(column: "birthday", as: String?.self).flatMap(LocalDate.init), on: t.qualityToday) { inBand.insert(id) }
                if programme.isLotteryEligible(balance: balance) { lottery.insert(id) }
            }
            #expect(try await t.segment(C(age: band)) == inBand)
            #expect(try await t.segment(C(lotteryEligible: true)) == lottery)
        }
    }

    @Test("console: completeness page and list (audited, masked for planners), mailing list for managers only (audited export)")
    func consolePages() async throws {
        try await withTestApp { t in
            let w = try await t.qualityWorld()
            let manager = try await t.console(as: "boss", .manager)
            let page = try await manager.get(SiteRoute.dataQuality.path())
            #expect(page.status == .ok)
            #expect(page.contains(#"id="total-any""#))
            #expect(try await t.auditCount("quality.list.view") == 0)
            let list = try await manager.get(QualityURL.page(missing: "email"))
            #expect(list.status == .ok && list.contains("13900000002") && list.contains("quality-list"))
            #expect(try await t.auditCount("quality.list.view", actor: "staff:boss") == 1)
            let bad = try await manager.get(SiteRoute.dataQuality.path() + "?missing=shoe")
            #expect(bad.status.code >= 400 && bad.status.code < 500 && bad.contains("missing"))

            let planner = try await t.console(as: "plan", .planner)
            let masked = try await planner.get(QualityURL.page(missing: "email"))
            #expect(masked.status == .ok && masked.contains("139****0002") && !masked.contains("13900000002"))
            let csv = try await planner.get(QualityURL.csv(missing: "email", mallId: nil, managerId: nil, mall: nil))
            #expect(csv.status == .ok && csv.contains("139****0002") && !csv.contains("13900000002"))
            #expect(try await t.auditCount("export.qualityList", actor: "staff:plan") == 1)

            // Birthday mailing: managers only, audited; the month's members with an address (not p2: none; not p4: no birthday).
            let mail = try await manager.get(QualityURL.mailing(month: 11, mall: nil))
            #expect(mail.status == .ok)
            #expect(mail.contains("北京路1号") && mail.contains("南京路3号") && mail.contains("广州路5号") && !mail.contains("上海路4号"))
            #expect(mail.body.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 4)   // header + p1, p3, p5 (p6 deactivated)
            #expect(try await t.auditCount("export.birthdayMailing", actor: "staff:boss") == 1)
            let none = try await manager.get(QualityURL.mailing(month: 3, mall: nil))
            #expect(none.body.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 1)
            let wrong = try await manager.get(SiteRoute.birthdayMailingCSV.path() + "?month=13")
            #expect(wrong.status.code >= 400 && wrong.status.code < 500 && wrong.contains("month"))
            for (user, role) in [("desk1", StaffRole.desk), ("plan2", .planner), ("am2", .accountManager)] {
                let c = try await t.console(as: user, role)
                #expect(try await c.get(QualityURL.mailing(month: 11, mall: nil)).status == .forbidden, "\(role)")
                #expect(try await t.auditCount("export.birthdayMailing", actor: "staff:\(user)") == 0)
            }
            let counter = try await t.console(as: "cs1", .counterStaff)
            #expect(try await counter.get(SiteRoute.dataQuality.path()).status == .forbidden)

            // Duplicates: the desk sees both members of each pair, and opening the list is audited.
            let deskId = try await t.makeStaff("desk9", .desk)
            try await t.store.setStaffMalls(staffId: deskId, mallIds: [w.mallA], actor: "test")
            let desk = ConsoleClient(t)
            try await desk.signIn("desk9")
            let dup = try await desk.get(QualityURL.duplicates(mall: nil))
            #expect(dup.status == .ok && dup.contains(#"data-reason="nameBirthday""#) && dup.contains(#"data-reason="email""#))
            #expect(dup.contains("/console/members/\(w.p1)") && dup.contains("/console/members/\(w.p2)") && dup.contains("/console/members/\(w.p3)"))
            #expect(try await t.auditCount("quality.duplicates.view", actor: "staff:desk9") == 1)
            // Mall scoping: the mall-A desk never sees mall B's member, nor mall B when asked for it.
            let deskList = try await desk.get(QualityURL.page(missing: "any"))
            #expect(deskList.status == .ok && !deskList.contains("13900000007"))
            #expect(try await desk.get(QualityURL.page(missing: "any", mall: "B")).status == .forbidden)
        }
    }

    @Test("segment builder: the new conditions preview, save and reopen; bad values refused naming the field")
    func segmentBuilder() async throws {
        try await withTestApp { t in
            let w = try await t.qualityWorld()
            _ = w
            let planner = try await t.console(as: "p1", .planner)
            _ = try await planner.get("/console/segments/new")
            let form: [(String, String)] = [("name", "三十而立"), ("ageMin", "30"), ("ageMax", "39"), ("gender_female", "1"), ("lottery", "no"),
                                            ("balanceMin", "999"), ("spendMonths", "12")]
            let preview = try await planner.post("/console/segments/new", form + [("action", "preview")])
            #expect(preview.status == .ok)
            #expect(preview.contains("<span id=\"segment-count\">2</span>"), "\(preview.body.prefix(1500))")   // p1, p2
            let saved = try await planner.post("/console/segments/new", form + [("action", "save")])
            #expect(saved.status == .seeOther || saved.status == .found)
            let id = try #require(try await t.store.sql.raw("SELECT id FROM segments WHERE name = '三十而立'").first()?.decode(column: "id", as: Int64.self))
            let s = try #require(try await t.store.segment(id: id))
            #expect(s.conditions.age == AgeBandCondition(minAge: 30, maxAge: 39) && s.conditions.genders == [.female]
                    && s.conditions.lotteryEligible == false && s.conditions.balance == BalanceCondition(minPoints: 999))
            let reopened = try await planner.get("/console/segments/\(id)")
            #expect(reopened.contains(#"name="ageMin" value="30""#) && ConsolePage.firstMatch(#"<option value="no"[^>]*( selected)"#, in: reopened.body) != nil)
            for (fields, field) in [([("ageMin", "40"), ("ageMax", "30")], "age.maxAge"), ([("ageMin", "200")], "age.minAge"),
                                    ([("balanceMin", "5"), ("balanceCanRedeem", "1")], "balance.minPoints"),
                                    ([("lottery", "maybe")], "lotteryEligible"), ([("gender_robot", "1")], "genders")] {
                let r = try await planner.post("/console/segments/new", [("name", "坏")] + fields + [("action", "preview")])
                #expect(r.status == .unprocessableEntity && r.contains("data-field=\"\(field)\""), "\(field): \(r.status)")
            }
        }
    }

    @Test("staff figures: cards opened per staff member and channel, counter VIP share against a recount; weekly pack renders")
    func staffFigures() async throws {
        try await withTestApp { t in
            let mall = try #require(try await t.store.malls().first).id
            let desk = try await t.makeStaff("desk1", .desk)
            let cs = try await t.makeStaff("cs1", .counterStaff)
            let counter = try #require(try await t.store.counter(code: "C0001"))
            try await t.store.setStaffCounter(staffId: cs, counterId: counter.id, actor: "test")
            _ = desk
            var n = 0
            func open(_ actor: String, _ count: Int) async throws {
                for _ in 0..<count {
                    n += 1
                    _ = try await t.qualityMember("1370000\(String(format: "%04d", n))", "会员\(n)", mall: mall, actor: actor)
                }
            }
            try await open("staff:desk1", 3)
            try await open("staff:cs1", 2)
            try await open("api:till-1", 1)
            try await open("import:file", 1)
            let week = ReportPeriod.containing(t.qualityToday, kind: .week)
            let rows = try await t.store.cardsOpened(week.through(t.qualityToday)!, malls: nil)
            var recount: [String: Int] = [:]
            for r in try await t.store.sql.raw("SELECT enrolled_by FROM members WHERE enrolled_day >= \(bind: week.from.dayNumber)").all() {
                recount[try r.decode(column: "enrolled_by", as: String.self), default: 0] += 1
            }
            #expect(Dictionary(uniqueKeysWithValues: rows.map { ($0.enrolledBy, $0.cards) }) == recount)
            #expect(rows.first { $0.enrolledBy == "staff:desk1" }?.channel == .desk)
            let csRow = try #require(rows.first { $0.enrolledBy == "staff:cs1" })
            #expect(csRow.channel == .counter && csRow.counterCode == "C0001" && csRow.cards == 2)
            #expect(rows.first { $0.enrolledBy == "api:till-1" }?.channel == .till)
            #expect(rows.first { $0.enrolledBy == "import:file" }?.channel == .other)
            // Last week has none of them.
            #expect(try await t.store.cardsOpened(week.previous.range, malls: nil).isEmpty)

            // Counter sales in the week: a member's 500 yuan and a non-member's 300 yuan at C0001 → VIP share 62.5%.
            let card = try #require(try await t.store.sql.raw("SELECT card_no FROM cards ORDER BY id LIMIT 1").first()?.decode(column: "card_no", as: String.self))
            #expect(try await t.purchase("W-1", at: shanghai(2026, 11, 24, 11), card: card, lines: [Line(50_000, counter: "C0001")]).status == .created)
            #expect(try await t.purchase("W-2", at: shanghai(2026, 11, 23, 11), lines: [Line(30_000, counter: "C0001")]).status == .created)
            #expect(try await t.purchase("W-0", at: shanghai(2026, 11, 22, 11), card: card, lines: [Line(70_000, counter: "C0001")]).status == .created)
            let recountRow = try #require(try await t.store.sql.raw("""
                SELECT CAST(SUM(pl.amount_fen - pl.refunded_fen) AS BIGINT) AS sales,
                  CAST(SUM(CASE WHEN p.member_id IS NOT NULL THEN pl.amount_fen - pl.refunded_fen ELSE 0 END) AS BIGINT) AS member
                FROM purchase_lines pl JOIN purchases p ON p.id = pl.purchase_id JOIN counters c ON c.id = pl.counter_id
                WHERE c.code = 'C0001' AND p.business_day >= \(bind: week.from.dayNumber) AND p.business_day <= \(bind: week.to.dayNumber)
                """).first())
            let sales = try recountRow.decode(column: "sales", as: Int64.self), member = try recountRow.decode(column: "member", as: Int64.self)
            #expect(sales == 80_000 && member == 50_000)   // Sunday 11-22 belongs to the week before
            let figures = try await t.store.reportSales(ReportScope(range: week.through(t.qualityToday)!, mallId: nil), by: .counter)
            let c1 = try #require(figures.first { $0.key == "C0001" })
            #expect(c1.sales.salesFen == sales && c1.sales.memberSalesFen == member && c1.sales.vipSharePermille == 625)

            let boss = try await t.console(as: "boss", .manager)
            let page = try await boss.get(QualityURL.staffFigures(period: week.key, mall: nil))
            #expect(page.status == .ok && page.contains("2026-W48") && page.contains("62.5%") && page.contains("Cs1"))
            #expect(page.contains(#"data-channel="desk""#))
            let pack = try await boss.get(SiteURL.reports(period: "2026-W48", mall: nil).path)
            #expect(pack.status == .ok && pack.contains("2026-W48"))
            let badPeriod = try await boss.get(QualityURL.staffFigures(period: "2026-W60", mall: nil))
            #expect((400..<500).contains(badPeriod.status.code) && badPeriod.contains("p"))
            let desk2 = try await t.console(as: "desk2", .desk)
            #expect(try await desk2.get(QualityURL.staffFigures(period: nil, mall: nil)).status == .forbidden)
        }
    }
}
