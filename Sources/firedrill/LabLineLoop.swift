import Foundation
import Training

/// A plain line loop for `firedrill lab` and `firedrill replay` until the lab plugs into the new
/// REPL: prompts only on a terminal, notices printed between commands. Everything it does goes
/// through `LiveLab`'s small API (`submit`, `prompt`, `takeNotices`, `finish`), which is what
/// the REPL will call instead.
enum LabLineLoop {
    /// Runs until end of input or `lab.finish()`, then writes the session's end line.
    static func run(_ live: LiveLab, interactive: Bool) {
        show(live.takeNotices())
        var reason = "end of input"
        while true {
            if interactive {
                print(live.prompt, terminator: "")
                fflush(nil)
            }
            guard let line = readLine(strippingNewline: true) else { break }
            if case .output(let text, _) = live.submit(line), !text.isEmpty { print(text) }
            show(live.takeNotices())
            if live.isFinishRequested {
                reason = "lab.finish()"
                break
            }
        }
        if interactive && reason == "end of input" { print("") }
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
