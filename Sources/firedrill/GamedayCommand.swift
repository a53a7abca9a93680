import ArgumentParser
import Foundation
import Training

/// `firedrill gameday`: a wheel of misfortune on demand. The `gameday` lab draws one or two
/// faults from the seed and breaks the bank with them at a random moment of the first minutes;
/// the trainee gets the page, not a briefing. The session is an ordinary lab session (recorded,
/// sealed, graded by `firedrill grade`); its header keeps the seed and the difficulty, all
/// grading needs to rebuild the same incident.
struct GamedayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gameday",
        abstract: "A random incident on the bank, drawn from a seed: you get paged, you fix it. The session is recorded for `firedrill grade`.",
        discussion: """
        Difficulties: easy (one fault that keeps hurting customers until someone acts), normal (one fault from the whole \
        catalogue), hard (two faults at different moments). Without --seed a new seed is drawn \
        and printed: give it to a colleague and they get the same incident.
        """
    )

    /// The lab that runs game days (`Labs/gameday`).
    static let labID = "gameday"
    static let difficulties = ["easy", "normal", "hard"]

    @Option(help: "The incident's seed (default: a fresh one, printed).")
    var seed: UInt64?

    @Option(help: ArgumentHelp("easy, normal or hard.", valueName: "difficulty"))
    var difficulty = "normal"

    @OptionGroup var recording: SessionOptions

    func validate() throws {
        guard GamedayCommand.difficulties.contains(difficulty) else {
            throw ValidationError("--difficulty is '\(difficulty)'; choose one of \(GamedayCommand.difficulties.joined(separator: ", "))")
        }
    }

    func run() throws {
        let lab = try recording.location.lab(GamedayCommand.labID)
        // A fresh incident each time unless told: the wall clock's randomness only picks the
        // seed, which is printed and recorded; the world itself draws from the seed alone.
        let chosenSeed = seed ?? UInt64.random(in: 1...999_999)
        let labSession = try LabStartCommand.prepare(lab) {
            try LabSession(lab: lab, seed: chosenSeed, parameters: ["difficulty": difficulty])
        }
        try LabStartCommand.play(labSession, recording) { path in
            print("""
            Game day on the bank: seed \(chosenSeed), difficulty \(difficulty) (replay it: firedrill gameday --seed \(chosenSeed) --difficulty \(difficulty)).
            You are on call. It is \(labSession.world.calendarNow.description); time follows the wall clock, and sim.advance may skip ahead up to five minutes.
            Wait for the page. Find what broke, stop the customer impact, fix the cause, and tell customers with status_page("...").
            Recording this session to \(path). Ctrl-D or lab.finish() ends it; firedrill grade \(path) scores it.

            """)
        }
    }
}
