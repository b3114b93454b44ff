import Foundation
import MallVIPCore
import MallVIPStore
import Vapor

/// The error body of every API answer: the field and the rule broken, with a message in both languages.
struct APIErrorBody: Content {
    struct Detail: Content {
        var field: String?
        var rule: String
        var message: String
        var messageZh: String
    }
    var error: Detail
}

/// Maps domain errors to 4xx with the field named; JSON decoding errors name the JSON path. Console pages get
/// an HTML error page; the API gets JSON.
struct AppErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return try errorResponse(error, request)
        }
    }

    /// The answer for an error from further in (also the future-based path, Middleware+EventLoop.swift).
    func errorResponse(_ error: any Error, _ request: Request) throws -> Response {
        let (status, detail) = Self.describe(error, request: request)
        if status.code >= 500 { request.logger.report(error: error) }
        if request.url.path.hasPrefix("/api/") || !(request.headers.accept.first?.mediaType == .html) {
            let response = Response(status: status)
            try response.content.encode(APIErrorBody(error: detail), as: .json)
            if let e = error as? MiniProgramError { response.headers.add(contentsOf: e.headers) }   // Retry-After (22a)
            return response
        }
        if request.url.path == "/m" || request.url.path.hasPrefix("/m/") {
            let message = request.lang == .en ? detail.message : detail.messageZh
            return MemberErrorPage.response(status: status, message: message, request: request)
        }
        return ConsoleErrorPage.response(status: status, detail: detail, request: request)
    }

    static func describe(_ error: any Error, request: Request) -> (HTTPResponseStatus, APIErrorBody.Detail) {
        switch error {
        case let e as DomainError:
            let status: HTTPResponseStatus = switch e.kind {
            case .invalid, .notEligible: .unprocessableEntity
            case .notFound: e.field == nil ? .notFound : .unprocessableEntity
            case .conflict: .conflict
            case .forbidden: .forbidden
            }
            return (status, .init(field: e.field, rule: e.rule, message: e.en, messageZh: e.zh))
        case let e as TemplateCheckError:
            return describe(e.first, request: request)
        case let e as DecodingError:
            let (path, message) = describe(e)
            return (.badRequest, .init(field: path, rule: "json.invalid", message: message, messageZh: "请求 JSON 无效：\(path ?? "") \(message)"))
        case let e as ProgrammeInvalid:
            return (.unprocessableEntity, .init(field: e.issues.first?.path, rule: "programme.invalid", message: e.description, messageZh: e.description))
        case let e as MiniProgramError:  // issue 22a: 401/429/503 that name the field and the rule
            return (e.status, .init(field: e.field, rule: e.rule, message: e.en, messageZh: e.zh))
        case let e as any AbortError:
            let field = e.status == .payloadTooLarge ? "body" : nil
            let rule = e.status == .payloadTooLarge ? "body.maxSize" : "http.\(e.status.code)"
            return (e.status, .init(field: field, rule: rule, message: e.reason, messageZh: e.reason))
        default:
            return (.internalServerError, .init(field: nil, rule: "internal", message: "internal error", messageZh: "系统内部错误"))
        }
    }

    static func describe(_ error: DecodingError) -> (String?, String) {
        func path(_ keys: [any CodingKey]) -> String? {
            var out = ""
            for k in keys {
                if let i = k.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + k.stringValue }
            }
            return out.isEmpty ? nil : out
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            let p = path(ctx.codingPath + [key])
            return (p, "\(p ?? key.stringValue) is required")
        case .typeMismatch(let type, let ctx):
            return (path(ctx.codingPath), "\(path(ctx.codingPath) ?? "value") must be \(jsonName(type))")
        case .valueNotFound(let type, let ctx):
            return (path(ctx.codingPath), "\(path(ctx.codingPath) ?? "value") must be \(jsonName(type)), not null")
        case .dataCorrupted(let ctx):
            return (path(ctx.codingPath), ctx.codingPath.isEmpty ? "the body is not valid JSON" : ctx.debugDescription)
        @unknown default:
            return (nil, "invalid JSON")
        }
    }

    static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is Int64.Type, is Int.Type, is Int32.Type: "an integer"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: "\(type)"
        }
    }
}
