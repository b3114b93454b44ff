import ArgumentParser
import Foundation
import MallVIPCore

extension ImportCommand {
    /// Sample files for the import benchmark: counters, members and purchases that fit together (the purchases use
    /// the generated counters' codes and the generated members' cards and phones), reproducible from the seed.
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a sample CSV for the import benchmark: counters (G0001…), members (cards 77…) or purchases using them.")
        @Argument(help: "counters, members or purchases.") var kind: String
        @ArgumentParser.Option(help: "Data rows to write.") var rows: Int
        @ArgumentParser.Option(help: "The file to write.") var out: String
        @ArgumentParser.Option(help: "Purchases: how many generated members the cards and phones come from.") var members: Int = 100_000
        @ArgumentParser.Option(help: "Purchases: how many generated counters.") var counters: Int = 200
        @ArgumentParser.Option(help: "Purchases: the days they spread over, ending yesterday.") var days: Int = 730
        @ArgumentParser.Option(help: "Random seed.") var seed: UInt64 = 1

        func run() async throws {
            guard FileManager.default.createFile(atPath: out, contents: nil), let file = FileHandle(forWritingAtPath: out) else {
                throw ValidationError("cannot write \(out)")
            }
            defer { try? file.close() }
            var buffer = ""
            // Through CSVFormat like every CSV the product writes (the generated cells need no quoting today).
            func emit(_ cells: [String]) {
                buffer += CSVFormat.line(cells)
                if buffer.utf8.count > 1 << 20 { file.write(Data(buffer.utf8)); buffer = "" }
            }
            var rng = SplitMix64(seed: seed)
            switch kind {
            case "counters":
                emit(["店柜编码", "店柜名称", "课", "课名称", "品牌", "品类", "楼层", "参与折扣", "积分"])
                for i in 1...max(1, rows) {
                    emit([Self.counterCode(i), "专柜\(i)", "GD\(i % 8 + 1)", "\(i % 8 + 1)课", "品牌\(i)", ["女装", "男装", "鞋包", "化妆品", "儿童", "家居"][i % 6],
                          "\(i % 6 + 1)F", i % 10 == 0 ? "否" : "是", "是"])
                }
            case "members":
                emit(["会员卡号", "手机号", "姓名", "性别", "生日", "积分"])
                for i in 1...max(1, rows) {
                    let birthday = "\(1950 + rng.below(55))/\(rng.int(1...12))/\(rng.int(1...28))"
                    emit([Self.card(i), Self.phone(i), "会员\(i)", i % 3 == 0 ? "男" : "女", birthday, String(rng.below(5) == 0 ? rng.below(3000) : 0)])
                }
            case "purchases":
                emit(["小票号", "交易时间", "会员卡号", "手机号", "店柜编码", "实收金额"])
                let tz = TimeZone(identifier: "Asia/Shanghai")!
                let yesterday = LocalDate.of(Date(), in: tz).adding(days: -1)
                let first = yesterday.adding(days: -(max(1, days) - 1))
                let perDay = Double(rows) / Double(max(1, days))
                var written = 0
                var day = 0
                while written < rows {
                    let date = first.adding(days: day % max(1, days))
                    // Rows of the day (the last day takes what is left), as receipts of one to three lines in time order.
                    var target = day >= days - 1 ? rows - written : Int((perDay * Double(day + 1)).rounded()) - written
                    var seq = 0
                    var second = 10 * 3600
                    let step = max(1, 12 * 3600 / max(1, target))
                    while target > 0 && written < rows {
                        seq += 1
                        second = min(22 * 3600 - 1, second + rng.below(2 * step) + 1)
                        let lines = min(target, rng.below(10) < 7 ? 1 : rng.below(10) < 7 ? 2 : 3)
                        let who = rng.below(100)
                        let m = rng.below(max(1, members)) + 1
                        let card = who < 35 ? Self.card(m) : ""
                        let phone = who >= 35 && who < 45 ? Self.phone(m) : ""
                        let time = String(format: "%@ %02d:%02d:%02d", date.description, second / 3600, second / 60 % 60, second % 60)
                        let receipt = "R\(date.year)\(String(format: "%02d%02d", date.month, date.day))-\(String(format: "%06d", seq))"
                        for _ in 0..<lines {
                            let fen = 1_000 + Int64(rng.below(120_000))
                            emit([receipt, time, card, phone, Self.counterCode(rng.below(max(1, counters)) + 1), Money.yuan(fen, grouping: false)])
                        }
                        target -= lines
                        written += lines
                    }
                    day += 1
                }
            default:
                throw ValidationError("kind must be counters, members or purchases")
            }
            file.write(Data(buffer.utf8))
            print("wrote \(rows) \(kind) rows to \(out)")
        }

        static func counterCode(_ i: Int) -> String { "G" + String(format: "%04d", i) }
        static func card(_ i: Int) -> String { CardNumber.make(prefix: "77", serial: Int64(i), width: 9) }
        static func phone(_ i: Int) -> String { "139" + String(format: "%08d", i) }
    }
}
