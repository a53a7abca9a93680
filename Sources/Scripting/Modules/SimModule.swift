import Simulation

/// `sim`: the clock, the seed, the digest, and timers that run Lua when simulated time reaches
/// them (how drills inject faults).
enum SimModule {
    /// How often `sim.when` asks its predicate, in simulated time, unless told otherwise.
    static let defaultPollInterval = Span.seconds(1)

    static func install(into runtime: ScriptRuntime) {
        let world = runtime.world
        runtime.document("sim", usage: "sim", "the simulated clock, seed, digest and timed injects", details: TimeFields.convention)
        runtime.define("sim.now", usage: "sim.now()", "seconds of simulated time since the scenario began (when you arrived)") { call in
            call.push(number: world.scriptSeconds(world.now))
            return 1
        }
        runtime.define("sim.clock", usage: "sim.clock()", "the simulated wall clock, \"14:10:05\"") { call in
            call.push(string: world.calendarNow.clock)
            return 1
        }
        runtime.define("sim.date", usage: "sim.date()", "the simulated date and time, \"2017-10-27 14:10:05\"") { call in
            call.push(string: world.calendarNow.description)
            return 1
        }
        runtime.define("sim.advance", usage: "sim.advance(d)",
                       "let simulated time pass: d is seconds or \"90s\", \"5m\", \"1h30m\"",
                       details: """
                       At most 100 years at once, and never past the end of 9999. A lab may cap how far one command moves
                       the clock, sim.advance and every command that waits together. Not from inside a timer's callback.
                       """,
                       mutates: true) { [unowned runtime] call in
            let span = try duration(call, 1)
            if runtime.isRunningCallback {
                throw call.error("sim.advance cannot be called from a timer callback (sim.at, sim.every, sim.when): the clock is already moving")
            }
            if let refusal = runtime.refusalToAdvance(by: span) { throw call.error(refusal) }
            guard world.now + span <= ScriptBounds.horizon(of: world) else {
                throw call.argumentError(1, "the world ends at \(ScriptBounds.describeHorizon(of: world)); \(Span.describe(span)) from now is past it")
            }
            runtime.recordAction(via: "sim.advance", verb: "advance", AuditObject(kind: "clock", name: Span.describe(span)))
            try runtime.advance(by: span)
            return 0
        }
        runtime.define("sim.seed", usage: "sim.seed()", "the seed this world was built from") { call in
            call.push(integer: Int64(bitPattern: world.seed))
            return 1
        }
        runtime.define("sim.digest", usage: "sim.digest()",
                       "a hash of the whole world: same seed and same inputs give the same digest") { call in
            call.push(string: world.digestHex())
            return 1
        }
        runtime.define("sim.scenario", usage: "sim.scenario()", "the name of the scenario this world was built from") { call in
            call.push(string: world.scenarioName)
            return 1
        }
        installTimers(into: runtime)
    }

    private static func installTimers(into runtime: ScriptRuntime) {
        let world = runtime.world
        runtime.define("sim.at", usage: "sim.at(t, fn)",
                       "run fn when the clock reaches t: seconds since start, \"14:20\" or \"+5m\"; returns an id",
                       details: "sim.at(\"14:20\", function() faults.crash(\"node-1\") end)", mutates: true) { [unowned runtime] call in
            let due = try instant(call, 1, world: world)
            let function = try call.function(2)
            try runtime.checkRoomForTimer(call)
            let identifier = runtime.schedule(at: due, function)
            runtime.recordAction(via: "sim.at", verb: "schedule", AuditObject(kind: "timer", name: String(identifier)))
            call.push(integer: Int64(identifier))
            return 1
        }
        runtime.define("sim.every", usage: "sim.every(d, fn)",
                       "run fn every d of simulated time until it returns false or is cancelled; returns an id",
                       details: "d is at least 100ms. A world holds at most 10,000 timers; one command runs at most 100,000 callbacks.",
                       mutates: true) { [unowned runtime] call in
            let period = try duration(call, 1)
            guard period >= CommandBounds.shortestPeriod else {
                throw call.argumentError(1, "period must be at least \(Span.describe(CommandBounds.shortestPeriod)); got \(Span.describe(period))")
            }
            let function = try call.function(2)
            try runtime.checkRoomForTimer(call)
            let identifier = runtime.repeatEvery(period, function)
            runtime.recordAction(via: "sim.every", verb: "schedule", AuditObject(kind: "timer", name: String(identifier)))
            call.push(integer: Int64(identifier))
            return 1
        }
        runtime.define("sim.when", usage: "sim.when(predicate, fn [, every])",
                       "run fn once, the first time predicate() is true; checked every simulated second (or every d)",
                       details: "sim.when(function() return sim.now() > 60 end, function() print(\"a minute\") end)", mutates: true) { [unowned runtime] call in
            let predicate = try call.function(1)
            let function = try call.function(2)
            let interval = call.isNil(3) ? defaultPollInterval : try duration(call, 3)
            guard interval >= CommandBounds.shortestPeriod else {
                throw call.argumentError(3, "interval must be at least \(Span.describe(CommandBounds.shortestPeriod)); got \(Span.describe(interval))")
            }
            try runtime.checkRoomForTimer(call)
            let identifier = runtime.whenever(predicate, interval: interval, function)
            runtime.recordAction(via: "sim.when", verb: "schedule", AuditObject(kind: "timer", name: String(identifier)))
            call.push(integer: Int64(identifier))
            return 1
        }
        runtime.define("sim.cancel", usage: "sim.cancel(id)", "call off a timer from sim.at, sim.every or sim.when", mutates: true) { [unowned runtime] call in
            let identifier = Int(try call.integer(1))
            let timer = runtime.scheduledCallbacks.removeValue(forKey: identifier)
            timer?.cancel()
            runtime.recordAction(via: "sim.cancel", verb: "cancel", AuditObject(kind: "timer", name: String(identifier)))
            call.push(boolean: timer != nil)
            return 1
        }
    }

