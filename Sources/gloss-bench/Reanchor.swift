import Foundation
import GlossCore

/// `gloss-bench reanchor [--corpus PATH]` runs the re-anchoring corpus and
/// prints, per language, the share of cases anchored to the right span, the
/// shares of fuzzy and orphaned anchors, and every wrong anchor (which makes
/// it exit 1).
enum ReanchorBench {
    static func main(_ arguments: [String]) throws {
        var corpus = "Benchmarks/reanchoring-corpus.json"
        if arguments.count == 2, arguments[0] == "--corpus" { corpus = arguments[1] }
        let outcomes = try ReanchoringCorpus(contentsOf: URL(fileURLWithPath: corpus)).evaluate()
        print("LANGUAGE  CASES  RIGHT SPAN  FUZZY  ORPHANED  WRONG")
        let languages = outcomes.map(\.case.language).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for language in languages + ["all"] {
            let group = outcomes.filter { language == "all" || $0.case.language == language }
            func share(_ count: Int) -> String { String(format: "%.0f%%", 100 * Double(count) / Double(group.count)) }
            let right = group.filter(\.rightSpan).count
            let fuzzy = group.filter { $0.result.state == .fuzzy }.count
            let orphaned = group.filter { $0.result.state == .orphaned }.count
            let wrong = group.filter { $0.verdict == .wrong }.count
            print([language.padding(toLength: 8, withPad: " ", startingAt: 0), String(format: "%5d", group.count),
                   share(right).leftPad(10), share(fuzzy).leftPad(5), share(orphaned).leftPad(8), String(wrong).leftPad(5)].joined(separator: "  "))
        }
        for outcome in outcomes where outcome.verdict != .right {
            print("\(outcome.verdict.rawValue): [\(outcome.case.language)] \(outcome.case.kind): expected \(outcome.case.expect.rawValue), got \(outcome.result.state.rawValue) (score \(outcome.result.score))")
        }
        if outcomes.contains(where: { $0.verdict == .wrong }) { exit(1) }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
