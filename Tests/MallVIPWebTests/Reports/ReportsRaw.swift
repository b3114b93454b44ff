import Foundation
import MallVIPCore
@testable import MallVIPStore
import SQLKit

/// The raw rows of a test database and every report figure computed from them directly, without the aggregates:
/// the independent side of `ReportsRecomputeTests`.
struct Raw {
    struct Purchase { var id: Int64; var mall: Int64; var member: Int64?; var day: Int; var net: Int64 }
    struct PLine { var purchase: Int64; var lineNo: Int; var counter: Int64; var amount: Int64; var refunded: Int64 }
    struct Counter { var code: String; var name: String; var brand: String; var floor: String; var dept: String; var deptName: String }
    struct Member { var id: Int64; var enrolled: Int; var mall: Int64?; var gender: String; var birthday: LocalDate?; var name: String }
    struct Change { var id: Int64; var member: Int64; var to: String; var atMs: Int64 }

    var purchases: [Purchase] = []
    var lines: [PLine] = []
    var counters: [Int64: Counter] = [:]
    var members: [Member] = []
    var changes: [Change] = []
    var ledger: [(kind: String, points: Int64, atMs: Int64)] = []
    var cards: [Int64: String] = [:]

    static func load(_ sql: any SQLDatabase) async throws -> Raw {
        var r = Raw()
        func i64(_ row: any SQLRow, _ c: String) throws -> Int64 { try row.decode(column: c, as: Int64.self) }
        func str(_ row: any SQLRow, _ c: String) throws -> String { try row.decode(column: c, as: String.self) }
        r.purchases = try await sql.raw("SELECT id, mall_id, member_id, business_day, total_fen, refunded_fen FROM purchases").all().map {
            Purchase(id: try i64($0, "id"), mall: try i64($0, "mall_id"), member: try $0.decode(column: "member_id", as: Int64?.self),
                     day: try $0.decode(column: "business_day", as: Int.self), net: try i64($0, "total_fen") - i64($0, "refunded_fen"))
        }
        r.lines = try await sql.raw("SELECT purchase_id, line_no, counter_id, amount_fen, refunded_fen FROM purchase_lines").all().map {
            PLine(purchase: try i64($0, "purchase_id"), lineNo: try $0.decode(column: "line_no", as: Int.self), counter: try i64($0, "counter_id"),
                  amount: try i64($0, "amount_fen"), refunded: try i64($0, "refunded_fen"))
        }
        for c in try await sql.raw("""
            SELECT c.id, c.code, c.name, c.brand, c.floor, d.code AS dept, d.name AS dept_name FROM counters c JOIN departments d ON d.id = c.department_id
            """).all() {
            r.counters[try i64(c, "id")] = Counter(code: try str(c, "code"), name: try str(c, "name"), brand: try str(c, "brand"),
                                                  floor: try str(c, "floor"), dept: try str(c, "dept"), deptName: try str(c, "dept_name"))
        }
        r.members = try await sql.raw("SELECT id, enrolled_day, enrolled_mall_id, gender, birthday, name FROM members").all().map {
            Member(id: try i64($0, "id"), enrolled: try $0.decode(column: "enrolled_day", as: Int.self), mall: try $0.decode(column: "enrolled_mall_id", as: Int64?.self),
                   gender: try str($0, "gender"), birthday: try $0.decode(column: "birthday", as: String?.self).flatMap(LocalDate.init),
                   name: try str($0, "name"))
        }
        r.changes = try await sql.raw("SELECT id, member_id, to_tier, at_ms FROM tier_changes").all().map {
            Change(id: try i64($0, "id"), member: try i64($0, "member_id"), to: try str($0, "to_tier"), atMs: try i64($0, "at_ms"))
        }
        r.ledger = try await sql.raw("SELECT kind, points, at_ms FROM points_ledger").all().map { (try str($0, "kind"), try i64($0, "points"), try i64($0, "at_ms")) }
        for c in try await sql.raw("SELECT member_id, card_no FROM cards WHERE state = 'active' AND member_id IS NOT NULL ORDER BY id DESC").all() {
            r.cards[try i64(c, "member_id")] = try str(c, "card_no")   // the lowest id wins, as in the report
        }
        return r
    }

