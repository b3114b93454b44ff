import Vapor

/// Counters and departments (placeholder routes are filled in by the organisation pages).
enum OrganisationController {
    static func register(_ routes: any RoutesBuilder) throws {}
}
