import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Issue 14: every registered route is classified here as naming a member or not; a new route that is not fails
/// `everyRouteIsClassified`. Each route that names one is then sent by every staff role for a member they may see
/// and one they may not: refused ones get 403/404 and change nothing; allowed ones are never refused by the
/// object check.
@Suite("Object-level access matrix") struct ObjectAccessMatrixTests {
    enum Kind: Equatable {
        /// Names no member (lists, organisation, the public and API edges: see `notes`).
        case none
        /// The member, or a row of one member's, is in the path (`MemberAccessMiddleware`).
        case path
        /// A form or query field names the member (by id or card number): an explicit `MemberAccess.check`.
        case field(String, byCard: Bool)
        /// A card presented at the event door (an exact match, answered with name and tier only).
        case door
    }

    /// Routes outside the console: `api/…` act for a POS or partner key at the till, `m/…` only on the signed-in
    /// member's own data (`MemberAuthMiddleware`), `e/:token`, `s/:token`, `unsubscribe` on a signed token.
    static let table: [String: Kind] = {
        var t: [String: Kind] = [:]
        let pathRoutes = """
            GET console/members/:id|GET console/members/:id/edit|POST console/members/:id/edit|POST console/members/:id/card-lost
            POST console/members/:id/card-replace|POST console/members/:id/manual-tier|POST console/members/:id/adjust-points
            POST console/members/:id/reveal-id|POST console/members/:id/plate-bind|POST console/members/:id/plate-unbind
            GET console/members/:id/redeem|POST console/members/:id/redeem|POST console/members/:id/redemptions/:rid/void
            POST console/members/:id/coupons|POST console/members/:id/contacts|POST console/members/:id/manager|POST console/members/:id/tags
            GET console/coupons/:code|POST console/tier-requests/:id|POST console/tasks/:id|GET console/tasks/:id/lapse.csv
            POST console/tasks/:id/deletion|POST console/complaints/:id/respond|POST console/complaints/:id/resolve|POST console/calls/:id
            GET console/members/:id/changes|GET console/members/:id/phone|POST console/members/:id/phone|POST console/members/:id/phone/code
            POST console/members/:id/phone/override|GET console/members/:id/id-number|POST console/members/:id/id-number
            POST console/members/:id/card-replace/code
            GET console/members/:id/handbook
            POST console/members/:id/gifts/:gid/hand-over
            """
        for r in pathRoutes.split(whereSeparator: { $0 == "|" || $0 == "\n" }) { t[r.trimmingCharacters(in: .whitespaces)] = .path }
        t["POST console/my-vips/contacts"] = .field("memberId", byCard: false)
        t["POST console/events/:id/walkin"] = .door   // the walk-in button on the door's answer to a presented card
        t["POST console/events/:id/rsvp"] = .field("q", byCard: true)
        t["POST console/complaints"] = .field("member", byCard: true)
        t["GET console/messages"] = .field("member", byCard: true)
        t["GET console/templates/:code"] = .field("member", byCard: true)
        t["POST console/events/:id/checkin"] = .door
        t["GET console/handbook"] = Kind.none   // a tier's handbook (issue 18): names no member
        t["GET m/programme"] = Kind.none        // the signed-in member's own handbook (issue 18)
        // Gifts (issue 18): the report and stock name no member (aggregates); /m/gifts is the signed-in member's own.
        for r in ["GET console/gifts", "GET console/gifts/report.csv", "POST console/gifts/stock", "GET m/gifts"] { t[r] = Kind.none }
        // The WeChat Pay sync queue (issue 19): rows name purchases and parking exits by id, no member is shown.
        for r in ["GET console/wechat-pay/sync", "POST console/wechat-pay/sync/:id/retry"] { t[r] = Kind.none }
        // WeChat Pay shop mapping and payer bindings (issue 19): shops and openids; linking names a member by card number.
        for r in ["GET console/wechat-pay", "POST console/wechat-pay/shops", "POST console/wechat-pay/shops/:id/remove",
                  "POST console/wechat-pay/bindings/:id/revoke"] { t[r] = Kind.none }
        t["POST console/wechat-pay/bindings/:id/link"] = .field("card", byCard: true)
        // Receipt photos (issue 19): /m/photos… only the signed-in member's own (another's is 404); the desk's queue and
        // a photo's image and decision are checked against the photo's mall (another mall's is 404; ReceiptPhotoTests).
        for r in ["GET m/photos", "POST m/photos", "GET m/photos/:id/image", "GET console/photos", "POST console/photos/:id",
                  "GET console/photos/:id/image"] { t[r] = Kind.none }
        t["POST wechatpay/notify"] = Kind.none   // WeChat Pay's signed notifications (registered when configured)
        // Official-account sign-in (issue 22b): WeChat's redirect and callback name no member; unbind is the signed-in member's own.
        for r in ["GET m/wechat", "GET m/wechat/callback", "POST m/profile/wechat/unbind"] { t[r] = Kind.none }
        // The card in 卡包 (issue 22d): the signed-in member's own card; the activation form is CSRF-protected.
        for r in ["GET m/card/wechat", "POST m/card/wechat/activate"] { t[r] = Kind.none }
        // Points by channel and duplicate review (issue 19): aggregates and flags of purchases; a flag of another mall is 403.
        for r in ["GET console/channels", "GET console/channels/report.csv", "POST console/channels/sweep",
                  "POST console/channels/flags/:id/confirm", "POST console/channels/flags/:id/dismiss"] { t[r] = Kind.none }
        let none = """
            GET |GET console.css|GET console.js|GET login|POST login|GET console|POST console/language|POST logout|GET console/members
            GET console/members/new|POST console/members/new|GET console/tier-requests|GET console/counters|GET console/counters/new
            POST console/counters/new|GET console/counters/:id|POST console/counters/:id|GET console/departments|POST console/departments
            POST console/malls|GET console/staff|POST console/staff|POST console/staff/:id/toggle|GET console/api-keys|POST console/api-keys
            POST console/api-keys/:id/revoke|GET console/programme|POST console/programme|GET console/webhooks|POST console/webhooks
            POST console/webhooks/:id/deactivate|POST console/webhooks/:id/replay|GET console/webhooks/deliveries/:id
            POST console/webhooks/deliveries/:id/replay|GET console/finance/points|GET console/finance/co-funding|GET console/finance/co-funding.csv|GET console/finance/liability|GET console/finance/liability.csv|GET console/rewards|GET console/rewards/new
            POST console/rewards/new|GET console/rewards/settlement|GET console/rewards/settlement.csv|GET console/rewards/:id
            POST console/rewards/:id|POST console/rewards/:id/stock|POST console/rewards/:id/active|GET console/partners
            GET console/partners/new|POST console/partners/new|GET console/partners/settlement|GET console/partners/:id
            POST console/partners/:id|GET console/coupons|GET console/templates|GET console/templates/new|POST console/templates/new
            POST console/templates/:code|GET console/journeys|GET console/journeys/:code|POST console/journeys/:code
            POST console/journeys/:code/toggle|GET console/holidays|POST console/holidays/new|POST console/holidays/:id
            POST console/holidays/:id/delete|GET console/segments|GET console/segments/:id|GET console/segments/:id/export.csv
            GET console/segments/new|POST console/segments/new|POST console/segments/:id|POST console/segments/:id/delete
            GET console/exports|GET console/exports/members.csv|GET console/exports/purchases.csv|GET console/exports/ledger.csv
            GET console/import|POST console/import|GET console/campaigns|GET console/campaigns/new|POST console/campaigns/new
            GET console/campaigns/:id|GET console/campaigns/:id/edit|POST console/campaigns/:id/edit|POST console/campaigns/:id/schedule
            POST console/campaigns/:id/send-now|POST console/campaigns/:id/cancel|GET console/calls|GET console/my-vips
            GET console/account-managers/ranking|GET console/account-managers|POST console/account-managers/:id/hired-on
            POST console/account-managers/ranking/award|GET console/tasks|GET console/churn|GET unsubscribe|POST unsubscribe
            GET console/prospects|POST console/prospects|GET console/prospects/invites|GET console/prospects/ranking
            POST console/prospects/ranking/award|POST console/staff/:id/counter|GET console/complaints|GET console/feedback
            POST console/feedback/quarterly-send|POST console/events/:id/surveys|GET console/events/:id/checkin
            GET console/events/:id/report|GET console/events|GET console/events/:id|GET console/events/new|POST console/events
            GET console/events/:id/edit|POST console/events/:id/edit|POST console/events/:id/invite|POST console/events/:id/status
            GET console/economics|GET console/economics/costs.csv|POST console/economics/costs|POST console/economics/costs/:id/delete
            GET console/targets|POST console/targets|POST console/targets/:id/delete|GET console/programme/simulate
            POST console/programme/simulate|GET console/reports|GET console/reports/:table|GET console/password|POST console/password
            POST console/staff/:id/reset-password|GET console/regions|POST console/regions|POST console/malls/:id/region
            POST console/staff/:id/malls|GET console/quality|GET console/quality/birthday-mailing.csv|GET console/quality/duplicates
            GET console/quality/members.csv|GET console/staff-figures|GET m/complaints|POST m/complaints
            GET health|GET healthz|GET metrics|GET api/v1/openapi.json|GET api/v1/counters|GET api/v1/members/lookup|POST api/v1/members
            POST api/v1/quotes|POST api/v1/purchases|POST api/v1/refunds|GET api/v1/partner/members/lookup|POST api/v1/partner/visits
            GET api/v1/coupons/:code|POST api/v1/coupons/:code/redeem|GET api/v1/rewards|POST api/v1/redemptions
            POST api/v1/redemptions/:id/void|POST api/v1/parking/exits|POST api/v1/sms/status|POST api/v1/sms/inbound
            GET m/member.css|POST m/language|GET m/login|POST m/login|POST m/login/verify|GET m|POST m/logout|GET m/card|GET m/points
            GET m/purchases|GET m/purchases/:id|GET m/coupons|GET m/coupons/:code|GET m/rewards|GET m/referral|GET m/profile
            POST m/profile|POST m/profile/consent|GET m/profile/data.json|GET m/profile/data.csv|POST m/profile/delete|GET m/events
            POST m/events/:id|GET s/:token|POST s/:token|GET e/:token|POST e/:token|POST m/profile/phone/code|POST m/profile/phone
            """
        for r in none.split(whereSeparator: { $0 == "|" || $0 == "\n" }) {
            let key = String(r.drop(while: { $0 == " " }))
            if t[key] == nil { t[key] = Kind.none }
        }
        return t
    }()

