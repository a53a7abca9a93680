/// The REPL as a function from input lines to output, with `lua`'s semantics: a bare expression
/// prints its values, `=expr` works, an incomplete chunk asks for more lines, and an error prints
/// its message and the REPL goes on. No terminal here: line editing lives in the command.
public final class ReplCore {
    /// One line's fate, as `lua` would have it; what labs and session replay build on.
    public enum Reply: Equatable {
        /// The chunk is incomplete; show the continuation prompt and read another line.
        case needsMore
        /// The chunk ran (or failed); show this output.
        case output(String, failed: Bool)
    }

    /// One line's fate at the interactive prompt: the outcome keeps the error apart, so the
    /// terminal can colour it, and `exit` leaves.
    public enum Step: Equatable {
        case needsMore
        case finished(Outcome)
        /// The trainee typed `exit` (or `quit`) on a line of its own.
        case leave
    }

    /// What one chunk produced, in the parts the command styles differently.
    public struct Outcome: Equatable, Sendable {
        /// What the chunk printed, then its results, one per tab; empty when there was nothing.
        public var text: String
        /// The error as the REPL shows it (message, then a short traceback), or nil if it ran.
        public var error: String?

        public init(text: String, error: String? = nil) {
            self.text = text
            self.error = error
        }

        public var failed: Bool { error != nil }

        /// Everything, in the order it happened, as plain text.
        public var combined: String {
            [text, error ?? ""].filter { !$0.isEmpty }.joined(separator: "\n")
        }
    }

    public let runtime: ScriptRuntime
    public var renderOptions = RenderOptions()
    /// Lines of an incomplete chunk so far.
    public private(set) var pendingLines: [String] = []
    /// Extra words for the prompt after the clock, such as a lab's `step 2/5`; nil shows the clock
    /// alone. A lab sets this when it starts.
    public var promptDecoration: (() -> String?)?
    /// What to tell the trainee on the way out, such as where the session was recorded; a
    /// session sets this when it starts recording.
    public var farewellNote: (() -> String?)?
    public static let chunkName = "=stdin"
    /// Traceback lines an error shows before "… (n more)", with host and sandbox frames hidden;
    /// nil shows the whole traceback as `lua` does (what labs record). The interactive REPL
    /// shows a few, since the top frames say what went wrong.
    public var maximumTracebackFrames: Int?
    /// What leaves the REPL when typed alone on a line, as in Python.
    static let exitWords: Set<String> = ["exit", "exit()", "quit", "quit()"]

    public init(runtime: ScriptRuntime) {
        self.runtime = runtime
    }

    public var isContinuing: Bool { !pendingLines.isEmpty }

    /// The words inside the prompt's brackets: the simulated clock, and a lab's step if any.
    public var promptLabel: String {
        let clock = runtime.world.calendarNow.clock
        guard let decoration = promptDecoration?(), !decoration.isEmpty else { return clock }
        return clock + " " + decoration
    }

    /// `[14:12:05] > `, or `>> ` while a chunk continues.
    public var prompt: String { isContinuing ? ReplCore.continuationPrompt : "[\(promptLabel)] > " }
    public static let continuationPrompt = ">> "

    /// Drops a half-typed chunk (Ctrl-C on a continuation line).
    public func cancelPending() { pendingLines.removeAll() }

    /// Takes one line of input (or several, when a multi-line chunk comes back from history).
    public func submit(_ line: String) -> Reply {
        switch take(line) {
        case .finished(let outcome): .output(outcome.combined, failed: outcome.failed)
        case .needsMore, .leave: .needsMore
        }
    }

    /// Takes one line at the interactive prompt, where `exit` alone on a line leaves.
    public func step(_ line: String) -> Step {
        if !isContinuing, ReplCore.exitWords.contains(line.withoutSurroundingWhitespace) { return .leave }
        return take(line)
    }

    /// Runs a whole chunk at once (a pasted block, a line from a session file).
    public func evaluate(_ source: String) -> Reply {
        let outcome = evaluateOutcome(source)
        return .output(outcome.combined, failed: outcome.failed)
    }

    /// `evaluate`, with the error kept apart.
    public func evaluateOutcome(_ source: String) -> Outcome {
        pendingLines.removeAll()
        do {
            return run(try compile(source, firstLine: true))
        } catch {
            return Outcome(text: "", error: describeForTrainee(error))
        }
    }

