import Crypto
import GlossCore
import GlossMerge

/// A line of an audit file that fails a check, and why.
public struct AuditProblem: Equatable, Sendable, Encodable, CustomStringConvertible {
    /// The 1-based line number.
    public var line: Int
    public var problem: String

    public var description: String { "line \(line): \(problem)" }
}

/// What checking an audit file found: its problems, and what it holds.
public struct AuditReport: Sendable {
    /// Every problem, in line order; empty means every check passed.
    public var problems: [AuditProblem] = []
    public var workspace: WorkspaceID?
    /// The workspace's name, as its signed changes give it.
    public var workspaceName = ""
    public var exporter: DeviceID?
    public var exported: Int?
    /// The names the workspace's signed admissions give its devices.
    public var names: [DeviceID: String] = [:]
    /// The changes that check, in file order.
    public var changes: [SignedChange] = []
    public var statements: [StatementState] = []
    public var annotations: [AnnotationState] = []
    /// Each statement revision's text, by its hash.
    public var texts: [RevisionHash: String] = [:]

    public var isSound: Bool { problems.isEmpty }
}

extension AuditFile {
    /// Checks an audit file as an outside reviewer would, trusting nothing
    /// but the bytes: every hash, chain link, key and signature, that the
    /// statements and annotations listed are exactly what their changes
    /// derive, and the exporter's signature over the whole.
    ///
    /// Never throws: every problem is reported with the line it is on.
    public static func check(_ bytes: [UInt8]) -> AuditReport {
        var checker = AuditChecker()
        checker.check(bytes)
        return checker.report
    }
}

private struct AuditChecker {
    var report = AuditReport()

    /// The sections, in the order the file must give them.
    enum Section: Int, Comparable {
        case key, text, change, statement, annotation

        static func < (a: Section, b: Section) -> Bool { a.rawValue < b.rawValue }
    }

    var keys: [DeviceID: Curve25519.Signing.PublicKey] = [:]
    var textLines: [RevisionHash: Int] = [:]
    /// Each author's changes by seq: the id and the line.
    var chains: [DeviceID: [Int: (id: ChangeID, line: Int)]] = [:]
    var entityOf: [ChangeID: EntityID] = [:]
    var kindOf: [EntityID: EntityKind] = [:]
    var changeLines: [ChangeID: Int] = [:]
    /// The line of each entity's first change.
    var firstLines: [EntityID: Int] = [:]
    var namedRevisions: Set<RevisionHash> = []
    /// The lines of the changes of each workspace: one, the header's, in a sound file.
    var workspaceLines: [WorkspaceID: [Int]] = [:]
    var recordLines: [(line: Int, section: Section, bytes: ArraySlice<UInt8>)] = []

    mutating func problem(_ line: Int, _ text: String) {
        report.problems.append(AuditProblem(line: line, problem: text))
    }

    mutating func check(_ bytes: [UInt8]) {
        guard bytes.last == 0x0A else {
            return problem(max(1, bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count),
                           "a file ending in a line feed, found a truncated file")
        }
        let lines = bytes.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false)
        guard header(lines[0]) else { return }
        guard lines.count > 1 else { return problem(1, "more lines after the header, found none: the file is truncated") }

