import ArgumentParser
import Foundation
import MallVIPCore
import MallVIPStore
import MallVIPWeb
import Vapor

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "users", abstract: "Console users.", subcommands: [Create.self, ResetPassword.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a console user. The password is prompted for, or read from the first line of standard input.")
        @ArgumentParser.Option(help: "Login name.") var username: String
        @ArgumentParser.Option(help: "Role: \(StaffRole.allCases.map(\.rawValue).joined(separator: ", ")).") var role: String
        @ArgumentParser.Option(help: "Name shown in the console.") var displayName: String = ""

        func run() async throws {
            guard let role = StaffRole(rawValue: role) else {
                throw ValidationError("--role must be one of \(StaffRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let password = try readPassword()
            do { try PasswordPolicy.check(password, username: username) } catch let e as DomainError { throw ValidationError(e.en) }
            let hash = try Bcrypt.hash(password)
            try await withApplication { app in
                _ = try await app.store.createStaff(username: username, displayName: displayName, role: role, passwordHash: hash, actor: "cli")
            }
            print("created \(username) (\(role.rawValue))")
        }

        func readPassword() throws -> String {
            if isatty(STDIN_FILENO) == 1 {
                guard let first = getpass("Password: ").map({ String(cString: $0) }),
                      let second = getpass("Repeat: ").map({ String(cString: $0) }) else { throw ValidationError("no password given") }
                guard first == second else { throw ValidationError("the passwords differ") }
                return first
            }
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("no password on standard input")
            }
            return line
        }
    }

    /// Issue 14: the way back in when an admin has lost their password (or no admin can sign in).
    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Give a console user a temporary password (printed as the last line); they must change it at next sign-in. Ends their sessions.")
        @ArgumentParser.Option(help: "Login name.") var username: String

        func run() async throws {
            let password = PasswordPolicy.temporary()
            let hash = try Bcrypt.hash(password)
            try await withApplication { app in
                guard let user = try await app.store.staff(username: username) else {
                    throw ValidationError("no console user \(username)")
                }
                try await app.store.setStaffPassword(userId: user.id, passwordHash: hash, mustChange: true, actor: "cli",
                                                     action: "staff.password.reset")
            }
            print("Temporary password for \(username) (they must change it at next sign-in; their sessions were ended):")
            print(password)
        }
    }
}

struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apikey", abstract: "API keys for POS systems.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key; the key is the last line printed (only its hash is stored).")
        @ArgumentParser.Option(help: "What the key is for, e.g. POS-1F-03.") var name: String
        @ArgumentParser.Option(help: "A partner merchant's code: the key may then call only the partner API.") var partner: String?

        func run() async throws {
            let key = try await withApplication { app in try await app.store.createAPIKey(name: name, partnerCode: partner, actor: "cli") }
            print("API key \(name) created. It is shown only now:")
            print(key)
        }
    }
}

struct ProgrammeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "programme", abstract: "The loyalty programme (YAML).",
                                                    subcommands: [Apply.self, Show.self, Check.self, Simulate.self])

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate FILE and activate it as the new programme version; history is kept.")
        @ArgumentParser.Argument(help: "Programme YAML file.") var file: String
        @ArgumentParser.Option(help: "Why it changed.") var note: String = ""

        func run() async throws {
            let yaml = try ProgrammeCommand.read(file)
            do {
                _ = try Programme.parse(yaml: yaml)
            } catch let e as ProgrammeInvalid {
                for issue in e.issues { print("\(file): \(issue.path): \(issue.message)") }
                throw ExitCode(1)
            }
            let version = try await withApplication { app in try await app.store.applyProgramme(yaml: yaml, by: "cli", note: note.isEmpty ? file : note) }
            print("programme version \(version) is active")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate FILE without activating it.")
        @ArgumentParser.Argument(help: "Programme YAML file.") var file: String
        func run() async throws {
            do {
                _ = try Programme.parse(yaml: try ProgrammeCommand.read(file))
                print("\(file): valid")
            } catch let e as ProgrammeInvalid {
                for issue in e.issues { print("\(file): \(issue.path): \(issue.message)") }
                throw ExitCode(1)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the active programme YAML.")
        func run() async throws {
            let (version, yaml) = try await withApplication { app in
                let h = try await app.store.programmeHistory()
                return (h.first?.version ?? 0, h.first?.yaml ?? "")
            }
            print("# version \(version)")
            print(yaml)
        }
    }

    static func read(_ file: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw CLIError("\(file): cannot be read as UTF-8 text")
        }
        return text
    }
}
