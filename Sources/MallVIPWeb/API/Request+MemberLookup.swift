import MallVIPCore
import MallVIPStore
import Vapor

extension Request {
    /// The active member named by the `card` or `phone` query parameter, as the POS and the rewards API look them up.
    func memberFromQuery() async throws -> Member {
        let card: String? = query["card"], phone: String? = query["phone"]
        guard card != nil || phone != nil else {
            throw DomainError.invalid("card", "lookup.key", zh: "请提供 card 或 phone 参数", en: "give card or phone as a query parameter")
        }
        guard let m = try await store.lookup(card: card, phone: phone) else {
            throw DomainError(.notFound, field: nil, rule: "member.exists", zh: "未找到会员", en: "no active member with this \(card != nil ? "card" : "phone")")
        }
        return m
    }
}
