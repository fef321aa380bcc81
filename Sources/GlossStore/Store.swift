import Foundation
import GRDB
import GRDBSQLite
import GlossCore
import GlossMerge
import Synchronization

/// One workspace replica: the signed record log in SQLite and the state
/// derived from it, written and read as this device.
///
/// Every write is one transaction that appends a change and updates the
/// derived state together. Several processes may open one workspace at
/// once: SQLite's WAL mode lets readers run beside the writer, and writers
/// wait for each other (up to ``busyTimeout``) instead of failing.
public final class Store: Sendable {
    /// How a store reaches its database file.
    public enum Access: Sendable {
        /// A writer and readers beside it: for a process whose tasks read
        /// while another writes, such as a server's sessions.
        case concurrent
        /// One connection for reads and writes: for a command that runs and
        /// exits. Opening it writes nothing, where a pool's set-up commits a
        /// transaction and syncs the file three times, even for `gloss list`.
        /// A workspace whose folder this user cannot write is opened
        /// ``readOnly`` instead.
        case single
        /// Reads only, of the database file as it stands (SQLite's
        /// `immutable`): for a workspace this user cannot write, such as an
        /// archived copy or a read-only mount, beside which SQLite could not
        /// make its lock and log files, and which nobody writes meanwhile.
        /// Refused while a write-ahead log holds changes the file lacks.
        /// Every write throws ``StoreError/readOnly(_:)``.
        case readOnly
    }

    public static let busyTimeout: TimeInterval = 10
    /// The most memory each connection's page cache may take. Writes touch
    /// pages all over a large log (indexes, annotations, full text), so a
    /// cache larger than SQLite's 2 MB default saves re-reading them: a delta
    /// sync of 100 changes into 100,000 takes 37 ms with it, 52 ms without.
    static let pageCacheKiB = 16_384
    /// SQLite's default: the write-ahead log is copied into the database
    /// once it holds this many pages (see ``Checkpointer``). The batches of
    /// a clone, a long pull or a bundle wait for ten times as many.
    static let walAutocheckpointPages = 1_000
    static let cloneWalAutocheckpointPages = 10_000

    public let folder: WorkspaceFolder
    public let workspace: WorkspaceID
    /// This device's signing key.
    package let key: DeviceKey
    package let dbWriter: any DatabaseWriter
    /// Copies the write-ahead log into the database file off the writer's path.
    package let checkpointer: Checkpointer
    /// Opened with ``Access/readOnly``: every write throws.
    public let isReadOnly: Bool
    /// What a clone's deferred batches carry to ``deriveStale()``.
    let deferred = Mutex<DeferredDerivation?>(nil)

    public var device: DeviceID { key.id }

    deinit {
        checkpointer.close()
    }

    private init(folder: WorkspaceFolder, key: DeviceKey, database: Connections) throws(StoreError) {
        self.folder = folder
        self.key = key
        (dbWriter, checkpointer, isReadOnly) = database
        let id: String? = try Self.catching { try database.writer.read { db in try String.fetchOne(db, sql: "SELECT id FROM workspace") } }
        guard let id, let workspace = WorkspaceID(rawValue: id) else {
            throw .unreadableWorkspace(folder.root.path, reason: "it has no genesis change")
        }
        self.workspace = workspace
    }

    /// Opens the workspace in `folder`, with a pool of connections unless
    /// `access` says otherwise.
    ///
    /// - Throws: ``StoreError`` when there is no workspace there, or its
    ///   database or key cannot be read.
    public static func open(_ folder: WorkspaceFolder, access: Access = .concurrent) throws(StoreError) -> Store {
        guard folder.exists else { throw .noWorkspace(searchedFrom: folder.root.path) }
        guard folder.hasDatabase else {
            throw .unreadableWorkspace(folder.root.path, reason: "it holds only a device key, from a clone that has not finished; run gloss clone again")
        }
        let key = try folder.readKey()
        let access = access == .single && !folder.isWritable ? .readOnly : access
        let store = try Store(folder: folder, key: key, database: try openDatabase(folder, access: access))
        if try store.read({ try Bool(exists: "SELECT 1 FROM stale_entity", [], in: $0) || !Schema.missingDeferredLogIndexes($0).isEmpty }) {
            // A clone was cut short.
            guard !store.isReadOnly else {
                throw .unreadableWorkspace(folder.root.path, reason: "a clone cut short left it to be completed, and this user cannot write its .gloss folder; open it once where it can be written")
            }
            try store.deriveStale()
        }
        return store
    }