    static func key(_ route: Route) -> String {
        "\(route.method.rawValue) " + route.path.map(\.description).joined(separator: "/")
    }

    @Test("every registered route is classified as naming a member or not")
    func everyRouteIsClassified() async throws {
        try await withTestApp { t in
            let keys = t.app.routes.all.map(Self.key)
            let missing = keys.filter { Self.table[$0] == nil }.sorted()
            #expect(missing.isEmpty, "routes not classified in ObjectAccessMatrixTests.table: \(missing)")
            // Every route below a member prefix is checked by the middleware, whatever the table says.
            for route in t.app.routes.all where MemberPathReference.of(route.path) != nil {
                #expect(Self.table[Self.key(route)] == .path, "\(Self.key(route)) is below a member path")
            }
            // And every route the table says names a member in its path is below one.
            for route in t.app.routes.all where Self.table[Self.key(route)] == .path {
                #expect(MemberPathReference.of(route.path) != nil, "\(Self.key(route)) names a member but is not checked")
            }
        }
    }

    /// One member's rows, for the path parameters that name them.
    struct Rows { var member: Int64; var manager: Int64; var card: String; var coupon: String; var task: Int64; var complaint: Int64; var call: Int64; var tierRequest: Int64 }

    static func rows(_ t: TestContext, member: Int64, card: String, manager: Int64, handler: Int64) async throws -> Rows {
        let coupon = try await t.issueCoupon(member: member).code
        let now = epochMillis(t.clock.now)
        let task = try await t.store.sql.raw("""
            INSERT INTO service_tasks (kind, cause_key, member_id, assigned_staff_id, team_role, title, detail, due_day, status, outcome_note, created_at_ms)
            VALUES ('birthday', \(bind: "matrix:\(member)"), \(bind: member), \(bind: handler), NULL, 't', '', 20000, 'open', '', \(bind: now)) RETURNING id
            """).first()!.decode(column: "id", as: Int64.self)
        let complaint = try await t.store.openComplaint(NewComplaint(memberId: member, kind: ComplaintKind.allCases[0],
                                                                     channel: FeedbackChannel.allCases[0], category: "x", owner: "desk",
                                                                     description: "matrix"), actor: "test").id
        let call = try await t.store.sql.raw("""
            INSERT INTO outbox_messages (member_id, channel, purpose, source, source_code, period_key, dedupe_key, body, status, attempts,
              next_attempt_at_ms, cost_fen, assigned_staff_id, created_at_ms, updated_at_ms)
            VALUES (\(bind: member), 'call', 'care', 'manual', 'matrix', 'p', \(bind: "matrix:\(member)"), 'call', 'queued', 0, 0, 0, \(bind: handler), \(bind: now), \(bind: now))
            RETURNING id
            """).first()!.decode(column: "id", as: Int64.self)
        let tr = try await t.store.sql.raw("""
            INSERT INTO tier_requests (member_id, tier, reason, status, created_at_ms) VALUES (\(bind: member), 'gold', '{}', 'pending', \(bind: now)) RETURNING id
            """).first()!.decode(column: "id", as: Int64.self)
        return Rows(member: member, manager: manager, card: card, coupon: coupon, task: task, complaint: complaint, call: call, tierRequest: tr)
    }

