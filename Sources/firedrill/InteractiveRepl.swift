import Foundation
import Scripting

/// The REPL for a person at a terminal: line editing, history, completion, colour, Ctrl-C.
struct InteractiveRepl {
    /// Traceback lines shown under an error at the prompt.
    static let tracebackFrames = 4
    let driver: ReplDriver
    let style: OutputStyle
    let history: HistoryFile?
    /// Printed once before the first prompt; nil for none.
    var greeting: String?

    var core: ReplCore { driver.core }

    /// Runs until Ctrl-D, `exit` or the session finishing itself.
    func run() {
        core.maximumTracebackFrames = InteractiveRepl.tracebackFrames
        InterruptHandling.install(for: core.runtime.lua)
        if let greeting { print(greeting) }
        guard let editor = LineEditor(historySize: history?.limit ?? HistoryFile.defaultLimit,
                                      completion: complete, listing: OutputStyle.listing) else {
            print(style.notice(Notice("line editing is unavailable on this terminal; reading plain lines", kind: .warning)))
            runPlain()
            return
        }
        var recorder = HistoryRecorder(file: history, editor: editor, style: style)
        recorder.loadPrevious()
        let reason = loop(editor: editor, recorder: &recorder)
        print("")
        finish(reason: reason)
    }

    private func finish(reason: String) {
        for notice in driver.leave(reason: reason) { print(style.notice(notice)) }
        if let note = core.farewell() { print(note) }
    }

    /// Reads and runs lines; returns why it stopped.
    private func loop(editor: LineEditor, recorder: inout HistoryRecorder) -> String {
        var chunk: [String] = []
        while true {
            showNotices()
            if driver.isFinishRequested { return "lab.finish()" }
            switch editor.read(prompt: style.prompt(for: core, forLineEditor: true)) {
            case .endOfInput where core.isContinuing:
                dropUnfinished(&chunk)
                print("\n" + style.notice(Notice("unfinished chunk dropped; Ctrl-D again leaves", kind: .warning)))
            case .endOfInput:
                return "end of input"
            case .interrupted:
                print(style.paint("^C", .dim))
                dropUnfinished(&chunk)
            case .line(let line):
                chunk.append(line)
                guard run(line, chunk: &chunk, recorder: &recorder) else { return "exit" }
            }
        }
    }

    /// Submits one line and shows what came of it; false when the trainee asked to leave.
    private func run(_ line: String, chunk: inout [String], recorder: inout HistoryRecorder) -> Bool {
        catchUpBefore()
        let reply = driver.step(line)
        // The terminal does not echo in edit mode: show the Ctrl-C that stopped the command.
        if InterruptHandling.takeInterrupt() { print(style.paint("^C", .dim)) }
        switch reply {
        case .needsMore:
            return true
        case .leave:
            return false
        case .finished(let outcome):
            // A multi-line chunk goes into the history whole, so Up brings it back as one.
            recorder.record(chunk.joined(separator: "\n"))
            chunk.removeAll()
            let text = style.outcome(outcome)
            if !text.isEmpty { print(text) }
            return true
        }
    }

    private func dropUnfinished(_ chunk: inout [String]) {
        driver.cancelPending()
        chunk.removeAll()
    }

    /// Without libedit (a terminal it cannot drive): prompts and plain lines.
    private func runPlain() {
        var reason = "end of input"
        reading: while true {
            showNotices()
            if driver.isFinishRequested {
                reason = "lab.finish()"
                break
            }
            print(style.prompt(for: core, forLineEditor: false), terminator: "")
            fflush(nil)
            guard let line = InputLines.next() else { break }
            catchUpBefore()
            switch driver.step(line) {
            case .needsMore: continue
            case .leave:
                reason = "exit"
                break reading
            case .finished(let outcome):
                let text = style.outcome(outcome)
                if !text.isEmpty { print(text) }
            }
        }
        print("")
        finish(reason: reason)
    }

    private func showNotices() {
        for notice in driver.noticesBetweenCommands() { print(style.notice(notice)) }
    }

    /// What happened while the trainee typed comes before what their command prints.
    private func catchUpBefore() {
        guard !core.isContinuing else { return }
        driver.catchUp()
        showNotices()
    }

    private func complete(head: String) -> CompletionResult? {
        let runtime = core.runtime
        return Completer.complete(head: head, names: LuaNameSource(lua: runtime.lua),
                                  documentation: runtime.documentation, commands: runtime.commandCompletions)
    }
}

/// Keeps the history file and the editor's in-memory history in step, and says once (not on
/// every line) when the file cannot be written.
struct HistoryRecorder {
    let file: HistoryFile?
    let editor: LineEditor
    let style: OutputStyle
    private var warned = false

    init(file: HistoryFile?, editor: LineEditor, style: OutputStyle) {
        self.file = file
        self.editor = editor
        self.style = style
    }

    mutating func loadPrevious() {
        guard let file else { return }
        do {
            for entry in try file.load() { editor.remember(entry) }
        } catch {
            warnOnce(error)
        }
    }

    mutating func record(_ entry: String) {
        guard !entry.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        editor.remember(entry)
        do {
            try file?.append(entry)
        } catch {
            warnOnce(error)
        }
    }

    private mutating func warnOnce(_ error: Error) {
        guard !warned else { return }
        warned = true
        print(style.notice(Notice("\(error)", kind: .warning)))
    }
}
