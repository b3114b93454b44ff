import Foundation
import MallVIPCore
import MallVIPStore
@testable import MallVIPWeb
import SQLKit
import Testing

extension TestContext {
    /// An enrolled member (enrolment purchase at the clock's time) with the tier, manager, birthday and points given.
    func taskMember(phone: String, name: String = "张三", tier: String = "gold", manager: Int64? = nil,
                    birthMonth: Int? = nil, birthDay: Int? = nil, points: Int64? = nil) async throws -> Int64 {
        let id = try await memberId(card: try await enrolMember(phone: phone, name: name))
        try await store.sql.raw("""
            UPDATE members SET earned_tier = \(bind: tier), account_manager_id = \(bind: manager),
              birth_month = \(bind: birthMonth), birth_day = \(bind: birthDay) WHERE id = \(bind: id)
            """).run()
        if let points {
            // Rule inputs only: these tests never check balances against the ledger.
            try await store.sql.raw("UPDATE members SET points_balance = \(bind: points) WHERE id = \(bind: id)").run()
        }
        return id
    }

    /// Moves the clock to noon of that day and runs the daily task rules for it.
    @discardableResult
    func runRules(_ y: Int, _ m: Int, _ d: Int) async throws -> TaskRulesSummary {
        clock.set(shanghai(y, m, d))
        return try await store.runTaskRules(on: LocalDate(year: y, month: m, day: d))
    }

    func allTasks() async throws -> [ServiceTask] {
        try await store.serviceTasks(TaskViewer(staffId: 0, role: .admin, supervisor: true), filter: .init(status: nil))
    }

    func taskCount() async throws -> Int { try await count("service_tasks") }
}
