import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Imports members. The key is the card number (legacy numbers are kept as they are), else the phone: a row whose
    /// key is already there is skipped, never updated, so importing a file again changes nothing. One person, one card
    /// as at enrolment: a new card whose phone or national ID already belongs to another member is refused. The national
    /// ID is hashed, encrypted and masked as enrolment does; an opening points balance is a ledger row (kind `import`)
    /// written with the balance. Enrolment rules are not applied (these are members already), nor referral or
    /// regular-customer credit. Batches of whole rows, one transaction each.
    func importMembers(_ rows: [MemberImportRow], columns: ImportColumns, dryRun: Bool, actor: String,
                       rejects: inout [ImportReject]) async throws -> (imported: Int, skipped: Int) {
        let (_, programme) = try await self.programme()
        let malls = try await self.malls()
        let mallId = malls.count == 1 ? malls[0].id : nil
        var seenKey: [String: Int] = [:], seenPhone: [String: Int] = [:], seenID: [String: Int] = [:]
        var imported = 0, skipped = 0
        for chunk in rows.chunked(500) {
            // What the database already holds for this chunk's keys.
            let cardNos = chunk.compactMap(\.card)
            var cards: [String: (memberId: Int64?, state: String)] = [:]
            if !cardNos.isEmpty {
                for r in try await sql.rows("SELECT card_no, member_id, state FROM cards WHERE card_no IN \(list: cardNos)") {
                    cards[try r.string("card_no")] = (try r.optInt64("member_id"), try r.string("state"))
                }
            }
            var phones: Set<String> = []
            for r in try await sql.rows("SELECT phone FROM members WHERE phone IN \(list: chunk.map(\.phone))") {
                phones.insert(try r.string("phone"))
            }
            let hashes = chunk.compactMap { $0.idNumber.map { env.cipher.hash($0) } }
            var idHashes: Set<String> = []
            if !hashes.isEmpty {
                for r in try await sql.rows("SELECT id_hash FROM members WHERE id_hash IN \(list: hashes)") { idHashes.insert(try r.string("id_hash")) }
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
            let batch = toWrite
            // SQLite: the direct writer, no hop per statement. Row by row on purpose: the webhook triggers queue one
            // member's enrolment and tier events together, in row order, as a bulk insert per table would not.
            try await writeBatched { tx in
                for (row, preIssued) in batch {
                    try await self.insertImportedMember(tx, row, preIssued: preIssued, programme: programme, mallId: mallId, actor: actor)
                }
            }
        }
        return (imported, skipped)
    }

    private func insertImportedMember(_ tx: any Database, _ row: MemberImportRow, preIssued: Bool, programme: Programme,
                                      mallId: Int64?, actor: String) async throws {
        let sql = tx.sql
        let nowMs = epochMillis(now)
        let today = LocalDate.of(now, in: programme.timeZone)
        let enrolledMs = row.enrolledOn.map { epochMillis($0.start(in: programme.timeZone)) } ?? nowMs
        let tier = row.tier ?? programme.entryTier.code
        let idHash = row.idNumber.map { env.cipher.hash($0) }
        let idCipher = try row.idNumber.map { try env.cipher.encrypt($0) }
        let note = "导入 import (line \(row.line))"
        let r = try await sql.row("""
            INSERT INTO members (name, gender, birthday, birth_month, birth_day, phone, email, address, id_hash, id_cipher, id_masked,
              profile_json, notes, consent_sms, consent_email, consent_phone, status, earned_tier, tier_since_day, points_balance,
              enrolled_at_ms, enrolled_day, enrolled_mall_id, enrol_rule, enrol_receipts, enrol_override_reason, enrolled_by, updated_at_ms)
            VALUES (\(bind: row.name), \(bind: row.gender.rawValue), \(bind: row.birthday?.description), \(bind: row.birthday?.month),
              \(bind: row.birthday?.day), \(bind: row.phone), \(bind: row.email), \(bind: row.address), \(bind: idHash), \(bind: idCipher),
              \(bind: row.idNumber.map(Identity.maskNationalID)), '{}', \(bind: row.notes ?? ""), \(bind: row.consentSMS), \(bind: false),
              \(bind: false), 'active', \(bind: tier), \(bind: today.dayNumber), \(bind: row.points), \(bind: enrolledMs),
              \(bind: (row.enrolledOn ?? today).dayNumber), \(bind: mallId), 'import', '', NULL, \(bind: actor), \(bind: nowMs))
            RETURNING id
            """)!
        let memberId = try r.int64("id")
        if let card = row.card, !preIssued {
            try await sql.exec("""
                INSERT INTO cards (member_id, card_no, state, issued_at_ms, activated_at_ms, note)
                VALUES (\(bind: memberId), \(bind: card), 'active', \(bind: enrolledMs), \(bind: enrolledMs), \(bind: note))
                """)
        } else {
            _ = try await issueCard(tx, memberId: memberId, preIssued: row.card, cards: programme.cards, nowMs: nowMs)
        }
        try await recordTierChange(sql, memberId: memberId, from: tier, to: tier, kind: "enrol", reason: nil, note: "import",
                                   purchaseId: nil, actor: actor, nowMs: nowMs)
        if row.points > 0 {
            try await LedgerWriter.write(sql, [NewLedgerEntry(memberId: memberId, kind: .import, points: row.points, balanceAfter: row.points,
                                                              note: "期初积分 opening balance · " + note, actor: actor, atMs: nowMs)])
        }
    }
}