    private func take(_ line: String) -> Step {
        pendingLines.append(line)
        let source = pendingLines.joined(separator: "\n")
        let compiled: LuaFunctionReference
        do {
            compiled = try compile(source, firstLine: pendingLines.count == 1)
        } catch let error as LuaError where ReplCore.isIncomplete(error) {
            return .needsMore
        } catch {
            pendingLines.removeAll()
            return .finished(Outcome(text: "", error: describeForTrainee(error)))
        }
        pendingLines.removeAll()
        return .finished(run(compiled))
    }

    /// What arrived while the last command ran, to show before the next prompt: queued notices,
    /// then errors raised by callbacks (`sim.every` and friends) that no `sim.advance` reported.
    public func noticesBetweenCommands() -> [Notice] {
        runtime.drainNotices() + runtime.drainCallbackErrors().map {
            Notice("callback failed: " + describeForTrainee($0), kind: .error)
        }
    }

    /// The last words on leaving: the farewell note, if any.
    public func farewell() -> String? { farewellNote?() }

    /// An expression first (`return <line>`), as `lua` does, then a statement.
    private func compile(_ source: String, firstLine: Bool) throws -> LuaFunctionReference {
        var source = source
        if source.hasPrefix("=") { source = "return " + source.dropFirst() }
        if firstLine, let expression = try? runtime.lua.compile("return " + source + ";", chunkName: ReplCore.chunkName) {
            return expression
        }
        return try runtime.lua.compile(source, chunkName: ReplCore.chunkName)
    }

    private func run(_ chunk: LuaFunctionReference) -> Outcome {
        var printed: [String] = []
        let previousSink = runtime.lua.printSink
        runtime.lua.printSink = { printed.append($0) }
        defer { runtime.lua.printSink = previousSink }
        do {
            let results = try runtime.runCommand { try runtime.lua.callRendering(chunk, options: renderOptions) }
            if !results.isEmpty { printed.append(results.joined(separator: "\t")) }
            return Outcome(text: printed.joined(separator: "\n"))
        } catch {
            return Outcome(text: printed.joined(separator: "\n"), error: describeForTrainee(error))
        }
    }

    private func describeForTrainee(_ error: Error) -> String {
        guard let maximumTracebackFrames else { return ReplCore.describe(error) }
        return ReplCore.describe(error, maximumFrames: maximumTracebackFrames)
    }

    static func isIncomplete(_ error: LuaError) -> Bool {
        error.kind == .syntax && error.message.hasSuffix("<eof>")
    }

    /// An error as the REPL shows it: the message, then the traceback without the frames of the
    /// host (the C trampoline and `[C]` entries people cannot act on).
    public static func describe(_ error: Error) -> String {
        guard let error = error as? LuaError else { return "error: \(error)" }
        let frames = error.traceback.filter { !$0.hasPrefix("[C]:") }
        guard !frames.isEmpty else { return error.message }
        return error.message + "\nstack traceback:\n" + frames.map { "\t" + $0 }.joined(separator: "\n")
    }

    /// The short form for a person at the prompt: the message without any traceback it carried
    /// across the bridge (a callback's error re-raised by `sim.advance`), then at most
    /// `maximumFrames` frames of the trainee's own code; host and sandbox frames are hidden.
    public static func describe(_ error: Error, maximumFrames: Int) -> String {
        guard let error = error as? LuaError else { return "error: \(error)" }
        let message = error.message.components(separatedBy: "\nstack traceback:\n")[0]
        let frames = error.traceback.filter(isTraineeFrame)
        guard !frames.isEmpty else { return message }
        var shown = frames.prefix(maximumFrames).map { "\t" + $0 }
        if frames.count > maximumFrames { shown.append("\t… (\(frames.count - maximumFrames) more)") }
        return message + "\nstack traceback:\n" + shown.joined(separator: "\n")
    }

    /// Frames a trainee can act on: not the C side, not the sandbox's own Lua, not elided calls,
    /// nor the heading of a callback's traceback carried inside the message.
    static func isTraineeFrame(_ frame: String) -> Bool {
        !frame.hasPrefix("[C]:") && !frame.hasPrefix("sandbox:") && frame != "(...tail calls...)"
            && frame != "stack traceback:"
    }
}

extension String {
    /// The text without leading and trailing whitespace.
    var withoutSurroundingWhitespace: String {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? endIndex
        return start < end ? String(self[start..<end]) : ""
    }
}
