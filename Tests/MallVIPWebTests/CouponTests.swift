import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor

extension TestContext {
    /// Issues a coupon through the store, valid from today unless told otherwise.
    func issueCoupon(member: Int64?, face: Int64? = 5_000, permille: Int? = nil, minSpend: Int64 = 0, validDays: Int? = nil,
                     counters: [String] = [], from: LocalDate? = nil, to: LocalDate? = nil, sourceRef: String? = nil,
                     source: String = "campaign") async throws -> IssuedCoupon {
        let today = LocalDate.of(clock.now, in: TimeZone(identifier: "Asia/Shanghai")!)
        return try await store.issueCoupon(CouponIssue(
            template: CouponTemplate(name: LocalizedName(zh: "满减券", en: "Voucher"), faceFen: face, discountPermille: permille,
                                     minSpendFen: minSpend, validDays: validDays),
            memberId: member, source: source, sourceRef: sourceRef, counterCodes: counters, validFrom: from ?? today, validTo: to),
            actor: "test")
    }

    func redeemCoupon(_ code: String, receipt: String, fen: Int64, counter: String = "C0001", card: String? = nil,
                      phone: String? = nil) async throws -> RawResponse {
        var fields = ["\"receiptNo\":\"\(receipt)\"", "\"counter\":\"\(counter)\"", "\"amountFen\":\(fen)"]
        if let card { fields.append("\"card\":\"\(card)\"") }
        if let phone { fields.append("\"phone\":\"\(phone)\"") }
        return try await postRaw("/api/v1/coupons/\(code)/redeem", "{" + fields.joined(separator: ",") + "}")
    }

    func couponStatus(_ code: String) async throws -> (status: String, receipt: String?) {
        let row = try #require(try await store.sql.raw("SELECT status, used_receipt_no FROM coupons WHERE code = \(bind: code)").first())
        return (try row.decode(column: "status", as: String.self), try row.decode(column: "used_receipt_no", as: String?.self))
    }
}

@Suite("Coupons") struct CouponTests {
    static let day = LocalDate(year: 2026, month: 11, day: 25)

    @Test("issued codes are unique, carry the prefix, and last the template's days, the programme's default, or to a set day")
    func issuing() async throws {
        try await withTestApp { t in
            var codes: Set<String> = []
            for _ in 0..<40 { codes.insert(try await t.issueCoupon(member: nil).code) }
            #expect(codes.count == 40)
            #expect(codes.allSatisfy { $0.hasPrefix("CP") && $0.count == 12 })
            let byTemplate = try await t.issueCoupon(member: nil, validDays: 30)
            #expect(byTemplate.validFrom == Self.day && byTemplate.validTo == Self.day.adding(days: 29))
            let byPolicy = try await t.issueCoupon(member: nil)
            #expect(byPolicy.validTo == Self.day.adding(days: 89))     // coupons.defaultValidDays: 90
            let yearEnd = LocalDate(year: 2026, month: 12, day: 31)
            #expect(try await t.issueCoupon(member: nil, validDays: 5, to: yearEnd).validTo == yearEnd)
            #expect(byPolicy.status == "issued" && byPolicy.source == "campaign")
            #expect(try await t.auditCount("coupon.issue", actor: "test") == 43)
        }
    }

    @Test("a bad template, an unknown counter or member is refused naming the rule; nothing is written")
    func issuingRefusals() async throws {
        try await withTestApp { t in
            func rule(_ body: () async throws -> Void) async -> String? {
                do { try await body(); return nil } catch let e as DomainError { return e.rule } catch { return "\(error)" }
            }
            #expect(await rule { _ = try await t.issueCoupon(member: nil, face: 5_000, permille: 900) } == "coupon.value")
            #expect(await rule { _ = try await t.issueCoupon(member: nil, face: nil) } == "coupon.value")
            #expect(await rule { _ = try await t.issueCoupon(member: nil, face: nil, permille: 1_000) } == "coupon.value")
            #expect(await rule { _ = try await t.issueCoupon(member: nil, counters: ["NOPE"]) } == "counter.exists")
            #expect(await rule { _ = try await t.issueCoupon(member: 999) } == "member.exists")
            #expect(await rule { _ = try await t.issueCoupon(member: nil, source: "lottery") } == "coupon.source")
            #expect(await rule { _ = try await t.issueCoupon(member: nil, to: Self.day.adding(days: -1)) } == "coupon.validity")
            let written = try await t.count("coupons")
            #expect(written == 0)
        }
    }

