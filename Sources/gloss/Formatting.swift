import Foundation
import GlossCore
import GlossMerge

/// How times, people and long text are shown on an 80-column terminal.
enum Format {
    /// "2026-11-29 07:10:03 UTC": ``HLCTimestamp/iso8601`` to the second.
    static func time(_ clock: HLCTimestamp) -> String {
        clock.iso8601.prefix(19).replacingOccurrences(of: "T", with: " ") + " UTC"
    }

    /// "alice (ABCDEFG)", or the short device id alone for a non-member.
    static func person(_ device: DeviceID, _ members: [DeviceID: String]) -> String {
        members[device].map { "\($0) (\(device.short))" } ?? device.short
    }

    /// `text` on one line, cut to `width` characters with an ellipsis.
    static func line(_ text: String, width: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard flat.count > width else { return flat }
        return String(flat.prefix(max(0, width - 1))) + "…"
    }

    /// "1 change", "3 changes".
    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// `text` padded with spaces to `width` characters.
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// A score in thousandths as "0.97".
    static func score(_ thousandths: Int) -> String {
        String(format: "%.2f", Double(thousandths) / 1000)
    }

    /// Parses a time given on the command line: `YYYY-MM-DD`,
    /// `YYYY-MM-DDTHH:MM[:SS]` or either with a `Z` or an offset; UTC when
    /// no zone is given. Returns milliseconds since 1970.
    static func parseTime(_ text: String) -> Int? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for pattern in ["yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mmXXXXX",
                        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            formatter.dateFormat = pattern
            if let date = formatter.date(from: text) {
                return Int(date.timeIntervalSince1970 * 1000)
            }
        }
        return nil
    }

    /// Prints `value` as one JSON document.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

extension ChangeOperation {
    /// A short human summary: `note`, `status=checked`, `+legal`, `admit Dara`.
    var summary: String {
        switch self {
        case .set(let field, .string(let value)) where ["status", "motivation", "published"].contains(field): "\(field)=\(value)"
        case .set(let field, _): field
        case .addTag(let tag): "+\(tag)"
        case .removeTag(let tag): "-\(tag)"
        case .delete: "delete"
        case .restore: "restore"
        case .admit(let device, let name): "admit \(name) (\(device.short))"
        case .revoke(let device, let lastSeq): "revoke \(device.short) after \(lastSeq)"
        }
    }
}
