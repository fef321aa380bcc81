/// Where an annotation stands in review.
public enum Status: String, CaseIterable, Sendable, Codable {
    case open, checked, verified, disputed
}

/// Why an annotation was made: the W3C Web Annotation motivations.
public enum Motivation: String, CaseIterable, Sendable, Codable {
    case assessing, bookmarking, classifying, commenting, describing, editing, highlighting,
         identifying, linking, moderating, questioning, replying, tagging
}

/// The rules for tag labels: short, one word, no control characters.
public enum Tag {
    public static let maximumLength = 64

    /// Why `tag` is not a valid label, or nil when it is.
    public static func problem(with tag: String) -> String? {
        if tag.isEmpty { return "a tag of at least one character" }
        // Printable ASCII without spaces, the usual tag, passes every rule
        // below; checking its bytes spares the Unicode property lookups.
        if tag.utf8.count <= maximumLength, tag.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) { return nil }
        if tag.unicodeScalars.count > maximumLength {
            return "a tag of at most \(maximumLength) characters, found \(tag.unicodeScalars.count)"
        }
        if tag.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
            return "a tag without spaces or control characters, found \"\(tag)\""
        }
        if !tag.isNFC { return "an NFC-normalised tag" }
        return nil
    }
}

/// The largest note, in bytes of UTF-8.
public let maximumNoteBytes = 1 << 20
