import Foundation
import Training

/// How `firedrill lab` and `firedrill replay` talk to the trainee: the interactive REPL at a
/// terminal, and a plain line loop (no prompts) when standard input is a pipe, as in tests.
enum LabLineLoop {
    /// Runs the lab until it ends, at a terminal or from a pipe.
    static func run(_ live: LiveLab, sessionPath: String, history: HistoryFile?) {
        guard isatty(STDIN_FILENO) != 0 else {
            runPiped(live)
            return
        }
        live.session.replCore.farewellNote = { "Session saved to \(sessionPath)\nGrade it: firedrill grade \(sessionPath)" }
        InteractiveRepl(driver: LabReplDriver(live: live), style: .forStandardOutput(), history: history).run()
    }

    /// Runs lines from a pipe until end of input or `lab.finish()`, then writes the session's end
    /// line. No prompts: the output is what a script of the session would print.
    static func runPiped(_ live: LiveLab) {
        show(live.takeNotices())
        var reason = "end of input"
        while let line = InputLines.next() {
            // What happened before the command (a page, the deploy) is shown before its output.
            if !live.session.isContinuing {
                live.catchUp()
                show(live.takeNotices())
                for notice in live.session.replCore.noticesBetweenCommands() { print(notice.text) }
            }
            if case .output(let text, _) = live.submit(line), !text.isEmpty { print(text) }
            show(live.takeNotices())
            for notice in live.session.replCore.noticesBetweenCommands() { print(notice.text) }
            if live.isFinishRequested {
                reason = "lab.finish()"
                break
            }
        }
        live.finish(reason: reason)
        show(live.takeNotices())
    }

    static func show(_ notices: [LabNotice]) {
        for notice in notices {
            switch notice.kind {
            case .step, .page, .output: print(notice.text)
            case .problem: print("lab: " + notice.text)
            }
        }
        fflush(nil)
    }

    /// Where a session is saved unless `--session` says: `$XDG_STATE_HOME/firedrill/sessions/`
    /// (`~/.local/state/...` by default), named for the lab and the wall-clock time.
    static func defaultSessionPath(lab: String) -> String {
        let environment = ProcessInfo.processInfo.environment
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        let stamp = WallTime.format(Date()).prefix(19).replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
        let base = "\(state)/firedrill/sessions/\(lab)-\(stamp)"
        var path = base + ".jsonl"
        var suffix = 2
        while FileManager.default.fileExists(atPath: path) {
            path = "\(base)-\(suffix).jsonl"
            suffix += 1
        }
        return path
    }
}
