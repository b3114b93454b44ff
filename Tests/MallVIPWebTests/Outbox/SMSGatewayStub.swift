import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `Tests/Support/sms_gateway_stub.py`: a real HTTP server standing in for the SMS gateway. It records each POST
/// (one JSON line) and answers {"id":"GW-n"}; text containing FAIL500 / FAIL400 gets that HTTP status.
final class SMSGatewayStub: @unchecked Sendable {
    struct Request: Decodable {
        var path: String
        var authorization: String?
        var contentType: String?
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    let port: Int
    private let process: ChildProcess
    private let log: URL

    private init(port: Int, process: ChildProcess, log: URL) {
        self.port = port
        self.process = process
        self.log = log
    }

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Support/sms_gateway_stub.py")
    }

    /// python3 runs the stub. Without it the test fails and says to run scripts/test (which stops early, naming
    /// python3); skipped only where scripts/test lists python3 in MALLVIP_TEST_WITHOUT.
    static var hasPython: Bool {
        ChildProcess.isOnPath("python3")
            || !(ProcessInfo.processInfo.environment["MALLVIP_TEST_WITHOUT"] ?? "").split(separator: ",").contains("python3")
    }


    var url: String { "http://127.0.0.1:\(port)/sms/send" }

    /// `delay`: seconds every answer is held after the request is logged (a slow gateway).
    static func start(delay: Double = 0) async throws -> SMSGatewayStub {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("mallvip-sms-\(UUID().uuidString.prefix(8)).jsonl")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        guard ChildProcess.isOnPath("python3") else {
            throw StubError(description: "python3 is not installed: run the tests with scripts/test (the SMS gateway stub is a Python server)")
        }
        let p = try await ChildProcess.launch("python3", [script.path, "--log", log.path, "--delay", String(delay)], stdout: .pipe)
        // The stub prints its port once it listens.
        var line = Data()
        while let byte = try p.output?.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            p.signal(SIGKILL)
            await p.exited()
            throw StubError(description: "the SMS gateway stub did not start")
        }
        return SMSGatewayStub(port: port, process: p, log: log)
    }

    func requests() throws -> [Request] {
        try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Request.self, from: Data($0.utf8))
        }
    }

    /// Kills the stub; its log goes once it has exited. Returns at once, so it can run from `defer`.
    func stop() {
        process.signal(SIGKILL)
        let process = process, log = log
        Task.detached {
            await process.exited()
            try? FileManager.default.removeItem(at: log)
        }
    }

    struct StubError: Error, CustomStringConvertible { var description: String }
}
