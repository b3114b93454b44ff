import Foundation
import MallVIPCore
import Testing

/// `mallvip import` as an operator runs it: the real binary, its exit codes, its rejects file.
@Suite("Import CLI") struct ImportCLITests {
    @Test("Exit 0 when all rows are in, 1 with rejects (file written), 2 for an unusable file; --dry-run writes nothing")
    func exitCodes() async throws {
        let env = try await KillEnvironment.make()
        defer { Task { await env.cleanUp(keepFiles: false) } }
        func file(_ name: String, _ text: String) throws -> String {
            let path = env.dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let counters = try file("counters.csv", "店柜编码,店柜名称,课\nK1,一号柜,D1\nK2,二号柜,D1\n")
        let ok = try await env.run(["import", "counters", counters])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.stdout.contains("imported 2, skipped (already there) 0, rejected 0"))

        let purchases = try file("p.csv", "小票号,日期,店柜,金额\nX1,2026-01-05 10:00,K1,¥100\nX2,2026-01-05,K9,5\n")
        let dry = try await env.run(["import", "purchases", "--dry-run", purchases])
        #expect(dry.status == 1, "\(dry.output)")
        #expect(dry.stdout.contains("dry run, nothing written: would have imported 1, skipped (already there) 0, rejected 1"))
        let some = try await env.run(["import", "purchases", purchases])
        #expect(some.status == 1, "\(some.output)")
        #expect(some.stdout.contains("imported 1, skipped (already there) 0, rejected 1"))
        #expect(some.stdout.contains("line 3, 店柜: 店柜不存在或已停用：K9"))
        let raw = try #require(FileManager.default.contents(atPath: purchases + ".rejects.csv"))
        #expect(Array(raw.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let rejects = String(decoding: raw, as: UTF8.self)
        #expect(rejects.contains("3,店柜,店柜不存在或已停用：K9,unknown or inactive counter K9,counter.exists,K9"))
        let again = try await env.run(["import", "purchases", purchases, "--rejects", env.dir.appendingPathComponent("r2.csv").path])
        #expect(again.status == 1 && again.stdout.contains("imported 0, skipped (already there) 1, rejected 1"), "\(again.output)")

        let unusable = try file("bad.csv", "小票号,日期,金额\nX3,2026-01-05,5\n")
        let bad = try await env.run(["import", "purchases", unusable])
        #expect(bad.status == 2, "\(bad.output)")
        #expect(bad.stdout.contains("counter") && bad.stdout.contains("nothing imported"))
        let verify = try await env.run(["verify"])
        #expect(verify.status == 0, "\(verify.output)")
    }
}
