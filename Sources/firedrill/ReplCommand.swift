import ArgumentParser
import Foundation
import KubeAPI
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

    @OptionGroup var api: APIOptions

    func run() throws {
        let runtime = try world.makeRuntime()
        let core = ReplCore(runtime: runtime)
        try APIService.start(api, defaultKubeconfig: APIService.kubeconfigBeside(LabLineLoop.defaultSessionPath(lab: "repl"))) { request in
            KubeAPIHandler.answer(request, runtime: runtime)
        }
        defer { APIService.stop() }
        if isatty(STDIN_FILENO) != 0 {
            let greeting = "Firedrill \(FiredrillVersion.current) — scenario \(runtime.scenario.name), seed \(runtime.world.seed). "
                + "help() lists what you can do; Tab completes; Ctrl-D leaves."
            InteractiveRepl(driver: WorldReplDriver(core: core), style: .forStandardOutput(), history: ReplCommand.historyFile(disabled: noHistory),
                            greeting: greeting).run()
        } else {
            try PipedRepl(core: core).run()
        }
    }

    static func historyFile(disabled: Bool) -> HistoryFile? {
        guard !disabled, let location = HistoryFile.defaultLocation() else { return nil }
        return HistoryFile(location: location)
    }
}
