import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// The demo only fills an empty database: it writes ids and history that live data would contradict.
public struct DemoRefused: Error, Sendable, CustomStringConvertible {
    public var members: Int
    public var purchases: Int
    public var description: String {
        "the database already has \(members) member(s) and \(purchases) purchase(s); `mallvip demo` only fills an empty database "
            + "(point DATABASE_URL at a new one, e.g. DATABASE_URL=sqlite:demo.sqlite)"
    }
}

/// What the demo year came to, read back from the database: the Chengdu report's figures (docs/domain.md §12.2).
public struct DemoFigures: Sendable, Equatable {
    public struct Department: Sendable, Equatable {
        public var code: String
        public var name: String
        public var salesFen: Int64
        public var memberSalesFen: Int64
        public var vipShare: Double { salesFen > 0 ? Double(memberSalesFen) / Double(salesFen) : 0 }
    }

    public var firstDay: LocalDate
    public var lastDay: LocalDate
    public var members: Int
    /// Members enrolled during the year (new cards).
    public var newMembers: Int
    /// Cards (members) with at least one purchase in the year.
    public var activeCards: Int
    public var purchases: Int
    public var memberPurchases: Int
    public var salesFen: Int64
    public var memberSalesFen: Int64
    public var pointsOutstanding: Int64
    public var ledgerRows: Int
    /// Members by earned tier code.
    public var tiers: [String: Int]
    public var tierChanges: Int
    public var pendingTierRequests: Int
    public var counters: Int
    public var departments: [Department]

    public var days: Int { lastDay.dayNumber - firstDay.dayNumber + 1 }
    public var averageSpendPerActiveCardFen: Int64 { activeCards > 0 ? memberSalesFen / Int64(activeCards) : 0 }
    public var vipShare: Double { salesFen > 0 ? Double(memberSalesFen) / Double(salesFen) : 0 }
    public var newCardsPerDay: Double { days > 0 ? Double(newMembers) / Double(days) : 0 }
}

extension Store {
    /// Throws `DemoRefused` when the database already holds members or purchases.
    public func checkEmptyForDemo() async throws {
        let members = try await sql.row("SELECT COUNT(*) AS n FROM members")!.int("n")
        let purchases = try await sql.row("SELECT COUNT(*) AS n FROM purchases")!.int("n")
        if members > 0 || purchases > 0 { throw DemoRefused(members: members, purchases: purchases) }
    }

