import FluentKit
import Foundation
import MallVIPCore
import SQLKit

extension Store {
    /// Imports counters through the console's own path (`saveCounter`, audited per counter). Idempotent by code: a
    /// counter already there is skipped, not updated (change counters on the console). The mall is the row's mall
    /// code, or the only mall; a department (课) not yet in that mall is created with the row's department name (or
    /// its code as the name), and reported.
    func importCounters(_ rows: [CounterImportRow], columns: ImportColumns, dryRun: Bool, actor: String,
                        rejects: inout [ImportReject], notes: inout [String]) async throws -> (imported: Int, skipped: Int) {
        let malls = try await self.malls()
        var departments: [String: Int64] = [:]   // "mallId|code" → id
        for d in try await self.departments() { departments["\(d.mallId)|\(d.code)"] = d.id }
        let existing = Set(try await counterList().map(\.code))
        var seen: [String: Int] = [:]
        var imported = 0, skipped = 0
        for row in rows {
            if let first = seen[row.code] {
                rejects.append(ImportReject(line: row.line, column: columns.header(.code), rule: "import.duplicate",
                                            zh: "店柜代码与第 \(first) 行重复", en: "the same counter code as line \(first)", value: row.code))
                continue
            }
            seen[row.code] = row.line
            if existing.contains(row.code) { skipped += 1; continue }
            let mall: Mall
            if let code = row.mall {
                guard let m = malls.first(where: { $0.code == code }) else {
                    rejects.append(ImportReject(line: row.line, column: columns.header(.mall), rule: "mall.exists",
                                                zh: "商场不存在：\(code)", en: "unknown mall \(code)", value: code))
                    continue
                }
                mall = m
            } else if malls.count == 1 {
                mall = malls[0]
            } else {
                rejects.append(ImportReject(line: row.line, column: columns.header(.mall), rule: "mall.required",
                                            zh: "有多个商场，请填写商场代码", en: "there are several malls: give the mall code", value: ""))
                continue
            }
            let key = "\(mall.id)|\(row.department)"
            var departmentId = departments[key]
            if departmentId == nil {
                notes.append("department \(row.department) (\(row.departmentName ?? row.department)) created in mall \(mall.code), line \(row.line)")
                if dryRun {
                    departments[key] = -1
                } else {
                    departmentId = try await createDepartment(mallId: mall.id, code: row.department, name: row.departmentName ?? row.department,
                                                              actor: actor)
                    departments[key] = departmentId
                }
            }
            imported += 1
            if dryRun { continue }
            try await saveCounter(id: nil, CounterInput(departmentId: departmentId!, code: row.code, name: row.name, brand: row.brand,
                                                        category: row.category, floor: row.floor,
                                                        participatesInDiscount: row.participatesInDiscount, earnsPoints: row.earnsPoints),
                                  actor: actor)
        }
        return (imported, skipped)
    }
}
