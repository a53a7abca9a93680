import ArgumentParser
import Foundation
import Scripting

/// The REPL reading a script from a pipe: no prompts, no colour, and a non-zero exit if any chunk
/// failed, as `lua < script` would.
struct PipedRepl {
    let core: ReplCore

    func run() throws {
        var failures = 0
        reading: while let line = InputLines.next() {
            switch core.step(line) {
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
