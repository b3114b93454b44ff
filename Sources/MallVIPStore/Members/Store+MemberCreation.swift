import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A member about to be created: what enrolment (desk, API; a batch of one) and the member import both describe.
/// Issue 17: "Import and enrolment create members through one path". Both write through `createMembers`, so an
/// imported member gets everything an enrolled one gets (the member row with the same column rules, a card by the
/// same rules, the `enrol` tier change, the referral code); what legitimately differs is in the values (channel and
/// rule, who enrolled, an opening balance, a legacy card number kept as it is).
struct NewMember: Sendable {
    enum Card: Sendable {
        /// A new number from the card policy (serial with check digit).
        case issue
        /// An inactive card handed out in advance, activated now.
        case preIssued(String)
        /// A number from the old system, kept as it is: an active card issued on the enrolment day, with a note.
        case legacy(String, note: String)
    }

    var name: String
    var gender: Gender
    var birthday: LocalDate?
    var phone: String
    var email: String?
    var address: String?
    /// Hashed as given; encrypted and masked upper-cased (as enrolment always did; the import's parser upper-cases).
    var idNumber: String?
    var notes: String = ""
    var consentSMS: Bool
    var consentEmail: Bool
    var consentPhone: Bool
    var tier: String
    var tierSinceDay: Int
    /// An opening points balance (import): written with the member and as one `import` ledger row.
    var openingPoints: Int64 = 0
    var openingNote: String = ""
    var enrolledAtMs: Int64
    var enrolledDay: Int
    var mallId: Int64?
    var rule: String
    var receipts: String = ""
    var overrideReason: String?
    var enrolledBy: String
    var card: Card
    /// The note of the `enrol` tier change.
    var tierNote: String
}

extension Store {
    static let newMemberColumns = [
        "name", "gender", "birthday", "birth_month", "birth_day", "phone", "email", "address", "id_hash", "id_cipher", "id_masked",
        "profile_json", "notes", "consent_sms", "consent_email", "consent_phone", "status", "earned_tier", "tier_since_day", "points_balance",
        "enrolled_at_ms", "enrolled_day", "enrolled_mall_id", "enrol_rule", "enrol_receipts", "enrol_override_reason", "enrolled_by", "updated_at_ms",
    ]

    /// Creates members, in the order given, and returns their ids and card numbers in that order. Per member: the
    /// member row, the card, the `enrol` tier change, the opening balance's ledger row, the referral code.
    ///
    /// Webhook deliveries (migration 023's triggers) are queued per member in this order (`member.enrolled`,
    /// `tier.changed`, `points.changed`), as the one-by-one path always queued them. So the rows go one member at a
    /// time where that order can show: on SQLite's direct writer (each row is stepped at once through a prepared
    /// statement, which is also the fastest there) and wherever an active webhook subscription exists. Only
    /// without subscriptions, on PostgreSQL, one table at a time in multi-row statements (nothing is queued then,
    /// so nothing can come out in another order).
    func createMembers(_ tx: any Database, _ new: [NewMember], cards policy: CardPolicy, actor: String, nowMs: Int64) async throws
        -> [(id: Int64, cardNo: String)] {
        guard !new.isEmpty else { return [] }
        let sql = tx.sql
        let direct = sql is SQLiteDirectDatabase
        var bulk = false
        if !direct && new.count > 1 {
            let subscriptions = try await sql.row("SELECT COUNT(*) AS n FROM webhook_subscriptions WHERE active = \(bind: true)")?.int64("n") ?? 0
            bulk = subscriptions == 0
        }
        let step = bulk ? 10_000 : 1   // PostgreSQL sends a chunk as one bound array per column (BulkInsert+PostgresArrays.swift)

        // The ids the rows will get, reserved first where the store allows it, so the referral code (a function of the
        // id) is written with the row: the UPDATE of every new member afterwards rewrote the row and its index entries
        // (12 % of SQLite's member import; on PostgreSQL a second version of every row, no HOT update).
        let reserved = try await reserveMemberIds(sql, count: new.count)
        let memberColumns = reserved == nil ? Self.newMemberColumns : ["id"] + Self.newMemberColumns + ["referral_code"]
        var members = BulkInsert(sql, table: "members", columns: memberColumns, returning: "id, phone", maxRows: step)
        var cards = BulkInsert(sql, table: "cards", columns: ["member_id", "card_no", "state", "issued_at_ms", "activated_at_ms", "note"],
                               maxRows: step)
        var changes = BulkInsert(sql, table: "tier_changes", columns: [
            "member_id", "from_tier", "to_tier", "kind", "reason", "purchase_id", "actor", "at_ms",
        ], maxRows: step)

        func memberValues(_ m: NewMember, _ n: Int) throws -> [BulkInsert.Value] {
            let idHash = m.idNumber.map { env.cipher.hash($0) }
            let idCipher = try m.idNumber.map { try env.cipher.encrypt($0.uppercased()) }
            let values: [BulkInsert.Value] = [.text(m.name), .text(m.gender.rawValue), .text(m.birthday?.description), .opt(m.birthday?.month), .opt(m.birthday?.day),
                    .text(m.phone), .text(m.email), .text(m.address), .text(idHash), .text(idCipher),
                    .text(m.idNumber.map { Identity.maskNationalID($0.uppercased()) }), .literal("{}"), .text(m.notes), .bool(m.consentSMS),
                    .bool(m.consentEmail), .bool(m.consentPhone), .literal("active"), .text(m.tier), .int(m.tierSinceDay),
                    .int(m.openingPoints), .int(m.enrolledAtMs), .int(m.enrolledDay), .int(m.mallId), .text(m.rule), .text(m.receipts),
                    .text(m.overrideReason), .text(m.enrolledBy), .int(nowMs)]
            guard let reserved else { return values }
            return [.int(reserved[n])] + values + [.text(ReferralCode.forMember(reserved[n]))]
        }
        func rest(_ m: NewMember, id: Int64) async throws -> String {
            let cardNo: String
            switch m.card {
            case .legacy(let no, let note):
                try await cards.add([.int(id), .text(no), .literal(CardState.active.rawValue), .int(m.enrolledAtMs), .int(m.enrolledAtMs), .text(note)])
                cardNo = no
            case .preIssued(let no):
                cardNo = try await issueCard(tx, memberId: id, preIssued: no, cards: policy, nowMs: nowMs)
            case .issue:
                cardNo = try await issueCard(tx, memberId: id, preIssued: nil, cards: policy, nowMs: nowMs)
            }
            // As `recordTierChange` writes an enrolment.
            try await changes.add([.int(id), .text(m.tier), .text(m.tier), .literal("enrol"), .text(m.tierNote), .int(nil), .text(actor), .int(nowMs)])
            return cardNo
        }
        func opening(_ m: NewMember, id: Int64) -> NewLedgerEntry? {
            m.openingPoints > 0 ? NewLedgerEntry(memberId: id, kind: .import, points: m.openingPoints, balanceAfter: m.openingPoints,
                                                 note: m.openingNote, actor: actor, atMs: nowMs) : nil
        }

        var out: [(id: Int64, cardNo: String)] = []
        out.reserveCapacity(new.count)
        if !bulk {
            for (n, m) in new.enumerated() {
                try await members.add(try memberValues(m, n))
                try await members.flush()
                let id = try members.returned.last!.int64("id")
                let cardNo = try await rest(m, id: id)
                try await changes.flush()
                if let e = opening(m, id: id) { try await LedgerWriter.write(sql, [e]) }
                if reserved == nil { try await setReferralCodes(sql, [id]) }
                out.append((id, cardNo))
            }
            return out
        }
        for (n, m) in new.enumerated() { try await members.add(try memberValues(m, n)) }
        try await members.flush()
        // RETURNING promises no order on PostgreSQL: match by phone (unique among members).
        var byPhone: [String: Int64] = [:]
        for r in members.returned { byPhone[try r.string("phone")] = try r.int64("id") }
        var ledger: [NewLedgerEntry] = []
        for m in new {
            let id = byPhone[m.phone]!
            out.append((id, try await rest(m, id: id)))
            if let e = opening(m, id: id) { ledger.append(e) }
        }
        try await cards.flush()
        try await changes.flush()
        try await LedgerWriter.write(sql, ledger)
        if reserved == nil { try await setReferralCodes(sql, out.map(\.id)) }
        return out
    }

