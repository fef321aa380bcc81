import GlossMerge

/// Shows what changed between two texts word by word, as `git diff
/// --word-diff` does: `[-removed-]` and `{+added+}`.
enum WordDiff {
    static func render(from old: String, to new: String) -> String {
        let before = WordMerge.tokens(old)
        var output = ""
        var position = 0
        for hunk in WordMerge.hunks(from: before, to: WordMerge.tokens(new)) {
            output += before[position..<hunk.lower].joined()
            if hunk.lower < hunk.upper { output += "[-" + before[hunk.lower..<hunk.upper].joined() + "-]" }
            if !hunk.replacement.isEmpty { output += "{+" + hunk.replacement.joined() + "+}" }
            position = hunk.upper
        }
        return output + before[position...].joined()
    }
}