    /// Fills an empty database with the demo mall and its year (see `DemoPlan`), in two transactions: the
    /// organisation and staff roster, then every member, card, purchase, ledger row and tier change in bulk.
    /// `staffPasswordHash` is the bcrypt hash given to the maintainers and desk clerks it creates (nobody is told
    /// the password: they are there to be named on members and enrolments). Returns the figures read back.
    public func generateDemo(_ plan: DemoPlan, staffPasswordHash: String, actor: String = "cli",
                             progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> DemoFigures {
        guard plan.scale > 0, plan.scale <= DemoPlan.maxScale, plan.days >= 30 else {
            throw DomainError.invalid("scale", "demo.scale", zh: "规模须大于0且不超过\(Int(DemoPlan.maxScale))",
                                      en: "scale must be above 0 and at most \(Int(DemoPlan.maxScale))")
        }
        try await checkEmptyForDemo()
        let started = ContinuousClock.now
        let elapsed: @Sendable () -> String = {
            let d = (ContinuousClock.now - started).components
            return String(format: "%.1fs", Double(d.seconds) + Double(d.attoseconds) / 1e18)
        }

        let (version, programme) = try await self.programme()
        let today = LocalDate.of(now, in: programme.timeZone)
        let nowMs = epochMillis(now)
        let org = try await write { tx in try await self.demoOrganisation(tx, plan: plan, passwordHash: staffPasswordHash, nowMs: nowMs) }
        counters.invalidate()
        progress("organisation: mall \(DemoCatalogue.mallCode) \(DemoCatalogue.mallName), \(DemoCatalogue.departments.count) departments, \(org.counters.count) counters, \(org.accountManagers.count + org.deskActors.count) staff (\(elapsed()))")

        func maxID(_ table: String) async throws -> Int64 {
            try await sql.row("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS n FROM \(ident: table)")!.int64("n")
        }
        let (memberBase, cardBase, purchaseBase) = (try await maxID("members"), try await maxID("cards"), try await maxID("purchases"))
        let inputs = DemoWorld.Inputs(plan: plan, programme: programme, today: today,
                                      mallCode: DemoCatalogue.mallCode, counters: org.counters,
                                      memberIdBase: memberBase, cardIdBase: cardBase, purchaseIdBase: purchaseBase, deskActors: org.deskActors,
                                      managerActor: "staff:demo", accountManagerIds: org.accountManagers)
        let world = DemoWorld.build(inputs)
        progress("generated \(world.members.count) members, \(world.purchases.count) purchases, \(world.ledger.count) ledger rows; member spend scaled by \(String(format: "%.3f", world.spendFactor)) (\(elapsed()))")

        // National ID numbers are stored as the enrolment path stores them: keyed hash, ciphertext, mask.
        var identity: [Int: (hash: String, cipher: String, masked: String)] = [:]
        for (i, m) in world.members.enumerated() {
            guard let id = m.idNumber?.uppercased() else { continue }
            identity[i] = (env.cipher.hash(id), try env.cipher.encrypt(id), Identity.maskNationalID(id))
        }
        let ids = identity
        try await writeDemoTransaction { tx in
            try await self.writeDemo(tx, world, ids: ids, mallId: org.mallId, version: version, progress: { progress("\($0) (\(elapsed()))") })
            try await self.audit(tx, actor: actor, action: "demo.generate", subject: "mall:\(DemoCatalogue.mallCode)",
                                 detail: "seed \(plan.seed) scale \(plan.scale): \(world.members.count) members, \(world.purchases.count) purchases")
        }
        progress("committed (\(elapsed()))")
        if sql.storeDialect == .postgresql {
            // A bulk load leaves the planner without statistics, and autovacuum never analyses a partitioned parent
            // (migration 046): analyse what the demo filled, so the first queries are planned on real numbers.
            try await sql.exec("ANALYZE members, cards, purchases, purchase_lines, points_ledger, member_daily_spend, tier_changes")
            progress("analysed (\(elapsed()))")
        }
        return try await demoFigures(firstDay: LocalDate(dayNumber: world.firstDay), lastDay: LocalDate(dayNumber: world.lastDay))
    }

    struct DemoOrganisation: Sendable {
        var mallId: Int64
        var counters: [DemoWorld.CounterInfo]
        var deskActors: [String]
        var accountManagers: [Int64]
    }

    /// The mall (the seeded MAIN mall becomes 成都店 CD), its four departments, the counters, and the staff roster.
    /// Existing rows with the same codes are reused.
    private func demoOrganisation(_ tx: any Database, plan: DemoPlan, passwordHash: String, nowMs: Int64) async throws -> DemoOrganisation {
        let sql = tx.sql
        var mallId: Int64
        if let row = try await sql.row("SELECT id FROM malls WHERE code = \(bind: DemoCatalogue.mallCode)") {
            mallId = try row.int64("id")
        } else {
            let malls = try await sql.rows("SELECT id, code FROM malls")
            if malls.count == 1, try malls[0].string("code") == "MAIN" {
                mallId = try malls[0].int64("id")
                try await sql.exec("UPDATE malls SET code = \(bind: DemoCatalogue.mallCode), name = \(bind: DemoCatalogue.mallName) WHERE id = \(bind: mallId)")
            } else {
                mallId = try await sql.row("""
                    INSERT INTO malls (code, name, created_at_ms) VALUES (\(bind: DemoCatalogue.mallCode), \(bind: DemoCatalogue.mallName), \(bind: nowMs))
                    RETURNING id
                    """)!.int64("id")
            }
        }
        var departmentIds: [Int64] = []
        for d in DemoCatalogue.departments {
            if let row = try await sql.row("SELECT id FROM departments WHERE mall_id = \(bind: mallId) AND code = \(bind: d.code)") {
                let id = try row.int64("id")
                try await sql.exec("UPDATE departments SET name = \(bind: d.name) WHERE id = \(bind: id)")
                departmentIds.append(id)
            } else {
                departmentIds.append(try await sql.row("""
                    INSERT INTO departments (mall_id, code, name) VALUES (\(bind: mallId), \(bind: d.code), \(bind: d.name)) RETURNING id
                    """)!.int64("id"))
            }
        }
        var counters: [DemoWorld.CounterInfo] = []
        for spec in DemoCatalogue.counters {
            var info = DemoWorld.CounterInfo(id: 0, code: spec.code, department: spec.department, floor: spec.floor, category: spec.category,
                                             participates: spec.participatesInDiscount, earnsPoints: spec.earnsPoints,
                                             ticketYuan: spec.ticketYuan, specialRate: spec.specialRate, salesWeight: spec.salesWeight,
                                             vipShare: spec.vipShare)
            if let row = try await sql.row("""
                SELECT id, mall_id, participates_in_discount, earns_points, active FROM counters WHERE code = \(bind: spec.code)
                """) {
                // An existing counter (the seeded C0001) keeps its settings; one in another mall or inactive is left out.
                guard try row.int64("mall_id") == mallId, try row.bool("active") else { continue }
                info.id = try row.int64("id")
                info.participates = try row.bool("participates_in_discount")
                info.earnsPoints = try row.bool("earns_points")
                if !info.participates { info.specialRate = 0 }
            } else {
                info.id = try await sql.row("""
                    INSERT INTO counters (mall_id, department_id, code, name, brand, category, floor, participates_in_discount, earns_points, active)
                    VALUES (\(bind: mallId), \(bind: departmentIds[spec.department]), \(bind: spec.code), \(bind: spec.name), \(bind: spec.brand),
                            \(bind: spec.category), \(bind: spec.floor), \(bind: spec.participatesInDiscount), \(bind: spec.earnsPoints), \(bind: true))
                    RETURNING id
                    """)!.int64("id")
            }
            counters.append(info)
        }

        func staff(_ username: String, _ displayName: String, _ role: StaffRole) async throws -> Int64 {
            if let row = try await sql.row("SELECT id FROM staff_users WHERE username = \(bind: username)") { return try row.int64("id") }
            return try await sql.row("""
                INSERT INTO staff_users (username, display_name, password_hash, role, mall_id, active, failed_logins, created_at_ms)
                VALUES (\(bind: username), \(bind: displayName), \(bind: passwordHash), \(bind: role.rawValue), \(bind: mallId), \(bind: true), 0, \(bind: nowMs))
                RETURNING id
                """)!.int64("id")
        }
        let names = DemoCatalogue.staffNames
        var managers: [Int64] = []
        for i in 0..<plan.accountManagers {
            managers.append(try await staff(String(format: "am%02d", i + 1), "维护人 " + names[i % names.count], .accountManager))
        }
        var desk: [String] = []
        for i in 0..<plan.deskClerks {
            let username = String(format: "desk%02d", i + 1)
            _ = try await staff(username, "服务台 " + names[(names.count - 1 - i) % names.count], .desk)
            desk.append("staff:" + username)
        }
        try await audit(tx, actor: "demo", action: "demo.organisation", subject: "mall:\(DemoCatalogue.mallCode)",
                        detail: "\(counters.count) counters, \(managers.count + desk.count) staff")
        return DemoOrganisation(mallId: mallId, counters: counters, deskActors: desk, accountManagers: managers)
    }

    private func writeDemo(_ tx: any Database, _ w: DemoWorld, ids: [Int: (hash: String, cipher: String, masked: String)], mallId: Int64,
                           version: Int, progress: @Sendable (String) -> Void) async throws {
        let sql = tx.sql
        let programme = w.programme
        let tiers = programme.tiers
        // Empty tables: their secondary indexes are built once the rows are in (DemoIndexes).
        let setAside = try await DemoIndexes.setAside(sql)

        var members = BulkInsert(sql, table: "members", columns: [
            "id", "name", "gender", "birthday", "birth_month", "birth_day", "phone", "email", "address", "id_hash", "id_cipher", "id_masked",
            "profile_json", "notes", "consent_sms", "consent_email", "consent_phone", "account_manager_id", "status", "earned_tier",
            "tier_since_day", "last_review_day", "manual_tier", "manual_until_day", "manual_reason", "points_balance", "enrolled_at_ms", "enrolled_day",
            "enrolled_mall_id", "enrol_rule", "enrol_receipts", "enrol_override_reason", "enrolled_by", "updated_at_ms", "referral_code",
        ])
        for (i, m) in w.members.enumerated() {
            let id = ids[i]
            try await members.add([
                .int(m.id), .text(m.name), .text(m.gender.rawValue), .opt(m.birthday?.description), .opt(m.birthday?.month),
                .opt(m.birthday?.day), .text(m.phone), .opt(m.email), .opt(m.address), .opt(id?.hash), .opt(id?.cipher), .opt(id?.masked),
                .text(m.profileJSON), .text(m.notes), .bool(m.consentSMS), .bool(m.consentEmail), .bool(m.consentPhone),
                .opt(m.accountManagerId), .text("active"), .text(tiers[m.earnedTier].code), .int(m.tierSinceDay), .opt(m.lastReviewDay),
                .opt(m.honorary.map { tiers[$0.tier].code }), .opt(m.honorary?.until.dayNumber), .opt(m.honorary?.reason),
                .int(m.balance), .int(m.enrolledAtMs), .int(m.enrolledDay), .int(mallId), .text(m.enrolRule), .text(m.enrolReceiptsText),
                .opt(m.overrideReason), .text(m.enrolledBy), .int(m.updatedAtMs), .text(ReferralCode.forMember(m.id)),
            ])
        }
        try await members.flush()
        // Demo maintainers have served their tenure, and their members' spells start at enrolment (as migration 016 does).
        try await sql.exec("""
            UPDATE staff_users SET hired_on = \(bind: w.firstDay - 730) WHERE role = 'accountManager' AND hired_on IS NULL
            """)
        try await sql.exec("""
            INSERT INTO member_manager_history (member_id, staff_id, from_day, to_day, reason, assigned_by, assigned_at_ms)
            SELECT id, account_manager_id, enrolled_day, NULL, 'demo', 'demo', updated_at_ms FROM members
            WHERE account_manager_id IS NOT NULL AND id NOT IN (SELECT member_id FROM member_manager_history)
            """)

        var cards = BulkInsert(sql, table: "cards", columns: ["id", "member_id", "card_no", "state", "issued_at_ms", "activated_at_ms", "replaced_by", "note"])
        for c in w.cards {
            try await cards.add([.int(c.id), .opt(c.memberIndex.map { w.members[$0].id }), .text(c.number), .text(c.state.rawValue),
                                 .int(c.issuedAtMs), .opt(c.activatedAtMs), .opt(c.replacedBy), .text(c.note)])
        }
        try await cards.flush()
        progress("wrote \(members.written) members, \(cards.written) cards")

        var purchases = BulkInsert(sql, table: "purchases", columns: [
            "id", "mall_id", "receipt_no", "member_id", "card_no", "phone", "occurred_at_ms", "business_day", "total_fen", "eligible_fen",
            "refunded_fen", "refunded_eligible_fen", "points_earned", "points_reversed", "factor_permille", "programme_version",
            "request_hash", "response_json", "created_at_ms",
        ])
        var lines = BulkInsert(sql, table: "purchase_lines", columns: [
            "purchase_id", "member_id", "line_no", "counter_id", "amount_fen", "special_price", "earns_points", "refunded_fen",
            "business_day",   // the purchase's (migration 046, part 21b)
        ], maxRows: 8000)
        // Purchases go first in each batch: their lines refer to them. The rows of the next batch are built (request
        // hash, stored answer) while this one is written (Store+DemoRows.swift).
        let batches = DemoPurchaseRows.batches(w, size: purchases.maxRows)
        let context = DemoPurchaseRows.Context(world: w, mallId: mallId, version: version)
        var next: Task<DemoPurchaseRows, Never>? = batches.first.map { b in Task.detached { DemoPurchaseRows(context, b) } }
        for k in batches.indices {
            guard let building = next else { break }
            let rows = await building.value
            next = k + 1 < batches.count ? Task.detached { [b = batches[k + 1]] in DemoPurchaseRows(context, b) } : nil
            for r in rows.purchases { try await purchases.add(r) }
            try await purchases.flush()
            for r in rows.lines { try await lines.add(r) }
            try await lines.flush()
        }
        progress("wrote \(purchases.written) purchases, \(lines.written) lines")

        let ledger = w.ledger.sorted(by: { ($0.atMs, w.purchaseIds[$0.purchase]) < ($1.atMs, w.purchaseIds[$1.purchase]) }).map { e in
            let receipt = w.receiptNumbers[e.purchase]
            let note = e.enrolmentCredit ? "\(receipt) · 办卡前消费" : ([receipt] + w.purchases[e.purchase].multipliers).joined(separator: " · ")
            return NewLedgerEntry(memberId: w.members[e.member].id, kind: .earn, points: e.points, balanceAfter: e.balanceAfter,
                                  purchase: .id(w.purchaseIds[e.purchase]), note: note, actor: e.actor, atMs: e.atMs)
        }
        try await LedgerWriter.write(sql, ledger, maxRows: 8000)

        var spend = BulkInsert(sql, table: "member_daily_spend", columns: ["member_id", "mall_id", "day", "spend_fen", "purchases"], maxRows: 8000)
        for s in w.daySpend {
            try await spend.add([.int(w.members[s.member].id), .int(mallId), .int(s.day), .int(s.fen), .int(s.purchases)])
        }
        try await spend.flush()

        var counts = BulkInsert(sql, table: "mall_day_counts", columns: ["mall_id", "day", "member_purchases"])
        for (day, n) in w.mallDayCounts.sorted(by: { $0.key < $1.key }) {
            try await counts.add([.int(mallId), .int(day), .int(n)])
        }
        try await counts.flush()

        var changes = BulkInsert(sql, table: "tier_changes", columns: [
            "member_id", "from_tier", "to_tier", "kind", "reason", "purchase_id", "actor", "at_ms",
        ])
        // Time order; rows of one member at one moment (enrolment, then the upgrade it brought) keep their order.
        for k in w.tierChanges.indices.sorted(by: { (w.tierChanges[$0].atMs, w.tierChanges[$0].member, $0) < (w.tierChanges[$1].atMs, w.tierChanges[$1].member, $1) }) {
            let c = w.tierChanges[k]
            try await changes.add([.int(w.members[c.member].id), .text(c.from), .text(c.to), .text(c.kind), .text(c.reason),
                                   .opt(c.purchase.map { w.purchaseIds[$0] }), .text(c.actor), .int(c.atMs)])
        }
        try await changes.flush()

        var requests = BulkInsert(sql, table: "tier_requests", columns: [
            "member_id", "tier", "reason", "status", "created_at_ms", "decided_by", "decided_at_ms", "note",
        ])
        for r in w.tierRequests.sorted(by: { ($0.createdAtMs, $0.member) < ($1.createdAtMs, $1.member) }) {
            try await requests.add([.int(w.members[r.member].id), .text(r.tier), .text(r.reason), .text(r.status), .int(r.createdAtMs),
                                    .opt(r.decidedBy), .opt(r.decidedAtMs), .opt(r.note)])
        }
        try await requests.flush()
        // The daily job ran every day of the year.
        if programme.review.mode != .none {
            var jobs = BulkInsert(sql, table: "job_runs", columns: ["job", "day", "finished_at_ms", "summary"])
            for day in w.firstDay...w.lastDay {
                let r = w.reviewDays[day] ?? (0, 0, 0)
                try await jobs.add([.text("tierReview"), .int(day), .int(w.startMs(ofDay: day) + 3_600_000 + Int64(day % 600) * 1000),
                                    .text("reviewed=\(r.reviewed) downgraded=\(r.downgraded) upgraded=\(r.upgraded) manualEnded=0")])
            }
            try await jobs.flush()
        }
        progress("wrote \(ledger.count) ledger rows, \(spend.written) daily spend rows, \(changes.written) tier changes, \(requests.written) tier requests")

        try await DemoIndexes.restore(sql, setAside)
        progress("built \(setAside.indexes.count) indexes\(setAside.foreignKeys.isEmpty ? "" : " and \(setAside.foreignKeys.count) foreign keys")")
        // The report aggregates (migration 025), from the purchases and lines written (they read nothing else).
        try await ReportAggregates.rebuild(sql, policy: programme.reports, from: nil)
        // Member figures were written without the snapshots' change list: no snapshot may stand for them.
        try await ReportSnapshots.discard(sql)
        progress("rebuilt the report aggregates")

        // Ids were given explicitly; PostgreSQL's identity sequences must move past them.
        if sql.storeDialect == .postgresql {
            for table in ["members", "cards", "purchases"] {
                try await sql.exec("""
                    SELECT setval(pg_get_serial_sequence(\(bind: table), 'id'), (SELECT MAX(id) FROM \(ident: table)))
                    """)
            }
        }
    }

    /// The demo report: members, active cards, sales and VIP share for the business days `firstDay…lastDay`.
    public func demoFigures(firstDay: LocalDate, lastDay: LocalDate) async throws -> DemoFigures {
        let (a, b) = (firstDay.dayNumber, lastDay.dayNumber)
        let members = try await sql.row("SELECT COUNT(*) AS n FROM members")!.int("n")
        let newMembers = try await sql.row("SELECT COUNT(*) AS n FROM members WHERE enrolled_day >= \(bind: a) AND enrolled_day <= \(bind: b)")!.int("n")
        let active = try await sql.row("""
            SELECT COUNT(DISTINCT member_id) AS n FROM purchases WHERE member_id IS NOT NULL AND business_day >= \(bind: a) AND business_day <= \(bind: b)
            """)!.int("n")
        let sales = try await sql.row("""
            SELECT COUNT(*) AS n, CAST(COALESCE(SUM(CASE WHEN member_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS member_n,
                   CAST(COALESCE(SUM(total_fen - refunded_fen), 0) AS BIGINT) AS total,
                   CAST(COALESCE(SUM(CASE WHEN member_id IS NOT NULL THEN total_fen - refunded_fen ELSE 0 END), 0) AS BIGINT) AS member_total
            FROM purchases WHERE business_day >= \(bind: a) AND business_day <= \(bind: b)
            """)!
        let points = try await sql.row("SELECT CAST(COALESCE(SUM(points_balance), 0) AS BIGINT) AS s FROM members")!.int64("s")
        let ledgerRows = try await sql.row("SELECT COUNT(*) AS n FROM points_ledger")!.int("n")
        var tiers: [String: Int] = [:]
        for r in try await sql.rows("SELECT earned_tier, COUNT(*) AS n FROM members GROUP BY earned_tier") {
            tiers[try r.string("earned_tier")] = try r.int("n")
        }
        let tierChanges = try await sql.row("SELECT COUNT(*) AS n FROM tier_changes")!.int("n")
        let pending = try await sql.row("SELECT COUNT(*) AS n FROM tier_requests WHERE status = 'pending'")!.int("n")
        let counters = try await sql.row("SELECT COUNT(*) AS n FROM counters")!.int("n")
        let departments = try await sql.rows("""
            SELECT d.code, d.name, CAST(SUM(l.amount_fen - l.refunded_fen) AS BIGINT) AS total,
                   CAST(SUM(CASE WHEN l.member_id IS NOT NULL THEN l.amount_fen - l.refunded_fen ELSE 0 END) AS BIGINT) AS member_total
            FROM purchase_lines l JOIN purchases p ON p.id = l.purchase_id JOIN counters c ON c.id = l.counter_id
              JOIN departments d ON d.id = c.department_id
            WHERE p.business_day >= \(bind: a) AND p.business_day <= \(bind: b)
            GROUP BY d.code, d.name ORDER BY d.code
            """).map {
            DemoFigures.Department(code: try $0.string("code"), name: try $0.string("name"), salesFen: try $0.int64("total"),
                                   memberSalesFen: try $0.int64("member_total"))
        }
        return DemoFigures(firstDay: firstDay, lastDay: lastDay, members: members, newMembers: newMembers, activeCards: active,
                           purchases: try sales.int("n"), memberPurchases: try sales.int("member_n"), salesFen: try sales.int64("total"),
                           memberSalesFen: try sales.int64("member_total"), pointsOutstanding: points, ledgerRows: ledgerRows, tiers: tiers,
                           tierChanges: tierChanges, pendingTierRequests: pending, counters: counters, departments: departments)
    }
}
