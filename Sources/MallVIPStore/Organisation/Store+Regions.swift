import Foundation
import MallVIPCore
import SQLKit

/// Regions (区域, docs/domain.md §15: "五大区", each setting its own VIP rules): group → region → mall. The group is
/// the whole installation; a mall belongs to at most one region (migration 033).
public struct Region: Sendable, Equatable, Codable {
    public var id: Int64
    public var code: String
    public var name: String
}

extension Store {
    public func regions() async throws -> [Region] {
        try await sql.rows("SELECT id, code, name FROM regions ORDER BY code").map {
            Region(id: try $0.int64("id"), code: try $0.string("code"), name: try $0.string("name"))
        }
    }

    public func createRegion(code: String, name: String, actor: String) async throws -> Int64 {
        try validateCode(code, field: "code")
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 64 else {
            throw DomainError.invalid("name", "name.required", zh: "请填写区域名称（最多 64 字）", en: "name is required (at most 64 characters)")
        }
        return try await write { tx in
            do {
                let row = try await tx.sql.row("""
                    INSERT INTO regions (code, name, created_at_ms) VALUES (\(bind: code), \(bind: name), \(bind: epochMillis(self.now))) RETURNING id
                    """)
                try await self.audit(tx, actor: actor, action: "region.create", subject: code)
                return try row!.int64("id")
            } catch where isUniqueViolation(error) {
                throw DomainError(.conflict, field: "code", rule: "region.code.unique", zh: "区域代码已存在：\(code)", en: "region code \(code) already exists")
            }
        }
    }

    /// Each mall's region id (malls without a region are absent).
    public func mallRegions() async throws -> [Int64: Int64] {
        var out: [Int64: Int64] = [:]
        for r in try await sql.rows("SELECT id, region_id FROM malls WHERE region_id IS NOT NULL") {
            out[try r.int64("id")] = try r.int64("region_id")
        }
        return out
    }

    /// Puts mall `mallId` in region `regionId` (nil: no region).
    public func setMallRegion(mallId: Int64, regionId: Int64?, actor: String) async throws {
        if let regionId, try await regions().first(where: { $0.id == regionId }) == nil {
            throw DomainError(.invalid, field: "region", rule: "region.exists", zh: "区域不存在", en: "region: unknown region \(regionId)")
        }
        guard try await malls().contains(where: { $0.id == mallId }) else {
            throw DomainError(.notFound, field: "mall", rule: "mall.exists", zh: "商场不存在", en: "mall: unknown mall \(mallId)")
        }
        try await write { tx in
            try await tx.sql.exec("UPDATE malls SET region_id = \(bind: regionId) WHERE id = \(bind: mallId)")
            try await self.audit(tx, actor: actor, action: "mall.region", subject: "mall:\(mallId)", detail: regionId.map(String.init) ?? "none")
        }
    }
}