    @Test("redeeming takes the face value off, answers 201; the same receipt again replays 200 byte for byte; another receipt is 409")
    func redeemAndReplay() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let member = try await t.memberId(card: card)
            let coupon = try await t.issueCoupon(member: member, face: 5_000, minSpend: 20_000)
            let first = try await t.redeemCoupon(coupon.code, receipt: "R-1", fen: 30_000, card: card)
            #expect(first.status == .created, "\(first.text)")
            #expect(first.string("code") == coupon.code && first.string("status") == "used")
            #expect(first.int("discountFen") == 5_000 && first.int("payableFen") == 25_000)
            #expect(first.string("cardNo") == card && first.string("receiptNo") == "R-1" && first.string("mall") == "MAIN")
            #expect(first.string("usedAt") == "2026-11-25T10:00:00+08:00")
            t.clock.advance(60)
            let again = try await t.redeemCoupon(coupon.code, receipt: "R-1", fen: 30_000, card: card)
            #expect(again.status == .ok && again.text == first.text)
            let other = try await t.redeemCoupon(coupon.code, receipt: "R-2", fen: 30_000, card: card)
            #expect(other.status == .conflict && other.errorRule == "coupon.used")
            #expect(try await t.couponStatus(coupon.code) == ("used", "R-1"))
            // Typed in lower case with a dash, it is the same coupon.
            let typed = coupon.code.lowercased().prefix(6) + "-" + coupon.code.lowercased().dropFirst(6)
            #expect(try await t.redeemCoupon(String(typed), receipt: "R-1", fen: 30_000, card: card).status == .ok)
        }
    }

    @Test("a percentage coupon takes its share off, rounded like member discounts; a face value is capped at the bill")
    func percentageAndCap() async throws {
        try await withTestApp { t in
            let pct = try await t.issueCoupon(member: nil, face: nil, permille: 880)
            let r = try await t.redeemCoupon(pct.code, receipt: "P-1", fen: 30_000)
            #expect(r.status == .created && r.int("discountFen") == 3_600 && r.int("payableFen") == 26_400)
            let odd = try await t.issueCoupon(member: nil, face: nil, permille: 950)
            let r2 = try await t.redeemCoupon(odd.code, receipt: "P-2", fen: 999)
            #expect(r2.int("discountFen") == 50 && r2.int("payableFen") == 949)
            let big = try await t.issueCoupon(member: nil, face: 5_000)
            let r3 = try await t.redeemCoupon(big.code, receipt: "P-3", fen: 3_000)
            #expect(r3.int("discountFen") == 3_000 && r3.int("payableFen") == 0)
            // A bearer coupon presented with a card records that member's card.
            let card = try await t.enrolMember(phone: "13800000002")
            let bearer = try await t.issueCoupon(member: nil)
            #expect(try await t.redeemCoupon(bearer.code, receipt: "P-4", fen: 10_000, card: card).string("cardNo") == card)
        }
    }

    @Test("each refusal names its field and rule and writes nothing")
    func refusals() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let otherCard = try await t.enrolMember(phone: "13800000002", name: "李四")
            let member = try await t.memberId(card: card)
            try await t.saveCounter(code: "C0002", participates: true)
            try await t.saveCounter(code: "C0009", participates: false)

            func refused(_ r: RawResponse, _ status: HTTPStatus, _ field: String?, _ rule: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
                #expect(r.status == status, "\(r.text)", sourceLocation: sourceLocation)
                #expect(r.errorRule == rule, "\(r.text)", sourceLocation: sourceLocation)
                #expect(r.errorField == field, "\(r.text)", sourceLocation: sourceLocation)
            }
            refused(try await t.redeemCoupon("CPNOSUCHCODE", receipt: "X-1", fen: 10_000), .notFound, nil, "coupon.exists")

            let owned = try await t.issueCoupon(member: member, minSpend: 20_000, counters: ["C0002"])
            refused(try await t.redeemCoupon(owned.code, receipt: "X-1", fen: 30_000, counter: "C0002"), .unprocessableEntity, "card", "coupon.member")
            refused(try await t.redeemCoupon(owned.code, receipt: "X-1", fen: 30_000, counter: "C0002", card: otherCard),
                    .unprocessableEntity, "card", "coupon.member")
            refused(try await t.redeemCoupon(owned.code, receipt: "X-1", fen: 30_000, counter: "C0002", phone: "13800000002"),
                    .unprocessableEntity, "card", "coupon.member")
            refused(try await t.redeemCoupon(owned.code, receipt: "X-1", fen: 30_000, counter: "C0001", card: card),
                    .unprocessableEntity, "counter", "coupon.counter")
            refused(try await t.redeemCoupon(owned.code, receipt: "X-1", fen: 19_999, counter: "C0002", card: card),
                    .unprocessableEntity, "amountFen", "coupon.minSpend")
            refused(try await t.redeemCoupon(owned.code, receipt: "X-1", fen: 30_000, counter: "NOPE", card: card),
                    .unprocessableEntity, "counter", "counter.exists")
            refused(try await t.redeemCoupon(owned.code, receipt: "X-1", fen: 0, counter: "C0002", card: card),
                    .unprocessableEntity, "amountFen", "amount.positive")

            // Every counter taking part in discounts accepts a coupon without a list; one that does not, refuses it.
            let anywhere = try await t.issueCoupon(member: nil)
            refused(try await t.redeemCoupon(anywhere.code, receipt: "X-1", fen: 30_000, counter: "C0009"), .unprocessableEntity, "counter", "coupon.counter")

            let later = try await t.issueCoupon(member: nil, from: Self.day.adding(days: 1))
            refused(try await t.redeemCoupon(later.code, receipt: "X-1", fen: 30_000), .unprocessableEntity, "code", "coupon.validity")
            let short = try await t.issueCoupon(member: nil, validDays: 1)
            t.clock.advance(86_400)
            refused(try await t.redeemCoupon(short.code, receipt: "X-1", fen: 30_000), .unprocessableEntity, "code", "coupon.validity")

            let voided = try await t.issueCoupon(member: nil, sourceRef: "redemption:9", source: "redemption")
            let nowMs = epochMillis(t.clock.now)
            try await t.store.write { tx in
                try await t.store.voidCoupons(tx, sourceRef: "redemption:9", reason: "voided", actor: "test", nowMs: nowMs)
            }
            refused(try await t.redeemCoupon(voided.code, receipt: "X-1", fen: 30_000), .unprocessableEntity, "code", "coupon.void")

            for c in [owned, anywhere, later, short] { #expect(try await t.couponStatus(c.code) == ("issued", nil)) }
            #expect(try await t.couponStatus(voided.code) == ("void", nil))
            // And it still works when everything is right.
            #expect(try await t.redeemCoupon(owned.code, receipt: "X-1", fen: 20_000, counter: "C0002", card: card).status == .created)
        }
    }

    @Test("two tills redeeming one coupon at once: exactly one wins; the same receipt from many tills is one use")
    func concurrentRedeem() async throws {
        try await withTestApp { t in
            let coupon = try await t.issueCoupon(member: nil)
            let results = try await withThrowingTaskGroup(of: RawResponse.self) { group in
                for i in 0..<12 { group.addTask { try await t.redeemCoupon(coupon.code, receipt: "TILL-\(i)", fen: 10_000) } }
                return try await group.reduce(into: [RawResponse]()) { $0.append($1) }
            }
            #expect(results.filter { $0.status == .created }.count == 1, "\(results.map(\.text))")
            #expect(results.filter { $0.status == .conflict && $0.errorRule == "coupon.used" }.count == 11)
            let winner = try #require(results.first { $0.status == .created }?.string("receiptNo"))
            #expect(try await t.couponStatus(coupon.code) == ("used", winner))

            let second = try await t.issueCoupon(member: nil)
            let same = try await withThrowingTaskGroup(of: RawResponse.self) { group in
                for _ in 0..<8 { group.addTask { try await t.redeemCoupon(second.code, receipt: "SAME", fen: 10_000) } }
                return try await group.reduce(into: [RawResponse]()) { $0.append($1) }
            }
            #expect(same.filter { $0.status == .created }.count == 1)
            #expect(same.filter { $0.status == .ok }.count == 7)
            #expect(Set(same.map(\.text)).count == 1)
        }
    }

    @Test("voidCoupons voids every unused coupon of a source, and refuses (writing nothing) when one was used")
    func voiding() async throws {
        try await withTestApp { t in
            let a = try await t.issueCoupon(member: nil, sourceRef: "redemption:1", source: "redemption")
            let b = try await t.issueCoupon(member: nil, sourceRef: "redemption:1", source: "redemption")
            let c = try await t.issueCoupon(member: nil, sourceRef: "redemption:2", source: "redemption")
            let d = try await t.issueCoupon(member: nil, sourceRef: "redemption:2", source: "redemption")
            #expect(try await t.redeemCoupon(a.code, receipt: "V-1", fen: 10_000).status == .created)
            let nowMs = epochMillis(t.clock.now)
            let refusal = await #expect(throws: DomainError.self) {
                try await t.store.write { tx in
                    try await t.store.voidCoupons(tx, sourceRef: "redemption:1", reason: "customer changed mind", actor: "desk", nowMs: nowMs)
                }
            }
            #expect(refusal?.rule == "coupon.used" && refusal?.kind == .conflict)
            #expect(try await t.couponStatus(b.code).status == "issued")
            try await t.store.write { tx in
                try await t.store.voidCoupons(tx, sourceRef: "redemption:2", reason: "voided", actor: "desk", nowMs: nowMs)
            }
            #expect(try await t.couponStatus(c.code).status == "void")
            #expect(try await t.couponStatus(d.code).status == "void")
            #expect(try await t.auditCount("coupon.void", actor: "desk") == 2)
            let record = try #require(try await t.store.coupon(code: c.code))
            #expect(record.voidReason == "voided" && record.voidedBy == "desk")
        }
    }

    @Test("GET /coupons/{code} shows a coupon and says whether it would be taken; answers match the OpenAPI schemas")
    func lookupAndSchema() async throws {
        try await withTestApp { t in
            let docText = try await t.send(.GET, "/api/v1/openapi.json", authorized: false).text
            let validator = SchemaValidator(document: try JSONValue.parse(docText))
            func schema(_ name: String) -> JSONValue { .object(["$ref": .string("#/components/schemas/\(name)")]) }
            func valid(_ r: RawResponse, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
                let problems = validator.validate(try JSONValue.parse(r.text), schema(name))
                #expect(problems.isEmpty, "\(problems) \(r.text)", sourceLocation: sourceLocation)
            }
            let card = try await t.enrolMember(phone: "13800000001", name: "王小明")
            let member = try await t.memberId(card: card)
            let coupon = try await t.issueCoupon(member: member, face: nil, permille: 900, minSpend: 10_000)

            let plain = try await t.send(.GET, "/api/v1/coupons/\(coupon.code)")
            #expect(plain.status == .ok && plain.bool("usable") == true && plain.bool("memberBound") == true)
            #expect(plain.string("status") == "issued" && plain.string("valueText") == "9折" && plain.string("displayName") == "王**")
            #expect(plain.string("validTo") == Self.day.adding(days: 89).description && plain.string("cardNo") == card)
            try valid(plain, "Coupon")
            let priced = try await t.send(.GET, "/api/v1/coupons/\(coupon.code)?counter=C0001&amountFen=20000&card=\(card)")
            #expect(priced.bool("usable") == true && priced.int("discountFen") == 2_000 && priced.int("payableFen") == 18_000)
            try valid(priced, "Coupon")
            let low = try await t.send(.GET, "/api/v1/coupons/\(coupon.code)?amountFen=5000")
            #expect(low.bool("usable") == false && (low.json["refusal"] as? [String: Any])?["rule"] as? String == "coupon.minSpend")
            try valid(low, "Coupon")
            #expect(try await t.send(.GET, "/api/v1/coupons/CPNOSUCH").status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/coupons/\(coupon.code)", authorized: false).status == .unauthorized)

            let used = try await t.redeemCoupon(coupon.code, receipt: "S-1", fen: 20_000, card: card)
            #expect(used.status == .created)
            try valid(used, "CouponRedemption")
            let after = try await t.send(.GET, "/api/v1/coupons/\(coupon.code)")
            #expect(after.string("status") == "used" && after.bool("usable") == false && after.string("usedReceiptNo") == "S-1")
            try valid(after, "Coupon")
            try valid(try await t.redeemCoupon(coupon.code, receipt: "S-2", fen: 20_000, card: card), "Error")
        }
    }

    @Test("the console coupon page shows the coupon with a Code 128 barcode; it needs sign-in and a desk role")
    func consolePage() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001", name: "王小明")
            let member = try await t.memberId(card: card)
            let coupon = try await t.issueCoupon(member: member, face: 5_000, minSpend: 20_000, counters: ["C0001"])
            let path = "/console/coupons/\(coupon.code)"

            let anonymous = ConsoleClient(t)
            let out = try await anonymous.get(path)
            #expect(out.status == .seeOther && out.location?.hasPrefix("/login") == true)
            let counterStaff = try await t.console(as: "counter", .counterStaff)
            #expect(try await counterStaff.get(path).status == .forbidden)

            let desk = try await t.console(as: "desk", .desk)
            let page = try await desk.get(path)
            #expect(page.status == .ok)
            #expect(page.contains(coupon.code) && page.contains("满减券") && page.contains("50 元") && page.contains("满 200.00 元可用"))
            #expect(page.contains("王**") && page.contains("C0001") && page.contains("可用"))
            #expect(!page.contains("王小明"))
            // The SVG draws one rect per bar of the Code 128 symbol (plus the white background).
            #expect(page.contains("<svg") && page.contains("data-code=\"\(coupon.code)\""))
            let bars = (try #require(Code128.widths(coupon.code))).count / 2 + 1
            let svg = try #require(ConsolePage.firstMatch(#"(<svg[^>]*class="barcode".*?</svg>)"#, in: page.body))
            #expect(ConsolePage.matches(#"(<rect )"#, in: svg).count == bars + 1)

            // The list finds it by card and by code; the member page lists it with a link.
            let list = try await desk.get("/console/coupons?q=\(card)")
            #expect(list.status == .ok && list.contains("href=\"\(path)\""))
            #expect(try await desk.get("/console/coupons?status=used").contains(coupon.code) == false)
            let memberPage = try await desk.get("/console/members/\(member)")
            #expect(memberPage.contains("优惠券") && memberPage.contains("href=\"\(path)\""))
            #expect(!memberPage.contains("手工发券"))
            #expect(try await counterStaff.get("/console/coupons").status == .forbidden)
        }
    }

    @Test("a manager issues a coupon by hand from the member page (audited); the desk may not")
    func managerIssues() async throws {
        try await withTestApp { t in
            let card = try await t.enrolMember(phone: "13800000001")
            let member = try await t.memberId(card: card)
            let manager = try await t.console(as: "boss", .manager)
            let page = try await manager.get("/console/members/\(member)")
            #expect(page.contains("手工发券"))
            let form: [(String, String)] = [("name", "致歉券"), ("face", ""), ("discount", "8.5"), ("minSpend", "100"),
                                            ("validDays", "10"), ("counters", "C0001"), ("reason", "投诉补偿")]
            let done = try await manager.post("/console/members/\(member)/coupons", form)
            #expect(done.status == .seeOther, "\(done.body)")
            let coupons = try await t.store.coupons(memberId: member)
            let c = try #require(coupons.first)
            #expect(coupons.count == 1 && c.source == "manager" && c.issuedBy == "staff:boss" && c.nameZh == "致歉券")
            #expect(c.terms.value == CouponValue(faceFen: nil, discountPermille: 850) && c.terms.minSpendFen == 10_000)
            #expect(c.terms.validTo == Self.day.adding(days: 9) && c.terms.counterCodes == ["C0001"])
            #expect(try await t.auditCount("coupon.issue", actor: "staff:boss") == 1)
            let shown = try await manager.follow(done)
            #expect(shown.contains(c.code))

            let bad = try await manager.post("/console/members/\(member)/coupons",
                                             [("name", "x"), ("face", "10"), ("discount", "9"), ("reason", "r")])
            #expect(bad.status == .unprocessableEntity && bad.contains("二选一"))
            #expect(try await t.store.coupons(memberId: member).count == 1)

            let desk = try await t.console(as: "desk", .desk)
            _ = try await desk.get("/console/members/\(member)")
            #expect(try await desk.post("/console/members/\(member)/coupons", form).status == .forbidden)
            #expect(try await t.store.coupons(memberId: member).count == 1)
        }
    }
}
