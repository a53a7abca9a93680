import Simulation

/// A world with a Lua state wired to it: what `firedrill run`, the REPL, labs and graders all
/// start from. Modules (`sim`, `faults`, later `kubectl`, `etcd` ...) install themselves here.
public final class ScriptRuntime {
    public let world: World
    public let lua: LuaState
    public let scenario: Scenario
    public private(set) var documentation = Documentation()
    /// Errors raised by Lua callbacks (`sim.at`, `sim.every`, `sim.when`) while time moved; the
    /// next `sim.advance` raises the first, and the REPL shows them between commands.
    public internal(set) var callbackErrors: [LuaError] = []
    /// Callbacks that can still fire, by the identifier `sim.at` and friends returned.
    var scheduledCallbacks: [Int: Simulation.Timer] = [:]
    var nextCallbackIdentifier = 1
    /// Notices waiting for the REPL to show between commands (see `postNotice`).
    var notices: [Notice] = []
    /// Tab completion inside command strings, by command name (see `CommandCompletion`).
    public internal(set) var commandCompletions: [String: any CommandCompletion] = [:]

    /// Builds the scenario's world (options checked against the scenario's) and its Lua state.
    public init(scenario: Scenario, seed: UInt64, options: [String: String] = [:], limits: LuaLimits = LuaLimits()) throws {
        self.scenario = scenario
        self.world = try scenario.makeWorld(seed: seed, options: options)
        self.lua = try LuaState(limits: limits, random: world.random("lua/math.random"))
        SimModule.install(into: self)
        FaultsModule.install(into: self)
        TelemetryModule.install(into: self)
        EtcdModule.install(into: self)
        KubeModule.install(into: self)
        KubectlModule.install(into: self)
        MeshModule.install(into: self)
        TrafficModule.install(into: self)
        NodeModule.install(into: self)
        DashboardModule.install(into: self)
        CalendarSkipModule.install(into: self)
        HelpModule.install(into: self)
        BuiltinCompletions.install(into: self)
        installCommandCompletions()
    }

    /// Documents a module (a table of functions) or a global command.
    public func document(_ name: String, usage: String? = nil, _ summary: String, details: String = "") {
        documentation.add(Topic(name: name, usage: usage ?? name, summary: summary, details: details))
    }

    /// Defines a documented Swift function at a dotted global path. A function that changes the
    /// world (moves time, schedules, breaks things) says `mutates: true`, so that it refuses while
    /// the runtime is read-only: graders and lab checks may look at the world, never change it.
    public func define(_ path: String, usage: String, _ summary: String, details: String = "",
                       mutates: Bool = false, _ body: @escaping (LuaCall) throws -> Int32) {
        document(path, usage: usage, summary, details: details)
        guard mutates else {
            lua.register(path, body)
            return
        }
        lua.register(path) { [unowned self] call in
            if let reader = readOnlyReader {
                throw call.error("\(path) changes the world, which \(reader) may only read")
            }
            return try body(call)
        }
    }

    // MARK: Read-only mode

    /// Who is reading while the world is read-only ("a grader", "a lab's step check"), or nil
    /// when scripts may change it. Every function defined with `mutates: true` refuses meanwhile.
    public private(set) var readOnlyReader: String?

    public var isReadOnly: Bool { readOnlyReader != nil }

    /// Runs `body` with the world read-only for `reader`. Nests: the outermost reader is named.
    public func readingOnly<Result>(as reader: String, _ body: () throws -> Result) rethrows -> Result {
        let previous = readOnlyReader
        readOnlyReader = previous ?? reader
        defer { readOnlyReader = previous }
        return try body()
    }

    /// How far one command may move the simulated clock. Labs set it; the plain REPL and
    /// `firedrill run` have no cap but the world's horizon. The host's own `advance(by:)` is
    /// never limited.
    public var commandTimeCap = CommandTimeCap.unlimited
    /// The command running now, if any (see `runCommand`).
    var currentCommand: CommandWindow?
    /// True while a timer callback runs (it may not move the clock itself).
    public internal(set) var isRunningCallback = false

    /// Runs a script file's text as one command; errors come back with their traceback.
    @discardableResult
    public func runScript(_ source: String, chunkName: String) throws -> [LuaValue] {
        try runCommand { try lua.execute(source, chunkName: "@" + chunkName) }
    }

    /// Moves the world forward, stopping early (and raising) if a Lua callback fails, an
    /// interrupt arrives or the watchdog fires.
    public func advance(by span: SimTime) throws {
        let errorsBefore = callbackErrors.count
        var stop: LuaError?
        let completed = world.advance(by: span) { [unowned self] in
            stop = lua.pendingStop(at: world.calendarNow.clock)
            return callbackErrors.count > errorsBefore || stop != nil
        }
        if completed { return }
        if let stop { throw stop }
        let failure = callbackErrors.remove(at: errorsBefore)
        throw failure
    }

    /// Takes the callback errors collected so far, for display.
    public func drainCallbackErrors() -> [LuaError] {
        defer { callbackErrors.removeAll() }
        return callbackErrors
    }
}
