import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the data key (national IDs, webhook secrets, unsubscribe tokens) comes from. One resolution, used by
/// `serve` and every other command through `configure`, so no path can fall back to a key written in the source:
/// - `MALLVIP_DATA_KEY` set: base64 of at least 32 bytes, or an error (in every mode; a typo never falls back).
/// - not set, SQLite: a random 32-byte key in a file beside the database (`<database file>.key`), created on first
///   start with mode 0600 and refused if group or others may read it. The README's first command works on a fresh
///   machine, and a copy of the database alone decrypts nothing.
/// - not set, PostgreSQL, production: refused, with how to make a key.
/// - not set, PostgreSQL, development (`MALLVIP_ENV=development`): the development key, with a loud warning.
public struct DataKeyResolution: Sendable {
    public enum Source: Sendable, Equatable {
        case environment
        case keyFile(path: String, created: Bool)
        case development
        /// An in-memory database: a random key that dies with it.
        case ephemeral
    }

    public var keyData: Data
    public var source: Source
    /// The key file was made for a database that already had data (restored without its key file, or written by a
    /// version that used the built-in key): what it encrypted before cannot be read with the new key.
    public var databaseExistedBeforeKey = false
    public var cipher: PersonalDataCipher { PersonalDataCipher(keyData: keyData) }

    /// A key file made just now, or the development key: worth saying even where nothing else is printed.
    public var isNoteworthy: Bool {
        switch source {
        case .keyFile(_, let created): created
        case .development: true
        case .environment, .ephemeral: false
        }
    }

    /// What `serve` prints at start: where the key came from (never the key).
    public var line: String {
        switch source {
        case .environment:
            "Data key: MALLVIP_DATA_KEY"
        case .keyFile(let path, let created):
            !created ? "Data key: \(path)"
                : "Data key: created \(path) (mode 0600). Back it up with the database: without it national IDs and webhook secrets cannot be read."
                + (databaseExistedBeforeKey
                    ? " WARNING: the database existed before this key. If it was restored, put its own key file back (server stopped); "
                      + "if an earlier version wrote it without a key, run: mallvip keys rotate --old-development-key"
                    : "")
        case .ephemeral:
            "Data key: a random key for this in-memory database"
        case .development:
            "WARNING: MALLVIP_DATA_KEY is not set and MALLVIP_ENV=development: national IDs and webhook secrets are encrypted "
                + "with the DEVELOPMENT key, which is in the source code. Never use this with real data."
        }
    }
}

public enum DataKey {
    public static let variable = "MALLVIP_DATA_KEY"
    public static let oldVariable = "MALLVIP_DATA_KEY_OLD"
    public static let minimumBytes = 32
    /// Only for development on PostgreSQL (and for rotating a database away from it): it is public, in the source.
    public static let developmentKeyData = Data("mallvip-development-key-not-for-production".utf8)

    /// A key given as text (a variable or the key file): base64 of at least 32 bytes.
    public static func parse(_ text: String, source: String) throws -> Data {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw StoreConfigurationError("\(source) is empty: it must be base64 of at least \(minimumBytes) random bytes (make one with: openssl rand -base64 32)")
        }
        guard let data = Data(base64Encoded: trimmed) else {
            throw StoreConfigurationError("\(source) is not valid base64: it must be base64 of at least \(minimumBytes) random bytes (make one with: openssl rand -base64 32)")
        }
        guard data.count >= minimumBytes else {
            throw StoreConfigurationError("\(source) holds \(data.count) bytes; at least \(minimumBytes) are needed (make one with: openssl rand -base64 32)")
        }
        return data
    }

    /// The key file of a SQLite database: `<database file>.key`.
    public static func keyFilePath(forDatabase path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: absolute).standardizedFileURL.path + ".key"
    }

    public static func resolve(database: StoreLocation, production: Bool,
                               environment env: [String: String] = ProcessInfo.processInfo.environment) throws -> DataKeyResolution {
        if let text = env[variable] {
            return DataKeyResolution(keyData: try parse(text, source: variable), source: .environment)
        }
        switch database {
        case .sqlite(let path) where !isInMemory(path):
            let file = keyFilePath(forDatabase: path)
            let databaseExisted = ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0) > 0
            let (data, created) = try readOrCreateKeyFile(at: file)
            var resolution = DataKeyResolution(keyData: data, source: .keyFile(path: file, created: created))
            resolution.databaseExistedBeforeKey = created && databaseExisted
            return resolution
        case .sqlite:
            // An in-memory database lives as long as the process: a fresh random key is all it needs.
            return DataKeyResolution(keyData: randomKey(), source: .ephemeral)
        case .postgres:
            guard !production else {
                throw StoreConfigurationError("""
                    \(variable) is not set. A PostgreSQL deployment must name its data key (it encrypts national IDs and webhook \
                    secrets): make one with `openssl rand -base64 32`, keep it safe (a lost key cannot be recovered) and start with \
                    \(variable)=<that value>. For development only, MALLVIP_ENV=development uses a built-in key.
                    """)
            }
            return DataKeyResolution(keyData: developmentKeyData, source: .development)
        }
    }

    static func isInMemory(_ path: String) -> Bool { path == ":memory:" || path.hasPrefix("file::memory:") }

    static func randomKey() -> Data {
        var rng = SystemRandomNumberGenerator()
        return Data((0..<minimumBytes).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// Reads the key file, or creates it (0600) when there is none. Creation writes a private temporary file and
    /// links it into place, so two processes starting at once agree on one key and never read a half-written file.
    public static func readOrCreateKeyFile(at path: String) throws -> (Data, created: Bool) {
        if let data = try readKeyFile(at: path) { return (data, false) }
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw StoreConfigurationError("cannot create the data key file \(path): \(String(cString: strerror(errno)))")
        }
        let text = Array((randomKey().base64EncodedString() + "\n").utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        defer { unlink(tmp) }
        guard written == text.count, synced == 0 else {
            throw StoreConfigurationError("cannot write the data key file \(path): \(String(cString: strerror(errno)))")
        }
        if link(tmp, path) != 0 {
            guard errno == EEXIST, let data = try readKeyFile(at: path) else {
                throw StoreConfigurationError("cannot create the data key file \(path): \(String(cString: strerror(errno)))")
            }
            return (data, false)  // another process made it first: use theirs
        }
        return (try readKeyFile(at: path) ?? Data(), true)
    }

    /// Nil when there is no file; an error when it is readable by group or others, or not a valid key.
    static func readKeyFile(at path: String) throws -> Data? {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT { return nil }
            throw StoreConfigurationError("cannot read the data key file \(path): \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw StoreConfigurationError("the data key file \(path) may be read by other users (mode \(String(st.st_mode & 0o777, radix: 8))); "
                                          + "restrict it with: chmod 600 \(path)")
        }
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw StoreConfigurationError("cannot read the data key file \(path)")
        }
        return try parse(String(decoding: contents, as: UTF8.self), source: "the data key file \(path)")
    }
}