    static func fill(_ route: Route, _ r: Rows, event: Int64) -> String {
        let parts = route.path.map(\.description)
        return "/" + parts.enumerated().map { i, p -> String in
            guard p.hasPrefix(":") else { return p }
            let owner = i > 0 ? parts[i - 1] : ""
            switch (owner, p) {
            case ("members", _): return String(r.member)
            case ("redemptions", _): return "999999"
            case ("coupons", _): return r.coupon
            case ("tasks", _): return String(r.task)
            case ("complaints", _): return String(r.complaint)
            case ("calls", _): return String(r.call)
            case ("tier-requests", _): return String(r.tierRequest)
            case ("events", _): return String(event)
            case ("templates", _): return "birthday"
            default: return "1"
            }
        }.joined(separator: "/")
    }

    /// The member's card now (an earlier request in the matrix may have replaced it).
    /// The member's active card. The matrix's own `card-lost` step may have left none (a replacement now needs the
    /// holder check, which the matrix does not pass): the latest card is put back, so routes that take a card number
    /// reach the object check instead of stopping at "card not active".
    static func activeCard(_ t: TestContext, _ member: Int64) async throws -> String {
        let row = try await t.store.sql.raw("SELECT id, card_no, state FROM cards WHERE member_id = \(bind: member) ORDER BY (state = 'active') DESC, id DESC").first()
        guard let row else { return "none" }
        if try row.decode(column: "state", as: String.self) != "active" {
            try await t.store.sql.raw("UPDATE cards SET state = 'active' WHERE id = \(bind: try row.decode(column: "id", as: Int64.self))").run()
        }
        return try row.decode(column: "card_no", as: String.self)
    }

