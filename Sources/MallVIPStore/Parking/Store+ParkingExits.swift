import FluentKit
import Foundation
import MallVIPCore
import SQLKit

public struct ParkingExitRequest: Sendable {
    public var idempotencyKey: String
    public var card: String?
    public var plate: String?
    public var entryAt: Date
    public var exitAt: Date
    public var mall: String?

    public init(idempotencyKey: String, card: String?, plate: String?, entryAt: Date, exitAt: Date, mall: String?) {
        self.idempotencyKey = idempotencyKey
        self.card = card
        self.plate = plate
        self.entryAt = entryAt
        self.exitAt = exitAt
        self.mall = mall
    }

    var fingerprint: String {
        [card ?? "", plate.map(LicencePlate.normalise) ?? "", String(epochMillis(entryAt)), String(epochMillis(exitAt)), mall ?? ""]
            .joined(separator: "|")
    }
}

/// A car park exit as charged and recorded; also the API answer, replayed as stored.
public struct ParkingExitOutcome: Codable, Sendable, Equatable {
    public var idempotencyKey: String
    public var mall: String
    public var businessDate: String
    public var member: Bool
    public var cardNo: String?
    public var plate: String?
    public var tier: String?
    public var sameDaySpendFen: Int64
    public var charge: ParkingCharge
}

extension Store {
    /// Charges a car park exit: the member is found by card or by a bound plate (neither: a non-member, who pays
    /// in full); free minutes come from the tier on the exit's business day plus the best same-day spend rule for
    /// spend at this mall that day. Every exit is recorded. Idempotent on `idempotencyKey`.
    public func recordParkingExit(_ req: ParkingExitRequest) async throws -> Posted<ParkingExitOutcome> {
        let key = req.idempotencyKey.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 64 else {
            throw DomainError.invalid("idempotencyKey", "idempotencyKey.required", zh: "请提供 idempotencyKey（最多64字符）",
                                      en: "idempotencyKey is required (at most 64 characters)")
        }
        let card = req.card.flatMap { $0.isEmpty ? nil : $0 }
        let plate = req.plate.map(LicencePlate.normalise).flatMap { $0.isEmpty ? nil : $0 }
        guard card != nil || plate != nil else {
            throw DomainError.invalid("plate", "parking.key", zh: "请提供 card 或 plate", en: "give card or plate")
        }
        if let plate, !LicencePlate.isValid(plate) {
            throw DomainError.invalid("plate", "plate.format", zh: "车牌号须为5–10位字母、数字或汉字", en: "a plate is 5 to 10 letters, digits or Chinese characters")
        }
        guard req.exitAt >= req.entryAt else {
            throw DomainError.invalid("exitAt", "parking.exitBeforeEntry", zh: "离场时间不能早于入场时间", en: "exitAt must not be before entryAt")
        }
        let hash = sha256Hex(req.fingerprint)
        if let replay = try await existingParkingExit(key: key, hash: hash) { return .replayed(replay) }

        let (_, programme) = try await self.programme()
        let limits = programme.purchases
        if req.exitAt.timeIntervalSince(now) > TimeInterval(limits.maxFutureSeconds) {
            throw DomainError.invalid("exitAt", "time.future", zh: "离场时间不能晚于现在", en: "exitAt must not be in the future")
        }
        if now.timeIntervalSince(req.entryAt) > TimeInterval(limits.maxBackdateDays) * 86_400 {
            throw DomainError.invalid("entryAt", "time.backdate", zh: "入场时间不能早于 \(limits.maxBackdateDays) 天前",
                                      en: "entryAt must be within the last \(limits.maxBackdateDays) days")
        }
        let mall = try await parkingMall(req.mall)
        let day = LocalDate.of(req.exitAt, in: programme.timeZone)

        // The member: by card, else by a plate bound to an active member.
        var found: Member?
        if let card { found = try await lookup(card: card, phone: nil) }
        if found == nil, let plate, let owner = try await plateOwner(plate) {
            found = try await self.member(id: owner).flatMap { $0.status == "active" ? $0 : nil }
        }
        let member = found
        let tier = member.map { programme.effectiveTier(earned: $0.earnedTier, manual: $0.manualTier, manualUntil: $0.manualUntil, on: day) }
        var spend: Int64 = 0
        if let member {
            spend = try await sql.row("""
                SELECT spend_fen FROM member_daily_spend WHERE member_id = \(bind: member.id) AND mall_id = \(bind: mall.id) AND day = \(bind: day.dayNumber)
                """)?.int64("spend_fen") ?? 0
        }
        let charge = programme.parking.charge(stayMinutes: ParkingPolicy.stayMinutes(entry: req.entryAt, exit: req.exitAt),
                                              tierFreeHours: tier.map { programme.tier($0)?.benefits.freeParkingHours ?? 0 },
                                              sameDaySpendFen: spend)
        let outcome = ParkingExitOutcome(idempotencyKey: key, mall: mall.code, businessDate: day.description, member: member != nil,
                                         cardNo: member?.cardNo, plate: plate, tier: tier, sameDaySpendFen: spend, charge: charge)
        let json = try encodeJSON(outcome)
        do {
            try await write { tx in
                try await tx.sql.exec("""
                    INSERT INTO parking_exits (idempotency_key, mall_id, member_id, card_no, plate, entry_at_ms, exit_at_ms, business_day,
                      stay_minutes, free_minutes, charged_minutes, amount_fen, tier, request_hash, response_json, at_ms)
                    VALUES (\(bind: key), \(bind: mall.id), \(bind: member?.id), \(bind: member?.cardNo), \(bind: plate),
                      \(bind: epochMillis(req.entryAt)), \(bind: epochMillis(req.exitAt)), \(bind: day.dayNumber), \(bind: charge.stayMinutes),
                      \(bind: charge.freeMinutes), \(bind: charge.chargeableMinutes), \(bind: charge.amountFen), \(bind: tier),
                      \(bind: hash), \(bind: json), \(bind: epochMillis(self.now)))
                    """)
            }
        } catch where isUniqueViolation(error) {
            if let replay = try await existingParkingExit(key: key, hash: hash) { return .replayed(replay) }
            throw error
        }
        return .created(outcome)
    }