    func inScope(_ p: Purchase, _ range: DayRange, _ mall: Int64?) -> Bool {
        p.day >= range.from.dayNumber && p.day <= range.to.dayNumber && (mall == nil || p.mall == mall)
    }

    // MARK: sales

    func sales(_ scope: ReportScope, by g: SalesGrouping) -> [SalesGroup] {
        let byId = Dictionary(uniqueKeysWithValues: purchases.map { ($0.id, $0) })
        var groups: [String: SalesGroup] = [:]
        var ticketSeen = Set<String>()
        for l in lines {
            guard let p = byId[l.purchase], inScope(p, scope.range, scope.mallId) else { continue }
            let c = counters[l.counter]!
            let day = LocalDate(dayNumber: p.day)
            let (key, label, parent): (String, String, String) = switch g {
            case .total: ("", "", "")
            case .day: (day.description, day.description, "")
            case .month: (String(day.description.prefix(7)), String(day.description.prefix(7)), "")
            case .department: (c.dept, c.deptName, "")
            case .floor: (c.floor, c.floor, "")
            case .counter: (c.code, "\(c.name) · \(c.brand)", c.deptName)
            }
            var s = groups[key]?.sales ?? SalesTotals()
            let m: Int64 = p.member == nil ? 0 : 1
            let net = l.amount - l.refunded
            s.salesFen += net; s.memberSalesFen += m * net
            s.lines += 1; s.memberLines += m
            s.refundedFen += l.refunded; s.memberRefundedFen += m * l.refunded
            if l.lineNo == 1 { s.receipts += 1; s.memberReceipts += m }
            // Tickets: receipts with a line at the counter, counted once per counter and day.
            if ticketSeen.insert("\(key)|\(l.counter)|\(p.id)").inserted { s.tickets += 1; s.memberTickets += m }
            groups[key] = SalesGroup(key: key, label: label, parent: parent, sales: s)
        }
        if g == .total && groups.isEmpty { return [SalesGroup(key: "", label: "", sales: SalesTotals())] }
        return groups.values.sorted { $0.key < $1.key }
    }

    func bands(_ scope: ReportScope, _ policy: ReportsPolicy) -> [PriceBandRow] {
        let byId = Dictionary(uniqueKeysWithValues: purchases.map { ($0.id, $0) })
        var rows: [Int64: PriceBandRow] = [:]
        for l in lines {
            guard let p = byId[l.purchase], inScope(p, scope.range, scope.mallId) else { continue }
            let band = policy.priceBand(of: l.amount)
            var r = rows[band] ?? PriceBandRow(bandFen: band, lines: 0, salesFen: 0, memberLines: 0, memberSalesFen: 0)
            r.lines += 1; r.salesFen += l.amount - l.refunded
            if p.member != nil { r.memberLines += 1; r.memberSalesFen += l.amount - l.refunded }
            rows[band] = r
        }
        return rows.values.sorted { $0.bandFen < $1.bandFen }
    }

    // MARK: members

    struct Stats { var spend: Int64 = 0; var purchases: Int64 = 0; var days = Set<String>(); var last = 0 }

    func perMember(_ range: DayRange, _ mall: Int64?) -> [Int64: Stats] {
        var out: [Int64: Stats] = [:]
        for p in purchases where inScope(p, range, mall) {
            guard let m = p.member else { continue }
            var s = out[m] ?? Stats()
            s.spend += p.net; s.purchases += 1; s.days.insert("\(p.mall)|\(p.day)"); s.last = max(s.last, p.day)
            out[m] = s
        }
        return out
    }

    func membersIn(_ scope: ReportScope) -> [Member] {
        members.filter { $0.enrolled <= scope.range.to.dayNumber && (scope.mallId == nil || $0.mall == scope.mallId) }
    }

