import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO

/// Moves WAL checkpoints off the purchase writer. SQLite's automatic checkpoint runs inside a committing write and
/// fsyncs the database file there, stalling every purchase behind it; instead the writer's automatic checkpoint is
/// pushed far out (`Store.write`) and this connection of its own copies the WAL back every second, on its own
/// thread, without blocking the writer (PASSIVE).
public final class SQLiteCheckpointer: Sendable {
    private let task: Task<Void, Never>

    /// Runs on NIO's singleton thread pool, not the application's: the connection must still be closable after the
    /// application has shut its own pool down.
    public init(path: String, logger: Logger, every: Duration = .seconds(1)) {
        task = Task {
            let connection: SQLiteConnection
            do {
                connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: .singleton, logger: logger,
                                                             on: MultiThreadedEventLoopGroup.singleton.any())
            } catch {
                logger.warning("WAL checkpointer not started: \(String(reflecting: error)); SQLite checkpoints in the writer instead")
                return
            }
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                if Task.isCancelled { break }
                do {
                    try await connection.query("PRAGMA wal_checkpoint(PASSIVE)", []) { _ in }
                } catch {
                    logger.debug("WAL checkpoint: \(String(reflecting: error))")
                }
            }
            // The future-based close: the async one refuses to run in a cancelled task, and an unclosed
            // connection traps in its deinit.
            try? await connection.close().get()
        }
    }

    public func stop() { task.cancel() }
}
