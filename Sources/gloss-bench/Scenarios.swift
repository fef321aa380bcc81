import Foundation
import GRDB
import GlossCore
import GlossStore
import GlossSync
import Logging

/// One measured figure: a scenario at one size, with every run.
struct Figure: Encodable {
    var scenario: String
    var n: Int
    var unit: String
    var median: Double
    var runs: [Double]
}

struct BenchOptions {
    var sizes = [10_000, 100_000]
    var runs = 5
    var json = "Benchmarks/results/gloss.json"
    var seed = "seeds/icj-cambodia-kem-sokha-2019-11-14.txt"
    /// The `gloss` executable for the whole-process scenarios.
    var gloss = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gloss").path
    var only: Set<Int>?
    /// Keep the workspaces (for profiling) instead of removing them.
    var keep = false
}

/// The scenarios of `Benchmarks/BENCHMARKS.md`, over real workspaces in a
/// temporary folder and real TLS on loopback.
final class Scenarios {
    static let annotationCount = 1_000

    let options: BenchOptions
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-bench-\(UUID().uuidString)")
    let text: String
    var figures: [Figure] = []
    private var clock = 1_800_000_000_000

    init(options: BenchOptions) throws {
        self.options = options
        guard let text = try? String(contentsOfFile: options.seed, encoding: .utf8) else {
            throw BenchError("cannot read the seed statement \(options.seed): run from the repository's root, or pass --seed FILE")
        }
        self.text = text
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// Removes the workspaces, or says where they are with `--keep`.
    func finish() {
        if options.keep {
            FileHandle.standardError.write(Data("kept the workspaces in \(root.path)\n".utf8))
        } else {
            try? FileManager.default.removeItem(at: root)
        }
    }

    func tick() -> Int {
        clock += 1
        return clock
    }

    func wants(_ scenario: Int) -> Bool { options.only?.contains(scenario) ?? true }

    /// Runs of the scenarios that take milliseconds (a CLI edit, delta and
    /// no-op syncs): at least nine, since single runs of them differ by
    /// up to a factor of two on a shared machine.
    var quickRuns: Int { max(options.runs, 9) }

    func record(_ scenario: String, n: Int, unit: String, _ runs: [Double]) {
        let figure = Figure(scenario: scenario, n: n, unit: unit, median: Measure.median(runs), runs: runs)
        figures.append(figure)
        FileHandle.standardError.write(Data("  \(scenario) n=\(n): \(String(format: "%.3f", figure.median)) \(unit)\n".utf8))
    }

    // MARK: Fixtures

    /// A workspace with the seed statement and 1,000 annotations spread over it.
    func annotatedWorkspace(_ name: String) throws -> (Store, [EntityID]) {
        let store = try Store.create(WorkspaceFolder(root: root.appendingPathComponent(name)), name: "bench", deviceName: "Dara", now: tick())
        let statement = try store.addStatement(utf8: Array(text.utf8), metadata: StatementMetadata(title: "Kem Sokha"), now: tick())
        let length = text.unicodeScalars.count
        let annotations = try (0..<Self.annotationCount).map { index in
            let start = (index * 37) % (length - 40)
            return try store.annotate(statement.id, span: .positions(start: start, end: start + 10 + index % 25),
                                      edit: AnnotationEdit(note: "annotation \(index)"), now: tick()).id
        }
        return (store, annotations)
    }

    /// Edit `k` of a run: a note, a status or a tag, round-robin over the
    /// annotations; each changes something (round `j` of an annotation never
    /// repeats its last status or tag). An annotation's tag edits come every
    /// third round; each adds a new tag and drops the one added five tag
    /// edits before, so that an annotation holds at most five tags however
    /// long the run, as each file of the git side holds one line.
    func edit(_ store: Store, _ annotations: [EntityID], _ k: Int) throws {
        let annotation = annotations[k % annotations.count], round = k / annotations.count
        let edit = switch k % 3 {
        case 0: AnnotationEdit(note: "note \(k): the ICJ calls the charges spurious")
        case 1: AnnotationEdit(status: [.checked, .verified, .disputed, .open][round % 4])
        default: AnnotationEdit(addedTags: ["t\(round)"], removedTags: round >= 15 ? ["t\(round - 15)"] : [])
        }
        _ = try store.edit(annotation, edit, now: tick())
    }

    /// Makes a replica of `origin` as it is now in `folder`, as a clone
    /// makes one, for a device that `origin` admits.
    func replicate(_ origin: Store, at folder: URL) throws {
        let key = DeviceKey()
        try origin.admit(key.id, name: "Behind", now: tick())
        var page = ChangePage(after: [:], everyAuthor: true)
        var replica: Store?
        while let changes = try origin.next(&page, limit: 1_000) {
            let batch = ChangeBatch(changes: changes, texts: try origin.texts(for: changes))
            if let replica {
                _ = try replica.apply(batch, now: tick(), deferringDerivation: true)
            } else {
                replica = try Store.clone(WorkspaceFolder(root: folder), from: batch, key: key, deferringDerivation: true, now: tick()).0
            }
        }
        try replica?.deriveStale()
    }

    /// Serves `store` on 127.0.0.1 until the task is cancelled; returns the port.
    static func serve(_ store: Store) async throws -> (Int, Task<Void, Error>) {
        var logger = Logger(label: "gloss-bench.serve")
        logger.logLevel = .critical
        let server = SyncServer(store: store, logger: logger, now: { Int(Date().timeIntervalSince1970 * 1000) })
        let port = Port()
        let task = Task { try await server.run(host: "127.0.0.1", port: 0) { port.set($0) } }
        while port.value == nil { try await Task.sleep(for: .milliseconds(5)) }
        return (port.value!, task)
    }

    final class Port: @unchecked Sendable {
        private let lock = NSLock()
        private var bound: Int?
        var value: Int? { lock.withLock { bound } }
        func set(_ port: Int) { lock.withLock { bound = port } }
    }

    /// One pull of `replica` from the server on `port`, in process: the
    /// changes received and the milliseconds it took.
    static func pull(into replica: Store, port: Int) async throws -> (received: Int, milliseconds: Double) {
        let (report, seconds) = try await Measure.seconds {
            try await SyncClient.sync(replica, host: "127.0.0.1", port: port, mode: .pull, now: { Int(Date().timeIntervalSince1970 * 1000) })
        }
        return (report.received, seconds * 1000)
    }

    /// Scenario 4 and its scale: `runs` no-op syncs of `replica` from the
    /// server on `port`, then `runs` delta syncs, each of the 100 changes that
    /// `makeChanges(run)` makes at the server first; both in milliseconds.
    static func syncs(into replica: Store, port: Int, runs: Int,
                      makeChanges: (Int) throws -> Void) async throws -> (noop: [Double], delta: [Double]) {
        // The fixed cost of a session (TLS handshake, greeting, digest), for scale.
        var noop: [Double] = []
        for _ in 0..<runs {
            let (received, milliseconds) = try await pull(into: replica, port: port)
            guard received == 0 else { throw BenchError("a no-op sync received \(received) changes") }
            noop.append(milliseconds)
        }
        var delta: [Double] = []
        for run in 0..<runs {
            try makeChanges(run)
            let (received, milliseconds) = try await pull(into: replica, port: port)
            guard received == 100 else { throw BenchError("delta sync received \(received) changes, expected 100") }
            delta.append(milliseconds)
        }
        return (noop, delta)
    }

    // MARK: Scenarios at one size

    func run(n: Int) async throws {
        FileHandle.standardError.write(Data("n = \(n): writing \(Self.annotationCount) annotations and \(n) edits\n".utf8))
        let (origin, annotations) = try annotatedWorkspace("origin-\(n)")
        // Half way through the edits, a replica for scenario 9 stops following.
        let behind = root.appendingPathComponent("behind-\(n)")
        var writing = 0.0
        for edits in [0..<n / 2, n / 2..<n] {
            writing += try Measure.seconds { for k in edits { try edit(origin, annotations, k) } }.1
            if edits.lowerBound == 0 && wants(9) { try replicate(origin, at: behind) }
        }
        record("local-edits", n: n, unit: "edits/s", [Double(n) / writing])

        let (port, serving) = try await Self.serve(origin)
        defer { serving.cancel() }
        let originPath = root.appendingPathComponent("origin-\(n)").path

        if wants(1) {
            let runs = try (0..<quickRuns).map { run in
                try Measure.succeed(options.gloss, ["edit", annotations[run].short, "--note", "from the CLI, run \(run)",
                                                    "--workspace", originPath]).seconds * 1000
            }
            record("cli-edit", n: n, unit: "ms", runs)
        }

        var clones: [String] = []
        if wants(3) || wants(4) || wants(5) || wants(8) {
            var seconds: [Double] = [], memory: [Double] = []
            let folders = (0..<(wants(3) || wants(8) ? options.runs : 1)).map { root.appendingPathComponent("clone-\(n)-\($0)") }
            for (run, folder) in folders.enumerated() {
                try origin.admit(try WorkspaceFolder(root: folder).keyForClone().id, name: "Clone \(run)", now: tick())
            }
            // The floor's runs alternate with the clones', so that both see the machine in the same state.
            let floor = wants(3) ? try RawInsert(from: originPath) : nil
            var floorSeconds: [Double] = []
            for (run, folder) in folders.enumerated() {
                let result = try Measure.succeed(options.gloss, ["clone", "127.0.0.1:\(port)", "--peer", origin.device.rawValue, folder.path],
                                                 measuringMemory: wants(8))
                seconds.append(result.seconds)
                if let peak = result.peakMemory { memory.append(Double(peak) / 1_048_576) }
                clones.append(folder.path)
                if let floor { floorSeconds.append(try floor.run(into: root.appendingPathComponent("raw-\(run).sqlite").path)) }
            }
            if wants(3) {
                record("full-sync", n: n, unit: "s", seconds)
                record("raw-sqlite-insert", n: n, unit: "s", floorSeconds)
            }
            if wants(8) { record("full-sync-peak-memory", n: n, unit: "MB", memory) }
        }

        if wants(9) {
            // A laptop back after long offline: `gloss sync` from a replica holding the first half of the edits.
            var runs: [Double] = []
            for run in 0..<options.runs {
                let copy = root.appendingPathComponent("behind-\(n)-\(run)")
                try FileManager.default.copyItem(at: behind, to: copy)
                let result = try Measure.succeed(options.gloss, ["sync", "127.0.0.1:\(port)", "--pull-only", "--json", "--workspace", copy.path])
                struct Report: Decodable { var received: Int }
                guard let report = try? JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8)), report.received >= n - n / 2 else {
                    throw BenchError("expected the catch-up sync to receive at least \(n - n / 2) changes, found \(result.stdout)")
                }
                runs.append(result.seconds)
                try FileManager.default.removeItem(at: copy)
            }
            record("catch-up-sync", n: n, unit: "s", runs)
        }