    func members(_ scope: ReportScope, previous: DayRange, minDays: Int) -> MemberFigures {
        let r = scope.range
        let total = membersIn(scope).count
        let new = members.filter { $0.enrolled >= r.from.dayNumber && $0.enrolled <= r.to.dayNumber && (scope.mallId == nil || $0.mall == scope.mallId) }.count
        let now = perMember(r, scope.mallId), before = perMember(previous, scope.mallId)
        return MemberFigures(total: total, new: new, days: r.days, active: now.count, spendFen: now.values.reduce(0) { $0 + $1.spend },
                             purchases: now.values.reduce(0) { $0 + $1.purchases }, repeatBuyers: now.values.filter { $0.days.count >= minDays }.count,
                             minDays: minDays, previousActive: before.count, retained: before.keys.filter { now[$0] != nil }.count)
    }

    func churn(_ scope: ReportScope, _ policy: ChurnPolicy) -> ChurnReport {
        let base = perMember(DayRange(from: scope.range.from.adding(months: -12), to: scope.range.from.adding(days: -1)), scope.mallId)
        let recent = perMember(DayRange(from: scope.range.to.windowStart(months: policy.inactiveMonths), to: scope.range.to), scope.mallId)
        return ChurnReport(base: base.count, lost: base.keys.filter { recent[$0] == nil }.count, inactiveMonths: policy.inactiveMonths,
                           targetPermille: policy.targetRatePermille)
    }

    func demographics(_ scope: ReportScope, ages: [Int]) -> [DemographicRow] {
        let active = perMember(scope.range, scope.mallId)
        var rows: [String: DemographicRow] = [:]
        for m in membersIn(scope) {
            let band = AgeBands.band(birthday: m.birthday, ages: ages, on: scope.range.to) ?? -1
            let key = "\(m.gender)|\(band + 100)"
            var r = rows[key] ?? DemographicRow(gender: m.gender, ageBand: band, members: 0, active: 0, spendFen: 0)
            r.members += 1
            if let a = active[m.id] { r.active += 1; r.spendFen += a.spend }
            rows[key] = r
        }
        return rows.values.sorted { ($0.gender, $0.ageBand) < ($1.gender, $1.ageBand) }
    }

    func tierAsOf(beforeMs: Int64) -> [Int64: String] {
        var last: [Int64: Change] = [:]
        for c in changes where c.atMs < beforeMs {
            if let l = last[c.member], l.id > c.id { continue }
            last[c.member] = c
        }
        return last.mapValues(\.to)
    }

    func tiers(_ scope: ReportScope, zone: TimeZone) -> TierReport {
        let start = tierAsOf(beforeMs: epochMillis(scope.range.from.start(in: zone)))
        let end = tierAsOf(beforeMs: epochMillis(scope.range.to.adding(days: 1).start(in: zone)))
        let malls = Dictionary(uniqueKeysWithValues: members.map { ($0.id, $0.mall) })
        var report = TierReport(start: [:], end: [:], matrix: [:])
        for (member, to) in end where scope.mallId == nil || malls[member] == scope.mallId {
            let from = start[member] ?? ""
            report.matrix[from, default: [:]][to, default: 0] += 1
            report.end[to, default: 0] += 1
            if !from.isEmpty { report.start[from, default: 0] += 1 }
        }
        return report
    }

    // MARK: value

    func rfm(_ scope: ReportScope, grades: Int) -> [RFMCell] {
        let stats = perMember(scope.range, scope.mallId).map { $0.value }
        let r = RankGrade.grades(stats.map { Int64($0.last) }, grades: grades, higherIsBetter: true)
        let f = RankGrade.grades(stats.map(\.purchases), grades: grades, higherIsBetter: true)
        let m = RankGrade.grades(stats.map(\.spend), grades: grades, higherIsBetter: true)
        var cells: [String: RFMCell] = [:]
        for i in stats.indices {
            let key = "\(r[i])|\(f[i])|\(m[i])"
            var c = cells[key] ?? RFMCell(r: r[i], f: f[i], m: m[i], members: 0, spendFen: 0)
            c.members += 1; c.spendFen += stats[i].spend
            cells[key] = c
        }
        return cells.values.sorted { ($0.r, $0.f, $0.m) < ($1.r, $1.f, $1.m) }
    }

