import Scripting
import Simulation

/// Re-executes a recorded session on a fresh world: same lab and seed, each command at its
/// recorded simulated time, under the limits the grader gives (never the header's: a header
/// that raised them could make grading run forever). The outputs in the file are never read.
public struct SessionReplay {
    public let session: LabSession
    /// Where the replay could not do exactly what the recording says, in words.
    public let warnings: [String]
    /// The commands that were run, as session lines (with the replay's outputs).
    public let replayed: [SessionCommand]
    /// The simulated time `until` named, if one was given.
    public let stop: SimTime?

    /// Replays `reading` on `lab`, up to and including the commands at `until` (all by default).
    /// A clock time is read on the calendar the lab hands over on: a setup may move the calendar
    /// (the Monzo lab's skips two weeks), so it is resolved once the setup has run.
    public static func run(_ reading: SessionReading, lab: Lab, limits: LuaLimits = LuaLimits(), until moment: LabMoment? = nil,
                           started: (LabSession) -> Void = { _ in }, cancelled: () -> Bool = { false }) throws -> SessionReplay {
        let session = try LabSession(lab: lab, seed: reading.header.seed, limits: limits, parameters: reading.header.parameters ?? [:])
        return run(reading, on: session, until: moment, started: started, cancelled: cancelled)
    }

    /// Replays `reading` on `session`, a world its lab's setup has prepared for the session's seed
    /// and limits and that nothing has run on since (a forked copy of a shared one, when grading
    /// a batch).
    public static func run(_ reading: SessionReading, on session: LabSession, until moment: LabMoment? = nil,
                           started: (LabSession) -> Void = { _ in }, cancelled: () -> Bool = { false }) -> SessionReplay {
        let header = reading.header
        precondition(session.commands.isEmpty && session.world.seed == header.seed, "a replay needs a freshly prepared world of the session's seed")
        started(session)
        var warnings: [String] = []
        let calendar = session.world.calendarStart
        let until = moment?.resolve(arrival: session.arrival, calendarStart: calendar)
        if session.arrival != header.arrivedUs {
            warnings.append("the lab's setup now hands over at \(calendar.adding(session.arrival).clock), the recording says \(header.arrivedClock): the replay cannot be what the trainee saw")
        }
        var replayed: [SessionCommand] = []
        for command in reading.commands {
            if let until, command.timeUs > until { break }
            if cancelled() { break }
            if command.timeUs < session.world.now {
                warnings.append("command \(command.number) was recorded at \(command.clock) but the replayed world was already at \(session.world.calendarNow.clock); it ran then (the replay has diverged from the recording)")
            }
            let reply = run(command, in: session)
            if session.isContinuing {
                session.cancelPending()
                warnings.append("command \(command.number) is an unfinished chunk of Lua; it was skipped")
            }
            if case .output = reply, let executed = session.commands.last {
                var line = SessionCommand(number: replayed.count + 1, timeUs: executed.time,
                                          clock: calendar.adding(executed.time).clock, wall: command.wall,
                                          input: executed.input, output: executed.output, failed: executed.failed)
                line.markAPIRequest(of: executed)
                replayed.append(line)
            }
        }
        return SessionReplay(session: session, warnings: warnings, replayed: replayed, stop: until)
    }

    /// Feeds a command's lines as they were typed, all at its recorded time; a request of the
    /// real kubectl is answered again at its time.
    private static func run(_ command: SessionCommand, in session: LabSession) -> ReplCore.Reply {
        if let request = command.api {
            let response = session.answer(request, at: command.timeUs)
            return .output(response.body, failed: response.status >= 400)
        }
        var reply = ReplCore.Reply.needsMore
        for line in command.input.split(separator: "\n", omittingEmptySubsequences: false) {
            reply = session.submit(String(line), at: command.timeUs)
        }
        return reply
    }
}
