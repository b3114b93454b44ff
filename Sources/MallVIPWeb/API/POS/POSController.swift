import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// The POS API under /api/v1. Every route needs an API key.
struct POSController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes
        api.get(.apiOpenAPI, use: OpenAPIDocument.serve)
        let pos = api.grouped(APIKeyMiddleware())
        pos.get(.apiCounters, use: counters)
        pos.get(.apiMemberLookup, use: lookup)
        pos.post(.apiMembers, use: enrol)
        pos.post(.apiQuotes, use: quote)
        pos.post(.apiPurchases, use: purchase)
        pos.post(.apiRefunds, use: refund)
    }

    func counters(req: Request) async throws -> [CounterDTO] {
        try await req.store.counterList().filter(\.active).map(CounterDTO.init)
    }

    func lookup(req: Request) async throws -> MemberLookupDTO {
        let m = try await req.memberFromQuery()
        let (_, programme) = try await req.store.programme()
        let today = LocalDate.of(req.store.env.now(), in: programme.timeZone)
        let tier = programme.effectiveTier(earned: m.earnedTier, manual: m.manualTier, manualUntil: m.manualUntil, on: today)
        return MemberLookupDTO(cardNo: m.cardNo, tier: tier, tierName: programme.tier(tier)?.name.zh ?? tier, points: m.pointsBalance,
                               displayName: Identity.maskName(m.name), title: m.gender.title.zh,
                               birthdayToday: m.birthday.map { MonthDay(month: $0.month, day: $0.day).matches(today) } ?? false,
                               benefits: programme.tier(tier).map { TierBenefitsDTO($0.benefits) },
                               tierDiscount: TierDiscountTodayDTO(programme, tier: tier, on: today))
    }

    func enrol(req: Request) async throws -> Response {
        let dto = try req.content.decode(EnrolRequestDTO.self)
        var gender = Gender.unknown
        if let g = dto.gender {
            guard let parsed = Gender(rawValue: g) else {
                throw DomainError.invalid("gender", "gender.value", zh: "性别须为 female、male 或 unknown", en: "gender must be female, male or unknown")
            }
            gender = parsed
        }
        var birthday: LocalDate?
        if let b = dto.birthday {
            guard let d = LocalDate(b) else {
                throw DomainError.invalid("birthday", "date.format", zh: "生日格式须为 YYYY-MM-DD", en: "birthday must be a date YYYY-MM-DD")
            }
            birthday = d
        }
        let result = try await req.store.enrol(EnrolmentRequest(
            phone: dto.phone, name: dto.name, gender: gender, birthday: birthday,
            idNumber: dto.idNumber.flatMap { $0.isEmpty ? nil : $0 }, email: dto.email, receipts: dto.receipts ?? [],
            cardNo: dto.cardNo, consentSMS: dto.consentSms ?? false, consentEmail: dto.consentEmail ?? false,
            referralCode: dto.referralCode),
            actor: req.apiClient, mallId: nil)
        let (_, programme) = try await req.store.programme()
        let body = EnrolResponseDTO(memberId: result.memberId, cardNo: result.cardNo, tier: result.tier,
                                    tierName: programme.tier(result.tier)?.name.zh ?? result.tier, points: result.pointsBalance, rule: result.rule)
        return try await body.encodeResponse(status: .created, for: req)
    }

    func quote(req: Request) async throws -> QuoteResponseDTO {
        let dto = try req.content.decode(QuoteRequestDTO.self)
        let (_, programme) = try await req.store.programme()
        let at = try dto.occurredAt.map { try ISOTime.parse($0, field: "occurredAt") } ?? req.store.env.now()
        guard !dto.lines.isEmpty else {
            throw DomainError.invalid("lines", "lines.nonEmpty", zh: "至少需要一行商品", en: "lines must contain at least one line")
        }
        var lines: [PriceLine] = []
        for (i, l) in dto.lines.enumerated() {
            guard l.amountFen > 0 else {
                throw DomainError.invalid("lines[\(i)].amountFen", "amount.positive", zh: "金额必须大于0（单位：分）", en: "lines[\(i)].amountFen must be a positive amount in fen")
            }
            // The same line limit as a purchase (the document states it: APIContract.maxLineFen).
            guard l.amountFen <= APIContract.maxLineFen else {
                throw DomainError.invalid("lines[\(i)].amountFen", "amount.max", zh: "金额超出上限", en: "lines[\(i)].amountFen exceeds the maximum of 100,000,000 yuan")
            }
            if let p = l.counterPromotionPermille, !(1...1000).contains(p) {
                throw DomainError.invalid("lines[\(i)].counterPromotionPermille", "permille.range", zh: "折扣须在1–1000之间", en: "counterPromotionPermille must be between 1 and 1000")
            }
            guard let c = try await req.store.counter(code: l.counter), c.active else {
                throw DomainError(.notFound, field: "lines[\(i)].counter", rule: "counter.exists", zh: "店柜不存在：\(l.counter)", en: "unknown counter \(l.counter)")
            }
            lines.append(PriceLine(counter: c.code, amountFen: l.amountFen, specialPrice: l.specialPrice ?? false,
                                   counterParticipates: c.participatesInDiscount, counterEarnsPoints: c.earnsPoints,
                                   counterPromotionPermille: l.counterPromotionPermille))
        }
        let member = try await (dto.card != nil || dto.phone != nil) ? req.store.lookup(card: dto.card, phone: dto.phone) : nil
        if (dto.card != nil || dto.phone != nil) && member == nil {
            throw DomainError(.notFound, field: dto.card != nil ? "card" : "phone", rule: "member.exists", zh: "未找到会员", en: "no active member for this card or phone")
        }
        let day = LocalDate.of(at, in: programme.timeZone)
        let tier = member.map { programme.effectiveTier(earned: $0.earnedTier, manual: $0.manualTier, manualUntil: $0.manualUntil, on: day) }
        let context = EarningContext(businessDate: day, birthday: member?.birthday.map { MonthDay(month: $0.month, day: $0.day) })
        let q = programme.quote(lines, tier: tier, context: context)
        return QuoteResponseDTO(member: member != nil, tier: tier,
                                lines: q.lines.map { QuotedLineDTO(counter: $0.counter, amountFen: $0.amountFen, memberDiscountPermille: $0.memberDiscountPermille, payableFen: $0.payableFen) },
                                payableFen: q.payableFen, pointsEarned: q.earning.points, basePoints: q.earning.basePoints,
                                bonusPoints: q.earning.bonusPoints, multipliers: q.earning.multiplierNames)
    }

    func purchase(req: Request) async throws -> Response {
        // The plain body without JSONDecoder; anything else (and every error answer) through it (PurchaseRequestDTO+Fast).
        let dto = try PurchaseRequestDTO.fastDecode(req) ?? req.content.decode(PurchaseRequestDTO.self)
        let request = PurchaseRequest(
            receiptNo: dto.receiptNo, occurredAt: try ISOTime.parse(dto.occurredAt, field: "occurredAt"),
            card: dto.card.flatMap { $0.isEmpty ? nil : $0 }, phone: dto.phone.flatMap { $0.isEmpty ? nil : $0 },
            lines: dto.lines.map { PurchaseLineRequest(counter: $0.counter, amountFen: $0.amountFen, specialPrice: $0.specialPrice ?? false) })
        let posted = try await req.store.postPurchase(request)
        req.metrics.purchase(replay: posted.isReplay)
        // The body is PurchaseResponseDTO, written by the outcome's hand-made encoder (the hot path skips
        // JSONEncoder); POSDTOTests holds the two to the same bytes.
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: posted.isReplay ? .ok : .created, headers: headers, body: .init(string: posted.value.json))
    }

    func refund(req: Request) async throws -> Response {
        let dto = try req.content.decode(RefundRequestDTO.self)
        let posted = try await req.store.postRefund(RefundRequest(
            refundNo: dto.refundNo, receiptNo: dto.receiptNo, lines: dto.lines.map { RefundLineRequest(counter: $0.counter, amountFen: $0.amountFen) }))
        if !posted.isReplay { req.metrics.refund() }
        return try await RefundResponseDTO(posted.value).encodeResponse(status: posted.isReplay ? .ok : .created, for: req)
    }
}
