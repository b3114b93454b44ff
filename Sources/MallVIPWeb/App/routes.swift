import Vapor

func routes(_ app: Application) throws {
    app.get("healthz") { _ in "ok" }
    try app.register(collection: POSController())
    try app.register(collection: ConsoleRoutes())
}