    /// The ids the next `count` new members get, in order, taken before the rows are written; nil where they cannot be
    /// known first (SQLite through the pool, which never creates members: the direct writer does).
    /// - SQLite's direct writer: SQLite gives a new row the largest rowid + 1 (`members.id` is a plain INTEGER PRIMARY
    ///   KEY, no AUTOINCREMENT), and this connection is the only writer, inside its transaction: the same ids.
    /// - PostgreSQL: the identity column's own sequence, drawn in order (what the rows' defaults would have drawn).
    func reserveMemberIds(_ sql: any SQLDatabase, count: Int) async throws -> [Int64]? {
        if sql is SQLiteDirectDatabase {
            let last = try await sql.row("SELECT COALESCE(MAX(id), 0) AS last FROM members")?.int64("last") ?? 0
            return (1...Int64(count)).map { last + $0 }
        }
        guard sql.storeDialect == .postgresql else { return nil }
        let ids = try await sql.rows("""
            SELECT nextval(pg_get_serial_sequence('members', 'id')) AS id FROM generate_series(1, \(bind: count))
            """).map { try $0.int64("id") }
        return ids.sorted()
    }

    /// Every member's referral code (`ReferralCode.forMember`), given when the member is created. Not an event: the
    /// `member.updated` trigger does not watch the column.
    func setReferralCodes(_ sql: any SQLDatabase, _ ids: [Int64]) async throws {
        if let direct = sql as? SQLiteDirectDatabase {
            for id in ids {
                try direct.writer.insertRow("UPDATE members SET referral_code = ? WHERE id = ?", [.text(ReferralCode.forMember(id)), .int(id)])
            }
            return
        }
        if ids.count == 1 {
            for id in ids {
                try await sql.exec("UPDATE members SET referral_code = \(bind: ReferralCode.forMember(id)) WHERE id = \(bind: id)")
            }
            return
        }
        if sql.storeDialect == .postgresql {
            // One bound array per column (BulkInsert+PostgresArrays.swift): the same short text every chunk.
            for part in ids.chunked(10_000) {
                try await sql.exec("""
                    UPDATE members SET referral_code = v.code
                    FROM UNNEST(\(bind: PostgresArrays.Column(kind: .int8, values: part.map { .int($0) })),
                      \(bind: PostgresArrays.Column(kind: .text, values: part.map { .text(ReferralCode.forMember($0)) }))) AS v(id, code)
                    WHERE members.id = v.id
                    """)
            }
            return
        }
        for part in ids.chunked(5_000) {
            var q = SQLQueryString("UPDATE members SET referral_code = v.column2 FROM (VALUES")
            for (n, id) in part.enumerated() {
                q.appendInterpolation("\(unsafeRaw: n == 0 ? " " : ", ")(\(int: id), CAST(\(bind: ReferralCode.forMember(id)) AS TEXT))" as SQLQueryString)
            }
            q.appendLiteral(") AS v WHERE members.id = v.column1")
            try await sql.exec(q)
        }
    }
}
