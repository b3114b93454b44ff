import Foundation
import Vapor

/// Issue 22, part c: subscribeMessage.send (`POST /cgi-bin/message/subscribe/send?access_token=…`). Checks the token
/// (tokenOwner), that `touser` is a known openid (40003), the template is one of the app's (40037), each data value
/// against WeChat's rules (47003: thing over 20 characters, a time not "2026年12月7日 21:30" …), and spends one of
/// the (openid, template) subscriptions the test set: none left → 43101. The simulator counts on its own, so a
/// MallVIP that spends or sends twice is caught.
struct SimulatedSubscribe: Sendable {
    /// appid → its templates.
    var templates: [String: Set<String>] = [:]
    var openids: Set<String> = []
    /// "openid|templateId" → messages still allowed.
    var remaining: [String: Int] = [:]
    /// Accepted messages: openid, template id, data values by keyword.
    var delivered: [(openid: String, templateId: String, data: [String: String], page: String?)] = []
}

extension WechatSimulator {
    func installSubscribe(_ app: Application) {
        app.post("cgi-bin", "message", "subscribe", "send") { [self] req -> Response in
            if let f = pendingFailure(req) { return f }
            let appid: String
            switch tokenOwner(req) {
            case .success(let a): appid = a
            case .failure(let refusal): return refusal.response
            }
            let body = (try? JSONSerialization.jsonObject(with: Data((req.body.string ?? "").utf8))) as? [String: Any] ?? [:]
            let s = subscribeState
            guard let touser = body["touser"] as? String, s.openids.contains(touser) else {
                return error(req, 40003, "invalid openid")
            }
            guard let tid = body["template_id"] as? String, s.templates[appid]?.contains(tid) == true else {
                return error(req, 40037, "invalid template id")
            }
            guard let data = body["data"] as? [String: Any], !data.isEmpty else { return error(req, 47003, "argument invalid! data is empty") }
            var values: [String: String] = [:]
            for (k, v) in data {
                guard let value = (v as? [String: Any])?["value"] as? String, !value.isEmpty else {
                    return error(req, 47003, "argument invalid! data.\(k).value is empty")
                }
                if let problem = Self.subscribeValueProblem(keyword: k, value: value) {
                    return error(req, 47003, "argument invalid! data.\(k).value \(problem)")
                }
                values[k] = value
            }
            let key = "\(touser)|\(tid)"
            let spent: Bool = state.withLockedValue { st in
                var sub = st.parts["subscribe"] as? SimulatedSubscribe ?? SimulatedSubscribe()
                guard sub.remaining[key, default: 0] > 0 else { return false }
                sub.remaining[key, default: 0] -= 1
                sub.delivered.append((touser, tid, values, body["page"] as? String))
                st.parts["subscribe"] = sub
                return true
            }
            guard spent else { return error(req, 43101, "user refuse to accept the msg") }
            return answer(req, json: ["errcode": 0, "errmsg": "ok", "msgid": Int.random(in: 1_000_000...9_999_999)])
        }
    }

    var subscribeState: SimulatedSubscribe { state.withLockedValue { $0.parts["subscribe"] as? SimulatedSubscribe ?? SimulatedSubscribe() } }

    private func updateSubscribe(_ f: (inout SimulatedSubscribe) -> Void) {
        state.withLockedValue { st in
            var sub = st.parts["subscribe"] as? SimulatedSubscribe ?? SimulatedSubscribe()
            f(&sub)
            st.parts["subscribe"] = sub
        }
    }

    /// The app's templates (template ids the mini-program admin picked).
    func addSubscribeTemplates(appid: String, _ ids: [String]) { updateSubscribe { $0.templates[appid, default: []].formUnion(ids) } }
    /// The member accepted `count` times in WeChat (the simulator's own count, independent of MallVIP's).
    func setSubscriptions(openid: String, templateId: String, count: Int) {
        updateSubscribe { $0.openids.insert(openid); $0.remaining["\(openid)|\(templateId)"] = count }
    }
    func subscriptionsLeft(openid: String, templateId: String) -> Int { subscribeState.remaining["\(openid)|\(templateId)", default: 0] }
    var deliveredSubscribeMessages: [(openid: String, templateId: String, data: [String: String], page: String?)] { subscribeState.delivered }

    /// WeChat's value rules, written independently of MallVIP's (so a formatting slip is caught).
    static func subscribeValueProblem(keyword: String, value: String) -> String? {
        func m(_ p: String) -> Bool { value.range(of: p, options: .regularExpression) != nil }
        let kind = keyword.replacingOccurrences(of: "[0-9]+$", with: "", options: .regularExpression)
        switch kind {
        case "thing": return value.count <= 20 ? nil : "exceeds 20 characters"
        case "number": return m("^[0-9]{1,32}(\\.[0-9]+)?$") ? nil : "is not a number"
        case "time": return m("^([0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日 )?[0-9]{1,2}:[0-9]{2}$") ? nil : "invalid"
        case "date": return m("^[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日( [0-9]{1,2}:[0-9]{2})?$") ? nil : "invalid"
        case "phrase": return m("^\\p{Han}{1,5}$") ? nil : "invalid"
        case "character_string": return value.count <= 32 ? nil : "exceeds 32 characters"
        case "name": return value.count <= 20 ? nil : "exceeds limit"
        default: return nil
        }
    }
}
