import ArgumentParser
import Foundation
import Simulation
import Training

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild a session's world at a moment and open the REPL there, to try another path.",
        discussion: """
        Re-executes the session's commands up to --until (a clock time such as 14:20:00, or an \
        offset after the trainee arrived such as +10m; default: the session's end) and hands over. \
        What you do from there is recorded as a new what-if session, which starts with the replayed \
        commands and can be graded like any other.
        """
    )

    @Argument(help: ArgumentHelp("The session file to replay.", valueName: "session.jsonl"))
    var path: String

    @Option(help: ArgumentHelp("The moment to stop at: HH:MM[:SS] or +DURATION after arrival.", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Where to record the what-if session (default: next to the others).", valueName: "path"))
    var session: String?

    @Flag(help: "Replay a session that grading would refuse (edited, other lab files, damaged lines).")
    var force = false

    @Option(help: ArgumentHelp("A file holding the instructors' key: checks a signed session and signs the what-if (default: $FIREDRILL_SESSION_KEY).", valueName: "path"))
    var keyFile: String?

    @OptionGroup var location: LabsLocation

    @Flag(help: "Neither read nor save the REPL's history file.")
    var noHistory = false

    func validate() throws {
        guard let until else { return }
        let pastTheEnd = ValidationError("--until '\(until)' is past the end of any session (\(Span.describe(LabSession.longestSession)) after arrival)")
        if until.hasPrefix("+"), Span.read(String(until.dropFirst())) == .tooLong { throw pastTheEnd }
        guard let moment = LabMoment.parse(until) else {
            throw ValidationError("--until '\(until)' is not a time; write HH:MM, HH:MM:SS or +10m")
        }
        if case .afterArrival(let span) = moment, span > LabSession.longestSession { throw pastTheEnd }
    }

    func run() throws {
        let key: SessionKey?
        do { key = try SessionKey.load(keyFile: keyFile) } catch { throw fail("\(error)") }
        let (reading, lab) = try open(key: key)
        let replay: SessionReplay
        do {
            replay = try SessionReplay.run(reading, lab: lab, until: until.flatMap(LabMoment.parse))
        } catch {
            throw fail("\(error)")
        }
        let stop = replay.stop
        let labSession = replay.session
        labSession.advanceWorld(to: stop ?? reading.end?.timeUs ?? labSession.world.now)
        _ = labSession.takeNotices()
        for warning in replay.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        let output = session ?? LabLineLoop.defaultSessionPath(lab: lab.id)
        let live: LiveLab
        do {
            live = try LiveLab(session: labSession, recorder: try SessionRecorder(path: output, key: key), firedrillVersion: FiredrillVersion.current,
                               forkedFrom: path, carriedOver: replay.replayed)
        } catch {
            throw fail("\(error)")
        }
        // A command that started before the mark may end after it; a few microseconds of a
        // sim.advance are not worth a word, a second is.
        if let stop, labSession.world.now >= stop + Span.seconds(1), let last = replay.replayed.last {
            print("Command \(last.number) (\(last.input.prefix(40))) moved time past --until.")
        }
        print("""
        Replayed \(replay.replayed.count) of \(reading.commands.count) commands of \(path); the world is at \(labSession.world.calendarNow.description).
        What you do now is a what-if, recorded to \(output)

        \(labSession.statusText())
        """)
        LabLineLoop.run(live, sessionPath: output, history: ReplCommand.historyFile(disabled: noHistory))
    }

    private func open(key: SessionKey?) throws -> (SessionReading, Lab) {
        let reading: SessionReading
        do {
            reading = try SessionReader.read(path: path, key: key)
        } catch {
            throw fail("\(error)")
        }
        for problem in reading.problems { FileHandle.standardError.write(Data("warning: \(path): \(problem)\n".utf8)) }
        if reading.isCorrupt && !force { throw fail("'\(path)' has damaged lines; --force replays its readable commands") }
        if case .broken(let line, _) = reading.seal, !force {
            throw fail("'\(path)': line \(line) does not follow from the line before it (the file was changed after it was recorded); --force replays it anyway")
        }
        let lab = try location.lab(reading.header.lab)
        let changed = lab.fingerprint.changedFiles(comparedWith: LabFingerprint(files: reading.header.labFiles))
        if !changed.isEmpty && !force {
            throw fail("'\(path)' was recorded against other lab files (\(changed.joined(separator: " and ")) changed); --force replays it anyway")
        }
        return (reading, lab)
    }
}
