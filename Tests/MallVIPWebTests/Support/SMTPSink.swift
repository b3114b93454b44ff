import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real SMTP server for the tests: aiosmtpd, run by `Tests/SMTPSink/smtp_sink.py` on a free loopback port.
/// Start it, send, read `received()`, `stop()` (also in a `defer`). Needs aiosmtpd, which `scripts/test` installs.
final class SMTPSink: @unchecked Sendable {
    struct Options {
        var tls = false
        var user: String?
        var password: String?
        /// AUTH mechanisms the server should not offer ("PLAIN" makes the client use LOGIN).
        var authExclude: [String] = []
    }

    /// One accepted message: the envelope and Python's reading of the MIME message (an independent decoder).
    struct Received: Decodable {
        var seq: Int
        var key: String
        var mailFrom: String
        var rcptTos: [String]
        var tls: Bool
        var authenticated: Bool
        var authMechanism: String?
        var headers: [String: String]
        var fromDisplayName: String?
        var fromAddress: String?
        var contentCharset: String?
        var body: String
        var defects: [String]
        /// The bytes as the server stored them (dot-unstuffed).
        var raw = ""

        private enum CodingKeys: String, CodingKey {
            case seq, key, mailFrom, rcptTos, tls, authenticated, authMechanism, headers, fromDisplayName, fromAddress, contentCharset, body, defects
        }
    }

    let port: Int
    let root: URL
    private let process: ChildProcess
    private let stderr: URL

    private init(port: Int, root: URL, process: ChildProcess, stderr: URL) {
        self.port = port
        self.root = root
        self.process = process
        self.stderr = stderr
    }

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("SMTPSink/smtp_sink.py")
    }

    static func start(_ options: Options = Options()) async throws -> SMTPSink {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mallvip-smtp-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var args = [script.path, "--port", "0", "--root", root.path]
        if options.tls {
            guard ChildProcess.isOnPath("openssl") else {
                throw SinkError("openssl is not installed: run the tests with scripts/test (it makes the STARTTLS test's certificate)")
            }
            let (cert, key) = try await makeCertificate(in: root)
            args += ["--tls-cert", cert.path, "--tls-key", key.path]
        }
        if let user = options.user { args += ["--user", user, "--password", options.password ?? ""] }
        for m in options.authExclude { args += ["--auth-exclude", m] }

        // The sink binds a port of the system's choosing and prints it once it listens.
        let stderr = root.appendingPathComponent("sink.log")
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        let p: ChildProcess
        do {
            p = try await ChildProcess.launch("python3", args, stdout: .pipe, stderr: .file(stderr))
        } catch { throw SinkError("cannot start python3 for the SMTP sink (run the tests with scripts/test): \(error)") }
        let line = await Task.detached { () -> String in
            var data = Data()
            while let byte = try? p.output?.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { data += byte }
            return String(decoding: data, as: UTF8.self)
        }.value
        if let port = Int(line), p.isRunning { return SMTPSink(port: port, root: root, process: p, stderr: stderr) }
        p.end()
        let status = await p.exited()
        let lastError = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        if status == 3 || lastError.contains("aiosmtpd is not installed") {
            throw SinkError("aiosmtpd is not installed for \(python3Path()): run the tests with scripts/test, which installs it "
                            + "(the SMTP tests need a real SMTP server; bare `swift test` does not install anything)")
        }
        try? FileManager.default.removeItem(at: root)
        throw SinkError("the SMTP sink did not start:\n\(lastError)")
    }

    /// Messages accepted so far, in arrival order.
    func received() throws -> [Received] {
        let dir = root.appendingPathComponent("decoded")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { name in
            var r = try JSONDecoder().decode(Received.self, from: Data(contentsOf: dir.appendingPathComponent(name)))
            let rawURL = root.appendingPathComponent("maildir/new/\(r.key)")
            r.raw = String(decoding: (try? Data(contentsOf: rawURL)) ?? Data(), as: UTF8.self)
            return r
        }
    }

    var log: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }

    /// Ends the sink (SIGTERM); its folder goes once it has exited. Returns at once, so it can run from `defer`.
    func stop() {
        process.end()
        let process = process, root = root
        Task.detached {
            await process.exited()
            try? FileManager.default.removeItem(at: root)
        }
    }

    /// A throwaway self-signed certificate for CN=localhost, valid one day.
    private static func makeCertificate(in dir: URL) async throws -> (URL, URL) {
        let cert = dir.appendingPathComponent("cert.pem"), key = dir.appendingPathComponent("key.pem")
        let made = try await ChildProcess.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                                          "-subj", "/CN=localhost", "-keyout", key.path, "-out", cert.path])
        guard made.status == 0 else { throw SinkError("openssl could not make a test certificate: \(made.stderr)") }
        return (cert, key)
    }

    /// Which python3 the sink runs (the first on PATH), for the message when aiosmtpd is missing.
    private static func python3Path() -> String {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
            .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "python3"
    }

    /// Whether openssl is there to make a certificate (the STARTTLS test needs one).
    /// Without openssl the STARTTLS tests fail and say to run scripts/test; skipped only where scripts/test could not
    /// install it (not root) and lists it in MALLVIP_TEST_WITHOUT.
    static var hasOpenSSL: Bool {
        ChildProcess.isOnPath("openssl")
            || !(ProcessInfo.processInfo.environment["MALLVIP_TEST_WITHOUT"] ?? "").split(separator: ",").contains("openssl")
    }


    struct SinkError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}
