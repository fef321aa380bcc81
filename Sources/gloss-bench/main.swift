import Foundation

/// gloss-bench: measurements that anyone can run.
///
///     swift run -c release gloss-bench [--n 10000,100000] [--large] [--runs 5] [--only 1,3] [--json FILE]
///     swift run -c release gloss-bench reanchor [--corpus PATH]
///     swift run -c release gloss-bench delta ORIGIN REPLICA [--runs R]
///
/// Without a subcommand it runs the scenarios of `Benchmarks/BENCHMARKS.md`
/// at each size, prints a table of medians and writes every run as JSON
/// (default `Benchmarks/results/gloss.json`), which `Benchmarks/compare-git.sh` reads.
let usage = "usage: gloss-bench [--n N,N...] [--large] [--runs R] [--only 1,2,...,9] [--json FILE] [--seed FILE] [--keep] | gloss-bench reanchor [--corpus PATH] | gloss-bench delta ORIGIN REPLICA [--runs R]\n"

func parseOptions(_ arguments: [String]) throws -> BenchOptions {
    var options = BenchOptions()
    var rest = arguments[...]
    func value(_ flag: String) throws -> String {
        guard let value = rest.popFirst() else { throw BenchError("expected a value after \(flag)") }
        return value
    }
    func numbers(_ text: String, _ flag: String) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.replacingOccurrences(of: "_", with: "")) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { throw BenchError("expected \(flag) as positive numbers, found \"\(text)\"") }
        return values.map { $0! }
    }
    while let flag = rest.popFirst() {
        switch flag {
        case "--n": options.sizes = try numbers(value(flag), flag)
        case "--large": options.sizes.append(1_000_000)
        case "--runs": options.runs = try numbers(value(flag), flag)[0]
        case "--only": options.only = Set(try numbers(value(flag), flag))
        case "--json": options.json = try value(flag)
        case "--seed": options.seed = try value(flag)
        case "--gloss": options.gloss = try value(flag)
        case "--keep": options.keep = true
        default: throw BenchError("unknown option \"\(flag)\"")
        }
    }
    return options
}

func printTable(_ figures: [Figure], sizes: [Int]) {
    let names: [(String, String)] = [
        ("cli-edit", "1 one CLI edit, whole process"), ("local-edits", "2 edits written locally"),
        ("full-sync", "3 full sync (clone over TLS)"), ("raw-sqlite-insert", "  raw SQLite insert, same rows"),
        ("delta-sync-100", "4 delta sync, 100 changes"), ("noop-sync-in-process", "  no-op sync, same session"),
        ("noop-sync-cli", "5 no-op sync from the CLI"),
        ("bytes-per-change", "6 bytes on disk per change"), ("merge-1000x2", "7 merge, 1,000 conflicts each way"),
        ("full-sync-peak-memory", "8 peak memory, full sync"), ("catch-up-sync", "9 catch-up sync, n/2 changes (CLI)"),
    ]
    print("scenario".padding(toLength: 36, withPad: " ", startingAt: 0) + "unit     " + sizes.map { "n=\($0)".leftPad(12) }.joined())
    for (key, label) in names {
        let rows = figures.filter { $0.scenario == key }
        guard let unit = rows.first?.unit else { continue }
        let cells = key == "merge-1000x2"
            ? [String(format: "%.3f", rows[0].median).leftPad(12)]
            : sizes.map { size in rows.first { $0.n == size }.map { String(format: $0.median >= 100 ? "%.0f" : "%.3f", $0.median) } ?? "-" }.map { $0.leftPad(12) }
        print(label.padding(toLength: 36, withPad: " ", startingAt: 0) + unit.padding(toLength: 9, withPad: " ", startingAt: 0) + cells.joined())
    }
}

struct Report: Encodable {
    var date: String
    var machine: String
    var runs: Int
    var figures: [Figure]
}

do {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "reanchor" {
        try ReanchorBench.main(Array(arguments.dropFirst()))
        exit(0)
    }
    if arguments.first == "delta" {
        try await DeltaBench.main(Array(arguments.dropFirst()))
        exit(0)
    }
    let options = try parseOptions(arguments)
    guard FileManager.default.isExecutableFile(atPath: options.gloss) else {
        throw BenchError("expected the gloss executable at \(options.gloss); build it (swift build -c release --static-swift-stdlib --product gloss) or pass --gloss PATH")
    }
    let scenarios = try Scenarios(options: options)
    for size in options.sizes { try await scenarios.run(n: size) }
    if scenarios.wants(7) { try await scenarios.merge() }
    scenarios.finish()
    printTable(scenarios.figures, sizes: options.sizes)

    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let machine = "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString)"
    let report = Report(date: ISO8601DateFormatter().string(from: Date()), machine: machine, runs: options.runs, figures: scenarios.figures)
    let url = URL(fileURLWithPath: options.json)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try encoder.encode(report).write(to: url)
    FileHandle.standardError.write(Data("wrote \(options.json)\n".utf8))
} catch {
    FileHandle.standardError.write(Data("gloss-bench: \(error)\n\(usage)".utf8))
    exit(1)
}