    func existingParkingExit(key: String, hash: String) async throws -> ParkingExitOutcome? {
        guard let row = try await sql.row("""
            SELECT request_hash, response_json FROM parking_exits WHERE idempotency_key = \(bind: key)
            """) else { return nil }
        guard try row.string("request_hash") == hash else {
            throw DomainError(.conflict, field: "idempotencyKey", rule: "parking.idempotency",
                              zh: "idempotencyKey \(key) 已用于另一笔不同的离场", en: "idempotencyKey \(key) was already used for a different exit")
        }
        return try JSONDecoder().decode(ParkingExitOutcome.self, from: Data(try row.string("response_json").utf8))
    }

    /// The mall by code; without one, the only mall (a group with several must say which).
    private func parkingMall(_ code: String?) async throws -> Mall {
        let all = try await malls()
        if let code = code.flatMap({ $0.isEmpty ? nil : $0 }) {
            guard let m = all.first(where: { $0.code == code }) else {
                throw DomainError(.notFound, field: "mall", rule: "mall.exists", zh: "商场不存在：\(code)", en: "unknown mall \(code)")
            }
            return m
        }
        guard all.count == 1 else {
            throw DomainError.invalid("mall", "mall.required", zh: "有多个商场，请提供 mall", en: "there are several malls: give mall")
        }
        return all[0]
    }

    /// A member's recent car park exits, newest first.
    public func parkingExits(memberId: Int64, limit: Int = 20) async throws -> [ParkingExitOutcome] {
        try await sql.rows("""
            SELECT response_json FROM parking_exits WHERE member_id = \(bind: memberId) ORDER BY exit_at_ms DESC, id DESC LIMIT \(unsafeRaw: String(limit))
            """).map { try JSONDecoder().decode(ParkingExitOutcome.self, from: Data(try $0.string("response_json").utf8)) }
    }
}