    static let refusal = "这位会员不由您维护"

    @Test("route × role × own/other member: refused where the member is out of sight, never refused where it is not")
    func matrix() async throws {
        try await withTestApp { t in
            let w = try await ObjectAccessTests.world(t)
            let event = try await CheckInTests.openEvent(t)
            let a = try await Self.rows(t, member: w.a, card: w.cardA, manager: w.am1, handler: w.am1)
            let b = try await Self.rows(t, member: w.b, card: w.cardB, manager: w.am2, handler: w.am1)
            let c = try await Self.rows(t, member: w.c, card: w.cardC, manager: w.cs, handler: w.cs)
            var clients: [(StaffRole, ConsoleClient, own: Rows, mayOpenOther: Bool)] = []
            for role in StaffRole.allCases {
                let name: String
                switch role {
                case .accountManager: name = "am1"
                case .counterStaff: name = "cs"
                default: name = "m_" + role.rawValue; try await t.makeStaff(name, role)
                }
                let client = ConsoleClient(t)
                try await client.signIn(name)
                clients.append((role, client, role == .counterStaff ? c : a, MemberAccess.seesEveryMember(StaffUser(
                    id: 0, username: name, displayName: name, role: role, active: true, passwordHash: "", failedLogins: 0, lockedUntil: nil))))
            }
            let routes = t.app.routes.all.filter { if case .none = Self.table[Self.key($0)] ?? .none { false } else { true } }
            #expect(routes.count >= 30)
            for route in routes {
                let kind = Self.table[Self.key(route)]!
                for (role, client, own, mayOpenOther) in clients {
                    for (rows, allowed) in [(own, true), (b, mayOpenOther)] {
                        var path = Self.fill(route, rows, event: event.id)
                        var form: [(String, String)] = []
                        if case .field(let name, let byCard) = kind {
                            let value = byCard ? try await Self.activeCard(t, rows.member) : String(rows.member)
                            if route.method == .GET { path += "?\(name)=\(value)" } else { form = [(name, value)] }
                            if Self.key(route) == "POST console/my-vips/contacts" { form += [("kind", "call"), ("note", "x")] }
                            if Self.key(route) == "POST console/complaints" { form += [("kind", "complaint"), ("channel", "desk"), ("description", "x")] }
                            if Self.key(route) == "POST console/events/:id/rsvp" { form += [("accept", "1")] }
                        }
                        if case .door = kind { form = [("q", try await Self.activeCard(t, rows.member))] }
                        // Keep the assignments the matrix relies on: the manager route re-assigns the same manager.
                        if Self.key(route) == "POST console/members/:id/manager" { form = [("staffId", String(rows.manager)), ("reason", "x")] }
                        let before = try await ObjectAccessTests.snapshot(t)
                        let res = route.method == .GET ? try await client.get(path) : try await client.post(path, form)
                        let label = "\(route.method) \(path) as \(role) (\(allowed ? "may see" : "may not see") member \(rows.member))"
                        #expect(res.status != .internalServerError, "\(label): 500")
                        if case .door = kind { continue }
                        if allowed {
                            #expect(!(res.status == .forbidden && res.body.contains(Self.refusal)), "\(label): refused by the object check")
                        } else {
                            #expect(res.status == .forbidden || res.status == .notFound, "\(label): \(res.status)")
                            #expect(try await ObjectAccessTests.snapshot(t) == before, "\(label): changed data")
                        }
                    }
                }
            }
        }
    }
}
