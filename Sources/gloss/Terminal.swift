import Foundation

/// What gloss writes to a terminal is shown, never obeyed. Notes, names,
/// titles and statement texts come from other devices, and a control
/// character in them (an escape sequence) would otherwise recolour, clear
/// or retitle the user's terminal, or hide what was printed before it.
/// Written to a pipe or a file, output stays exact.
enum Terminal {
    static let standardOutputIsTerminal = isatty(STDOUT_FILENO) == 1

    /// A control character (Unicode's category Cc: C0, DEL and C1), as
    /// `Change` validation and tag rules name it.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.generalCategory == .control }

    /// `text` with every control character but a line feed, a tab and a
    /// carriage return before a line feed shown as "�" (U+FFFD).
    static func shown(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        func isObeyed(_ index: Int) -> Bool {
            let scalar = scalars[index]
            guard isControl(scalar) else { return false }
            if scalar == "\n" || scalar == "\t" { return false }
            return !(scalar == "\r" && index + 1 < scalars.count && scalars[index + 1] == "\n")
        }
        guard scalars.indices.contains(where: isObeyed) else { return text }
        var shown = String.UnicodeScalarView()
        for index in scalars.indices { shown.append(isObeyed(index) ? "\u{FFFD}" : scalars[index]) }
        return String(shown)
    }

    /// Writes "gloss: `message`" as one line on standard error. A control
    /// character in the message (from a name or an argument it quotes) is
    /// written as its escape, "\n" or "\u{1B}", so that it neither breaks
    /// the line nor acts on a terminal.
    static func writeError(_ message: String) {
        var line = "gloss: "
        for scalar in message.unicodeScalars {
            if isControl(scalar) {
                line += scalar.escaped(asASCII: false)
            } else {
                line.unicodeScalars.append(scalar)
            }
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Every `print` of gloss: Swift's, through ``Terminal/shown(_:)`` when
/// standard output is a terminal.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator) + terminator
    Swift.print(Terminal.standardOutputIsTerminal ? Terminal.shown(text) : text, terminator: "")
}