    /// Makes a new workspace in `folder`: a new device key, a new database,
    /// and the genesis change naming this device as the first member.
    /// On failure nothing is left behind.
    ///
    /// - Parameters:
    ///   - name: the workspace's human name.
    ///   - deviceName: this device's name, shown as the author of its changes.
    ///   - now: wall time in milliseconds since 1970.
    public static func create(_ folder: WorkspaceFolder, name: String, deviceName: String, key: DeviceKey = DeviceKey(),
                              workspace: WorkspaceID? = nil, now: Int) throws(StoreError) -> Store {
        for (label, text) in [("workspace name", name), ("device name", deviceName)] {
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty, text.count <= 200,
                  !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalidInput("expected a \(label) of 1 to 200 characters on one line, found \"\(text)\"")
            }
        }
        var generator = SystemRandomNumberGenerator()
        let workspace = workspace ?? WorkspaceID.random(using: &generator)
        return try makeFolder(folder, key: key) { database throws(StoreError) in
            try catching {
                try database.writer.write { db in
                    try db.execute(sql: "INSERT INTO workspace (singleton, id, name) VALUES (1, ?, '')",
                                   arguments: [workspace.rawValue])
                    try LogWriter.writing(db, key: key, workspace: workspace) { writer in
                        try writer.append(kind: .workspace, entity: EntityID(rawValue: workspace.rawValue)!,
                                          operations: [.set(field: "name", value: .string(name.nfc)),
                                                       .admit(key.id, name: deviceName.nfc)],
                                          now: now)
                    }
                }
            }
            return try Store(folder: folder, key: key, database: database)
        }
    }

    /// Makes a new replica in `folder` of the workspace whose changes
    /// `batch` holds (its genesis first), with a new device key. The new
    /// device can read at once; it can write once a member admits it.
    /// On failure nothing is left behind.
    ///
    /// With `deferringDerivation`, statements and annotations are left
    /// stale for the caller to derive with ``deriveStale()`` once the rest
    /// of the clone is in (see ``apply(_:now:deferringDerivation:)``), and
    /// so are the log's indexes by entity and clock to build.
    public static func clone(_ folder: WorkspaceFolder, from batch: ChangeBatch, key: DeviceKey = DeviceKey(),
                             deferringDerivation: Bool = false, now: Int) throws(StoreError) -> (Store, ApplyReport) {
        guard let workspace = batch.changes.first?.change.workspace else {
            throw .invalidInput("expected the changes of a workspace, starting with its genesis, found none")
        }
        return try makeFolder(folder, key: key) { database throws(StoreError) in
            if deferringDerivation {
                // Until ``deriveStale()``: pages that every batch writes again
                // (index pages) reach the database file once per 40 MB of
                // log rather than once per 4 MB.
                database.checkpointer.pagesBeforeCheckpoint = cloneWalAutocheckpointPages
            }
            let (report, carried) = try catching {
                try database.writer.write { db in
                    try db.execute(sql: "INSERT INTO workspace (singleton, id, name) VALUES (1, ?, '')", arguments: [workspace.rawValue])
                    if deferringDerivation { try Schema.dropDeferredLogIndexes(db) }
                    return try LogWriter.writing(db, key: key, workspace: workspace) { writer in
                        var applier = ChangeApplier(writer: writer, workspace: workspace, now: now,
                                                    deferred: deferringDerivation ? DeferredDerivation(indexingLater: true) : nil)
                        return (try applier.apply(batch), applier.deferred)
                    }
                }
            }
            let store = try Store(folder: folder, key: key, database: database)
            store.deferred.withLock { $0 = carried }
            return (store, report)
        }
    }

    /// Makes `.gloss/` with the key file and an empty database, then runs
    /// `body` to fill it; if anything fails, removes `.gloss/` again.
    private static func makeFolder<T>(_ folder: WorkspaceFolder, key: DeviceKey,
                                      _ body: (Connections) throws(StoreError) -> T) throws(StoreError) -> T {
        let pendingKey = folder.exists && !folder.hasDatabase && FileManager.default.fileExists(atPath: folder.keyFile.path)
        guard !folder.exists || pendingKey else { throw .workspaceExists(folder.root.path) }
        if pendingKey {
            guard try folder.readKey().seed == key.seed else {
                throw .unreadableWorkspace(folder.root.path, reason: "it holds another device key, from a clone that has not finished")
            }
        } else {
            do {
                try FileManager.default.createDirectory(at: folder.gloss, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw .unreadableWorkspace(folder.root.path, reason: "cannot create \(folder.gloss.path): \(error.localizedDescription)")
            }
        }
        do {
            if !pendingKey { try folder.writeKey(key) }
            return try body(try openDatabase(folder, access: .concurrent))
        } catch {
            // Keep a pending clone's key: a member may have admitted its id.
            if pendingKey {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: folder.database.path + suffix) }
            } else {
                try? FileManager.default.removeItem(at: folder.gloss)
            }
            throw error
        }
    }

    /// The connections to a workspace's database, and their checkpointer.
    private typealias Connections = (writer: any DatabaseWriter, checkpointer: Checkpointer, isReadOnly: Bool)

    /// Opens the database in `folder`, making it or bringing its schema up
    /// to date. A pool puts a new file in WAL mode; a single connection
    /// opens only files a pool made, whose WAL mode is kept in the file.
    private static func openDatabase(_ folder: WorkspaceFolder, access: Access) throws(StoreError) -> Connections {
        let checkpointer = Checkpointer(path: folder.database.path, pagesBeforeCheckpoint: walAutocheckpointPages)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "gloss"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -\(pageCacheKiB)")
            if !db.configuration.readonly { checkpointer.install(on: db) }
        }
        if access == .readOnly { return (try openImmutable(folder, configuration), checkpointer, true) }
        do {
            let writer: any DatabaseWriter = access == .concurrent
                ? try DatabasePool(path: folder.database.path, configuration: configuration)
                : try DatabaseQueue(path: folder.database.path, configuration: configuration)
            try Schema.migrator.migrate(writer)
            // GRDB leaves a pool's writer at `synchronous = NORMAL`, which in
            // WAL mode syncs the log only when it is checkpointed: a power cut
            // could take back an edit the CLI reported, or a batch already
            // acknowledged to a peer. FULL (SQLite's default, which a single
            // connection keeps) syncs the log at every commit.
            // The migrations before it may go unsynced, as a new workspace
            // runs all nine: one taken back by a power cut runs again on the
            // next open, and the first synced commit syncs them too.
            try writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            return (writer, checkpointer, false)
        } catch {
            throw .unreadableWorkspace(folder.root.path, reason: "\(error)")
        }
    }

    /// The database file opened for reading as it stands (see
    /// ``Access/readOnly``), if no write-ahead log holds changes it lacks
    /// and its schema is this version's.
    private static func openImmutable(_ folder: WorkspaceFolder, _ configuration: Configuration) throws(StoreError) -> DatabaseQueue {
        func refuse(_ reason: String) -> StoreError {
            .unreadableWorkspace(folder.root.path, reason: "it can only be read here, as this user cannot write its .gloss folder, but \(reason)")
        }
        let log = try? FileManager.default.attributesOfItem(atPath: folder.database.path + "-wal")[.size] as? Int
        guard (log ?? 0) == 0 else {
            throw refuse("its write-ahead log (gloss.sqlite-wal) holds changes the database lacks; open it once where it can be written")
        }
        // SQLite reads a file name as a URI, and so its parameters, only
        // when it was built to.
        guard sqlite3_compileoption_used("USE_URI") == 1 else { throw refuse("this SQLite cannot open a file as immutable") }
        var uri = URLComponents()
        uri.scheme = "file"
        uri.path = folder.database.path
        uri.queryItems = [URLQueryItem(name: "immutable", value: "1")]
        var configuration = configuration
        configuration.readonly = true
        let queue: DatabaseQueue, isCurrent: Bool
        do {
            queue = try DatabaseQueue(path: uri.string ?? folder.database.path, configuration: configuration)
            isCurrent = try queue.read(Schema.migrator.hasCompletedMigrations)
        } catch {
            throw .unreadableWorkspace(folder.root.path, reason: "\(error)")
        }
        guard isCurrent else { throw refuse("its database was made by an earlier version of Gloss; open it once where it can be written") }
        return queue
    }

    /// Runs `body`, turning database errors into ``StoreError/database(_:)``
    /// and passing ``StoreError``s through.
    static func catching<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw .database(error.message ?? "\(error)")
        } catch {
            throw .database("\(error)")
        }
    }

    /// Whether batches applied with deferred derivation (or a clone made
    /// so) carry what ``deriveStale()`` has yet to write.
    public var hasDeferredDerivation: Bool {
        deferred.withLock { $0 != nil }
    }

    /// Runs `body` in one immediate write transaction: all of it, or none.
    /// What deferred batches carry is derived first (``deriveStale()``):
    /// they leave the heads and states that a write reads behind.
    func write<T>(_ body: (LogWriter) throws -> T) throws(StoreError) -> T {
        if hasDeferredDerivation { try deriveStale() }
        return try transaction(body)
    }

    /// Runs `body` in one immediate write transaction, as it finds the tables.
    func transaction<T>(_ body: (LogWriter) throws -> T) throws(StoreError) -> T {
        try writable()
        return try Self.catching {
            try dbWriter.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try LogWriter.writing(db, key: key, workspace: workspace, body)
                    return .commit
                }
                return result!
            }
        }
    }

    /// Runs `body` in one write transaction of the tables no change records
    /// (the remotes).
    func writeUnlogged(_ body: (Database) throws -> Void) throws(StoreError) {
        try writable()
        try Self.catching { try dbWriter.write(body) }
    }

    /// Throws ``StoreError/readOnly(_:)`` if this store may not write: the
    /// check of both ways to write, ``transaction(_:)`` and ``writeUnlogged(_:)``.
    private func writable() throws(StoreError) {
        if isReadOnly { throw .readOnly(folder.root.path) }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        try Self.catching { try dbWriter.read(body) }
    }
}
