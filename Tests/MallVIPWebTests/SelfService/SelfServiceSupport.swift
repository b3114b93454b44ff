import Foundation
import MallVIPCore
@testable import MallVIPStore
@testable import MallVIPWeb
import Testing
import Vapor

/// A member signed in to /m/ without the SMS round trip (that is the login suite's job): a session row made through
/// the store and its cookie sent on every request.
struct SelfServiceClient: Sendable {
    let t: TestContext
    let token: String
    var lang: String = "zh"

    func get(_ path: String) async throws -> RawResponse {
        try await t.send(.GET, path, authorized: false,
                         headers: ["Cookie": "\(MemberAuth.cookieName)=\(token); mallvip_lang=\(lang)"])
    }

    /// GET that must answer 200; returns the HTML.
    func page(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let r = try await get(path)
        #expect(r.status == .ok, "\(path): \(r.status) \(r.text.prefix(300))", sourceLocation: sourceLocation)
        return r.text
    }
}

extension TestContext {
    func signedInMember(_ memberId: Int64, lang: String = "zh") async throws -> SelfServiceClient {
        let token = "test-\(memberId)-\(UUID().uuidString)"
        try await store.startMemberSession(memberId: memberId, tokenHash: sha256Hex(token), csrf: "csrf-\(memberId)", ttl: 3600)
        return SelfServiceClient(t: self, token: token, lang: lang)
    }

    /// Enrols a member by phone and returns (card, id).
    func selfServiceMember(_ phone: String, name: String = "张三") async throws -> (card: String, id: Int64) {
        let card = try await enrolMember(phone: phone, name: name)
        return (card, try await memberId(card: card))
    }
}

/// `<tr>` rows in a page's first table body, header excluded.
func tableRows(_ html: String) -> Int {
    max(0, html.components(separatedBy: "<tr>").count - 2)
}