        if wants(4), let clone = clones.first {
            let replica = try Store.open(WorkspaceFolder(root: URL(fileURLWithPath: clone)))
            let (noop, deltas) = try await Self.syncs(into: replica, port: port, runs: quickRuns) { run in
                for k in 0..<100 { try edit(origin, annotations, n + 100 * run + k) }
                // The origin's checkpoint of its own edits is not part of the sync.
                origin.checkpointer.waitUntilIdle()
            }
            record("noop-sync-in-process", n: n, unit: "ms", noop)
            record("delta-sync-100", n: n, unit: "ms", deltas)
        }

        if wants(5), let clone = clones.first {
            try Measure.succeed(options.gloss, ["sync", "--workspace", clone])
            let runs = try (0..<quickRuns).map { _ in try Measure.succeed(options.gloss, ["sync", "--workspace", clone]).seconds * 1000 }
            record("noop-sync-cli", n: n, unit: "ms", runs)
        }

        if wants(6) { record("bytes-per-change", n: n, unit: "bytes", [try bytesPerChange(originPath)]) }
    }

    /// The workspace folder's bytes on disk (log, derived tables, indexes,
    /// texts, key), after a WAL checkpoint, per change in the log.
    func bytesPerChange(_ workspace: String) throws -> Double {
        let database = try DatabaseQueue(path: workspace + "/.gloss/gloss.sqlite")
        let changes = try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM change")!
        }
        try database.close()
        return Double(Measure.bytes(under: URL(fileURLWithPath: workspace + "/.gloss"))) / Double(changes)
    }

    // MARK: Merge

    /// Two replicas each make 1,000 conflicting edits offline, then sync
    /// both ways over TLS; every conflict must be kept on both.
    func merge() async throws {
        var runs: [Double] = []
        for run in 0..<options.runs {
            let (a, annotations) = try annotatedWorkspace("merge-a-\(run)")
            let bKey = DeviceKey()
            try a.admit(bKey.id, name: "Sophea", now: tick())
            var changes: [SignedChange] = []
            try a.changes(missingFrom: Heads()) { changes += $0 }
            let (b, _) = try Store.clone(WorkspaceFolder(root: root.appendingPathComponent("merge-b-\(run)")),
                                         from: ChangeBatch(changes: changes, texts: try a.texts(for: changes)), key: bKey, now: tick())
            for annotation in annotations {
                _ = try a.edit(annotation, AnnotationEdit(status: .checked), now: tick())
                _ = try b.edit(annotation, AnnotationEdit(status: .disputed), now: tick())
            }
            let (port, serving) = try await Self.serve(a)
            let (_, seconds) = try await Measure.seconds {
                try await SyncClient.sync(b, host: "127.0.0.1", port: port, mode: .sync, now: { Int(Date().timeIntervalSince1970 * 1000) })
            }
            serving.cancel()
            for store in [a, b] {
                let conflicted = try store.annotations(AnnotationFilter(onlyConflicted: true)).count
                guard conflicted == annotations.count else { throw BenchError("merge kept \(conflicted) conflicts, expected \(annotations.count)") }
            }
            runs.append(seconds)
        }
        record("merge-1000x2", n: 2 * Self.annotationCount, unit: "s", runs)
    }
}

