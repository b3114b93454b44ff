import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process of the test run (servers, gateways, the `mallvip` binary, python3, openssl), started with
/// posix_spawn.
///
/// Why not Foundation's `Process`: on Linux its `run()` crashed the whole test run (a bad pointer in a memmove inside
/// `Process.run`, swift-corelibs-foundation #4772, #4795), first from the QR tests and then, with every launch already
/// serialised behind one lock, from the kill -9 tests: one crash takes all 700 tests down with it. posix_spawn forks
/// and execs in one call and touches no Foundation state. The child keeps only stdin, stdout and stderr; every other
/// descriptor is closed in it, so a child never holds a test server's socket or another child's pipe open.
final class ChildProcess: @unchecked Sendable {
    /// Where the child's stdout or stderr goes.
    enum Sink {
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
    private let lock = NSLock()
    private var status: Int32?

    private init(pid: pid_t, output: FileHandle?) {
        self.pid = pid
        self.output = output
    }

    /// Starts `executable` (an absolute path) with `arguments`; `environment` nil inherits the test run's.
    static func launch(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                       stdout: Sink = .null, stderr: Sink = .null) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        var pipeEnds: [Int32] = [-1, -1]
        if case .pipe = stdout {
            guard pipe(&pipeEnds) == 0 else { throw LaunchFailed(description: "pipe failed: errno \(errno)") }
            for fd in pipeEnds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        } else {
            Self.open(stdout, as: 1, in: &actions)
        }
        if case .stdout = stderr {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            Self.open(stderr, as: 2, in: &actions)
        }
        closeFrom3(&actions)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = environment ?? ProcessInfo.processInfo.environment
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }

        // The test run's blocked signals and ignored SIGPIPE would be inherited: a child then never hears SIGTERM.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attr, argv, envp)
        if pipeEnds[1] >= 0 { close(pipeEnds[1]) }
        guard rc == 0 else {
            if pipeEnds[0] >= 0 { close(pipeEnds[0]) }
            throw LaunchFailed(description: "cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        let output = pipeEnds[0] >= 0 ? FileHandle(fileDescriptor: pipeEnds[0], closeOnDealloc: true) : nil
        return ChildProcess(pid: pid, output: output)
    }

    /// `/usr/bin/env TOOL ARGS…`: finds the tool on PATH as a shell would.
    static func launchTool(_ arguments: [String], environment: [String: String]? = nil,
                           stdout: Sink = .null, stderr: Sink = .null) throws -> ChildProcess {
        try launch("/usr/bin/env", arguments, environment: environment, stdout: stdout, stderr: stderr)
    }

    /// Whether `/usr/bin/env TOOL ARGS…` runs and exits 0 (python3, openssl …): tests needing a tool skip without it.
    static func toolWorks(_ arguments: [String]) -> Bool {
        guard let p = try? launchTool(arguments) else { return false }
        return p.waitUntilExit() == 0
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+; Swift's Glibc module does not import it without
    /// _GNU_SOURCE, so it is looked up by name); without it, every descriptor open now is closed one by one.
    private static func closeFrom3(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
    }

    private static func open(_ sink: Sink, as fd: Int32, in actions: inout posix_spawn_file_actions_t) {
        switch sink {
        case .null, .pipe, .stdout:
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
        case .file(let url):
            posix_spawn_file_actions_addopen(&actions, fd, url.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
    }

    /// Reaps the child if it has ended; never blocks. All reaping goes through here, under the lock, so two threads
    /// asking at once never race for the same `waitpid`.
    private func reap() -> Int32? {
        lock.withLock {
            if let status { return status }
            var raw: Int32 = 0
            let r = waitpid(pid, &raw, WNOHANG)
            if r == pid {
                // Exit code when it exited, the signal's number when a signal ended it (as Foundation reports it).
                let signal = raw & 0x7f
                status = signal == 0 ? (raw >> 8) & 0xff : signal
            } else if r < 0 && errno == ECHILD {
                status = -1
            }
            return status
        }
    }

    var isRunning: Bool { reap() == nil }

    /// The exit code (or ending signal); nil while it runs.
    var terminationStatus: Int32? { reap() }

    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Blocks the calling thread until the child ends; for short tools and for `defer` and `deinit`.
    @discardableResult
    func waitUntilExit() -> Int32 {
        while true {
            if let s = reap() { return s }
            usleep(5_000)
        }
    }

    /// Waits without holding a thread of the cooperative pool.
    @discardableResult
    func exited() async -> Int32 {
        while true {
            if let s = reap() { return s }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// SIGTERM, then SIGKILL if it lingers past `grace`, and wait until it is gone.
    func end(grace: Double = 3) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning, Date() < deadline { usleep(20_000) }
        if isRunning { kill(pid, SIGKILL) }
        waitUntilExit()
    }
}
