import ArgumentParser
import Foundation
import Scripting

struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Open a Lua REPL on a fresh world.",
        discussion: """
        A bare expression prints its values, `=expr` works, an incomplete chunk asks for more lines.
        With standard input from a pipe it runs the lines without prompts.
        """
    )

    @OptionGroup var world: WorldOptions

    func run() throws {
        let runtime = try world.makeRuntime()
        let interactive = isatty(STDIN_FILENO) != 0
        let core = ReplCore(runtime: runtime)
        if interactive {
            print("Firedrill \(FiredrillVersion.current) — scenario \(runtime.scenario.name), seed \(runtime.world.seed). help() lists what you can do; Ctrl-D leaves.")
        }
        var failures = 0
        while true {
            if interactive {
                let clock = runtime.world.calendarNow.clock
                print(core.isContinuing ? ">> " : "[\(clock)] > ", terminator: "")
                fflush(nil)
            }
            guard let line = readLine(strippingNewline: true) else { break }
            switch core.submit(line) {
            case .needsMore:
                continue
            case .output(let text, let failed):
                if failed { failures += 1 }
                if !text.isEmpty { print(text) }
            }
            for error in runtime.drainCallbackErrors() { print("callback failed: " + ReplCore.describe(error)) }
        }
        if core.isContinuing {
            print(ReplCore.describe(LuaError(kind: .syntax, message: "stdin: unfinished chunk at end of input")))
            failures += 1
        }
        if interactive { print("") }
        // A piped script that failed should fail the pipeline, as `lua < script` would.
        if !interactive && failures > 0 { throw ExitCode(1) }
    }
}