/// The full sync's floor: the rows of an origin's log inserted into an
/// empty log of the same schema, indexes included, in one transaction.
struct RawInsert {
    let schema: [String]
    let columns: [String]
    let rows: [Row]

    /// Reads the origin's log once, for every run.
    init(from origin: String) throws {
        let source = try DatabaseQueue(path: origin + "/.gloss/gloss.sqlite")
        (schema, rows) = try source.read { db in
            (try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE tbl_name = 'change' AND sql IS NOT NULL ORDER BY type DESC"),
             try Row.fetchAll(db, sql: "SELECT * FROM change ORDER BY arrival"))
        }
        try source.close()
        guard let columns = rows.first?.columnNames else { throw BenchError("the origin's log is empty") }
        self.columns = Array(columns)
    }

    /// Seconds to insert the rows into a new database at `path`, removed after.
    func run(into path: String) throws -> Double {
        let target = try DatabasePool(path: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try target.write { db in for statement in schema { try db.execute(sql: statement) } }
        let (_, seconds) = try Measure.seconds {
            try target.write { db in
                let insert = try db.makeStatement(sql: """
                    INSERT INTO change (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
                    """)
                for row in rows { try insert.execute(arguments: StatementArguments(row.databaseValues)) }
            }
        }
        try target.close()
        return seconds
    }
}
