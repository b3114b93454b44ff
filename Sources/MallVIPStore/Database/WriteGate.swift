/// SQLite allows one writer at a time; two of Fluent's connections writing at once fail with `database is locked`
/// or a snapshot conflict. Every write transaction on SQLite passes this gate, in arrival order. On PostgreSQL the
/// gate is open and row locks do the work.
public actor WriteGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    public let enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    public func acquire() async {
        guard enabled else { return }
        if !busy { busy = true; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func release() {
        guard enabled else { return }
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }

    public nonisolated func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        do {
            let value = try await body()
            await release()
            return value
        } catch {
            await release()
            throw error
        }
    }
}
