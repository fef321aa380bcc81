import Foundation
import GlossCore
import GlossMerge
import GlossStore

/// A workspace in a fresh temporary folder, removed when the test ends.
final class TestWorkspace {
    let root: URL
    let store: Store
    /// A fake wall clock: each write happens one second after the last.
    private var clock = TestWorkspace.firstTick
    private static let firstTick = 1_700_000_000_000

    convenience init(deviceName: String = "Dara") throws {
        try self.init { root in
            try Store.create(WorkspaceFolder(root: root), name: "test", deviceName: deviceName,
                             key: try DeviceKey(seed: [UInt8](repeating: 1, count: 32)), now: Self.firstTick)
        }
    }

    /// A new replica of `source`'s workspace, with the device key seeded by
    /// `seed`; admitted by `source` when `admit` is set.
    convenience init(cloning source: TestWorkspace, seed: UInt8, admitAs name: String? = nil) throws {
        let key = try DeviceKey(seed: [UInt8](repeating: seed, count: 32))
        if let name { try source.store.admit(key.id, name: name, now: source.tick()) }
        try self.init { root in
            try Store.clone(WorkspaceFolder(root: root), from: source.batch(missingFrom: Heads()), key: key, now: Self.firstTick).0
        }
    }

    /// A workspace that `make` makes in a fresh temporary folder.
    private init(root make: (URL) throws -> Store) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        store = try make(root)
    }

    /// A new replica of this one made as `gloss clone` makes it: batches of
    /// `batchSize` changes, derivation deferred, then derived once.
    func deferredClone(batchSize: Int, seed: UInt8 = 9) throws -> TestWorkspace {
        var changes: [SignedChange] = []
        try store.changes(missingFrom: Heads(), pageSize: batchSize) { changes += $0 }
        let batches = stride(from: 0, to: changes.count, by: batchSize).map { Array(changes[$0 ..< min($0 + batchSize, changes.count)]) }
        let clone = try TestWorkspace(root: { root in
            try Store.clone(WorkspaceFolder(root: root), from: ChangeBatch(changes: batches[0], texts: try store.texts(for: batches[0])),
                            key: try DeviceKey(seed: [UInt8](repeating: seed, count: 32)), deferringDerivation: true, now: clock).0
        })
        for batch in batches.dropFirst() {
            _ = try clone.store.apply(ChangeBatch(changes: batch, texts: try store.texts(for: batch)), now: clock, deferringDerivation: true)
        }
        try clone.store.deriveStale()
        return clone
    }

    /// Everything this store holds that a store with `heads` lacks.
    func batch(missingFrom heads: Heads) throws -> ChangeBatch {
        var changes: [SignedChange] = []
        try store.changes(missingFrom: heads, pageSize: 7) { changes += $0 }
        return ChangeBatch(changes: changes, texts: try store.texts(for: changes))
    }

    /// Sends `other` what it lacks from this store.
    @discardableResult
    func send(to other: TestWorkspace) throws -> ApplyReport {
        try other.store.apply(batch(missingFrom: other.store.heads()), now: other.tick())
    }

    /// Sends `other` what it lacks as a pull of `gloss sync` receives it:
    /// in batches of `batchSize`, the first derived at once, the rest with
    /// derivation deferred, then derived once. Returns the reports added up.
    @discardableResult
    func send(to other: TestWorkspace, inBatchesOf batchSize: Int) throws -> ApplyReport {
        var report = ApplyReport()
        var isFirst = true
        try store.changes(missingFrom: other.store.heads(), pageSize: batchSize) { changes in
            report.add(try other.store.apply(ChangeBatch(changes: changes, texts: try store.texts(for: changes)), now: other.tick(),
                                             deferringDerivation: !isFirst))
            isFirst = false
        }
        report.add(try other.store.deriveStale())
        return report
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var databasePath: String { root.appendingPathComponent(".gloss/gloss.sqlite").path }

    func tick() -> Int {
        clock += 1000
        return clock
    }

    static let seedText = "On 10 November, Kem Sokha was released, following his arrest in 2017 on spurious charges of treason under article 443 of the Criminal Code. Kem Sokha remains banned."

    func addSeed() throws -> StatementState {
        try store.addStatement(utf8: Array(Self.seedText.utf8), metadata: StatementMetadata(title: "Cambodia"), now: tick())
    }
}
