import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
@testable import MallVIPWeb

/// The seeded mall has department D1 with counter C0001; these add a second department D2 with counter C0002.
struct ConversionWorld: Sendable {
    var mallId: Int64
    var d1: Int64
    var d2: Int64
    var c1: Int64
    var c2: Int64
}

extension TestContext {
    func conversionWorld() async throws -> ConversionWorld {
        let mall = try #require(try await store.malls().first)
        let d1 = try #require(try await store.departments(mallId: mall.id).first { $0.code == "D1" })
        let d2 = try await store.createDepartment(mallId: mall.id, code: "D2", name: "二课", actor: "test")
        let c1 = try #require(try await store.counterList().first { $0.code == "C0001" })
        let c2 = try await store.saveCounter(id: nil, CounterInput(departmentId: d2, code: "C0002", name: "女装拉夏", brand: "La Chapelle",
                                                                   category: "女装", floor: "2F", participatesInDiscount: true), actor: "test")
        return ConversionWorld(mallId: mall.id, d1: d1.id, d2: d2, c1: c1.id, c2: c2)
    }

    /// A counter-staff user working at `counterId`, signed in.
    func counterStaff(_ username: String, counterId: Int64?) async throws -> ConsoleClient {
        let id = try await makeStaff(username, .counterStaff)
        if let counterId { try await store.setStaffCounter(staffId: id, counterId: counterId, actor: "test") }
        let client = ConsoleClient(self)
        try await client.signIn(username)
        return client
    }

    func conversionCount(_ table: String) async throws -> Int {
        try await store.sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()!.decode(column: "n", as: Int.self)
    }
}
