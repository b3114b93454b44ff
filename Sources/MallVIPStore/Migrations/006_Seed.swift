import FluentKit
import Foundation
import MallVIPCore
import SQLKit

/// A fresh database is usable at once: one mall, one department, one counter and the shipped programme.
struct M006_Seed: AsyncMigration {
    var name: String { "006_Seed" }
    func prepare(on db: any Database) async throws {
        let now = epochMillis(Date())
        let sql = db.sql
        try await sql.exec("INSERT INTO malls (code, name, created_at_ms) VALUES ('MAIN', '总店', \(bind: now))")
        let mall = try await sql.row("SELECT id FROM malls WHERE code = 'MAIN'")!.int64("id")
        try await sql.exec("INSERT INTO departments (mall_id, code, name) VALUES (\(bind: mall), 'D1', '一课')")
        let dept = try await sql.row("SELECT id FROM departments WHERE mall_id = \(bind: mall) AND code = 'D1'")!.int64("id")
        try await sql.exec("""
            INSERT INTO counters (mall_id, department_id, code, name, brand, category, floor, participates_in_discount, earns_points, active)
            VALUES (\(bind: mall), \(bind: dept), 'C0001', '综合收银', '综合', '综合', '1F', \(bind: true), \(bind: true), \(bind: true))
            """)
        try await sql.exec("""
            INSERT INTO programme_versions (version, yaml, activated_at_ms, activated_by, note)
            VALUES (1, \(bind: Programme.defaultYAML()), \(bind: now), 'migration', '默认章程')
            """)
    }
    func revert(on db: any Database) async throws {}
}
