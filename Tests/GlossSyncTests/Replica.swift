import Foundation
import GlossCore
import GlossStore
import GlossSync

/// A workspace replica in a temporary folder with a fixed key and a fake
/// clock, so sessions between replicas are reproducible line for line.
final class Replica: @unchecked Sendable {
    // @unchecked: the clock is only advanced from the test's own thread.
    static let workspace = WorkspaceID(rawValue: "glossdemoworkspacekemsokha")!
    let root: URL
    private(set) var store: Store!
    let key: DeviceKey
    private var clock: Int

    /// The founding replica: device seed 1, named Dara.
    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        key = try DeviceKey(seed: [UInt8](repeating: 1, count: 32))
        clock = 1_764_400_000_000
        store = try Store.create(WorkspaceFolder(root: root), name: "kem-sokha", deviceName: "Dara", key: key,
                                 workspace: Self.workspace, now: clock)
    }

    /// A replica of `origin` for the device seeded with `seed`, admitted as `name`.
    init(cloning origin: Replica, seed: UInt8, name: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        key = try DeviceKey(seed: [UInt8](repeating: seed, count: 32))
        clock = origin.clock + 500
        try origin.store.admit(key.id, name: name, now: origin.tick())
        var changes: [SignedChange] = []
        try origin.store.changes(missingFrom: Heads()) { changes += $0 }
        store = try Store.clone(WorkspaceFolder(root: root), from: ChangeBatch(changes: changes, texts: try origin.store.texts(for: changes)),
                                key: key, now: clock).0
    }

    /// An empty folder for a clone over the network, with the device key seeded by `seed`.
    init(emptyWithSeed seed: UInt8) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        key = try DeviceKey(seed: [UInt8](repeating: seed, count: 32))
        clock = 1_764_400_000_000
    }

    /// A copy of `other`'s folder, opened: the same device, log and clock.
    init(copying other: Replica) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-sync-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: other.root, to: root)
        key = other.key
        clock = other.clock
        store = try Store.open(WorkspaceFolder(root: root))
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var folder: WorkspaceFolder { WorkspaceFolder(root: root) }

    func tick() -> Int {
        clock += 1000
        return clock
    }

    func adopt(_ store: Store) { self.store = store }

    /// Dara, with the seed annotation edited `edits` times (a note and a tag
    /// each), and Sophea, cloned before that, with a statement of her own:
    /// two replicas apart.
    static func twoApart(edits: Int) throws -> (dara: Replica, sophea: Replica, annotation: EntityID) {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        let annotation = try dara.annotateSeed()
        for index in 0..<edits {
            _ = try dara.store.edit(annotation, AnnotationEdit(note: "note \(index)", addedTags: ["t\(index)"]), now: dara.tick())
        }
        _ = try sophea.store.addStatement(utf8: Array("Sophea's own statement.".utf8), metadata: StatementMetadata(), now: sophea.tick())
        return (dara, sophea, annotation)
    }

    static let text = "On 10 November, Kem Sokha was released, following his arrest in 2017 on spurious charges of treason under article 443 of the Criminal Code."

    /// Adds the statement and one annotation on it; returns the annotation.
    @discardableResult
    func annotateSeed() throws -> EntityID {
        let statement = try store.addStatement(utf8: Array(Self.text.utf8), metadata: StatementMetadata(title: "Cambodia"), now: tick())
        return try store.annotate(statement.id, span: .quote("article 443", occurrence: nil), edit: AnnotationEdit(note: "charge"), now: tick()).id
    }
}
