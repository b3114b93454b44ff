import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb
import Vapor

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Apply pending migrations and serve the console and the API.")

    @ArgumentParser.Option(help: "Address to listen on.") var hostname: String = "127.0.0.1"
    @ArgumentParser.Option(help: "Port to listen on.") var port: Int = 8080

    func run() async throws {
        let env = Environment(name: ProcessInfo.processInfo.environment["MALLVIP_ENV"] ?? "production",
                              arguments: ["mallvip", "serve", "--hostname", hostname, "--port", String(port)])
        let app = try await Application.make(env)
        app.logger.logLevel = Logger.Level(rawValue: ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "") ?? .notice
        do {
            let config = try AppConfig.fromEnvironment()
            try await configure(app, config: config)
            try await app.autoMigrate()
            print("MallVIP · \(config.database) · migrations applied")
            if let key = app.dataKey { print(key.line) }
            if try await app.store.staffCount() == 0 {
                // First start: make a way in and print it once. It is a temporary password: the console asks for a
                // new one at the first sign-in and opens nothing else until then (issue 14).
                let password = StaffPassword.generate()
                _ = try await app.store.createStaff(username: "admin", displayName: "管理员", role: .admin,
                                                    passwordHash: try Bcrypt.hash(password), actor: "serve", mustChangePassword: true)
                print("First start: created console user admin with the temporary password \(password)")
                print("Sign in with it at /console: you will be asked to choose a new password (at least \(PasswordPolicy.minimumLength) characters) before anything else.")
            } else {
                print("Sign in with a console user; add one with: mallvip users create --username NAME --role admin")
            }
            print("Console: http://\(hostname):\(port)/console   API: http://\(hostname):\(port)/api/v1/openapi.json")
            print(app.messagingChannelsLine)
            fflush(nil)
            // Daily jobs: checked hourly; each runs once per business day however often it is started.
            let store = app.store
            let jobs = Task {
                while !Task.isCancelled {
                    do {
                        let (_, programme) = try await store.programme()
                        _ = try await store.runDailyJobs(on: LocalDate.of(Date(), in: programme.timeZone), now: Date())
                        _ = try await app.sendEventReminders()
                    } catch {
                        app.logger.error("daily jobs failed: \(String(reflecting: error))")
                    }
                    try? await Task.sleep(for: .seconds(3600))
                }
            }
            defer { jobs.cancel() }
            // The outbox: due messages every 15 s (MALLVIP_OUTBOX_INTERVAL). A stop mid-send leaves a message `sending`; the next start resends
            // it after the lease under the same reference, which the gateway de-duplicates.
            let delivery = Task {
                while !Task.isCancelled {
                    // Campaigns whose time has come (or left half-sent by a stop) put their messages in the outbox first.
                    do {
                        let c = try await store.runDueCampaigns(now: Date())
                        if c.campaigns + c.cancelled > 0 {
                            app.logger.notice("campaigns: \(c.campaigns) sent, \(c.cancelled) cancelled, \(c.outbox.queued) queued, \(c.outbox.holdout) holdout, \(c.outbox.refused) refused")
                        }
                    } catch {
                        app.logger.error("campaigns failed: \(String(reflecting: error))")
                    }
                    do {
                        let s = try await app.deliverDueMessages()
                        if s.sent + s.retrying + s.failed + s.refused + s.recovered > 0 { app.logger.notice("\(s.line)") }
                    } catch is CancellationError {
                        break
                    } catch {
                        app.logger.error("message delivery failed: \(String(reflecting: error))")
                    }
                    try? await Task.sleep(for: .seconds(app.outboxInterval))
                }
            }
            defer { delivery.cancel() }
            // Webhooks: due deliveries every 5 s (MALLVIP_WEBHOOK_INTERVAL). A stop mid-POST leaves the delivery
            // `sending`; after the lease (MALLVIP_WEBHOOK_LEASE) it is sent again under the same delivery id.
            let webhooks = Task {
                while !Task.isCancelled {
                    do {
                        let s = try await app.deliverDueWebhooks()
                        if s.handled + s.recovered > 0 { app.logger.notice("\(s.line)") }
                    } catch is CancellationError {
                        break
                    } catch {
                        app.logger.error("webhook delivery failed: \(String(reflecting: error))")
                    }
                    try? await Task.sleep(for: .seconds(app.webhookConfig.interval))
                }
            }
            defer { webhooks.cancel() }
            // WeChat Pay 智慧商圈 sync (issue 19): points, refund reversals and parking status to WeChat Pay every 5 s
            // (MALLVIP_WECHATPAY_SYNC_INTERVAL); off without MALLVIP_WECHATPAY_CONFIG. A stop mid-call leaves the row
            // `sending`; after the lease it is sent again with the same body (WechatPay/WechatPaySyncSender.swift).
            let wechatPaySync = Task {
                while !Task.isCancelled, app.wechatPayEnabled {
                    do {
                        let s = try await app.deliverDueWechatPaySync()
                        if s.handled + s.recovered > 0 { app.logger.notice("\(s.line)") }
                    } catch is CancellationError {
                        break
                    } catch {
                        app.logger.error("wechat pay sync failed: \(String(reflecting: error))")
                    }
                    try? await Task.sleep(for: .seconds(app.wechatPaySyncConfig.interval))
                }
            }
            defer { wechatPaySync.cancel() }
            // WeChat membership card (issue 22d): points and tier pushed to 卡包 every 5 s (MALLVIP_WECHAT_CARD_SYNC_INTERVAL);
            // off unless some mall of MALLVIP_WECHAT_CONFIG has a card section (Wechat/WechatCardService.swift).
            let wechatCardSync = Task {
                while !Task.isCancelled, app.wechatCardEnabled {
                    do {
                        let s = try await app.deliverDueWechatCardSync()
                        if s.handled + s.recovered > 0 { app.logger.notice("\(s.line)") }
                    } catch is CancellationError {
                        break
                    } catch {
                        app.logger.error("wechat card sync failed: \(String(reflecting: error))")
                    }
                    try? await Task.sleep(for: .seconds(app.wechatCardSyncConfig.interval))
                }
            }
            defer { wechatCardSync.cancel() }
            try await app.execute()
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}

enum StaffPassword {
    /// A random password that passes `PasswordPolicy` (16 characters without look-alikes).
    static func generate() -> String { PasswordPolicy.temporary() }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending database migrations.")
    func run() async throws {
        try await withApplication { app in
            print("migrations applied (\(try AppConfig.fromEnvironment().database))")
        }
    }
}

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check every member: points balance = ledger sum, rolling spend = purchases. Exits 1 on any mismatch.")
    func run() async throws {
        let report = try await withApplication { app in try await app.store.verify() }
        for line in report.mismatches { print(line) }
        print("\(report.membersChecked) members checked, \(report.mismatches.count) mismatches")
        if !report.ok { throw ExitCode(1) }
    }
}
