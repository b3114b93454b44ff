import Foundation

/// Typed console routes: one enum gives both the paths registered and the links rendered, so links cannot
/// drift from routes.
enum SiteURL {
    case home
    case login(next: String?)
    case logout
    case language
    case dashboard
    case members(query: String?)
    case enrol
    case member(Int64)
    case memberEdit(Int64)
    case memberAction(Int64, String)
    case tierRequests
    case tierRequestDecide(Int64)
    case counters
    case counterNew
    case counter(Int64)
    case departments
    case malls
    case staff
    case staffToggle(Int64)
    case apiKeys
    case apiKeyRevoke(Int64)
    case programme
    case programmeVersion(Int)
    case stylesheet

    var path: String {
        switch self {
        case .home: "/"
        case .login(let next): "/login" + (next.map { "?next=" + ($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "?"])) ?? "") } ?? "")
        case .logout: "/logout"
        case .language: "/console/language"
        case .dashboard: "/console"
        case .members(let q): "/console/members" + (q.map { "?q=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? "")
        case .enrol: "/console/members/new"
        case .member(let id): "/console/members/\(id)"
        case .memberEdit(let id): "/console/members/\(id)/edit"
        case .memberAction(let id, let action): "/console/members/\(id)/\(action)"
        case .tierRequests: "/console/tier-requests"
        case .tierRequestDecide(let id): "/console/tier-requests/\(id)"
        case .counters: "/console/counters"
        case .counterNew: "/console/counters/new"
        case .counter(let id): "/console/counters/\(id)"
        case .departments: "/console/departments"
        case .malls: "/console/malls"
        case .staff: "/console/staff"
        case .staffToggle(let id): "/console/staff/\(id)/toggle"
        case .apiKeys: "/console/api-keys"
        case .apiKeyRevoke(let id): "/console/api-keys/\(id)/revoke"
        case .programme: "/console/programme"
        case .programmeVersion(let v): "/console/programme?version=\(v)"
        case .stylesheet: "/console.css"
        }
    }
}
