import Foundation

/// Every child process of the test run starts through here, one at a time: Foundation's `Process.run()` on Linux
/// is not safe when several threads launch at once (swift-corelibs-foundation #4772, #4795), and the suites that
/// start servers, gateways and the `mallvip` binary run in parallel. Only the launch is serialised; the children
/// then run side by side.
enum ProcessLaunch {
    private static let lock = NSLock()

    static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }

    /// Whether `/usr/bin/env TOOL ARGS…` runs and exits 0 (python3, openssl …): tests needing a tool skip without it.
    static func toolWorks(_ arguments: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? run(p)) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
