import Dispatch
import Foundation
import Scripting

/// A wall-clock ceiling on grading one session, so that one session (a `while true do end` in a
/// timer, a world that takes forever) cannot hang a batch. Past it, the session's Lua is
/// interrupted again and again until the replay gives up, and the grade is an error.
final class GradeDeadline: @unchecked Sendable {
    let seconds: Double
    private let lock = NSLock()
    private var expired = false
    private var lua: LuaState?
    private let timer: DispatchSourceTimer

    init(seconds: Double) {
        self.seconds = seconds
        // Its own queue, not `.global()`: that pool has a thread per core, and a batch's workers
        // (each perhaps in a runaway loop) or parallel tests can hold every one, so the deadline
        // would never fire. A labelled queue may get a thread of its own.
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "firedrill.grade-deadline"))
        // Once due, keep interrupting: each new top-level Lua call clears the request.
        timer.schedule(deadline: .now() + seconds, repeating: .milliseconds(50))
        timer.setEventHandler { [weak self] in self?.expire() }
        timer.resume()
    }

    private func expire() {
        lock.lock()
        defer { lock.unlock() }
        expired = true
        lua?.requestInterrupt()
    }

    /// The Lua state to interrupt once the time is up.
    func watch(_ lua: LuaState) {
        lock.lock()
        defer { lock.unlock() }
        self.lua = lua
        if expired { lua.requestInterrupt() }
    }

    var isExpired: Bool {
        lock.lock()
        defer { lock.unlock() }
        return expired
    }

    func check() throws {
        guard isExpired else { return }
        throw TrainingError(GradeDeadline.message(seconds: seconds))
    }

    static func message(seconds: Double) -> String {
        "grading took longer than its timeout of \(ScoreText.format(seconds)) seconds, so it was stopped (grade --timeout sets the ceiling; the default is ten times the lab's grading_seconds)"
    }

    /// Stops the timer; the Lua state is not touched again.
    func finish() {
        timer.cancel()
        lock.lock()
        defer { lock.unlock() }
        lua = nil
    }
}
