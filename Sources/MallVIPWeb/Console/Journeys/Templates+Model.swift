import Foundation
import MallVIPCore
import MallVIPStore

/// Message templates: the list, and the form that checks a text against the content rules and previews it
/// rendered for a real member (picked by card or phone).
enum TemplatesPage {
    struct Model: Sendable {
        var templates: [MessageTemplate]
        /// Which journeys send each template.
        var usedBy: [String: [Journey]]
        var notice: String?
    }

    enum Query {
        static func model(_ store: Store, notice: String?) async throws -> Model {
            var usedBy: [String: [Journey]] = [:]
            for j in try await store.journeys() { for code in Set(j.templateCodes) { usedBy[code, default: []].append(j) } }
            return Model(templates: try await store.messageTemplates(), usedBy: usedBy, notice: notice)
        }
    }
}

enum TemplateForm {
    struct Values: Sendable {
        var code = ""
        var name = ""
        var purpose = MessagePurpose.care
        var channel = MessageChannel.sms
        var subject = ""
        var body = ""
        var active = true

        init() {}

        init(_ t: MessageTemplate) {
            code = t.code
            name = t.name
            purpose = t.purpose
            channel = t.channel
            subject = t.subject ?? ""
            body = t.body
            active = t.active
        }

        init(form: [String: String], code fixed: String?) {
            code = fixed ?? Forms.trimmed(form["code"])
            name = Forms.trimmed(form["name"])
            purpose = MessagePurpose(rawValue: form["purpose"] ?? "") ?? .care
            channel = MessageChannel(rawValue: form["channel"] ?? "") ?? .sms
            subject = Forms.trimmed(form["subject"])
            body = Forms.trimmed(form["body"])
            active = form["active"] != nil
        }

        var template: MessageTemplate {
            MessageTemplate(code: code, name: name, purpose: purpose, channel: channel,
                            subject: channel == .email && !subject.isEmpty ? subject : nil, body: body, active: active)
        }
    }

    /// The text as one member would get it.
    struct Preview: Sendable {
        var memberId: Int64
        var memberName: String
        var subject: String?
        var text: String
        /// SMS are billed per 70 characters (one segment).
        var smsSegments: Int { max(1, (text.count + 69) / 70) }
    }

    struct Model: Sendable {
        var creating: Bool
        var values: Values
        /// Every problem `templateProblems` found (shown together).
        var errors: [String] = []
        var member: String = ""
        var preview: Preview?
        var previewError: String?
        var usedBy: [Journey] = []
    }

    enum Query {
        static func template(_ store: Store, code: String) async throws -> MessageTemplate {
            guard let t = try await store.messageTemplate(code: code) else {
                throw DomainError(.notFound, field: nil, rule: "template.exists", zh: "模板不存在", en: "Template not found")
            }
            return t
        }

        static func usedBy(_ store: Store, code: String) async throws -> [Journey] {
            try await store.journeys().filter { $0.templateCodes.contains(code) }
        }

        /// The member a card number or phone names, and the template rendered for them today.
        static func preview(_ store: Store, template: MessageTemplate, member query: String,
                            ctx: PageContext) async throws -> (Preview?, String?) {
            let q = Forms.trimmed(query)
            guard !q.isEmpty else { return (nil, nil) }
            let found: Member?
            if let m = try await store.lookup(card: q, phone: nil) { found = m } else { found = try await store.lookup(card: nil, phone: q) }
            guard let member = found else {
                return (nil, ctx.t("没有卡号或手机号为 \(q) 的有效会员", "No active member has card or phone \(q)"))
            }
            let (_, programme) = try await store.programme()
            guard let context = try await store.templatePreviewContext(memberId: member.id, programme: programme) else {
                return (nil, ctx.t("会员不存在", "Member not found"))
            }
            return (Preview(memberId: member.id, memberName: member.name,
                            subject: template.channel == .email ? template.renderSubject(context) : nil, text: template.render(context)), nil)
        }
    }
}
