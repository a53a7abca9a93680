import Foundation
import Testing

/// A scenario file in the style of etcd-io/raft's datadriven tests: commands in operator words,
/// each followed by `----` and the output it must print, then a blank line. Lines starting with
/// `#` are comments. Run with `FIREDRILL_REWRITE=1` to write the actual outputs back into the
/// files (then read the diff before committing it).
struct DataDrivenFile {
    struct Case {
        let line: Int
        let command: String
        let expected: String
    }

    let path: URL
    let cases: [Case]
    /// Text between cases (comments, blank lines), kept for rewriting.
    private let leadingText: [String]
    private let trailingText: String

    init(path: URL) throws {
        self.path = path
        let lines = try String(contentsOf: path, encoding: .utf8).components(separatedBy: "\n")
        var cases: [Case] = []
        var leading: [String] = []
        var pending: [String] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty {
                pending.append(line)
                index += 1
                continue
            }
            let commandLine = index + 1
            var command = [line]
            index += 1
            while index < lines.count, lines[index] != "----" {
                command.append(lines[index])
                index += 1
            }
            precondition(index < lines.count, "\(path.lastPathComponent):\(commandLine): command without ----")
            index += 1
            var output: [String] = []
            while index < lines.count, !lines[index].isEmpty {
                output.append(lines[index])
                index += 1
            }
            leading.append(pending.joined(separator: "\n"))
            pending = []
            cases.append(Case(line: commandLine, command: command.joined(separator: "\n"), expected: output.joined(separator: "\n")))
        }
        self.cases = cases
        self.leadingText = leading
        self.trailingText = pending.joined(separator: "\n")
    }

    static var isRewriting: Bool { ProcessInfo.processInfo.environment["FIREDRILL_REWRITE"] == "1" }

    /// Runs every case through `run`, comparing (or rewriting) outputs.
    func check(_ run: (String) -> String) throws {
        var actual: [String] = []
        for testCase in cases {
            let output = run(testCase.command).trimmingCharacters(in: .newlines)
            actual.append(output)
            if !DataDrivenFile.isRewriting {
                #expect(output == testCase.expected, """
                    \(path.lastPathComponent):\(testCase.line): \(testCase.command)
                    expected:
                    \(testCase.expected)
                    actual:
                    \(output)
                    replay: swift test --filter EtcdScenarioTests (FIREDRILL_REWRITE=1 rewrites the file)
                    """)
            }
        }
        guard DataDrivenFile.isRewriting else { return }
        var text = ""
        for (position, testCase) in cases.enumerated() {
            if !leadingText[position].isEmpty || position > 0 { text += leadingText[position] + "\n" }
            text += testCase.command + "\n----\n"
            if !actual[position].isEmpty { text += actual[position] + "\n" }
        }
        text += trailingText.isEmpty ? "" : trailingText + "\n"
        try text.write(to: path, atomically: true, encoding: .utf8)
    }
}
