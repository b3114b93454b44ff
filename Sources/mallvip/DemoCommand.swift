import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb
import Vapor

/// `mallvip demo`: a realistic mall and a year of trade in an empty database, calibrated to the Chengdu store's
/// 2013 figures, reproducible by seed; then a manager login for the console.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fill an empty database with a realistic mall and a year of data.",
        discussion: """
            Creates the mall 成都店 (CD) with departments 一课…四课 and their counters, about 12,100 VIP members and a year of \
            member and non-member purchases ending yesterday, calibrated at --scale 1.0 to the Chengdu store's 2013 figures: \
            about 9,900 active cards, 3,400 yuan average spend per active card, VIP share of sales about 26%, about 27 new \
            cards a day. The same --seed gives the same data. Refuses a database that already has members or purchases. \
            Prints a console login (user demo, role manager) when that user is new.
            """)

    @ArgumentParser.Option(help: "Random seed; the same seed gives the same data.") var seed: UInt64 = 2013
    @ArgumentParser.Option(help: "Scale: 1.0 is about 12,100 members and 164,000 purchases; 0.1 is a tenth; at most 150 (the large mall of the report benchmark is 82.5 to 122).") var scale: Double = 1.0
    @ArgumentParser.Option(help: "Members at the end of the year instead of --scale (the scale becomes members ÷ 12,118; purchases follow, about 13.5 a member).") var members: Int?

    /// `--members` wins over `--scale`: the large mall is asked for by its member count.
    var effectiveScale: Double { members.map { Double($0) / Double(DemoPlan().members) } ?? scale }

    func validate() throws {
        if let members, members < 2 { throw ValidationError("--members must be at least 2") }
        guard effectiveScale > 0, effectiveScale <= DemoPlan.maxScale else {
            throw ValidationError("--scale must be above 0 and at most \(Int(DemoPlan.maxScale)) (--members at most \(Int(DemoPlan.maxScale) * DemoPlan().members))")
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let (seed, scale) = (self.seed, self.effectiveScale)
        let (figures, tierNames, login) = try await withApplication { app in
            let store = app.store
            do {
                try await store.checkEmptyForDemo()
            } catch let refused as DemoRefused {
                throw CLIError(refused.description)
            }
            print("mallvip demo: seed \(seed), scale \(scale) (\(try AppConfig.fromEnvironment().database))")
            // The maintainers and desk clerks it creates get a password nobody is told.
            let rosterHash = try Bcrypt.hash(StaffPassword.generate() + StaffPassword.generate())
            let figures = try await store.generateDemo(DemoPlan(seed: seed, scale: scale), staffPasswordHash: rosterHash, actor: "cli") {
                print("  " + $0)
                fflush(nil)
            }
            let rewards = try await store.addSeedRewardItems(supplierCounterCode: "CD108", actor: "demo")
            print("  rewards: \(rewards) catalogue items from the seed plans (ladder gift, VIP-week small redemption, vouchers, November)")
            var login: (String, String?) = ("demo", nil)
            if try await store.staff(username: "demo") == nil {
                let password = StaffPassword.generate()
                _ = try await store.createStaff(username: "demo", displayName: "演示经理", role: .manager,
                                                passwordHash: try Bcrypt.hash(password), actor: "demo")
                login.1 = password
            }
            let (_, programme) = try await store.programme()
            let names = Dictionary(uniqueKeysWithValues: programme.tiers.map { ($0.code, $0.name.zh) })
            let order = programme.tiers.map(\.code)
            return (figures, order.map { ($0, names[$0] ?? $0) }, login)
        }
        let d = ContinuousClock.now - started
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        print(Self.summary(figures, tiers: tierNames, seed: seed, scale: scale, seconds: seconds))
        if let password = login.1 {
            print("Console login (manager): username \(login.0)  password \(password)")
        } else {
            print("Console login: user \(login.0) already existed; its password is unchanged")
        }
    }

    static func summary(_ f: DemoFigures, tiers: [(code: String, name: String)], seed: UInt64, scale: Double, seconds: Double) -> String {
        func n(_ x: Int) -> String { Money.yuan(Int64(x) * 100, decimals: false) }
        func pct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        let tierLine = tiers.map { "\($0.name) \(n(f.tiers[$0.code] ?? 0))" }.joined(separator: " · ")
        let departments = f.departments.map { "\($0.name) \(pct($0.vipShare))" }.joined(separator: " · ")
        return """

            MallVIP demo · seed \(seed) · scale \(scale) · 成都店 (CD) · business days \(f.firstDay) … \(f.lastDay) (\(f.days) days)
              VIP members                    \(n(f.members))  (\(n(f.newMembers)) new in the year: \(String(format: "%.1f", f.newCardsPerDay)) new cards a day)
              active cards                   \(n(f.activeCards))  (members who bought in the year)
              purchases                      \(n(f.purchases))  (\(n(f.memberPurchases)) by members)
              sales                          \(Money.yuan(f.salesFen)) yuan  (members \(Money.yuan(f.memberSalesFen)))
              average spend per active card  \(Money.yuan(f.averageSpendPerActiveCardFen)) yuan
              VIP share of sales             \(pct(f.vipShare))  (by department: \(departments))
              tiers                          \(tierLine)
              points outstanding             \(n(Int(f.pointsOutstanding)))  (\(n(f.ledgerRows)) ledger rows, \(n(f.tierChanges)) tier changes, \(f.pendingTierRequests) tier requests pending)
              counters                       \(f.counters)
              took                           \(String(format: "%.1f", seconds)) s
            """
    }
}
