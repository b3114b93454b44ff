import Vapor

/// Staff, API keys and the programme (admin pages).
enum AdminController {
    static func register(_ routes: any RoutesBuilder) throws {}
}
