import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Imports members. The key is the card number (legacy numbers are kept as they are), else the phone: a row whose
    /// key is already there is skipped, never updated, so importing a file again changes nothing. One person, one card
    /// as at enrolment: a new card whose phone or national ID already belongs to another member is refused. The national
    /// ID is hashed, encrypted and masked as enrolment does; an opening points balance is a ledger row (kind `import`)
    /// written with the balance. Members are created through enrolment's own path (`createMembers`: card rules, the
    /// enrol tier change, the referral code). Enrolment rules are not applied (these are members already), nor a
    /// referrer link or regular-customer credit. Batches of whole rows, one transaction each.
    func importMembers(_ rows: [MemberImportRow], columns: ImportColumns, dryRun: Bool, actor: String,
                       rejects: inout [ImportReject]) async throws -> (imported: Int, skipped: Int) {
        let (_, programme) = try await self.programme()
        let malls = try await self.malls()
        let mallId = malls.count == 1 ? malls[0].id : nil
        var seenKey: [String: Int] = [:], seenPhone: [String: Int] = [:], seenID: [String: Int] = [:]
        var imported = 0, skipped = 0
        for chunk in rows.chunked(5_000) {
            // What the database already holds for this chunk's keys.
            let cardNos = chunk.compactMap(\.card)
            var cards: [String: (memberId: Int64?, state: String)] = [:]
            if !cardNos.isEmpty {
                for r in try await sql.rows("SELECT card_no, member_id, state FROM cards WHERE card_no IN \(Self.inKeys(sql, cardNos))") {
                    cards[try r.string("card_no")] = (try r.optInt64("member_id"), try r.string("state"))
                }
            }
            var phones: Set<String> = []
            for r in try await sql.rows("SELECT phone FROM members WHERE phone IN \(Self.inKeys(sql, chunk.map(\.phone)))") {
                phones.insert(try r.string("phone"))
            }
            let hashes = chunk.compactMap { $0.idNumber.map { env.cipher.hash($0) } }
            var idHashes: Set<String> = []
            if !hashes.isEmpty {
                for r in try await sql.rows("SELECT id_hash FROM members WHERE id_hash IN \(Self.inKeys(sql, hashes))") { idHashes.insert(try r.string("id_hash")) }
            }
            var toWrite: [(row: MemberImportRow, preIssued: Bool)] = []
            for row in chunk {
                func refuse(_ f: ImportField, _ rule: String, zh: String, en: String, value: String) {
                    rejects.append(ImportReject(line: row.line, column: columns.header(f), rule: rule, zh: zh, en: en, value: value))
                }
                let key = row.card ?? "phone:" + row.phone
                if let first = seenKey[key] {
                    refuse(row.card != nil ? .card : .phone, "import.duplicate", zh: "与第 \(first) 行重复（同一会员）",
                           en: "the same member as line \(first)", value: row.card ?? row.phone)
                    continue
                }
                seenKey[key] = row.line
                if let card = row.card, let c = cards[card] {
                    if c.memberId != nil { skipped += 1; continue }                    // already there
                    guard c.state == CardState.inactive.rawValue else {
                        refuse(.card, "card.inactive", zh: "此卡号已存在且不可用", en: "card \(card) exists and cannot be given out", value: card)
                        continue
                    }
                } else if row.card == nil, phones.contains(row.phone) {
                    skipped += 1                                                          // already there, keyed by phone
                    continue
                }
                if phones.contains(row.phone) {
                    refuse(.phone, "member.phone.unique", zh: "该手机号已是另一张卡的会员（一人一卡）",
                           en: "the phone already belongs to a member with another card (one person, one card)", value: row.phone)
                    continue
                }
                if let first = seenPhone[row.phone] {
                    refuse(.phone, "member.phone.unique", zh: "手机号与第 \(first) 行相同（一人一卡）",
                           en: "the same phone as line \(first) (one person, one card)", value: row.phone)
                    continue
                }
                if let id = row.idNumber {
                    let h = env.cipher.hash(id)
                    if idHashes.contains(h) {
                        refuse(.idNumber, "member.idNumber.unique", zh: "该身份证号已办理会员卡（一人一卡）",
                               en: "the national ID already belongs to a member (one person, one card)", value: Identity.maskNationalID(id))
                        continue
                    }
                    if let first = seenID[h] {
                        refuse(.idNumber, "member.idNumber.unique", zh: "身份证号与第 \(first) 行相同",
                               en: "the same national ID as line \(first)", value: Identity.maskNationalID(id))
                        continue
                    }
                    seenID[h] = row.line
                }
                seenPhone[row.phone] = row.line
                toWrite.append((row, row.card.map { cards[$0] != nil } ?? false))
            }
            imported += toWrite.count
            if dryRun || toWrite.isEmpty { continue }
            let today = LocalDate.of(now, in: programme.timeZone)
            let new = toWrite.map { Self.newMember(importing: $0.row, preIssued: $0.preIssued, today: today, programme: programme,
                                                   mallId: mallId, actor: actor, nowMs: epochMillis(self.now)) }
            // One member-creation path with enrolment (`createMembers`): member, card, enrol tier change, opening
            // balance, referral code; webhook deliveries queued per member in row order.
            try await writeBatched { tx in
                _ = try await self.createMembers(tx, new, cards: programme.cards, actor: actor, nowMs: epochMillis(self.now))
            }
        }
        return (imported, skipped)
    }

    /// An imported row as a new member: the member's own data and opening balance from the file, the tier given or
    /// the entry tier, rule `import`; a card number from the old system kept as an active card, a pre-issued
    /// inactive card activated, no number at all a new one (as enrolment).
    static func newMember(importing row: MemberImportRow, preIssued: Bool, today: LocalDate, programme: Programme, mallId: Int64?,
                          actor: String, nowMs: Int64) -> NewMember {
        let enrolledMs = row.enrolledOn.map { epochMillis($0.start(in: programme.timeZone)) } ?? nowMs
        let note = "导入 import (line \(row.line))"
        let card: NewMember.Card = if let no = row.card { preIssued ? .preIssued(no) : .legacy(no, note: note) } else { .issue }
        return NewMember(name: row.name, gender: row.gender, birthday: row.birthday, phone: row.phone, email: row.email, address: row.address,
                         idNumber: row.idNumber, notes: row.notes ?? "", consentSMS: row.consentSMS, consentEmail: false, consentPhone: false,
                         tier: row.tier ?? programme.entryTier.code, tierSinceDay: today.dayNumber, openingPoints: row.points,
                         openingNote: "期初积分 opening balance · " + note, enrolledAtMs: enrolledMs,
                         enrolledDay: (row.enrolledOn ?? today).dayNumber, mallId: mallId, rule: "import", receipts: "", overrideReason: nil,
                         enrolledBy: actor, card: card, tierNote: "import")
    }
}
