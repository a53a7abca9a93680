import Foundation
import Scripting
import Simulation

/// A policy: a Lua drill in a lab's `policies/` that plays the lab as a trainee would, reacting
/// to what it sees (`while not ... do sim.advance("10s") end`). `lab check` plays each one and
/// grades the recording like any session, to prove the grader: a careful policy must score
/// high, a careless one low, each within the range its opening comment states
/// (`-- score = 8..10`, see `ScoreExpectation`).
///
/// The file is fed to the lab line by line, as a pipe would (`firedrill lab ID < policy.lua`):
/// each complete chunk is one command. The wall clock stands still, so simulated time passes
/// only where the policy lets it (`sim.advance`, within the lab's `time.advance`), and the same
/// policy always plays the same session.
enum LabPolicy {
    struct Recording {
        let path: String
        /// Commands that failed, at the line their chunk ended on.
        let failures: [(line: Int, message: String)]
    }

    /// Plays `text` on `lab` from `seed` (the lab's own unless given) with `parameters` (a game
    /// day's difficulty), recording to a temporary file.
    static func play(_ text: String, display: String, lab: Lab, firedrillVersion: String, seed: UInt64? = nil,
                     parameters: [String: String] = [:]) throws -> Recording {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("firedrill-policy-\(lab.id)-\(UUID().uuidString).jsonl").path
        let session: LabSession
        do {
            session = try LabSession(lab: lab, seed: seed, parameters: parameters)
        } catch {
            throw LabError(file: display, problem: "the lab did not start: \(error)")
        }
        let live = try LiveLab(session: session, clock: StoppedWallClock(), recorder: try SessionRecorder(path: path),
                               firedrillVersion: firedrillVersion)
        var failures: [(line: Int, message: String)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if case .output(let output, failed: true) = live.submit(String(line)) {
                failures.append((index + 1, "the command failed: " + output))
            }
            if live.isFinishRequested { break }
        }
        live.finish(reason: live.isFinishRequested ? "lab.finish()" : "end of input")
        return Recording(path: path, failures: failures)
    }
}

/// A wall clock that never moves: a played policy's time passes only by `sim.advance`.
struct StoppedWallClock: WallClock {
    func uptimeNanoseconds() -> UInt64 { 1_000_000_000 }
    func date() -> Date { Date(timeIntervalSince1970: 1_800_000_000) }
}
