import Foundation
import Scripting

/// How the REPL dresses its output: colour for the prompt, errors, notices and kubectl-style status
/// words when a person is watching a colour terminal, plain text otherwise (pipes, `NO_COLOR`).
struct OutputStyle: Equatable {
    /// False: every function here returns its text unchanged apart from layout.
    let usesColour: Bool

    /// Colour only for a terminal on standard output, and never when `NO_COLOR` is set to anything
    /// (https://no-color.org) or the terminal says it is dumb.
    static func forStandardOutput(environment: [String: String] = ProcessInfo.processInfo.environment) -> OutputStyle {
        let wanted = environment["NO_COLOR", default: ""].isEmpty && environment["TERM"] != "dumb"
        return OutputStyle(usesColour: wanted && isatty(STDOUT_FILENO) != 0)
    }

    enum Colour: String {
        case red = "31", green = "32", yellow = "33", cyan = "36", bold = "1", dim = "2", boldRed = "1;31"
    }

    /// `text` in a colour, or as it is without colour.
    func paint(_ text: String, _ colour: Colour) -> String {
        usesColour && !text.isEmpty ? "\u{1B}[\(colour.rawValue)m" + text + "\u{1B}[0m" : text
    }

    // MARK: Prompt

    /// The prompt, `[14:12:05] > ` or `>> `. For libedit, `forLineEditor` brackets the escape
    /// sequences with the marker that tells it they take no room on screen.
    func prompt(for core: ReplCore, forLineEditor: Bool) -> String {
        guard usesColour else { return core.prompt }
        let marker = forLineEditor ? "\u{1}" : ""
        func painted(_ text: String, _ colour: Colour) -> String {
            marker + "\u{1B}[\(colour.rawValue)m" + marker + text + marker + "\u{1B}[0m" + marker
        }
        if core.isContinuing { return painted(">>", .dim) + " " }
        return painted("[" + core.promptLabel + "]", .cyan) + " " + painted(">", .bold) + " "
    }

    // MARK: Results and errors

    /// A chunk's output: what it printed and returned (status words coloured), then its error in
    /// red with the traceback dimmed.
    func outcome(_ outcome: ReplCore.Outcome) -> String {
        var parts: [String] = []
        if !outcome.text.isEmpty { parts.append(highlightingStatusWords(outcome.text)) }
        if let error = outcome.error { parts.append(self.error(error)) }
        return parts.joined(separator: "\n")
    }

    func error(_ text: String) -> String {
        let lines = text.components(separatedBy: "\n")
        guard usesColour, let first = lines.first else { return text }
        return ([paint(first, .red)] + lines.dropFirst().map { paint($0, .dim) }).joined(separator: "\n")
    }

    /// A notice, labelled by kind so it reads right without colour too.
    func notice(_ notice: Notice) -> String {
        switch notice.kind {
        case .info: paint(notice.text, .cyan)
        case .warning: paint("warning: " + notice.text, .yellow)
        case .alert: paint(notice.text, .boldRed)
        case .error: error(notice.text)
        }
    }

    // MARK: Status words

    /// kubectl's status words and the colour a person reads them in. Case-sensitive whole words,
    /// so `NotReady` is red and the `Ready` inside it is not green.
    static let statusColours: [String: Colour] = [
        "Running": .green, "Ready": .green,
        "Pending": .yellow, "ContainerCreating": .yellow,
        "CrashLoopBackOff": .red, "Error": .red, "NotReady": .red, "Failed": .red,
    ]

    /// Colours every status word in `text` that stands alone (letters and digits on neither side).
    func highlightingStatusWords(_ text: String) -> String {
        guard usesColour else { return text }
        var result = ""
        var word = ""
        func flush() {
            if let colour = OutputStyle.statusColours[word] { result += paint(word, colour) } else { result += word }
            word = ""
        }
        for character in text {
            if character.isLetter || character.isNumber {
                word.append(character)
            } else {
                flush()
                result.append(character)
            }
        }
        flush()
        return result
    }

    // MARK: Completion listing

    /// Candidates below the line after Tab. A few documented names show their `help` summary, as a
    /// reminder of what each does; many are laid out in columns, like `ls`.
    static func listing(_ candidates: [CompletionCandidate], columns: Int) -> String {
        let shown = Array(candidates.prefix(maximumListed))
        let omitted = candidates.count - shown.count
        var lines: [String]
        if shown.count <= maximumSummarised, shown.allSatisfy({ $0.summary != nil }) {
            let width = (shown.map(\.text.count).max() ?? 0) + 2
            lines = shown.map { candidate in
                let line = candidate.text.padding(toLength: width, withPad: " ", startingAt: 0) + candidate.summary!
                return line.count > columns ? String(line.prefix(max(columns - 1, width))) + "…" : line
            }
        } else {
            lines = inColumns(shown.map(\.text), width: columns)
        }
        if omitted > 0 { lines.append("… (\(omitted) more; type more letters)") }
        return lines.joined(separator: "\n")
    }

    /// At most this many candidates are listed: a long list helps nobody at a prompt.
    static let maximumListed = 200
    /// Up to this many documented candidates are listed one per line with their summaries.
    static let maximumSummarised = 12

    /// Words in columns read top to bottom, then left to right, fitted to the terminal's width.
    static func inColumns(_ words: [String], width: Int) -> [String] {
        guard !words.isEmpty else { return [] }
        let cellWidth = (words.map(\.count).max() ?? 0) + 2
        let columnCount = max(1, width / cellWidth)
        let rowCount = (words.count + columnCount - 1) / columnCount
        return (0..<rowCount).map { row in
            stride(from: row, to: words.count, by: rowCount).map { index in
                words[index].padding(toLength: cellWidth, withPad: " ", startingAt: 0)
            }.joined().droppingTrailingSpaces()
        }
    }
}

extension String {
    func droppingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