    func abc(_ scope: ReportScope, _ policy: ReportsPolicy) -> [ValueClassRow] {
        let ranked = perMember(scope.range, scope.mallId).sorted { ($0.value.spend, $1.key) > ($1.value.spend, $0.key) }
        let classes = ABCClass.classify(sortedDescending: ranked.map(\.value.spend), policy: policy)
        var rows: [String: ValueClassRow] = [:]
        for (i, c) in classes.enumerated() {
            var r = rows[c.rawValue] ?? ValueClassRow(key: c.rawValue, members: 0, spendFen: 0)
            r.members += 1; r.spendFen += ranked[i].value.spend
            rows[c.rawValue] = r
        }
        return rows.values.sorted { $0.key < $1.key }
    }

    func segments(_ scope: ReportScope, _ policy: ReportsPolicy) -> SegmentReport {
        let year = DayRange(from: scope.range.to.windowStart(months: 12), to: scope.range.to)
        var rows: [Int: ValueClassRow] = [:]
        var high = ValueClassRow(key: "highValue", members: 0, spendFen: 0)
        for s in perMember(year, scope.mallId).values {
            let i = policy.segmentIndex(spendFen: s.spend, purchaseDays: s.days.count) ?? -1
            var r = rows[i] ?? ValueClassRow(key: i >= 0 ? policy.segments[i].code : "", members: 0, spendFen: 0)
            r.members += 1; r.spendFen += s.spend
            rows[i] = r
            if policy.isHighValue(spendFen: s.spend) { high.members += 1; high.spendFen += s.spend }
        }
        let mall = purchases.filter { inScope($0, year, scope.mallId) }.reduce(Int64(0)) { $0 + $1.net }
        return SegmentReport(from: year.from, to: year.to, rows: rows.sorted { $0.key < $1.key }.map(\.value), highValue: high, mallSalesFen: mall)
    }

    func top(_ scope: ReportScope, previous: DayRange, lastYear: DayRange, n: Int, zone: TimeZone) -> TopReport {
        func ranking(_ range: DayRange) -> [(Int64, Stats)] {
            perMember(range, scope.mallId).sorted { ($0.value.spend, $1.key) > ($1.value.spend, $0.key) }.prefix(n).map { ($0.key, $0.value) }
        }
        let now = ranking(scope.range)
        let prev = ranking(previous)
        let prevAll = perMember(previous, scope.mallId), lyAll = perMember(lastYear, scope.mallId), nowAll = perMember(scope.range, scope.mallId)
        let prevRank = Dictionary(uniqueKeysWithValues: prev.enumerated().map { ($0.element.0, $0.offset + 1) })
        let start = tierAsOf(beforeMs: epochMillis(scope.range.from.start(in: zone)))
        let end = tierAsOf(beforeMs: epochMillis(scope.range.to.adding(days: 1).start(in: zone)))
        let names = Dictionary(uniqueKeysWithValues: members.map { ($0.id, $0.name) })
        let rows = now.enumerated().map { i, e in
            TopMemberRow(rank: i + 1, memberId: e.0, cardNo: cards[e.0], name: names[e.0] ?? "", tierStart: start[e.0], tierEnd: end[e.0],
                         spendFen: e.1.spend, purchases: e.1.purchases, days: Int64(e.1.days.count), lastDay: LocalDate(dayNumber: e.1.last),
                         previousRank: prevRank[e.0], previousSpendFen: prevAll[e.0]?.spend ?? 0, lastYearSpendFen: lyAll[e.0]?.spend ?? 0)
        }
        let kept = Set(now.map(\.0))
        let dropped = prev.map(\.0).filter { !kept.contains($0) }
        return TopReport(rows: rows, stayed: prev.count - dropped.count, dropped: dropped.count,
                         droppedInactive: dropped.filter { nowAll[$0] == nil }.count)
    }

    func points(_ range: DayRange, zone: TimeZone, rate: Int64) -> PointsReport {
        let start = epochMillis(range.from.start(in: zone)), end = epochMillis(range.to.adding(days: 1).start(in: zone))
        var byKind: [String: Int64] = [:]
        for l in ledger where l.atMs >= start && l.atMs < end { byKind[l.kind, default: 0] += l.points }
        return PointsReport(byKind: byKind, outstandingStart: ledger.filter { $0.atMs < start }.reduce(0) { $0 + $1.points },
                            outstandingEnd: ledger.filter { $0.atMs < end }.reduce(0) { $0 + $1.points }, fenPerThousandPoints: rate)
    }
}