        let trailerNumber = lines.count
        let trailer = String(decoding: lines[lines.count - 1], as: UTF8.self)
        let body = lines[1..<(lines.count - 1)]
        var section = Section.key
        for (offset, line) in body.enumerated() {
            let number = offset + 2
            guard let space = line.firstIndex(of: 0x20),
                  let kind = ["key": Section.key, "text": .text, "change": .change, "statement": .statement,
                              "annotation": .annotation][String(decoding: line[..<space], as: UTF8.self)] else {
                problem(number, "a line starting \"key\", \"text\", \"change\", \"statement\" or \"annotation\"")
                continue
            }
            if kind < section {
                problem(number, "keys, texts, changes, statements and annotations in that order, found a \(kind) line after a \(section) line")
            }
            section = max(section, kind)
            let rest = line[(space + 1)...]
            switch kind {
            case .key: key(rest, number)
            case .text: text(rest, number)
            case .change: change(rest, number)
            case .statement, .annotation: recordLines.append((number, kind, rest))
            }
        }
        checkWorkspace()
        derive()
        checkRecords()
        checkTrailer(trailer, number: trailerNumber, covering: bytes[..<(bytes.count - 1 - lines[lines.count - 1].count)])
        report.problems = report.problems.enumerated()
            .sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
    }

    // MARK: Lines

    mutating func header(_ line: ArraySlice<UInt8>) -> Bool {
        let fields = String(decoding: line, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0] == "gloss-audit", let workspace = WorkspaceID(rawValue: String(fields[2])),
              let exported = Int(fields[3]), let exporter = DeviceID(rawValue: String(fields[4])) else {
            problem(1, "a header \"gloss-audit \(AuditFile.version) WORKSPACE MILLISECONDS DEVICE\"")
            return false
        }
        guard fields[1] == "\(AuditFile.version)" else {
            problem(1, "audit file version \(AuditFile.version), found \(fields[1])")
            return false
        }
        report.workspace = workspace
        report.exporter = exporter
        report.exported = exported
        return true
    }

    mutating func key(_ rest: ArraySlice<UInt8>, _ number: Int) {
        let fields = String(decoding: rest, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 2, let device = DeviceID(rawValue: String(fields[0])),
              let raw = Hex.decode(fields[1].utf8, count: 32), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
            return problem(number, "\"key\", a device id and its 64-digit hex public key")
        }
        guard DeviceID(publicKey: key) == device else {
            return problem(number, "a key that hashes to device \(device.short), found another device's key")
        }
        keys[device] = key
    }

    mutating func text(_ rest: ArraySlice<UInt8>, _ number: Int) {
        guard case .string(let text)? = try? CanonicalJSON(parsing: rest) else {
            return problem(number, "\"text\" and a statement text as a canonical JSON string")
        }
        let revision = RevisionHash(text: text)
        textLines[revision] = number
        report.texts[revision] = text
    }

    mutating func change(_ rest: ArraySlice<UInt8>, _ number: Int) {
        let signed: SignedChange
        do {
            signed = try ChangeBundle.decodeChange(rest)
        } catch {
            return problem(number, error.reason)
        }
        do {
            try signed.change.validate()
        } catch {
            return problem(number, "a well-formed change, found one with \(error)")
        }
        let change = signed.change
        let name = "change \(signed.label)"
        var sound = true
        func fail(_ text: String) {
            problem(number, "\(name): \(text)")
            sound = false
        }
        workspaceLines[change.workspace, default: []].append(number)
        if let raw = change.publicKey {
            if let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw), DeviceID(publicKey: key) == change.author {
                keys[change.author] = keys[change.author] ?? key
            } else {
                fail("its key does not hash to its author's id")
            }
        }
        switch keys[change.author].map(signed.isSigned(by:)) {
        case nil: fail("no key line or first change gives its author's key")
        case false?: fail("its signature does not verify against its author's key: the line was altered")
        case true?: break
        }
        var chain = chains[change.author, default: [:]]
        if let other = chain[change.seq] {
            fail(other.id == signed.id
                 ? "it repeats line \(other.line)"
                 : "its author signed another change with seq \(change.seq) on line \(other.line): the author's chain forks")
        }
        if let previous = change.previous, let held = chain[change.seq - 1], held.id != previous {
            fail("its prev does not match its author's seq \(change.seq - 1) on line \(held.line)")
        }
        for parent in change.parents {
            switch entityOf[parent] {
            case nil: fail("its parent \(parent.hex.prefix(12)) is not on an earlier line")
            case let held? where held != change.entity: fail("its parent \(parent.hex.prefix(12)) is a change of another entity")
            default: break
            }
        }
        if let kind = kindOf[change.entity], kind != change.kind {
            fail("its entity \(change.entity.short) is \(kind.withArticle), not \(change.kind.withArticle)")
        }
        guard sound else { return }
        for case .set("revision", .string(let hex)) in change.operations {
            guard let revision = RevisionHash(hex: hex) else { continue }
            namedRevisions.insert(revision)
            if report.texts[revision] == nil { problem(number, "\(name): the text of revision \(hex.prefix(12)) it names is not on an earlier line") }
        }
        chain[change.seq] = (signed.id, number)
        chains[change.author] = chain
        entityOf[signed.id] = change.entity
        kindOf[change.entity] = change.kind
        changeLines[signed.id] = number
        firstLines[change.entity] = firstLines[change.entity] ?? number
        report.changes.append(signed)
    }

    // MARK: Derivation

    /// Names the header when every change disagrees with it, else each change that does.
    mutating func checkWorkspace() {
        let others = workspaceLines.filter { $0.key != report.workspace }
        if others.count == 1 && workspaceLines.count == 1, let other = others.first {
            return problem(1, "the header names workspace \(report.workspace!), but every change is of workspace \(other.key)")
        }
        for (workspace, lines) in others {
            for line in lines { problem(line, "the change belongs to workspace \(workspace), not the header's \(report.workspace!)") }
        }
    }

    mutating func derive() {
        let byEntity = Dictionary(grouping: report.changes, by: \.change.entity)
        let workspace = WorkspaceState(deriving: report.changes.filter { $0.change.kind == .workspace })
        report.workspaceName = workspace.name
        report.names = workspace.members.merging(workspace.removedNames) { current, _ in current }
        for signed in report.changes where workspace.members[signed.change.author] == nil && workspace.removed[signed.change.author] == nil {
            problem(changeLines[signed.id]!, "change \(signed.id.hex.prefix(12)): its author \(signed.change.author.short) was never admitted to the workspace")
        }
        for (revision, line) in textLines where !namedRevisions.contains(revision) {
            problem(line, "a text no statement change names (its hash is \(revision.hex.prefix(12))): the line was altered or does not belong")
        }
        for (entity, changes) in byEntity.sorted(by: { $0.key < $1.key }) {
            let ignored = Set(changes.filter { !workspace.isEffective(author: $0.change.author, seq: $0.change.seq) }.map(\.id))
            let graph = ChangeGraph(changes, ignoring: ignored)
            switch changes[0].change.kind {
            case .workspace: break
            case .statement: if let state = StatementState(deriving: graph) { report.statements.append(state) }
            case .annotation:
                guard let state = AnnotationState(deriving: graph) else {
                    problem(firstLines[entity]!, "annotation \(entity.short): its changes give it no target")
                    continue
                }
                report.annotations.append(state)
            }
        }
    }

    mutating func checkRecords() {
        var statements = Dictionary(uniqueKeysWithValues: report.statements.map { ($0.id, AuditFile.record($0)) })
        var annotations = Dictionary(uniqueKeysWithValues: report.annotations.map { ($0.id, AuditFile.record($0)) })
        for (number, section, bytes) in recordLines {
            guard case .object(let members)? = try? CanonicalJSON(parsing: bytes),
                  case .string(let raw)? = members.first?.value, let id = EntityID(rawValue: raw),
                  members.first?.key == (section == .statement ? "statement" : "annotation") else {
                problem(number, "\"\(section)\" and a canonical JSON object whose first member is \"\(section)\": its id")
                continue
            }
            let derived = section == .statement ? statements.removeValue(forKey: id) : annotations.removeValue(forKey: id)
            guard let derived else {
                problem(number, "\(section) \(id.short) is not one the file's changes make (or is listed twice)")
                continue
            }
            guard case .object(let expected) = derived, expected != members else { continue }
            let differing = expected.map(\.key) == members.map(\.key)
                ? zip(expected, members).first { $0.value != $1.value }?.0.key ?? ""
                : "fields"
            problem(number, "\(section) \(id.short): its \(differing) is not what its changes derive")
        }
        let last = recordLines.last?.line ?? 1
        for id in statements.keys.sorted() { problem(last, "statement \(id.short), which the changes make, has no statement line") }
        for id in annotations.keys.sorted() { problem(last, "annotation \(id.short), which the changes make, has no annotation line") }
        let statementIDs = Set(report.statements.map(\.id))
        // A statement whose changes are in the file but derive nothing: a
        // removed device made it after its removal.
        let ineffective = Set(report.changes.filter { $0.change.kind == .statement }.map(\.change.entity)).subtracting(statementIDs)
        for annotation in report.annotations {
            let line = firstLines[annotation.id] ?? last
            if !statementIDs.contains(annotation.target.statement) && !ineffective.contains(annotation.target.statement) {
                problem(line, "annotation \(annotation.id.short): its statement \(annotation.target.statement.short) is not in the file")
            } else if let text = report.texts[annotation.target.revision],
                      String(String.UnicodeScalarView(text.unicodeScalars.dropFirst(annotation.target.start)
                        .prefix(annotation.target.end - annotation.target.start))) != annotation.target.exact {
                problem(line, "annotation \(annotation.id.short): its quote is not the text at \(annotation.target.start)-\(annotation.target.end) of its revision")
            }
        }
    }

    mutating func checkTrailer(_ trailer: String, number: Int, covering body: ArraySlice<UInt8>) {
        let fields = trailer.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0] == "end", let digest = Hex.decode(fields[1].utf8, count: 32),
              let signature = Hex.decode(fields[2].utf8, count: 64) else {
            return problem(number, "a last line \"end SHA256 SIGNATURE\": the file is truncated")
        }
        guard let exporter = report.exporter, let key = keys[exporter] else {
            return problem(1, "a key line for the exporter the header names, found none")
        }
        guard Array(SHA256.hash(data: body)) == digest else {
            return problem(number, report.problems.isEmpty
                ? "the digest of the lines before this one, found another though each checks on its own: the header's time (line 1) or this line was altered"
                : "the digest of the lines before this one, found another: the file was altered after it was signed")
        }
        if !key.isValidSignature(signature, for: digest) {
            problem(number, "the exporter \(exporter.short)'s signature over the digest, found one that does not verify")
        }
    }
}
