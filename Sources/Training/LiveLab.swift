import Dispatch
import Foundation
import KubeAPI
import Scripting
import Simulation

/// The wall clock, behind a protocol so tests can move it by hand. Only the live REPL reads it:
/// to pace simulated time and to stamp session lines. Nothing it returns reaches a grade.
public protocol WallClock {
    /// Monotonic nanoseconds, for pacing.
    func uptimeNanoseconds() -> UInt64
    /// Calendar time, for the `wall` fields of a session file.
    func date() -> Date
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func uptimeNanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    public func date() -> Date { Date() }
}

/// A lab session with a trainee at the keyboard: simulated time follows the wall clock at the
/// lab's speed (the world catches up before each line), and every command is appended to the
/// session file as soon as it has run. This is all the REPL needs: `submit`, `prompt`,
/// `takeNotices`, `catchUp` (for an idle tick) and `finish`.
public final class LiveLab {
    public let session: LabSession
    public let recorder: SessionRecorder?
    private let clock: WallClock
    private let speed: Double
    /// Simulated time `simulated` was reached at wall-clock `wall`; pacing counts from there.
    private var anchor: (wall: UInt64, simulated: SimTime)
    private var isFinished = false

    /// Starts pacing now and writes the header (then any `carriedOver` commands, for a what-if
    /// session that continues a replayed one).
    public init(session: LabSession, clock: WallClock = SystemWallClock(), recorder: SessionRecorder?,
                firedrillVersion: String, forkedFrom: String? = nil, carriedOver: [SessionCommand] = []) throws {
        self.session = session
        self.recorder = recorder
        self.clock = clock
        self.speed = session.lab.timing.speed
        anchor = (clock.uptimeNanoseconds(), session.world.now)
        try recorder?.write(SessionHeader(session: session, firedrillVersion: firedrillVersion,
                                          wall: WallTime.format(clock.date()), forkedFrom: forkedFrom))
        for command in carriedOver { try recorder?.write(command) }
    }

    public var prompt: String { session.prompt }
    public var isFinishRequested: Bool { session.isFinishRequested }

    /// The simulated time the wall clock says it is now (never earlier than the world).
    public var pacedTime: SimTime { max(session.world.now, wallClockTime) }

    /// Where pacing alone would have the world by now.
    private var wallClockTime: SimTime {
        let now = clock.uptimeNanoseconds()
        let elapsedMicroseconds = now > anchor.wall ? Double(now - anchor.wall) / 1_000 : 0
        return anchor.simulated + SimTime((elapsedMicroseconds * speed).rounded(.down))
    }

    /// Lets the world catch up with the wall clock without running anything: for an idle tick.
    /// Catching up in pieces reaches the same world as catching up at once, so it is not recorded.
    public func catchUp() {
        session.advanceWorld(to: pacedTime)
    }

    /// Runs one line as typed; a complete command is saved before this returns.
    public func submit(_ line: String) -> ReplCore.Reply {
        let reply = session.submit(line, at: pacedTime)
        guard case .output = reply, let command = session.commands.last else { return reply }
        record(command)
        return reply
    }

    /// `submit` for the interactive prompt: the error kept apart for colour; `exit` alone on a
    /// line comes back as `.leave`. A complete command is saved before this returns.
    public func step(_ line: String) -> ReplCore.Step {
        let step = session.step(line, at: pacedTime)
        guard case .finished = step, let command = session.commands.last else { return step }
        record(command)
        return step
    }

    /// Answers one request of the real kubectl at the paced time; it is saved, as kind `api`,
    /// before the answer goes back.
    public func answer(_ request: KubeAPIRequest) -> KubeAPIResponse {
        let response = session.answer(request, at: pacedTime)
        if let command = session.commands.last { record(command) }
        return response
    }

    private func record(_ command: ExecutedCommand) {
        // The command moved time itself (sim.advance): pacing goes on from there.
        if session.world.now > wallClockTime { anchor = (clock.uptimeNanoseconds(), session.world.now) }
        var line = SessionCommand(number: command.number, timeUs: command.time, clock: clockText(command.time),
                                  wall: WallTime.format(clock.date()), input: command.input,
                                  output: LiveLab.recordable(command.output), failed: command.failed, notices: nil)
        line.markAPIRequest(of: command)
        save(line)
    }

    /// Drops a half-typed chunk (Ctrl-C on a continuation line).
    public func cancelPending() { session.cancelPending() }

    /// Outputs are kept for people reading the file, never for grading, so a command that prints
    /// megabytes is cut short rather than bloating every session line after it.
    static let recordedOutputLimit = 100_000

    static func recordable(_ output: String) -> String {
        guard output.utf8.count > recordedOutputLimit else { return output }
        let kept = String(decoding: output.utf8.prefix(recordedOutputLimit), as: UTF8.self)
        return kept + "\n… (\(output.utf8.count - recordedOutputLimit) more bytes not recorded)"
    }

    public func takeNotices() -> [LabNotice] { session.takeNotices() }

    /// Writes the end line, with the simulated time the session ended at. Once.
    public func finish(reason: String) {
        guard !isFinished else { return }
        isFinished = true
        catchUp()
        let now = session.world.now
        do {
            try recorder?.write(SessionEnd(timeUs: now, clock: clockText(now), wall: WallTime.format(clock.date()), reason: reason))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        }
    }

    private func save(_ command: SessionCommand) {
        do {
            try recorder?.write(command)
        } catch {
            session.noteProblem("this command was not saved: \(error)")
        }
    }

    private func clockText(_ time: SimTime) -> String { session.world.calendarStart.adding(time).clock }
}

extension SessionHeader {
    /// The header for a session of `session`'s lab, world and limits.
    init(session: LabSession, firedrillVersion: String, wall: String, forkedFrom: String?) {
        let lab = session.lab
        let limits = session.runtime.lua.limits
        self.init(lab: lab.id, labHash: lab.fingerprint.combined, labFiles: lab.fingerprint.files,
                  firedrill: firedrillVersion, scenario: lab.scenario.name, seed: session.world.seed,
                  speed: lab.timing.speed, instructionLimit: limits.instructions, memoryLimitBytes: limits.memoryBytes,
                  arrivedUs: session.arrival, arrivedClock: session.world.calendarStart.adding(session.arrival).clock,
                  wall: wall, forkedFrom: forkedFrom)
        parameters = session.parameters.isEmpty ? nil : session.parameters
    }
}
