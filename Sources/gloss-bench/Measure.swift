import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock timing, medians, and child processes with their peak memory.
enum Measure {
    /// Seconds since an arbitrary start, monotonic.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// How long `body` takes, in seconds.
    static func seconds<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = now()
        let result = try body()
        return (result, now() - start)
    }

    static func seconds<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
        let start = now()
        let result = try await body()
        return (result, now() - start)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    struct ChildResult {
        var status: Int32
        var seconds: Double
        /// The child's peak resident memory in bytes, when run `measuringMemory`.
        var peakMemory: Int?
        var stdout: String
        var stderr: String
    }

    /// GNU time, which reports the peak resident memory of the command it
    /// runs. `wait4`'s figure for a child cannot: Linux starts it from the
    /// high-water mark of the process that spawned the child (it carries it
    /// across `exec`), here the benchmark with its workspaces in memory.
    static let time = "/usr/bin/time"

    /// Runs `executable` with `arguments` and waits; its wall time and, when
    /// `measuringMemory`, its peak resident memory (through ``time``, whose
    /// own start the wall time then includes: about a millisecond).
    static func run(_ executable: String, _ arguments: [String], measuringMemory: Bool = false) throws -> ChildResult {
        if measuringMemory && !FileManager.default.isExecutableFile(atPath: time) {
            throw BenchError("expected GNU time at \(time) to measure peak memory (Debian: apt install time)")
        }
        let (program, arguments) = measuringMemory ? (time, ["-f", "%M", executable] + arguments) : (executable, arguments)
        let stdoutFile = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).out")
        let stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).err")
        defer {
            try? FileManager.default.removeItem(at: stdoutFile)
            try? FileManager.default.removeItem(at: stderrFile)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdoutFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = now()
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard spawned == 0 else { throw BenchError("cannot run \(program): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let elapsed = now() - start
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        var stderr = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
        var peakMemory: Int?
        if measuringMemory {
            // time writes the peak (KiB) as the last line of stderr.
            var lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
            while lines.last?.isEmpty == true { lines.removeLast() }
            guard let kibibytes = lines.popLast().flatMap({ Int($0) }) else {
                throw BenchError("expected \(time)'s peak memory as the last line of stderr, found \"\(stderr)\"")
            }
            peakMemory = kibibytes * 1024
            stderr = lines.joined(separator: "\n")
        }
        return ChildResult(status: exitStatus, seconds: elapsed, peakMemory: peakMemory,
                           stdout: (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "", stderr: stderr)
    }

    /// Runs a command that must succeed.
    @discardableResult
    static func succeed(_ executable: String, _ arguments: [String], measuringMemory: Bool = false) throws -> ChildResult {
        let result = try run(executable, arguments, measuringMemory: measuringMemory)
        guard result.status == 0 else {
            throw BenchError("\(executable) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result
    }

    /// The bytes of every file under `folder`.
    static func bytes(under folder: URL) -> Int {
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey])
        var total = 0
        while let file = files?.nextObject() as? URL {
            total += (try? file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
        }
        return total
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
