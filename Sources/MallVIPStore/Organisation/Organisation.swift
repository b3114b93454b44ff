import FluentKit
import Foundation
import MallVIPCore
import SQLKit
import Synchronization

public struct Mall: Sendable, Equatable, Codable {
    public var id: Int64
    public var code: String
    public var name: String
}

public struct Department: Sendable, Equatable, Codable {
    public var id: Int64
    public var mallId: Int64
    public var code: String
    public var name: String
}

public struct Counter: Sendable, Equatable, Codable {
    public var id: Int64
    public var mallId: Int64
    public var mallCode: String
    public var departmentId: Int64
    public var departmentCode: String
    public var departmentName: String
    public var code: String
    public var name: String
    public var brand: String
    public var category: String
    public var floor: String
    public var participatesInDiscount: Bool
    public var earnsPoints: Bool
    public var active: Bool
}

public struct CounterInput: Sendable {
    public var departmentId: Int64
    public var code: String
    public var name: String
    public var brand: String
    public var category: String
    public var floor: String
    public var participatesInDiscount: Bool
    public var earnsPoints: Bool
    public var active: Bool
    public init(departmentId: Int64, code: String, name: String, brand: String, category: String, floor: String,
                participatesInDiscount: Bool, earnsPoints: Bool = true, active: Bool = true) {
        self.departmentId = departmentId
        self.code = code
        self.name = name
        self.brand = brand
        self.category = category
        self.floor = floor
        self.participatesInDiscount = participatesInDiscount
        self.earnsPoints = earnsPoints
        self.active = active
    }
}

/// Counters by code, for the POS hot path. Reloaded after console edits here, and every few seconds to see
/// edits made by another process.
public final class CounterCache: Sendable {
    // A lock, not an actor: every purchase line reads this.
    private struct State {
        var byCode: [String: Counter] = [:]
        var loadedAt: Date = .distantPast
    }
    private let state = Mutex(State())
    private let ttl: TimeInterval = 10

    public init() {}

    public func get(_ code: String, _ store: Store) async throws -> Counter? {
        let (hit, fresh): (Counter?, Bool) = state.withLock { s in
            let age = Date().timeIntervalSince(s.loadedAt)
            // An unknown code reloads at most once a second, so a counter created elsewhere is found quickly.
            return (s.byCode[code], age < ttl && (s.byCode[code] != nil || age < 1))
        }
        if fresh { return hit }
        let all = try await store.counterList()
        let byCode = Dictionary(all.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        state.withLock { s in
            s.byCode = byCode
            s.loadedAt = Date()
        }
        return byCode[code]
    }

    public func invalidate() { state.withLock { $0.loadedAt = .distantPast } }
}

extension Store {
    public func malls() async throws -> [Mall] {
        try await sql.rows("SELECT id, code, name FROM malls ORDER BY code").map {
            Mall(id: try $0.int64("id"), code: try $0.string("code"), name: try $0.string("name"))
        }
    }

    public func createMall(code: String, name: String, actor: String) async throws -> Int64 {
        try validateCode(code, field: "code")
        return try await write { tx in
            do {
                let row = try await tx.sql.row("""
                    INSERT INTO malls (code, name, created_at_ms) VALUES (\(bind: code), \(bind: name), \(bind: epochMillis(self.now))) RETURNING id
                    """)
                try await self.audit(tx, actor: actor, action: "mall.create", subject: code)
                return try row!.int64("id")
            } catch where isUniqueViolation(error) {
                throw DomainError(.conflict, field: "code", rule: "mall.code.unique", zh: "商场代码已存在：\(code)", en: "mall code \(code) already exists")
            }
        }
    }

    public func departments(mallId: Int64? = nil) async throws -> [Department] {
        let rows = try await sql.rows("SELECT id, mall_id, code, name FROM departments ORDER BY mall_id, code")
        return try rows.map {
            Department(id: try $0.int64("id"), mallId: try $0.int64("mall_id"), code: try $0.string("code"), name: try $0.string("name"))
        }.filter { mallId == nil || $0.mallId == mallId }
    }

