import Foundation
import MallVIPCore
import MallVIPStore
import SQLKit
import Testing
@testable import MallVIPWeb

/// Two maintainers and their members, built to the Chengdu plan's example (docs/domain.md §9.1) (today 2026-11-25 on the test clock):
/// - 曾 (zeng) has A0–A4 from 2026-10-01: 15 purchases in October (3 each), 3.0 per member. A0 also bought
///   1,000 yuan in October 2025. A4 moves to 王 on 2026-11-10; A1 buys 200 yuan on 2026-11-20.
/// - 王 (wang) has B0–B7 from 2026-10-01: 20 purchases in October plus one refunded in full, 2.5 per member. B1's
///   tier went down on 2026-10-15.
/// - newbie (account manager) was hired 2026-09-01: not six months yet. C has no maintainer.
struct AMWorld {
    var zeng: Int64, wang: Int64, newbie: Int64
    var a: [(id: Int64, card: String)]
    var b: [(id: Int64, card: String)]
    var c: Int64
}

extension TestContext {
    func amWorld() async throws -> AMWorld {
        let zeng = try await makeStaff("zeng", .accountManager)
        let wang = try await makeStaff("wang", .accountManager)
        let newbie = try await makeStaff("newbie", .accountManager)
        for s in [zeng, wang] { try await store.setHiredOn(staffId: s, hiredOn: LocalDate("2025-01-01"), actor: "test") }
        try await store.setHiredOn(staffId: newbie, hiredOn: LocalDate("2026-09-01"), actor: "test")

        let a0 = try await segmentMember("13900000100", "安零", enrolled: LocalDate(year: 2025, month: 9, day: 1), birthday: "1980-11-03")
        let saved = clock.now
        clock.set(shanghai(2025, 10, 10, 18))
        #expect(try await purchase("A0-2025", fen: 100_000, at: shanghai(2025, 10, 10, 15), card: a0.card).status == .created)
        clock.set(saved)
        var a = [a0]
        for i in 1..<5 {
            a.append(try await segmentMember("1390000010\(i)", "安\(i)", enrolled: LocalDate(year: 2026, month: 9, day: 1)))
        }
        var b: [(id: Int64, card: String)] = []
        for i in 0..<8 {
            b.append(try await segmentMember("1390000020\(i)", "包\(i)", enrolled: LocalDate(year: 2026, month: 9, day: 1)))
        }
        let c = try await segmentMember("13900000300", "陈", enrolled: LocalDate(year: 2026, month: 9, day: 1)).id

        clock.set(shanghai(2026, 10, 1, 10))
        for m in a { try await store.assignManager(memberId: m.id, staffId: zeng, reason: "高端VIP", actor: "test") }
        for m in b { try await store.assignManager(memberId: m.id, staffId: wang, reason: "高端VIP", actor: "test") }
        clock.set(shanghai(2026, 11, 10, 10))
        try await store.assignManager(memberId: a[4].id, staffId: wang, reason: "调岗", actor: "test")
        clock.set(saved)

        for (i, m) in a.enumerated() {
            for k in 0..<3 {
                #expect(try await purchase("A\(i)-\(k)", fen: 10_000, at: shanghai(2026, 10, 2 + k * 7 + i, 14), card: m.card).status == .created)
            }
        }
        for k in 0..<20 {
            let m = b[k % 8]
            #expect(try await purchase("B-\(k)", fen: 10_000, at: shanghai(2026, 10, 3 + k, 15), card: m.card).status == .created)
        }
        #expect(try await purchase("B-refunded", fen: 50_000, at: shanghai(2026, 10, 28, 15), card: b[0].card).status == .created)
        #expect(try await refund("RB-refunded", receipt: "B-refunded", fen: 50_000).status == .created)
        #expect(try await purchase("A1-nov", fen: 20_000, at: shanghai(2026, 11, 20, 15), card: a[1].card).status == .created)
        try await store.sql.raw("""
            INSERT INTO tier_changes (member_id, from_tier, to_tier, kind, reason, purchase_id, actor, at_ms)
            VALUES (\(bind: b[1].id), 'silver', 'regular', 'review', '', NULL, 'test', \(bind: epochMillis(shanghai(2026, 10, 15, 3))))
            """).run()
        return AMWorld(zeng: zeng, wang: wang, newbie: newbie, a: a, b: b, c: c)
    }

    func managerOf(_ memberId: Int64) async throws -> Int64? {
        try await store.sql.raw("SELECT account_manager_id FROM members WHERE id = \(bind: memberId)").first()!
            .decode(column: "account_manager_id", as: Int64?.self)
    }
}
