import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

struct SMSStatusRequestDTO: Content {
    var providerId: String
    var status: String
}

struct SMSStatusDTO: Content {
    /// Whether a sent message has this provider id.
    var matched: Bool
}

struct SMSInboundRequestDTO: Content {
    var phone: String
    var text: String
}

struct SMSInboundDTO: Content {
    /// The reply was an opt-out keyword from a member's phone: SMS consent withdrawn.
    var optedOut: Bool
}

/// Callbacks from the SMS gateway, with an API key: delivery reports and members' replies (opt-out keywords).
struct SMSWebhookController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let sms = routes.grouped(APIKeyMiddleware())
        sms.post(.apiSMSStatus, use: status)
        sms.post(.apiSMSInbound, use: inbound)
    }

    func status(req: Request) async throws -> SMSStatusDTO {
        let dto = try req.content.decode(SMSStatusRequestDTO.self)
        let id = dto.providerId.trimmingCharacters(in: .whitespaces), status = dto.status.trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty, id.count <= 100 else {
            throw DomainError.invalid("providerId", "sms.providerId", zh: "缺少短信平台消息编号", en: "providerId is required (at most 100 characters)")
        }
        guard !status.isEmpty else {
            throw DomainError.invalid("status", "sms.status", zh: "缺少送达状态", en: "status is required")
        }
        return SMSStatusDTO(matched: try await req.store.recordDeliveryReport(providerId: id, status: status))
    }

    func inbound(req: Request) async throws -> SMSInboundDTO {
        let dto = try req.content.decode(SMSInboundRequestDTO.self)
        let phone = dto.phone.trimmingCharacters(in: .whitespaces)
        // Gateways often report the sender in international form.
        let local = phone.hasPrefix("+86") ? String(phone.dropFirst(3)) : phone.hasPrefix("86") && phone.count == 13 ? String(phone.dropFirst(2)) : phone
        guard Identity.isValidPhone(local) else {
            throw DomainError.invalid("phone", "phone.format", zh: "手机号格式不正确", en: "phone must be an 11-digit mobile number")
        }
        let (_, programme) = try await req.store.programme()
        let member = try await req.store.recordInboundSMS(phone: local, text: String(dto.text.prefix(500)), programme: programme)
        return SMSInboundDTO(optedOut: member != nil)
    }
}
