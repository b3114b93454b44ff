import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What a WeChat API call came to when it did not succeed. Only the path is kept, never the query: the query
/// carries the AppSecret (code2Session, OAuth) or the access token, and errors are logged.
public struct WechatAPIError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The API answered `{"errcode": n, "errmsg": …}` with n ≠ 0 (40029 invalid code, 40001/42001 token, 45009 limit …).
        case errcode(Int, String)
        /// A non-2xx HTTP status.
        case http(Int)
        /// No answer (refused, timeout).
        case transport(String)
        /// A 2xx answer that is not the documented JSON.
        case badAnswer
    }
    public var path: String
    public var kind: Kind

    public var errcode: Int? { if case .errcode(let c, _) = kind { c } else { nil } }
    /// The access token was refused as invalid or expired: fetch a new one and retry once.
    public var isTokenRejected: Bool { [40001, 40014, 42001].contains(errcode ?? 0) }
    /// Worth retrying later (system busy, rate limit, no answer, 5xx).
    public var isTransient: Bool {
        switch kind {
        case .errcode(let c, _): c == -1 || c == 45009 || c == 45011 || c == 45047
        case .http(let s): s == 429 || s >= 500
        case .transport: true
        case .badAnswer: false
        }
    }

    public var description: String {
        switch kind {
        case .errcode(let c, let m): "WeChat \(path): errcode \(c) \(m.prefix(200))"
        case .http(let s): "WeChat \(path): HTTP \(s)"
        case .transport(let m): "WeChat \(path): no answer (\(m.prefix(200)))"
        case .badAnswer: "WeChat \(path): answer is not the documented JSON"
        }
    }
}

/// The WeChat server API (api.weixin.qq.com, or the tests' simulator): JSON in, JSON out, `errcode` checked.
/// One `HTTPClient` for the process (Application+Wechat.swift shuts it down); redirects are not followed.
public struct WechatAPIClient: Sendable {
    public let apiBase: String
    let http: HTTPClient
    let timeout: TimeAmount

    public init(apiBase: String, http: HTTPClient, timeout: TimeAmount = .seconds(10)) {
        self.apiBase = apiBase
        self.http = http
        self.timeout = timeout
    }

    /// The `errcode`/`errmsg` every answer may carry (absent or 0 = success).
    struct ErrorBody: Decodable { var errcode: Int?; var errmsg: String? }

    /// GET `path?query`, decoded as `T` after the errcode check.
    public func get<T: Decodable>(_ path: String, query: [(String, String)], as: T.Type = T.self) async throws -> T {
        try await call("GET", path, query: query, body: nil)
    }

    /// POST `path?query` with a JSON body, decoded as `T` after the errcode check.
    public func post<T: Decodable>(_ path: String, query: [(String, String)] = [], json: Data, as: T.Type = T.self) async throws -> T {
        try await call("POST", path, query: query, body: json)
    }

    /// POST with a raw body of another type (multipart uploads).
    public func post<T: Decodable>(_ path: String, query: [(String, String)] = [], body: Data, contentType: String, as: T.Type = T.self) async throws -> T {
        try await call("POST", path, query: query, body: body, contentType: contentType)
    }

    private func call<T: Decodable>(_ method: String, _ path: String, query: [(String, String)], body: Data?,
                                    contentType: String = "application/json") async throws -> T {
        var components = URLComponents()
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        // URLComponents leaves + and & inside values alone in some cases; encode them so a secret or code survives.
        let encodedQuery = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        var req = HTTPClientRequest(url: apiBase + path + (encodedQuery.isEmpty ? "" : "?" + encodedQuery))
        req.method = HTTPMethod(rawValue: method)
        req.headers.replaceOrAdd(name: "Accept", value: "application/json")
        req.headers.replaceOrAdd(name: "User-Agent", value: "MallVIP-Wechat/1")
        if let body {
            req.headers.replaceOrAdd(name: "Content-Type", value: contentType)
            req.body = .bytes(ByteBuffer(bytes: body))
        }
        let status: Int
        let bytes: ByteBuffer
        do {
            let response = try await http.execute(req, timeout: timeout)
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: 1024 * 1024)
        } catch {
            throw WechatAPIError(path: path, kind: .transport(String(describing: type(of: error))))
        }
        guard (200..<300).contains(status) else { throw WechatAPIError(path: path, kind: .http(status)) }
        let data = Data(buffer: bytes)
        let decoder = JSONDecoder()
        if let e = try? decoder.decode(ErrorBody.self, from: data), let code = e.errcode, code != 0 {
            throw WechatAPIError(path: path, kind: .errcode(code, e.errmsg ?? ""))
        }
        do { return try decoder.decode(T.self, from: data) } catch { throw WechatAPIError(path: path, kind: .badAnswer) }
    }
}
