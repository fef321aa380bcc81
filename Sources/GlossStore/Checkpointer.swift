import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Copies the write-ahead log into the database file in the background, on
/// a connection of its own, once a commit leaves the log at least
/// ``pagesBeforeCheckpoint`` pages long.
///
/// SQLite's automatic checkpoint runs inside the commit that fills the log:
/// that write waits while a thousand pages are copied and the database file
/// is synced. A delta sync of 100 changes into a log of 1,000,000 fills
/// half the log, so every other one took 16 ms longer. Here the commit
/// only asks for a checkpoint, and returns.
///
/// A checkpoint is passive: it copies what no reader still needs and never
/// waits for a lock. One that cannot finish leaves the log as it was, and
/// the next commit asks again; the log stays valid throughout.
///
/// The log starts over only once a checkpoint has copied all of it, which a
/// writer that never pauses prevents: each background checkpoint copies what
/// was committed when it began. So a commit that leaves the log twice the
/// limit long waits for the background checkpoint and copies the rest
/// itself, as SQLite's automatic checkpoint does, and the log stays short
/// under any load.
package final class Checkpointer: Sendable {
    private struct State {
        var pagesBeforeCheckpoint: Int
        var isRequested = false
        var runs = 0
    }

    private let path: String
    private let state: Mutex<State>
    private let queue = DispatchQueue(label: "gloss.checkpoint")
    /// Opened by the first checkpoint; used on `queue` only.
    nonisolated(unsafe) private var connection: DatabaseQueue?

    init(path: String, pagesBeforeCheckpoint: Int) {
        self.path = path
        self.state = Mutex(State(pagesBeforeCheckpoint: pagesBeforeCheckpoint))
    }

    /// How long the log may grow before a commit asks for a checkpoint.
    package var pagesBeforeCheckpoint: Int {
        get { state.withLock { $0.pagesBeforeCheckpoint } }
        set { state.withLock { $0.pagesBeforeCheckpoint = newValue } }
    }

    /// Background checkpoints run so far (for tests).
    package var runs: Int { state.withLock { $0.runs } }

    /// Makes the commits of `db`, the pool's writer, ask for checkpoints. This
    /// replaces SQLite's automatic checkpoint on that connection.
    ///
    /// The hook holds the checkpointer unretained: the pool's configuration,
    /// whose `prepareDatabase` calls this, keeps it alive as long as `db`.
    func install(on db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, { context, connection, _, pages in
            Unmanaged<Checkpointer>.fromOpaque(context!).takeUnretainedValue().committed(logPages: Int(pages), on: connection)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Waits for the checkpoints asked for so far (for tests).
    package func waitUntilIdle() {
        queue.sync {}
    }

    /// Waits for the checkpoints asked for so far, then closes this
    /// checkpointer's connection. Called as the store goes away: while it
    /// is open, the pool's last connection to close cannot copy the log
    /// back into the database file and remove it, as SQLite does when the
    /// last connection closes. A commit after this opens it again.
    func close() {
        queue.sync {
            try? connection?.close()
            connection = nil
        }
    }

    private func committed(logPages: Int, on connection: OpaquePointer?) {
        enum Step { case none, ask, checkpointHere }
        let step = state.withLock { state -> Step in
            if logPages >= 2 * state.pagesBeforeCheckpoint { return .checkpointHere }
            guard logPages >= state.pagesBeforeCheckpoint, !state.isRequested else { return .none }
            state.isRequested = true
            return .ask
        }
        switch step {
        case .none: break
        case .ask: queue.async { self.checkpoint() }
        case .checkpointHere: queue.sync { _ = sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil) }
        }
    }

    private func checkpoint() {
        state.withLock { $0.isRequested = false }  // commits from here on may ask for the next one
        // Opening would create a database removed meanwhile (a failed clone's).
        if connection == nil, FileManager.default.fileExists(atPath: path) {
            var configuration = Configuration()
            configuration.label = "gloss.checkpoint"
            connection = try? DatabaseQueue(path: path, configuration: configuration)
        }
        // Busy (another process's checkpoint) or failed: the log stays valid,
        // and the next commit past the limit asks again.
        guard (try? connection?.writeWithoutTransaction({ try $0.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") })) != nil else { return }
        state.withLock { $0.runs += 1 }
    }
}
