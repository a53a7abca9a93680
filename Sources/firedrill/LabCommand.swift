import ArgumentParser
import Foundation
import Scripting
import Simulation
import Training

/// `firedrill lab`: start a lab (the default), or, for authors, scaffold one and check one.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Start a lab (firedrill lab ID), or write one: firedrill lab new ID, firedrill lab check ID.",
        subcommands: [LabStartCommand.self, LabNewCommand.self, LabCheckCommand.self],
        defaultSubcommand: LabStartCommand.self
    )
}

/// What every command that starts a recorded lab session takes: where to record it, the key
/// that signs it, the labs folder, the REPL's history, and the API for the real kubectl.
struct SessionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where to record the session (default: $XDG_STATE_HOME/firedrill/sessions/).", valueName: "path"))
    var session: String?

    @Option(help: ArgumentHelp("A file holding the instructors' key that signs the session (default: $FIREDRILL_SESSION_KEY).", valueName: "path"))
    var keyFile: String?

    @OptionGroup var location: LabsLocation

    @Flag(help: "Neither read nor save the REPL's history file.")
    var noHistory = false

    @OptionGroup var api: APIOptions
}

struct LabStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a lab: its world, its steps, and a REPL on it. The session is recorded.",
        discussion: """
        Simulated time follows the wall clock at the lab's speed. Every command is saved as soon \
        as it has run, so nothing is lost if the terminal closes; `firedrill grade` scores the \
        session file afterwards. With standard input from a pipe it runs the lines without prompts.
        """
    )

    @Argument(help: ArgumentHelp("The lab to start (see `firedrill labs`), or the path of a lab folder.", valueName: "id"))
    var id: String

    @Option(help: "The world's seed. Without it, one of the lab's vetted seeds is drawn and printed; a seed outside them makes a practice session.")
    var seed: UInt64?

    @OptionGroup var recording: SessionOptions

    func run() throws {
        let lab = try recording.location.lab(id)
        // Without --seed, one of the lab's vetted seeds, drawn here at the command line (the
        // world itself never draws from the system); the banner prints it and the session records it.
        var system = SystemRandomNumberGenerator()
        let drawn = seed ?? lab.scenario.drawSeed(using: &system)
        let labSession = try LabStartCommand.prepare(lab) { try LabSession(lab: lab, seed: drawn) }
        try LabStartCommand.play(labSession, recording) {
            printBanner(lab, session: labSession, path: $0)
        }
    }

    /// Builds the lab's world (saying why the wait, where a setup builds history first).
    static func prepare(_ lab: Lab, _ start: () throws -> LabSession) throws -> LabSession {
        if isatty(STDIN_FILENO) != 0 && lab.hasSetup {
            // The Monzo lab's setup simulates two weeks of history first: say why the wait.
            print("Preparing \(lab.id): the lab builds the platform's history before you arrive…")
        }
        do {
            return try start()
        } catch {
            throw fail("\(error)")
        }
    }

    /// Records `labSession` and runs its REPL until the trainee leaves; `banner` greets an
    /// interactive trainee, given the session file's path.
    static func play(_ labSession: LabSession, _ options: SessionOptions, banner: (String) -> Void) throws {
        let lab = labSession.lab
        let key: SessionKey?
        do { key = try SessionKey.load(keyFile: options.keyFile) } catch { throw fail("\(error)") }
        let path = options.session ?? LabLineLoop.defaultSessionPath(lab: lab.id)
        let live: LiveLab
        do {
            live = try LiveLab(session: labSession, recorder: try SessionRecorder(path: path, key: key), firedrillVersion: FiredrillVersion.current)
        } catch {
            throw fail("\(error)")
        }
        if isatty(STDIN_FILENO) != 0 {
            banner(path)
        } else {
            FileHandle.standardError.write(Data("Seed \(labSession.world.seed); recording this session to \(path)\n".utf8))
        }
        if let practice = lab.scenario.practiceReason(seed: labSession.world.seed) {
            FileHandle.standardError.write(Data("Note: \(practice); it will not earn a grade.\n".utf8))
        }
        // The real kubectl's requests are answered and recorded through the lab, like typed commands.
        try APIService.start(options.api, defaultKubeconfig: APIService.kubeconfigBeside(path)) { live.answer($0) }
        defer { APIService.stop() }
        LabLineLoop.run(live, sessionPath: path, history: ReplCommand.historyFile(disabled: options.noHistory))
    }

    private func printBanner(_ lab: Lab, session: LabSession, path: String) {
        let world = session.world
        let pace = lab.timing.speed == 0 ? "stands still unless you call sim.advance"
            : "follows the wall clock (\(ScoreFormat.number(lab.timing.speed))×)"
        let advance: String
        switch lab.timing.advance {
        case .never: advance = "sim.advance is not allowed"
        case .always: advance = "sim.advance is allowed"
        case .upTo(let limit): advance = "one command may move the clock up to \(Span.describe(limit))"
        }
        print("""
        \(lab.title) — \(lab.difficulty.rawValue), about \(lab.minutes) minutes
        \(lab.summary)
        Seed \(world.seed) (`--seed \(world.seed)` replays this world). Simulated time starts at \(world.calendarNow.description) and \(pace); \(advance).
        Recording this session to \(path)
        lab.status() shows where you are, hint() gives a hint, check() checks a step, lab.briefing() shows the briefing.
        Ctrl-D or lab.finish() ends the session.

        """)
    }
}

