import Foundation
import GlossCore
import GlossStore

/// `gloss-bench delta ORIGIN REPLICA [--runs R]`: scenario 4 on workspaces
/// a run with `--keep` left behind, so that the delta at 1,000,000 can be
/// measured and profiled again without writing a million edits first.
/// ORIGIN is served in process; REPLICA (one of its clones) pulls.
enum DeltaBench {
    static func main(_ arguments: [String]) async throws {
        var paths: [String] = [], runs = 9
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument == "--runs" {
                guard let value = rest.popFirst().flatMap(Int.init), value > 0 else { throw BenchError("expected a positive number after --runs") }
                runs = value
            } else {
                paths.append(argument)
            }
        }
        guard paths.count == 2 else { throw BenchError("expected two workspaces, ORIGIN and REPLICA, found \(paths.count)") }
        let origin = try Store.open(WorkspaceFolder(root: URL(fileURLWithPath: paths[0])))
        let replica = try Store.open(WorkspaceFolder(root: URL(fileURLWithPath: paths[1])))
        let annotations = try origin.annotations().map(\.id)
        guard !annotations.isEmpty else { throw BenchError("expected annotations in \(paths[0]), found none") }
        var clock = Int(Date().timeIntervalSince1970 * 1000)
        // Edits go round the annotations from the origin's count, as the scenario's do.
        let first = try origin.changeCount()

        let (port, serving) = try await Scenarios.serve(origin)
        defer { serving.cancel() }
        // Whatever the origin holds that the replica lacks (an interrupted run's edits) is not part of a measured sync.
        _ = try await Scenarios.pull(into: replica, port: port)
        let (noop, delta) = try await Scenarios.syncs(into: replica, port: port, runs: runs) { run in
            for k in first + 100 * run..<first + 100 * (run + 1) {
                clock += 1
                try edit(origin, annotations[k % annotations.count], k, now: clock)
            }
            origin.checkpointer.waitUntilIdle()
        }
        func line(_ name: String, _ runs: [Double]) -> String {
            "\(name): median \(String(format: "%.1f", Measure.median(runs))) ms; runs " + runs.map { String(format: "%.1f", $0) }.joined(separator: " ")
        }
        print(line("no-op sync", noop))
        print(line("delta sync, 100 changes", delta))
    }

    /// Edit `k`: a note, a status or a tag in turn, as the scenario's edits;
    /// each changes something, and an annotation keeps at most five tags
    /// (the five last in name order), whatever the runs before left.
    static func edit(_ store: Store, _ annotation: EntityID, _ k: Int, now: Int) throws {
        let current = try store.annotation(annotation)
        let statuses: [Status] = [.checked, .verified, .disputed, .open]
        let edit = switch k % 3 {
        case 0: AnnotationEdit(note: "delta edit \(k): the ICJ calls the charges spurious")
        case 1: AnnotationEdit(status: statuses[(statuses.firstIndex(of: current.status).map { $0 + 1 } ?? 0) % statuses.count])
        default: AnnotationEdit(addedTags: ["d\(k)"], removedTags: Array(current.tags.sorted().dropLast(4)))
        }
        _ = try store.edit(annotation, edit, now: now)
    }
}
