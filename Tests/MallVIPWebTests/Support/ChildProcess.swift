import Foundation
import Subprocess
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The test run's child processes, through swift-subprocess: it spawns with every descriptor but stdin, stdout and
/// stderr closed in the child and the signal mask and handlers reset (a child of the test runner, which blocks
/// SIGTERM, would otherwise never hear it), watches the child and reaps it. (Foundation's `Process.run()` crashed the
/// whole test run on Linux, swift-corelibs-foundation #4772, #4795; a hand-written posix_spawn wrapper stood here
/// until swift-subprocess did the same job.)
///
/// One-shot tools go through `ChildProcess.run` (Subprocess's collected output). A server the test talks to while it
/// runs (the SMTP sink, the SMS gateway stub, `mallvip serve`) needs a handle that outlives one call, so `launch`
/// keeps Subprocess's `run` going in a task of its own and hands back the process id, a pipe for the first line the
/// server prints (its port), and the exit status once Subprocess has reaped the child.
final class ChildProcess: Sendable {
    /// Where the child's stdout or stderr goes.
    enum Sink: Sendable {
        case null
        /// A file, created if needed; written from its end (several children may share a log).
        case file(URL)
        /// A pipe the test reads from `output` (stdout only).
        case pipe
        /// Wherever stdout goes (stderr only).
        case stdout
    }

    struct LaunchFailed: Error, CustomStringConvertible {
        var description: String
    }

    let pid: pid_t
    /// The read end of the stdout pipe, when stdout is `.pipe`.
    let output: FileHandle?
    /// The exit code, or the ending signal's number; nil while the child runs (set right after Subprocess reaps it).
    private let status: Status
    private let running: Task<Void, Never>

    private final class Status: Sendable {
        let value = Mutex<Int32?>(nil)
    }

    private init(pid: pid_t, output: FileHandle?, status: Status, running: Task<Void, Never>) {
        self.pid = pid
        self.output = output
        self.status = status
        self.running = running
    }

    /// Starts `executable` (an absolute path, or a name looked up on PATH) with `arguments`; `environment` nil
    /// inherits the test run's. `end()` sends SIGTERM and, after `grace`, SIGKILL.
    static func launch(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                       stdout: Sink = .null, stderr: Sink = .null, grace: Duration = .seconds(3)) async throws -> ChildProcess {
        var pipeEnds: [Int32] = [-1, -1]
        if case .pipe = stdout, pipe(&pipeEnds) != 0 { throw LaunchFailed(description: "pipe failed: errno \(errno)") }
        let outFD = pipeEnds[1] >= 0 ? pipeEnds[1] : try open(stdout)
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: grace)]
        let configuration = Configuration(executable: executable.hasPrefix("/") ? .path(.init(executable)) : .name(executable),
                                          arguments: Arguments(arguments), environment: subprocessEnvironment(environment),
                                          platformOptions: options)
        let out = FileDescriptorOutput.fileDescriptor(.init(rawValue: outFD), closeAfterSpawningProcess: true)
        let status = Status()
        do {
            let (pid, running) = if case .stdout = stderr {
                try await start(configuration, output: out, error: .combinedWithOutput, status: status)
            } else {
                try await start(configuration, output: out, error: .fileDescriptor(.init(rawValue: try open(stderr)), closeAfterSpawningProcess: true),
                                status: status)
            }
            let output = pipeEnds[0] >= 0 ? FileHandle(fileDescriptor: pipeEnds[0], closeOnDealloc: true) : nil
            return ChildProcess(pid: pid, output: output, status: status, running: running)
        } catch {
            if pipeEnds[0] >= 0 { close(pipeEnds[0]) }
            throw LaunchFailed(description: "cannot start \(executable): \(error)")
        }
    }

    /// Subprocess's `run` in a task of its own: the body hands out the process id and returns; `run` then waits for
    /// the child to end and reaps it. Cancelling the task is `end()`: Subprocess's teardown (SIGTERM, then SIGKILL).
    private static func start<Output: OutputProtocol, Failure: ErrorOutputProtocol>(
        _ configuration: Configuration, output: Output, error: Failure, status: Status
    ) async throws -> (pid_t, Task<Void, Never>) {
        var running: Task<Void, Never>?
        let pid: pid_t = try await withCheckedThrowingContinuation { started in
            running = Task.detached {
                var spawned = false
                do {
                    let result = try await Subprocess.run(configuration, input: .none, output: output, error: error) { execution in
                        spawned = true
                        started.resume(returning: execution.processIdentifier.value)
                    }
                    status.value.withLock { $0 = code(result.terminationStatus) }
                } catch {
                    status.value.withLock { $0 = $0 ?? -1 }
                    if !spawned { started.resume(throwing: error) }
                }
            }
        }
        return (pid, running!)
    }

    private static func open(_ sink: Sink) throws -> Int32 {
        let fd = switch sink {
        case .null, .pipe, .stdout: Glibc.open("/dev/null", O_WRONLY)
        case .file(let url): Glibc.open(url.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
        guard fd >= 0 else { throw LaunchFailed(description: "cannot open the output file: errno \(errno)") }
        return fd
    }

    /// The exit code when it exited, the signal's number when a signal ended it (as the callers expect).
    private static func code(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let code): Int32(code)
        case .signaled(let signal): Int32(signal)
        }
    }

    /// nil: the test run's own environment.
    private static func subprocessEnvironment(_ environment: [String: String]?) -> Environment {
        guard let environment else { return .inherit }
        return .custom(Dictionary(uniqueKeysWithValues: environment.compactMap { k, v in Environment.Key(rawValue: k).map { ($0, v) } }))
    }

    /// Runs a tool to its end (a name looked up on PATH, or an absolute path) and collects what it printed.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil)
        async throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try await Subprocess.run(executable.hasPrefix("/") ? .path(.init(executable)) : .name(executable),
                                              arguments: Arguments(arguments), environment: subprocessEnvironment(environment),
                                              output: .string(limit: 16 << 20), error: .string(limit: 16 << 20))
        return (code(result.terminationStatus), result.standardOutput, result.standardError)
    }

    /// Whether a tool is on PATH (python3, openssl …), for `.enabled(if:)`, which cannot wait for a process.
    static func isOnPath(_ tool: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }

    var isRunning: Bool { terminationStatus == nil }

    /// The exit code (or ending signal); nil while it runs.
    var terminationStatus: Int32? { status.value.withLock { $0 } }

    /// Sends a signal (SIGKILL in the kill tests) while the child runs. Subprocess reaps the child only once it has
    /// ended, and `status` is set right after, so while `isRunning` holds the id is still this child's.
    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits until Subprocess has reaped the child; the exit code or ending signal.
    @discardableResult
    func exited() async -> Int32 {
        await running.value
        return terminationStatus ?? -1
    }

    /// SIGTERM, then SIGKILL if it lingers past the launch's `grace` (Subprocess's teardown on cancellation). Returns
    /// at once, so it can run from `defer`; `await exited()` waits for the end.
    func end() {
        running.cancel()
    }
}