    /// A span from a number of seconds or a duration string, at most 100 years (see
    /// `ScriptBounds.duration`). Other modules read their windows and periods with it.
    static func duration(_ call: LuaCall, _ index: Int32) throws -> SimTime {
        try ScriptBounds.duration(call, index)
    }

    /// An instant from seconds since start, a clock time ("14:20") or "+5m" (see `ScriptBounds.instant`).
    static func instant(_ call: LuaCall, _ index: Int32, world: World) throws -> SimTime {
        try ScriptBounds.instant(call, index, world: world)
    }

    /// The next moment, now or later, at which the calendar clock reads `HH:MM[:SS]`.
    static func nextOccurrence(ofClock text: String, world: World) -> SimTime? {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard (2...3).contains(fields.count), fields.allSatisfy({ $0 != nil }) else { return nil }
        let (hour, minute, second) = (fields[0]!, fields[1]!, fields.count == 3 ? fields[2]! : 0)
        guard (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second) else { return nil }
        let now = world.calendarNow
        let secondsNow = Int64(now.hour * 3_600 + now.minute * 60 + now.second)
        var delta = Int64(hour * 3_600 + minute * 60 + second) - secondsNow
        if delta < 0 { delta += 86_400 }
        let subSecond = world.now % Span.microsecondsPerSecond
        return world.now - subSecond + Span.seconds(delta)
    }
}

extension ScriptRuntime {
    /// Runs `function` at `due`; its error, if any, is kept for the next `sim.advance`.
    func schedule(at due: SimTime, _ function: LuaFunctionReference) -> Int {
        let identifier = nextCallbackIdentifier
        nextCallbackIdentifier += 1
        let setBy = world.audit.attribution
        scheduledCallbacks[identifier] = world.timer(after: due - world.now) { [unowned self] in
            scheduledCallbacks[identifier] = nil
            _ = invoke(function, setBy: setBy)
        }
        return identifier
    }

    func repeatEvery(_ period: SimTime, _ function: LuaFunctionReference, identifier existing: Int? = nil) -> Int {
        let identifier = existing ?? nextCallbackIdentifier
        if existing == nil { nextCallbackIdentifier += 1 }
        let setBy = world.audit.attribution
        scheduledCallbacks[identifier] = world.timer(after: period) { [unowned self] in
            let result = invoke(function, setBy: setBy)
            if case .boolean(false) = result.first ?? .nil {
                scheduledCallbacks[identifier] = nil
            } else if scheduledCallbacks[identifier] != nil {
                _ = repeatEvery(period, function, identifier: identifier)
            }
        }
        return identifier
    }

    func whenever(_ predicate: LuaFunctionReference, interval: SimTime, _ function: LuaFunctionReference,
                  identifier existing: Int? = nil) -> Int {
        let identifier = existing ?? nextCallbackIdentifier
        if existing == nil { nextCallbackIdentifier += 1 }
        let setBy = world.audit.attribution
        scheduledCallbacks[identifier] = world.timer(after: interval) { [unowned self] in
            guard scheduledCallbacks[identifier] != nil else { return }
            let errorsBefore = callbackErrors.count
            let answer = invoke(predicate, setBy: setBy).first?.isTruthy == true
            if answer || callbackErrors.count > errorsBefore {
                // Fired, or the predicate itself failed: either way it is not asked again.
                scheduledCallbacks[identifier] = nil
                if answer { _ = invoke(function, setBy: setBy) }
            } else {
                _ = whenever(predicate, interval: interval, function, identifier: identifier)
            }
        }
        return identifier
    }

    /// Refuses a new timer when the world already holds as many as it may.
    func checkRoomForTimer(_ call: LuaCall) throws {
        guard scheduledCallbacks.count < CommandBounds.pendingTimers else {
            throw call.error("\(call.functionName): \(CommandBounds.pendingTimers) timers are already pending, the most a world holds; cancel some with sim.cancel(id)")
        }
    }

    /// Calls a Lua callback under the audit attribution of the command that set it (see the
    /// overload below).
    private func invoke(_ function: LuaFunctionReference, setBy: AuditLog.Attribution) -> [LuaValue] {
        world.audit.attributing(to: setBy) { invoke(function) }
    }

    /// Calls a Lua callback, keeping its error instead of letting it escape into the kernel. A
    /// callback that fires inside a command counts towards that command's callbacks; one that
    /// fires between commands (a lab's clock running) is a command of its own.
    private func invoke(_ function: LuaFunctionReference) -> [LuaValue] {
        if var command = currentCommand {
            command.callbacksRun += 1
            currentCommand = command
            guard command.callbacksRun <= CommandBounds.callbacksPerCommand else {
                if command.callbacksRun == CommandBounds.callbacksPerCommand + 1 {
                    callbackErrors.append(LuaError(kind: .runtime, message: "more than \(CommandBounds.callbacksPerCommand) timer callbacks (sim.at, sim.every, sim.when) ran in one command; give sim.every a longer period or cancel timers with sim.cancel(id)"))
                }
                return []
            }
        }
        let previous = isRunningCallback
        isRunningCallback = true
        defer { isRunningCallback = previous }
        do {
            return try runCommand { try lua.call(function) }
        } catch let error as LuaError {
            callbackErrors.append(error)
        } catch {
            callbackErrors.append(LuaError(kind: .runtime, message: "\(error)"))
        }
        return []
    }
}
