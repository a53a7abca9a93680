import Simulation

/// How far one command may move the simulated clock: `sim.advance` and every command that
/// waits on the world (kubectl, etcdctl, `k8s.*` requests, `rollout status`), all together. A
/// lab sets it from its `time.advance`, so that `for i = 1, 9 do sim.advance("10m") end` moves
/// no further than one `sim.advance("10m")` may.
public struct CommandTimeCap: Sendable, Equatable {
    /// Whether a script may move time on purpose: `sim.advance`, and commands that wait on their
    /// own account (`rollout status`, `delete`'s wait). When false, only requests wait for their
    /// answers.
    public var allowsAdvance: Bool
    /// The most simulated time one command may let pass, all together; nil: no limit.
    public var limit: SimTime?
    /// What `sim.advance` says when `allowsAdvance` is false.
    public var advanceRefusal: String

    public init(allowsAdvance: Bool, limit: SimTime?, advanceRefusal: String = "sim.advance is not allowed here") {
        self.allowsAdvance = allowsAdvance
        self.limit = limit
        self.advanceRefusal = advanceRefusal
    }

    public static let unlimited = CommandTimeCap(allowsAdvance: true, limit: nil)
}

/// The command running now: when it started in simulated time, and how many timer callbacks have
/// run inside it.
struct CommandWindow {
    let startedAt: SimTime
    var callbacksRun = 0
}

/// What a command may not ask of the world.
public enum CommandBounds {
    /// Timer callbacks (`sim.at`, `sim.every`, `sim.when`) one command may run: a `sim.every`
    /// with a tiny period, or thousands of timers, would otherwise keep one command running for
    /// ever while simulated time barely moves.
    public static let callbacksPerCommand = 100_000
    /// Timers a world may hold at once.
    public static let pendingTimers = 10_000
    /// The shortest period of `sim.every` and interval of `sim.when`.
    public static let shortestPeriod = Span.milliseconds(100)
}

extension ScriptRuntime {
    /// Runs `body` as one command: the unit the per-command time cap, the callback count and the
    /// Lua budget apply to. Nested calls (a command run from inside another) are part of the
    /// outer command.
    public func runCommand<Result>(_ body: () throws -> Result) rethrows -> Result {
        if currentCommand != nil { return try body() }
        currentCommand = CommandWindow(startedAt: world.now)
        defer { currentCommand = nil }
        return try lua.withOwnBudget { try body() }
    }

    /// Simulated time the running command has let pass.
    var timeMovedByCommand: SimTime {
        currentCommand.map { world.now - $0.startedAt } ?? 0
    }

    /// Simulated time the running command may still let pass, or nil for no limit (the world's
    /// horizon still applies).
    var remainingCommandTime: SimTime? {
        guard let limit = commandTimeCap.limit, currentCommand != nil else { return nil }
        return max(0, limit - timeMovedByCommand)
    }

    /// Why `sim.advance(span)` may not run now, or nil when it may.
    func refusalToAdvance(by span: SimTime) -> String? {
        guard commandTimeCap.allowsAdvance else { return commandTimeCap.advanceRefusal }
        guard let limit = commandTimeCap.limit, let remaining = remainingCommandTime, span > remaining else { return nil }
        let moved = timeMovedByCommand
        let already = moved > 0 ? "; this command has already moved it \(Span.describe(moved))" : ""
        return "sim.advance can move the clock at most \(Span.describe(limit)) in one command in this lab (asked for \(Span.describe(span))\(already)); run the rest as another command"
    }

    /// Whether a command may wait `span` on its own account now (`rollout status`, `delete`'s
    /// wait): where the lab lets time move, and within what the command may still let pass.
    func mayWait(_ span: SimTime) -> Bool {
        commandTimeCap.allowsAdvance && (remainingCommandTime.map { span <= $0 } ?? true)
    }

    /// How long a command may wait from now: `wanted`, cut to what the command may still let
    /// pass and to the world's horizon.
    func waitAllowance(_ wanted: SimTime) -> SimTime {
        var allowance = min(wanted, max(0, ScriptBounds.horizon(of: world) - world.now))
        if let remaining = remainingCommandTime { allowance = min(allowance, remaining) }
        return allowance
    }

    /// Lets simulated time run until `isDone` holds or `limit` has passed, as a command that
    /// waits on the world does. A Lua callback failing meanwhile stops it with that error, as do
    /// an interrupt and the watchdog. A wait the running command may not afford in full runs as
    /// far as it may, then raises an error saying so (`who` names the waiting command).
    func wait(upTo limit: SimTime, for who: String, until isDone: () -> Bool) throws {
        if isDone() { return }
        let allowance = waitAllowance(limit)
        let errorsBefore = callbackErrors.count
        var stop: LuaError?
        withoutActuallyEscaping(isDone) { isDone in
            _ = world.run(until: world.now + allowance) { [unowned self] in
                stop = lua.pendingStop(at: world.calendarNow.clock)
                return isDone() || callbackErrors.count > errorsBefore || stop != nil
            }
        }
        if let stop { throw stop }
        if callbackErrors.count > errorsBefore { throw callbackErrors.remove(at: errorsBefore) }
        if allowance < limit && !isDone() {
            throw LuaError(kind: .runtime, message: capMessage(who))
        }
    }

    private func capMessage(_ who: String) -> String {
        if let limit = commandTimeCap.limit, remainingCommandTime == 0 {
            return "\(who) gave up waiting: this command has let \(Span.describe(timeMovedByCommand)) of simulated time pass, the most one command may in this lab (\(Span.describe(limit))); run it again as a command of its own"
        }
        return "\(who) gave up waiting: the world ends at \(ScriptBounds.lastCalendarMoment)"
    }
}
