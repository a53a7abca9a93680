/// The REPL as a function from input lines to output, with `lua`'s semantics: a bare expression
/// prints its values, `=expr` works, an incomplete chunk asks for more lines, and an error prints
/// its message and the REPL goes on. No terminal here: line editing lives in the command.
public final class ReplCore {
    public enum Reply: Equatable {
        /// The chunk is incomplete; show the continuation prompt and read another line.
        case needsMore
        /// The chunk ran (or failed); show this output.
        case output(String, failed: Bool)
    }

    public let runtime: ScriptRuntime
    public var renderOptions = RenderOptions()
    /// Lines of an incomplete chunk so far.
    public private(set) var pendingLines: [String] = []
    public static let chunkName = "=stdin"

    public init(runtime: ScriptRuntime) {
        self.runtime = runtime
    }

    public var isContinuing: Bool { !pendingLines.isEmpty }

    /// Drops a half-typed chunk (Ctrl-C on a continuation line).
    public func cancelPending() { pendingLines.removeAll() }

    /// Takes one line of input.
    public func submit(_ line: String) -> Reply {
        pendingLines.append(line)
        let source = pendingLines.joined(separator: "\n")
        let compiled: LuaFunctionReference
        do {
            compiled = try compile(source, firstLine: pendingLines.count == 1)
        } catch let error as LuaError where ReplCore.isIncomplete(error) {
            return .needsMore
        } catch {
            pendingLines.removeAll()
            return .output(ReplCore.describe(error), failed: true)
        }
        pendingLines.removeAll()
        return run(compiled)
    }

    /// Runs a whole chunk at once (a pasted block, a line from a session file).
    public func evaluate(_ source: String) -> Reply {
        pendingLines.removeAll()
        do {
            return run(try compile(source, firstLine: true))
        } catch {
            return .output(ReplCore.describe(error), failed: true)
        }
    }

    /// An expression first (`return <line>`), as `lua` does, then a statement.
    private func compile(_ source: String, firstLine: Bool) throws -> LuaFunctionReference {
        var source = source
        if source.hasPrefix("=") { source = "return " + source.dropFirst() }
        if firstLine, let expression = try? runtime.lua.compile("return " + source + ";", chunkName: ReplCore.chunkName) {
            return expression
        }
        return try runtime.lua.compile(source, chunkName: ReplCore.chunkName)
    }

    private func run(_ chunk: LuaFunctionReference) -> Reply {
        var printed: [String] = []
        let previousSink = runtime.lua.printSink
        runtime.lua.printSink = { printed.append($0) }
        defer { runtime.lua.printSink = previousSink }
        do {
            let results = try runtime.lua.callRendering(chunk, options: renderOptions)
            if !results.isEmpty { printed.append(results.joined(separator: "\t")) }
            return .output(printed.joined(separator: "\n"), failed: false)
        } catch {
            printed.append(ReplCore.describe(error))
            return .output(printed.joined(separator: "\n"), failed: true)
        }
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
}
