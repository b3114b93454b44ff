import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
import Vapor
@testable import MallVIPWeb

/// The SMS gateway (against a real local HTTP server), its callbacks, the unsubscribe link and the console pages.
@Suite("Outbox web") struct OutboxWebTests {
    @Test("through a real HTTP gateway: JSON body from the template with the outbox id as ref, auth header, provider id kept; 500 retried, 400 failed at once; delivery report via the API",
          .enabled(if: SMSGatewayStub.hasPython, "python3 is not installed: the SMS gateway test needs it to run Tests/Support/sms_gateway_stub.py"))
    func realGateway() async throws {
        let stub = try await SMSGatewayStub.start()
        defer { stub.stop() }
        try await withTestApp { t in
            t.app.messageSenders = ChannelSenders([.sms: SMSGatewaySender(
                configuration: SMSGatewayConfiguration(url: stub.url, authorization: "Bearer gw-secret"), client: t.app.client)])
            var drafts: [OutboxDraft] = []
            for (i, text) in ["生日快乐！【尚峰百货】VIP中心", "引号\"与\n换行\\", "FAIL500", "FAIL400"].enumerated() {
                let m = try await t.messagingMember(phone: "1380000000\(i)")
                drafts.append(OutboxDraft(memberId: m, channel: .sms, purpose: .care, source: .journey, sourceCode: "birthday",
                                          periodKey: "2026-11", body: text))
            }
            _ = try await t.enqueue(drafts)
            let s = try await t.app.deliverDueMessages()
            #expect(s.sent == 2 && s.retrying == 1 && s.failed == 1)
            let rows = try await t.outboxRows()
            let requests = try stub.requests()
            #expect(requests.count == 4)
            for (row, req) in zip(rows, requests) {
                #expect(req.path == "/sms/send" && req.authorization == "Bearer gw-secret")
                #expect(req.contentType?.hasPrefix("application/json") == true)
                #expect(req.json["to"] as? String == row.toAddress)
                #expect(req.json["text"] as? String == row.body)         // escaped on the way, intact on arrival
                #expect(req.json["ref"] as? String == String(row.id))
            }
            #expect(rows.map(\.status) == [.sent, .sent, .deferred, .failed])
            #expect(rows.map(\.providerId) == ["GW-1", "GW-2", nil, nil])
            #expect(rows[2].lastError?.contains("HTTP 500") == true && rows[3].lastError?.contains("HTTP 400") == true)
            #expect(rows[3].attempts == 1)                                  // a permanent refusal does not use up attempts
            let report = try await t.postRaw("/api/v1/sms/status", #"{"providerId":"GW-2","status":"DELIVRD"}"#)
            #expect(report.status == .ok && report.bool("matched") == true)
            #expect(try await t.store.outboxMessage(id: rows[1].id)?.status == .delivered)
        }
    }

    @Test("inbound SMS: an opt-out keyword from a member's phone (+86 form) opts out; other text does not; the API key is required")
    func inbound() async throws {
        try await withTestApp { t in
            let a = try await t.messagingMember(phone: "13800000001")
            let unauthorised = try await t.send(.POST, "/api/v1/sms/inbound", body: #"{"phone":"13800000001","text":"TD"}"#, authorized: false)
            #expect(unauthorised.status == .unauthorized)
            let chat = try await t.postRaw("/api/v1/sms/inbound", #"{"phone":"13800000001","text":"谢谢"}"#)
            #expect(chat.status == .ok && chat.bool("optedOut") == false)
            let stop = try await t.postRaw("/api/v1/sms/inbound", #"{"phone":"+8613800000001","text":"退订"}"#)
            #expect(stop.status == .ok && stop.bool("optedOut") == true)
            #expect(try await t.store.member(id: a)?.consentSMS == false)
            #expect(try await t.store.optOuts(memberId: a).map(\.source) == [.smsKeyword])
        }
    }

    @Test("unsubscribe link: no sign-in, bilingual confirmation, opt-out recorded once; a forged token is refused")
    func unsubscribe() async throws {
        try await withTestApp { t in
            let a = try await t.messagingMember(phone: "13800000001", email: "a@example.com", emailConsent: true)
            let b = try await t.messagingMember(phone: "13800000002", email: "b@example.com", emailConsent: true)
            let path = t.store.unsubscribePath(memberId: a, channel: .email)
            #expect(path.hasPrefix("/unsubscribe?m=\(a)&c=email&t="))
            let page = try await t.send(.GET, path, authorized: false)
            #expect(page.status == .ok && page.text.contains("已退订") && page.text.contains("Unsubscribed"))
            #expect(try await t.send(.GET, path, authorized: false).status == .ok)
            #expect(try await t.store.optOuts(memberId: a).map(\.source) == [.emailLink])
            #expect(try await t.store.member(id: a)?.consentEmail == false)
            // A's token does not work for B, nor for SMS.
            let token = String(path.split(separator: "=").last!)
            #expect(try await t.send(.GET, "/unsubscribe?m=\(b)&c=email&t=\(token)", authorized: false).status == .notFound)
            #expect(try await t.send(.GET, "/unsubscribe?m=\(a)&c=sms&t=\(token)", authorized: false).status == .notFound)
            #expect(try await t.store.member(id: b)?.consentEmail == true)
            // E-mail messages carry the link to the sender.
            _ = try await t.enqueue([t.draft(b, .email)])
            let sender = FakeSender(channels: [.email])
            _ = try await t.store.deliverDue(sender: sender)
            #expect(sender.sent.first?.unsubscribePath == t.store.unsubscribePath(memberId: b, channel: .email))
        }
    }

    @Test("console: the outbox with filters, reasons and the cost roll-up for planners; the desk may not; call lists per manager")
    func consolePages() async throws {
        try await withTestApp { t in
            let planner = try await t.console(as: "plan", .planner)
            let am = try await t.console(as: "am", .accountManager)
            let amId = try await t.store.staff(username: "am")!.id
            let a = try await t.messagingMember(phone: "13800000001", call: true, manager: amId)
            let b = try await t.messagingMember(phone: "13800000002", sms: false)
            _ = try await t.enqueue([t.draft(a), t.draft(b), t.draft(a, .call)])
            _ = try await t.store.deliverDue(sender: FakeSender())
            let page = try await planner.get("/console/messages")
            #expect(page.status == .ok)
            #expect(page.contains("已发送") && page.contains("未发送") && page.contains("未同意接收") && page.contains("birthday"))
            #expect(page.contains("消息费用 2026-11") && page.contains("0.05"))
            let refusedOnly = try await planner.get("/console/messages?status=refused")
            #expect(refusedOnly.contains("未同意接收") && !refusedOnly.contains("已发送 ·"))
            #expect(try await planner.get("/console/messages?member=13800000002").body.components(separatedBy: "<td class=\"status-").count == 2)
            let desk = try await t.console(as: "desk", .desk)
            #expect(try await desk.get("/console/messages").status == .forbidden)
            #expect(try await planner.get("/console/calls").status == .forbidden)

            let calls = try await am.get("/console/calls")
            #expect(calls.status == .ok && calls.contains("13800000001"))
            let taskId = try #require(ConsolePage.firstMatch(#"/console/calls/(\d+)"#, in: calls.body))
            let done = try await am.post("/console/calls/\(taskId)", [("outcome", "done"), ("note", "已致电祝福")])
            #expect(done.status == .seeOther || done.status == .found)
            #expect(try await t.store.outboxMessage(id: Int64(taskId)!)?.status == .delivered)
            #expect(try await t.auditCount("call.done", actor: "staff:am") == 1)
            #expect(!(try await am.get("/console/calls")).contains("13800000001"))
        }
    }

    @Test("member page: the desk sees the member's latest messages with status and reason, and the opt-outs")
    func memberPage() async throws {
        try await withTestApp { t in
            let desk = try await t.console(as: "desk", .desk)
            let a = try await t.messagingMember(phone: "13800000001")
            _ = try await t.enqueue([t.draft(a), t.draft(a, .email, code: "welcome")])
            _ = try await t.store.deliverDue(sender: FakeSender())
            let before = try await desk.get("/console/members/\(a)")
            #expect(before.status == .ok && !before.contains("退订记录"))
            #expect(before.contains("生日快乐") && before.contains("status-sent") && before.contains("status-refused"))
            #expect(before.contains("welcome · 2026-11") && before.contains("未同意接收"))
            _ = try await t.postRaw("/api/v1/sms/inbound", #"{"phone":"13800000001","text":"TD"}"#)
            let after = try await desk.get("/console/members/\(a)")
            #expect(after.contains("退订记录") && after.contains("短信回复退订"))
        }
    }

    @Test("SMS gateway settings from the environment: URL required for SMS, body template must hold {phone} and {text} and stay JSON")
    func gatewayConfiguration() throws {
        #expect(try SMSGatewayConfiguration.fromEnvironment([:]) == nil)
        let c = try #require(try SMSGatewayConfiguration.fromEnvironment(["MALLVIP_SMS_URL": "https://sms.example.com/send",
                                                                          "MALLVIP_SMS_AUTH": "Basic dXNlcjpwdw=="]))
        #expect(c.authorization == "Basic dXNlcjpwdw==" && c.bodyTemplate == SMSGatewayConfiguration.defaultBodyTemplate)
        #expect(c.body(phone: "13800000001", text: "a\"b", id: 7) == #"{"to":"13800000001","text":"a\"b","ref":"7"}"#)
        #expect(throws: StoreConfigurationError.self) { try SMSGatewayConfiguration.fromEnvironment(["MALLVIP_SMS_URL": "ftp://x"]) }
        #expect(throws: StoreConfigurationError.self) {
            try SMSGatewayConfiguration.fromEnvironment(["MALLVIP_SMS_URL": "https://x.example", "MALLVIP_SMS_BODY": #"{"to":"{phone}"}"#])
        }
        #expect(throws: StoreConfigurationError.self) {
            try SMSGatewayConfiguration.fromEnvironment(["MALLVIP_SMS_URL": "https://x.example", "MALLVIP_SMS_BODY": #"{"to":"{phone}","m":{text}}"#])
        }
        #expect(SMSGatewaySender.providerId(#"{"messageId":12345}"#) == "12345")
        #expect(SMSGatewaySender.providerId(#"{"id":"abc"}"#) == "abc")
        #expect(SMSGatewaySender.providerId("OK") == nil)
    }
}
