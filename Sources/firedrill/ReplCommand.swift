import ArgumentParser
import Foundation
import Scripting

struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Open a Lua REPL on a fresh world.",
        discussion: """
        A bare expression prints its values, `=expr` works, an incomplete chunk asks for more lines.
        In a terminal: Tab completes names, fields and command words; Up and Ctrl-R search the
        history ($XDG_STATE_HOME/firedrill/history); Ctrl-C stops a running command or clears the
        line; Ctrl-D or `exit` leaves. Colour is off when NO_COLOR is set.
        With standard input from a pipe it runs the lines without prompts, and exits non-zero if
        any of them failed.
        """
    )

    @OptionGroup var world: WorldOptions

    @Flag(help: "Neither read nor save the history file.")
    var noHistory = false

    func run() throws {
        let runtime = try world.makeRuntime()
        let core = ReplCore(runtime: runtime)
        if isatty(STDIN_FILENO) != 0 {
            InteractiveRepl(core: core, style: .forStandardOutput(), history: historyFile()).run()
        } else {
            try PipedRepl(core: core).run()
        }
    }

    private func historyFile() -> HistoryFile? {
        guard !noHistory, let location = HistoryFile.defaultLocation() else { return nil }
        return HistoryFile(location: location)
    }
}

/// The REPL for a person at a terminal: line editing, history, completion, colour, Ctrl-C.
struct InteractiveRepl {
    let core: ReplCore
    let style: OutputStyle
    let history: HistoryFile?

    func run() {
        InterruptHandling.install(for: core.runtime.lua)
        let runtime = core.runtime
        print("Firedrill \(FiredrillVersion.current) — scenario \(runtime.scenario.name), seed \(runtime.world.seed). "
            + "help() lists what you can do; Tab completes; Ctrl-D leaves.")
        guard let editor = LineEditor(historySize: history?.limit ?? HistoryFile.defaultLimit,
                                      completion: complete, listing: OutputStyle.listing) else {
            print(style.notice(Notice("line editing is unavailable on this terminal; reading plain lines", kind: .warning)))
            runPlain()
            return
        }
        var recorder = HistoryRecorder(file: history, editor: editor, style: style)
        recorder.loadPrevious()
        loop(editor: editor, recorder: &recorder)
        print("")
        if let note = core.farewell() { print(note) }
    }

    private func loop(editor: LineEditor, recorder: inout HistoryRecorder) {
        var chunk: [String] = []
        while true {
            showNotices()
            switch editor.read(prompt: style.prompt(for: core, forLineEditor: true)) {
            case .endOfInput where core.isContinuing:
                core.cancelPending()
                chunk.removeAll()
                print("\n" + style.notice(Notice("unfinished chunk dropped; Ctrl-D again leaves", kind: .warning)))
            case .endOfInput:
                return
            case .interrupted:
                // The line (and any unfinished chunk) is dropped; a fresh prompt follows.
                print(style.paint("^C", .dim))
                core.cancelPending()
                chunk.removeAll()
            case .line(let line):
                chunk.append(line)
                let reply = core.submit(line)
                // The terminal does not echo in edit mode: show the Ctrl-C, as for a line cleared.
                if InterruptHandling.takeInterrupt() { print(style.paint("^C", .dim)) }
                switch reply {
                case .needsMore:
                    continue
                case .leave:
                    return
                case .finished(let outcome):
                    recorder.record(chunk.joined(separator: "\n"))
                    chunk.removeAll()
                    let text = style.outcome(outcome)
                    if !text.isEmpty { print(text) }
                }
            }
        }
    }

    /// Without libedit (a terminal it cannot drive): prompts and plain lines.
    private func runPlain() {
        while true {
            showNotices()
            print(style.prompt(for: core, forLineEditor: false), terminator: "")
            fflush(nil)
            guard let line = readLine(strippingNewline: true) else { break }
            switch core.submit(line) {
            case .needsMore: continue
            case .leave: return
            case .finished(let outcome):
                let text = style.outcome(outcome)
                if !text.isEmpty { print(text) }
            }
        }
        print("")
    }

    private func showNotices() {
        for notice in core.noticesBetweenCommands() { print(style.notice(notice)) }
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

/// The REPL reading a script from a pipe: no prompts, no colour, and a non-zero exit if any chunk
/// failed, as `lua < script` would.
struct PipedRepl {
    let core: ReplCore

    func run() throws {
        // Whoever reads a piped script's errors later has no prompt to retry at: show it all.
        core.maximumTracebackFrames = .max
        var failures = 0
        reading: while let line = readLine(strippingNewline: true) {
            switch core.submit(line) {
            case .needsMore:
                continue
            case .leave:
                break reading
            case .finished(let outcome):
                if outcome.failed { failures += 1 }
                if !outcome.combined.isEmpty { print(outcome.combined) }
            }
            for notice in core.noticesBetweenCommands() { print(OutputStyle(usesColour: false).notice(notice)) }
        }
        if core.isContinuing {
            print(ReplCore.describe(LuaError(kind: .syntax, message: "stdin: unfinished chunk at end of input")))
            failures += 1
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
