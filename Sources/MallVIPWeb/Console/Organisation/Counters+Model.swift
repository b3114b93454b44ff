import Foundation
import MallVIPCore
import MallVIPStore

/// Counters (店柜) listed by mall and department (课), the counter form, and the departments page.
enum CountersPage {
    struct DepartmentGroup: Sendable {
        var department: Department
        var counters: [Counter]
    }

    struct MallGroup: Sendable {
        var mall: Mall
        var departments: [DepartmentGroup]
    }

    struct Model: Sendable {
        var groups: [MallGroup]
        var counterCount: Int
        var notice: String?
    }

    enum Query {
        static func model(_ store: Store, notice: String?) async throws -> Model {
            let malls = try await store.malls()
            let departments = try await store.departments()
            let counters = try await store.counterList()
            let byDepartment = Dictionary(grouping: counters, by: \.departmentId)
            let groups = malls.map { mall in
                MallGroup(mall: mall, departments: departments.filter { $0.mallId == mall.id }.map {
                    DepartmentGroup(department: $0, counters: byDepartment[$0.id] ?? [])
                })
            }
            return Model(groups: groups, counterCount: counters.count, notice: notice)
        }
    }
}

enum CounterForm {
    /// What the form shows: the saved counter, or what was typed when saving failed.
    struct Values: Sendable {
        var departmentId = ""
        var code = ""
        var name = ""
        var brand = ""
        var category = ""
        var floor = ""
        var participatesInDiscount = true
        var earnsPoints = true
        var active = true

        init() {}

        init(_ c: Counter) {
            departmentId = String(c.departmentId)
            code = c.code
            name = c.name
            brand = c.brand
            category = c.category
            floor = c.floor
            participatesInDiscount = c.participatesInDiscount
            earnsPoints = c.earnsPoints
            active = c.active
        }
    }

    struct Model: Sendable {
        /// nil when creating.
        var id: Int64?
        var values: Values
        /// (department id, "总店 MAIN · 一课 D1") for the department select.
        var departments: [DepartmentOption]
        var error: String?
    }

    struct DepartmentOption: Sendable {
        var id: Int64
        var label: String
    }

    enum Query {
        static func departmentOptions(_ store: Store) async throws -> [DepartmentOption] {
            let malls = Dictionary(uniqueKeysWithValues: try await store.malls().map { ($0.id, $0) })
            return try await store.departments().map { d in
                let mall = malls[d.mallId].map { "\($0.name) \($0.code)" } ?? "#\(d.mallId)"
                return DepartmentOption(id: d.id, label: "\(mall) · \(d.name) \(d.code)")
            }
        }

        static func counter(_ store: Store, id: Int64) async throws -> Counter {
            guard let c = try await store.counterList().first(where: { $0.id == id }) else {
                throw DomainError(.notFound, field: nil, rule: "counter.exists", zh: "店柜不存在", en: "counter not found")
            }
            return c
        }
    }
}

enum DepartmentsPage {
    struct DepartmentValues: Sendable {
        var mallId = ""
        var code = ""
        var name = ""
    }

    struct MallValues: Sendable {
        var code = ""
        var name = ""
    }

    struct Model: Sendable {
        var groups: [CountersPage.MallGroup]
        var department = DepartmentValues()
        var mall = MallValues()
        /// Which form the error belongs to: "department" or "mall".
        var errorForm: String?
        var error: String?
        var notice: String?
        var canCreateMall: Bool
    }

    enum Query {
        static func model(_ store: Store, canCreateMall: Bool, notice: String?) async throws -> Model {
            let counters = try await CountersPage.Query.model(store, notice: nil)
            return Model(groups: counters.groups, notice: notice, canCreateMall: canCreateMall)
        }
    }
}
