import Vapor

// The global middlewares and the API key check, without a Task each (issue 15, part c).
//
// Vapor runs an `AsyncMiddleware` by creating a Task for it (`promise.completeWithTask`) and awaiting the next
// responder's future inside it, so every async middleware in the chain costs a task and two thread hops (event loop →
// Swift executor → back on the event loop for the next future). A purchase passed five of them before its handler
// (security headers, metrics, errors, 405, API key): perf on `serve` at c = 1 showed scheduler switches and futex
// wake-ups as the largest cost, far above SQLite's own. These are the same middlewares answering with futures on the
// event loop: nothing in them needs to wait (the API key comes from the cache; a key not yet cached takes the async
// path with its query). Their `async` bodies stay, and the functions that build an answer are the same code
// (`errorResponse`, `requestId`, `record`, `admit`), so both forms answer alike.

extension SecurityHeadersMiddleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
            for (name, value) in Self.headers where !response.headers.contains(name: name) {
                response.headers.replaceOrAdd(name: name, value: value)
            }
            return response
        }
    }
}

extension MetricsMiddleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let id = Self.requestId(request)
        let start = ContinuousClock.now
        let answer = next.respond(to: request)
        answer.whenFailure { _ in record(request, status: 500, since: start) }
        return answer.map { response in
            record(request, status: response.status.code, since: start)
            response.headers.replaceOrAdd(name: "X-Request-Id", value: id)
            return response
        }
    }
}

extension AppErrorMiddleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapErrorThrowing { error in try errorResponse(error, request) }
    }
}

extension MethodNotAllowedMiddleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapErrorThrowing { error in try errorResponse(error, request) }
    }
}

extension APIKeyMiddleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if let token = request.headers.bearerAuthorization?.token, !token.isEmpty, let key = Self.cache.cached(token) {
            do {
                try admit(key, request)
            } catch {
                return request.eventLoop.makeFailedFuture(error)
            }
            return next.respond(to: request)
        }
        // No header (the async body answers 401) or a key not cached yet (a query): as `AsyncMiddleware` does.
        let promise = request.eventLoop.makePromise(of: Response.self)
        promise.completeWithTask {
            try await self.respond(to: request, chainingTo: AsyncBasicResponder { try await next.respond(to: $0).get() })
        }
        return promise.futureResult
    }
}