    public func createDepartment(mallId: Int64, code: String, name: String, actor: String) async throws -> Int64 {
        try validateCode(code, field: "code")
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DomainError.invalid("name", "required", zh: "请填写名称", en: "name is required")
        }
        return try await write { tx in
            do {
                let row = try await tx.sql.row("""
                    INSERT INTO departments (mall_id, code, name) VALUES (\(bind: mallId), \(bind: code), \(bind: name)) RETURNING id
                    """)
                try await self.audit(tx, actor: actor, action: "department.create", subject: code)
                return try row!.int64("id")
            } catch where isUniqueViolation(error) {
                throw DomainError(.conflict, field: "code", rule: "department.code.unique", zh: "课代码已存在：\(code)", en: "department code \(code) already exists in this mall")
            }
        }
    }

    public func counterList() async throws -> [Counter] {
        let rows = try await sql.rows("""
            SELECT c.*, m.code AS mall_code, d.code AS department_code, d.name AS department_name
            FROM counters c JOIN malls m ON m.id = c.mall_id JOIN departments d ON d.id = c.department_id
            ORDER BY m.code, d.code, c.code
            """)
        return try rows.map { r in
            Counter(id: try r.int64("id"), mallId: try r.int64("mall_id"), mallCode: try r.string("mall_code"),
                    departmentId: try r.int64("department_id"), departmentCode: try r.string("department_code"),
                    departmentName: try r.string("department_name"), code: try r.string("code"), name: try r.string("name"),
                    brand: try r.string("brand"), category: try r.string("category"), floor: try r.string("floor"),
                    participatesInDiscount: try r.bool("participates_in_discount"), earnsPoints: try r.bool("earns_points"),
                    active: try r.bool("active"))
        }
    }

    public func counter(code: String) async throws -> Counter? { try await counters.get(code, self) }

    /// Creates a counter, or updates the one with `id`.
    @discardableResult
    public func saveCounter(id: Int64?, _ c: CounterInput, actor: String) async throws -> Int64 {
        try validateCode(c.code, field: "code")
        guard !c.name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DomainError.invalid("name", "required", zh: "请填写店柜名称", en: "name is required")
        }
        guard let dept = try await sql.row("SELECT mall_id FROM departments WHERE id = \(bind: c.departmentId)") else {
            throw DomainError(.notFound, field: "departmentId", rule: "department.exists", zh: "课不存在", en: "unknown department")
        }
        let mallId = try dept.int64("mall_id")
        let newID: Int64 = try await write { tx in
            do {
                if let id {
                    try await tx.sql.exec("""
                        UPDATE counters SET mall_id = \(bind: mallId), department_id = \(bind: c.departmentId), code = \(bind: c.code),
                          name = \(bind: c.name), brand = \(bind: c.brand), category = \(bind: c.category), floor = \(bind: c.floor),
                          participates_in_discount = \(bind: c.participatesInDiscount), earns_points = \(bind: c.earnsPoints),
                          active = \(bind: c.active)
                        WHERE id = \(bind: id)
                        """)
                    try await self.audit(tx, actor: actor, action: "counter.update", subject: c.code)
                    return id
                }
                let row = try await tx.sql.row("""
                    INSERT INTO counters (mall_id, department_id, code, name, brand, category, floor, participates_in_discount, earns_points, active)
                    VALUES (\(bind: mallId), \(bind: c.departmentId), \(bind: c.code), \(bind: c.name), \(bind: c.brand), \(bind: c.category),
                            \(bind: c.floor), \(bind: c.participatesInDiscount), \(bind: c.earnsPoints), \(bind: c.active)) RETURNING id
                    """)
                try await self.audit(tx, actor: actor, action: "counter.create", subject: c.code)
                return try row!.int64("id")
            } catch where isUniqueViolation(error) {
                throw DomainError(.conflict, field: "code", rule: "counter.code.unique", zh: "店柜代码已存在：\(c.code)", en: "counter code \(c.code) already exists")
            }
        }
        counters.invalidate()
        return newID
    }

    func validateCode(_ code: String, field: String) throws {
        try OrganisationCode.check(code, field: field)
    }
}
