import GlossCore
import GlossMerge

/// Changes of one annotation written by several devices, with the parents
/// each device had seen: a concurrent history, built by hand.
struct Scenario {
    static let workspace = WorkspaceID(rawValue: "aaaaaaaaaaaaaaaaaaaaaaaaaa")!
    static let entity = EntityID(rawValue: "eeeeeeeeeeeeeeeeeeeeeeeeee")!
    static let target = Target(statement: EntityID(rawValue: "ssssssssssssssssssssssssss")!,
                               revision: RevisionHash(text: "under article 443"), exact: "article 443",
                               prefix: "under ", suffix: "", start: 6, end: 17)

    let devices: [DeviceKey]
    private(set) var changes: [SignedChange] = []
    private var last: [DeviceID: SignedChange] = [:]

    init(devices: Int) {
        self.devices = (0..<devices).map { try! DeviceKey(seed: [UInt8](repeating: UInt8($0 + 1), count: 32)) }
    }

    /// Writes a change by device `device` on top of `parents`.
    @discardableResult
    mutating func write(_ device: Int, after parents: [SignedChange], at milliseconds: Int, _ operations: [ChangeOperation]) -> SignedChange {
        let key = devices[device]
        let previous = last[key.id]
        let change = Change(workspace: Self.workspace, author: key.id, seq: (previous?.change.seq ?? 0) + 1,
                            previous: previous?.id, publicKey: previous == nil ? Array(key.publicKey.rawRepresentation) : nil,
                            clock: HLCTimestamp(milliseconds: milliseconds, counter: 0), kind: .annotation,
                            entity: Self.entity, parents: parents.map(\.id), operations: operations)
        let signed = SignedChange(signing: change, with: key)
        changes.append(signed)
        last[key.id] = signed
        return signed
    }

    /// The creating change, by device 0.
    mutating func create(_ extra: [ChangeOperation] = []) -> SignedChange {
        write(0, after: [], at: 1000, [.set(field: "target", value: Self.target.json)] + extra)
    }

    /// The state from the changes, checked to be the same for the reversed order.
    func state() -> AnnotationState? {
        let state = AnnotationState(deriving: changes)
        precondition(AnnotationState(deriving: changes.reversed()) == state, "state depends on delivery order")
        return state
    }
}
