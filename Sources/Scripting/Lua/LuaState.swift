import CLua
import CLuaSandbox
import Simulation

/// Limits that keep a script from taking the host down with it.
public struct LuaLimits: Sendable, Equatable {
    /// VM instructions one command may run (0: unlimited). The work of library functions written
    /// in C (patterns, sorting, copying, the long strings a script makes) counts too, converted
    /// to instructions, so a budget bounds time whatever the script does; only work that every
    /// process does alike is counted, so a budget stops a command at the same point every time.
    public var instructions: Int64
    /// Bytes the state may hold (0: unlimited).
    public var memoryBytes: Int
    /// Wall-clock seconds one command may run before the watchdog stops it (0: no watchdog). The
    /// last line of defence, for work no budget counts (simulating a busy world); unlike the
    /// other limits it is not deterministic, so the budgets should stop a script long before.
    public var wallClockSeconds: Double
    /// Bytes one command may print (and show as its result). The host keeps what a command
    /// prints outside the Lua heap, so this bounds it on its own.
    public var outputBytes: Int

    public init(instructions: Int64 = 500_000_000, memoryBytes: Int = 256 << 20, wallClockSeconds: Double = 120,
                outputBytes: Int = 8 << 20) {
        self.instructions = instructions
        self.memoryBytes = memoryBytes
        self.wallClockSeconds = wallClockSeconds
        self.outputBytes = outputBytes
    }

    public static let unlimited = LuaLimits(instructions: 0, memoryBytes: 0, wallClockSeconds: 0, outputBytes: Int.max)

    /// These limits with any value that cannot be enforced (negative, not finite) replaced by
    /// the strictest one: a host that sets nonsense gets a state that stops at once, not one
    /// without limits. (`LuaState.init` refuses them instead, with an error.)
    public var strictest: LuaLimits {
        LuaLimits(instructions: instructions < 0 ? 1 : instructions, memoryBytes: memoryBytes < 0 ? 1 : memoryBytes,
                  wallClockSeconds: wallClockSeconds.isFinite && wallClockSeconds >= 0 && wallClockSeconds <= 1e9 ? wallClockSeconds : 1,
                  outputBytes: max(0, outputBytes))
    }

    /// Why these limits cannot be enforced as given (a negative or non-finite value), or nil.
    public var problem: String? {
        if instructions < 0 { return "the instruction limit must not be negative (got \(instructions))" }
        if memoryBytes < 0 { return "the memory limit must not be negative (got \(memoryBytes) bytes)" }
        if outputBytes < 0 { return "the output limit must not be negative (got \(outputBytes) bytes)" }
        if !wallClockSeconds.isFinite || wallClockSeconds < 0 || wallClockSeconds > 1e9 {
            return "the wall-clock limit must be between 0 and 1e9 seconds (got \(wallClockSeconds))"
        }
        return nil
    }
}

/// What went wrong in Lua, with the traceback when there is one.
public struct LuaError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        case syntax, runtime, memory, instructionBudget, interrupted, wallClock, bridge
    }

    public let kind: Kind
    public let message: String
    /// Lines of `stack traceback:` as Lua printed them, without the heading.
    public let traceback: [String]

    public init(kind: Kind, message: String, traceback: [String] = []) {
        self.kind = kind
        self.message = message
        self.traceback = traceback
    }

    public var description: String {
        traceback.isEmpty ? message : message + "\nstack traceback:\n" + traceback.map { "\t" + $0 }.joined(separator: "\n")
    }
}

/// One `lua_State` with Firedrill's sandbox, limits and Swift functions. Not thread-safe: the
/// world's one thread owns it.
public final class LuaState {
    /// The raw state. Calls through it must follow the bridge's rules (DESIGN.md).
    let state: OpaquePointer
    private let context: UnsafeMutablePointer<fd_context>
    /// Swift functions exposed to Lua, by the identifier their trampoline carries; names apart,
    /// so a call copies no string.
    private var hostFunctions: ContiguousArray<Unmanaged<HostFunction>> = []
    private var hostFunctionNames: [String] = []
    /// Shared with function references, which must not touch the state once it is gone. (A weak
    /// reference would give the state a side table and slow every retain of it.)
    let lifetime = LuaStateLifetime()
    /// Nesting of Swift → Lua calls; the budget resets only for the outermost one.
    private var callDepth = 0
    /// Nesting of `withOwnBudget`; calls inside one share its budget.
    private var budgetDepth = 0
    /// Bytes the current command has printed; reset when an outermost budget starts.
    private(set) var outputBytesUsed = 0

    /// What the current command may still print.
    public var remainingOutputBytes: Int { max(0, limits.outputBytes - outputBytesUsed) }
    /// The limits in force. `init` refuses limits it cannot enforce (see `LuaLimits.problem`);
    /// set later, they become the strictest ones instead.
    public var limits: LuaLimits {
        didSet {
            if limits.problem != nil { limits = limits.strictest }
            applyLimits()
        }
    }
    /// Where `print` writes. The REPL collects it; `firedrill run` writes it to stdout.
    public var printSink: (String) -> Void = { print($0) }

    public init(limits: LuaLimits = LuaLimits(), random: RandomStream) throws {
        if let problem = limits.problem { throw LuaError(kind: .bridge, message: "cannot enforce these limits: \(problem)") }
        self.limits = limits
        context = .allocate(capacity: 1)
        context.initialize(to: fd_context())
        guard let state = fd_new_state(context) else {
            context.deallocate()
            throw LuaError(kind: .memory, message: "cannot create a Lua state: out of memory")
        }
        self.state = state
        context.pointee.host = Unmanaged.passUnretained(self).toOpaque()
        context.pointee.dispatch = { state in
            guard let state, let context = fd_context_of(state), let host = context.pointee.host else { return -1 }
            return Unmanaged<LuaState>.fromOpaque(host)._withUnsafeGuaranteedRef { $0.dispatch(state) }
        }
        applyLimits()
        try openSandbox(random: random)
    }

    deinit {
        lifetime.isAlive = false
        lua_close(state)
        for function in hostFunctions { function.release() }
        context.deallocate()
    }

    private func applyLimits() {
        context.pointee.instruction_limit = limits.instructions
        context.pointee.memory_limit = limits.memoryBytes
        context.pointee.wall_clock_limit_seconds = limits.wallClockSeconds
    }

    public var memoryInUseBytes: Int { context.pointee.memory_used }

    // MARK: Running code

    /// Compiles and runs a chunk of Lua text, returning its results.
    @discardableResult
    public func execute(_ code: String, chunkName: String = "=(load)") throws -> [LuaValue] {
        try protected {
            try loadChunk(code, chunkName: chunkName)
            return try callTop(arguments: 0)
        }
    }

    /// Compiles a chunk without running it; a syntax error comes back as `.syntax`.
    public func compile(_ code: String, chunkName: String = "=(load)") throws -> LuaFunctionReference {
        try loadChunk(code, chunkName: chunkName)
        return makeReference()
    }

    /// Calls a Lua function with arguments and returns its results.
    @discardableResult
    public func call(_ function: LuaFunctionReference, _ arguments: [LuaValue] = []) throws -> [LuaValue] {
        try protected {
            lua_rawgeti(state, fd_registry_index(), lua_Integer(function.reference))
            for argument in arguments { try push(argument) }
            return try callTop(arguments: Int32(arguments.count))
        }
    }

    /// Calls a global function by dotted name (`"string.format"`).
    @discardableResult
    public func call(global path: String, _ arguments: [LuaValue] = []) throws -> [LuaValue] {
        guard case .function(let function) = try global(path) else {
            throw LuaError(kind: .runtime, message: "\(path) is not a function")
        }
        return try call(function, arguments)
    }

    /// Asks running Lua code to stop at its next hook ("interrupted"); safe from a signal handler's
    /// point of view, since it only sets a flag.
    public func requestInterrupt() { fd_request_interrupt(context) }

    /// Why the running command must stop now (Ctrl-C, or the wall-clock watchdog), as the error
    /// to raise; nil while it may go on. Host loops that run no Lua (the world's event loop) ask
    /// this between events, since Lua's hook cannot.
    public func pendingStop(at clock: String) -> LuaError? {
        guard fd_should_stop(context) != 0 else { return nil }
        switch context.pointee.stop_reason {
        case Int32(FD_STOP_INTERRUPT):
            return LuaError(kind: .interrupted, message: "interrupted at \(clock)")
        case Int32(FD_STOP_WATCHDOG):
            return LuaError(kind: .wallClock, message: wallClockMessage + " (stopped at \(clock))")
        default:
            return LuaError(kind: .instructionBudget, message: budgetMessage)
        }
    }

    // MARK: String methods for lab code

    /// Where string methods (`s:find(...)`) come from now: the lab's copy of the string library,
    /// or the trainee's `string` table (nil until `captureLabStringMethods`).
    private var stringMethodsAreLab: Bool?

    /// Keeps a copy of the string library for lab code: its checks and graders call string
    /// methods, which come from the string metatable's `__index`, the very `string` table a
    /// trainee can change. Call once, before any trainee code runs.
    public func captureLabStringMethods() throws {
        lua_pushcclosure(state, fd_capture_lab_string_methods, 0)
        guard fd_pcall(state, 0, 0, 0) == LUA_OK else {
            throw LuaError(kind: .memory, message: "cannot copy the string library: \(popString() ?? "unknown error")")
        }
        stringMethodsAreLab = false
    }

    /// Runs `body` with string methods from the lab's copy (`lab` true) or from the trainee's
    /// `string` table, and puts back what was in force.
    public func withStringMethods<Result>(lab: Bool, _ body: () throws -> Result) rethrows -> Result {
        guard let previous = stringMethodsAreLab, previous != lab else { return try body() }
        stringMethodsAreLab = lab
        fd_use_lab_string_methods(state, lab ? 1 : 0)
        defer {
            stringMethodsAreLab = previous
            fd_use_lab_string_methods(state, previous ? 1 : 0)
        }
        return try body()
    }

    /// The address of the interrupt flag, for a signal handler that cannot capture the state.
    public var interruptFlagAddress: UnsafeMutablePointer<sig_atomic_t> {
        UnsafeMutablePointer(mutating: fd_interrupt_flag(context))
    }

    private func loadChunk(_ code: String, chunkName: String) throws {
        var code = code
        let status = code.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { characters in
                fd_load_text(state, characters.baseAddress, characters.count, chunkName)
            }
        }
        guard status == LUA_OK else {
            let message = popString() ?? "syntax error"
            throw LuaError(kind: status == LUA_ERRMEM ? .memory : .syntax, message: message)
        }
    }

    /// Runs `body` as one unit of work with a budget of its own (`limits`, or the state's): the
    /// instruction budget, the stop state and the wall-clock deadline start afresh and are put
    /// back afterwards. Calls into Lua inside share it. A command is one such unit; so is a lab's
    /// check, even when it runs inside a trainee's command (`check()`): it neither spends the
    /// command's budget nor can the command's spending stop it.
    public func withOwnBudget<Result>(_ limits: LuaLimits? = nil, _ body: () throws -> Result) rethrows -> Result {
        let saved = (used: context.pointee.instructions_used, stop: context.pointee.stop_reason,
                     deadline: context.pointee.deadline_nanoseconds, limits: self.limits)
        if let limits { self.limits = limits }
        budgetDepth += 1
        startBudget(clearingInterrupt: budgetDepth == 1 && callDepth == 0)
        if budgetDepth == 1 && callDepth == 0 { outputBytesUsed = 0 }
        defer {
            budgetDepth -= 1
            context.pointee.instructions_used = saved.used
            context.pointee.stop_reason = saved.stop
            context.pointee.deadline_nanoseconds = saved.deadline
            if self.limits != saved.limits { self.limits = saved.limits }
            fd_rearm_hook(state)
        }
        return try body()
    }

    /// Runs `body` with the stack restored afterwards, inside a budget of its own unless one is
    /// already running.
    private func protected<Result>(_ body: () throws -> Result) throws -> Result {
        if callDepth == 0 && budgetDepth == 0 { return try withOwnBudget { try protected(body) } }
        let top = lua_gettop(state)
        let savedHostDepth = context.pointee.host_depth
        callDepth += 1
        // Lua code called from a Swift function is the script's again: the memory cap applies.
        context.pointee.host_depth = 0
        defer {
            callDepth -= 1
            context.pointee.host_depth = savedHostDepth
            lua_settop(state, top)
        }
        return try body()
    }

    private func startBudget(clearingInterrupt: Bool) {
        context.pointee.instructions_used = 0
        context.pointee.stop_reason = Int32(FD_STOP_NONE)
        if clearingInterrupt { context.pointee.interrupt_requested = 0 }
        context.pointee.deadline_nanoseconds = limits.wallClockSeconds > 0
            ? fd_monotonic_nanoseconds() + Int64(limits.wallClockSeconds * 1e9) : 0
        fd_rearm_hook(state)
    }

    private var budgetMessage: String {
        "instruction budget exhausted: the script ran more than \(limits.instructions) Lua instructions"
    }

    private var wallClockMessage: String {
        "wall-clock limit exceeded: the command ran longer than \(LuaValue.format(number: limits.wallClockSeconds).replacingOccurrences(of: ".0", with: "")) seconds"
    }

    /// Calls the function below `arguments` values on the stack, with the traceback handler, and
    /// returns its results as Swift values.
    private func callTop(arguments: Int32) throws -> [LuaValue] {
        try callTop(arguments: arguments) { first, count in
            try (0..<count).map { try value(at: first + $0) }
        }
    }

    /// Calls the function below `arguments` values on the stack; `inspect` sees the results while
    /// they are still on the stack (first index, count).
    private func callTop<Result>(arguments: Int32, inspect: (Int32, Int32) throws -> Result) throws -> Result {
        let functionIndex = lua_gettop(state) - arguments
        fd_push_traceback_handler(state)
        lua_rotate(state, functionIndex, 1)
        var status = fd_pcall(state, arguments, LUA_MULTRET, functionIndex)
        if status == LUA_OK && context.pointee.stop_reason != Int32(FD_STOP_NONE) {
            // The script caught the stop with pcall and then finished; it was still stopped.
            lua_settop(state, functionIndex - 1)
            lua_pushstring(state, "stopped")
            status = LUA_ERRRUN
        }
        guard status == LUA_OK else { throw errorFromStack(status: status) }
        return try inspect(functionIndex + 1, lua_gettop(state) - functionIndex)
    }

    /// Runs a compiled chunk and renders each result for display while it is still a live Lua
    /// value (so metatables, cycles and functions show as they are).
    public func callRendering(_ function: LuaFunctionReference, options: RenderOptions = RenderOptions()) throws -> [String] {
        try protected {
            lua_rawgeti(state, fd_registry_index(), lua_Integer(function.reference))
            return try callTop(arguments: 0) { first, count in
                try (0..<count).map { try render(at: first + $0, options: options) }
            }
        }
    }

    private func errorFromStack(status: Int32) -> LuaError {
        let raw = popString() ?? "(error object is not a string)"
        switch context.pointee.stop_reason {
        case Int32(FD_STOP_BUDGET):
            return LuaError(kind: .instructionBudget, message: budgetMessage, traceback: LuaState.tracebackLines(raw))
        case Int32(FD_STOP_INTERRUPT):
            // A stop the world's loop noticed between events says when ("interrupted at 14:20:07").
            let message = LuaState.hostStopMessage(raw, prefix: "interrupted at ") ?? "interrupted"
            return LuaError(kind: .interrupted, message: message, traceback: LuaState.tracebackLines(raw))
        case Int32(FD_STOP_WATCHDOG):
            let message = LuaState.hostStopMessage(raw, prefix: wallClockMessage) ?? wallClockMessage
            return LuaError(kind: .wallClock, message: message, traceback: LuaState.tracebackLines(raw))
        default:
            break
        }
        let megabytes = limits.memoryBytes >> 20
        if status == LUA_ERRMEM {
            return LuaError(kind: .memory, message: "memory limit exceeded: the script used more than \(megabytes) MiB")
        }
        let (message, traceback) = LuaState.splitTraceback(raw)
        // The sandbox's own refusals ("not enough memory (string.rep would need 1024 MiB; ...)"),
        // raised as errors by library functions that check before they allocate.
        if let range = message.range(of: "not enough memory ("), limits.memoryBytes > 0 {
            return LuaError(kind: .memory, message: "memory limit exceeded (" + message[range.upperBound...], traceback: traceback)
        }
        return LuaError(kind: .runtime, message: message, traceback: traceback)
    }

    /// The stop message a Swift function raised (`pendingStop`), without the location Lua put
    /// before it, if the error is one.
    static func hostStopMessage(_ raw: String, prefix: String) -> String? {
        let message = splitTraceback(raw).0
        guard let range = message.range(of: prefix) else { return nil }
        return String(message[range.lowerBound...])
    }

    static func splitTraceback(_ text: String) -> (String, [String]) {
        guard let range = text.range(of: "\nstack traceback:\n") else { return (text, []) }
        return (String(text[..<range.lowerBound]), tracebackLines(text))
    }

    static func tracebackLines(_ text: String) -> [String] {
        guard let range = text.range(of: "\nstack traceback:\n") else { return [] }
        return text[range.upperBound...].split(separator: "\n").map {
            String($0.drop(while: { $0 == "\t" }))
        }
    }

    private func popString() -> String? {
        defer { fd_pop(state, 1) }
        return string(at: -1)
    }

    // MARK: Globals

    /// Reads a global by dotted path (`"sim.now"`) without running metamethods.
    public func global(_ path: String) throws -> LuaValue {
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        guard pushRawPath(path) else { return .nil }
        return try value(at: -1)
    }

    /// Sets a global by dotted path, creating intermediate tables.
    public func setGlobal(_ path: String, _ value: LuaValue) throws {
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        var parts = path.split(separator: ".").map(String.init)
        let last = parts.removeLast()
        lua_rawgeti(state, fd_registry_index(), lua_Integer(LUA_RIDX_GLOBALS))
        for part in parts {
            lua_pushstring(state, part)
            if lua_rawget(state, -2) != LUA_TTABLE {
                fd_pop(state, 1)
                fd_newtable(state)
                lua_pushstring(state, part)
                lua_pushvalue(state, -2)
                lua_rawset(state, -4)
            }
        }
        lua_pushstring(state, last)
        try push(value)
        lua_rawset(state, -3)
    }

    /// Pushes the value at a dotted path; false (and nothing pushed) if a step is missing.
    private func pushRawPath(_ path: String) -> Bool {
        lua_rawgeti(state, fd_registry_index(), lua_Integer(LUA_RIDX_GLOBALS))
        for part in path.split(separator: ".") {
            guard lua_type(state, -1) == LUA_TTABLE else { fd_pop(state, 1); return false }
            lua_pushstring(state, String(part))
            lua_rawget(state, -2)
            lua_rotate(state, -2, 1)
            fd_pop(state, 1)
        }
        return true
    }

    // MARK: Swift functions

    /// Exposes a Swift function to Lua at a dotted global path. The body reads its arguments from
    /// the call, pushes results and returns how many; a thrown error becomes a Lua error raised by
    /// the C trampoline, never by Swift.
    public func register(_ path: String, _ body: @escaping (LuaCall) throws -> Int32) {
        let identifier = hostFunctions.count
        hostFunctions.append(Unmanaged.passRetained(HostFunction(body, identifier: identifier)))
        hostFunctionNames.append(path)
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        var parts = path.split(separator: ".").map(String.init)
        let last = parts.removeLast()
        lua_rawgeti(state, fd_registry_index(), lua_Integer(LUA_RIDX_GLOBALS))
        for part in parts {
            lua_pushstring(state, part)
            if lua_rawget(state, -2) != LUA_TTABLE {
                fd_pop(state, 1)
                fd_newtable(state)
                lua_pushstring(state, part)
                lua_pushvalue(state, -2)
                lua_rawset(state, -4)
            }
        }
        lua_pushstring(state, last)
        fd_push_host_function(state, hostFunctions[identifier].toOpaque())
        lua_rawset(state, -3)
    }

    /// Convenience: a Swift function from argument values to result values.
    public func register(_ path: String, values body: @escaping ([LuaValue]) throws -> [LuaValue]) {
        register(path) { call in
            let results = try body(try call.allArguments())
            for result in results { try call.push(result) }
            return Int32(results.count)
        }
    }

    func hostFunctionName(_ identifier: Int) -> String { hostFunctionNames[identifier] }

    private func dispatch(_ thread: OpaquePointer) -> Int32 {
        guard let pointer = fd_host_function_pointer(thread) else {
            lua_pushstring(thread, "unknown host function")
            return -1
        }
        let function = Unmanaged<HostFunction>.fromOpaque(pointer)
        context.pointee.host_depth += 1
        defer { context.pointee.host_depth -= 1 }
        do {
            // The state keeps every function alive; calling through a guaranteed reference skips
            // a retain and release per call.
            return try function._withUnsafeGuaranteedRef {
                try $0.body(LuaCall(thread: thread, host: self, identifier: $0.identifier))
            }
        } catch let error as LuaError {
            lua_settop(thread, 0)
            lua_pushstring(thread, error.description)
            return -1
        } catch {
            lua_settop(thread, 0)
            lua_pushstring(thread, "\(error)")
            return -1
        }
    }

    // MARK: Values

    /// Pushes a Swift value onto the stack of `thread` (the main thread by default).
    func push(_ value: LuaValue, on thread: OpaquePointer? = nil) throws {
        let thread = thread ?? state
        switch value {
        case .nil: lua_pushnil(thread)
        case .boolean(let flag): lua_pushboolean(thread, flag ? 1 : 0)
        case .integer(let integer): lua_pushinteger(thread, integer)
        case .number(let number): lua_pushnumber(thread, number)
        case .string(let text):
            var text = text
            text.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(thread, $0.baseAddress, $0.count) }
            }
        case .function(let function):
            guard function.state === self else {
                throw LuaError(kind: .bridge, message: "a function from another Lua state cannot cross into this one")
            }
            lua_rawgeti(thread, fd_registry_index(), lua_Integer(function.reference))
        case .table(let table):
            lua_checkstack(thread, 4)
            lua_createtable(thread, Int32(clamping: table.array.count), Int32(clamping: table.hash.count))
            for (offset, element) in table.array.enumerated() {
                try push(element, on: thread)
                lua_rawseti(thread, -2, lua_Integer(offset + 1))
            }
            // In a fixed order: the tables made here get their identities (what tostring and
            // next's order use) in creation order, which must not follow Swift's hash order.
            for (key, element) in table.hash.sorted(by: { LuaValue.canonicalOrder($0.key, $1.key) }) {
                try push(key, on: thread)
                try push(element, on: thread)
                lua_rawset(thread, -3)
            }
        }
    }

    /// Copies the value at a stack index into Swift. Tables are snapshotted without metamethods;
    /// a table that contains itself is refused rather than followed forever.
    func value(at index: Int32, on thread: OpaquePointer? = nil) throws -> LuaValue {
        var visiting = Set<UnsafeRawPointer>()
        var room = LuaState.maximumSnapshotValues
        return try value(at: index, on: thread ?? state, visiting: &visiting, depth: 0, room: &room)
    }

    static let maximumTableDepth = 100
    /// Values one snapshot may copy into Swift: a table is copied whole, outside the Lua heap.
    static let maximumSnapshotValues = 500_000

    private func value(at index: Int32, on thread: OpaquePointer, visiting: inout Set<UnsafeRawPointer>,
                       depth: Int, room: inout Int) throws -> LuaValue {
        let index = lua_absindex(thread, index)
        room -= 1
        guard room >= 0 else {
            throw LuaError(kind: .bridge, message: "table too large to cross into Swift (more than \(LuaState.maximumSnapshotValues) values)")
        }
        switch lua_type(thread, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(thread, index) != 0)
        case LUA_TNUMBER:
            return fd_is_integer(thread, index) != 0
                ? .integer(lua_tointegerx(thread, index, nil)) : .number(lua_tonumberx(thread, index, nil))
        case LUA_TSTRING:
            // Strings count by size too: a snapshot is a copy outside the Lua heap.
            room -= Int(lua_rawlen(thread, index)) / 64
            guard room >= 0 else {
                throw LuaError(kind: .bridge, message: "table too large to cross into Swift (more than \(LuaState.maximumSnapshotValues / 16) KiB of strings)")
            }
            return .string(string(at: index, on: thread) ?? "")
        case LUA_TFUNCTION:
            lua_pushvalue(thread, index)
            lua_xmove(thread, state, 1)
            return .function(makeReference())
        case LUA_TTABLE:
            return .table(try table(at: index, on: thread, visiting: &visiting, depth: depth, room: &room))
        default:
            let typeName = String(cString: lua_typename(thread, lua_type(thread, index)))
            throw LuaError(kind: .bridge, message: "a \(typeName) value cannot cross into Swift")
        }
    }

    private func table(at index: Int32, on thread: OpaquePointer, visiting: inout Set<UnsafeRawPointer>,
                       depth: Int, room: inout Int) throws -> LuaTable {
        guard depth < LuaState.maximumTableDepth else {
            throw LuaError(kind: .bridge, message: "table nested deeper than \(LuaState.maximumTableDepth) levels")
        }
        guard let identity = lua_topointer(thread, index), visiting.insert(identity).inserted else {
            throw LuaError(kind: .bridge, message: "a table that contains itself cannot cross into Swift")
        }
        defer { visiting.remove(identity) }
        lua_checkstack(thread, 4)
        var result = LuaTable()
        var position: lua_Integer = 1
        while lua_rawgeti(thread, index, position) != LUA_TNIL {
            result.array.append(try value(at: -1, on: thread, visiting: &visiting, depth: depth + 1, room: &room))
            fd_pop(thread, 1)
            position += 1
        }
        fd_pop(thread, 1)
        let arrayCount = Int64(result.array.count)
        lua_pushnil(thread)
        while lua_next(thread, index) != 0 {
            let key = try value(at: -2, on: thread, visiting: &visiting, depth: depth + 1, room: &room)
            if case .integer(let position) = key, position >= 1, position <= arrayCount {
                fd_pop(thread, 1)
                continue
            }
            result.hash[key] = try value(at: -1, on: thread, visiting: &visiting, depth: depth + 1, room: &room)
            fd_pop(thread, 1)
        }
        return result
    }

    /// The string at an index, only if it is a string (never converting numbers in place, which
    /// would confuse `lua_next`).
    func string(at index: Int32, on thread: OpaquePointer? = nil) -> String? {
        let thread = thread ?? state
        guard lua_type(thread, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let characters = fd_tolstring(thread, index, &length) else { return nil }
        return characters.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    /// Pops the function on top of the main stack into a registry reference.
    private func makeReference() -> LuaFunctionReference {
        let reference = luaL_ref(state, fd_registry_index())
        return LuaFunctionReference(reference: reference, state: self, lifetime: lifetime)
    }

    func releaseReference(_ reference: Int32) {
        luaL_unref(state, fd_registry_index(), reference)
    }

    // MARK: Sandbox

    private func openSandbox(random: RandomStream) throws {
        fd_push_sandbox_opener(state)
        let status = fd_pcall(state, 0, 0, 0)
        guard status == LUA_OK else {
            throw LuaError(kind: .memory, message: "cannot open the Lua libraries: \(popString() ?? "unknown error")")
        }
        registerSandboxFunctions(random: random)
        try execute(LuaState.sandboxPrelude, chunkName: "=sandbox")
    }

    private func registerSandboxFunctions(random: RandomStream) {
        register("__firedrill_write") { [unowned self] call in
            let length = call.byteCount(1)
            guard length <= remainingOutputBytes else {
                outputBytesUsed = limits.outputBytes
                throw call.error("output limit exceeded: a command may print at most \(limits.outputBytes >> 20) MiB; print less, or return a summary")
            }
            outputBytesUsed += length + 1
            printSink(try call.string(1, maximumBytes: limits.outputBytes))
            return 0
        }
        register("math.random") { call in try LuaState.random(call, stream: random) }
        register("math.randomseed") { call in
            let seed = call.argumentCount == 0 ? 0 : try call.integer(1)
            random.reseed(UInt64(bitPattern: seed))
            return 0
        }
    }

    /// `math.random` with Lua's argument rules, drawing from the world's stream.
    private static func random(_ call: LuaCall, stream: RandomStream) throws -> Int32 {
        switch call.argumentCount {
        case 0:
            call.push(number: stream.unit())
        case 1, 2:
            let low = call.argumentCount == 2 ? try call.integer(1) : 1
            let high = try call.integer(call.argumentCount)
            if call.argumentCount == 1 && high == 0 {
                call.push(integer: Int64(bitPattern: stream.next()))
                return 1
            }
            guard low <= high else { throw call.argumentError(call.argumentCount, "interval is empty") }
            call.push(integer: stream.integer(in: low...high))
        default:
            throw LuaError(kind: .runtime, message: "wrong number of arguments to 'random'")
        }
        return 1
    }

    /// Lua run once per state, after the C side has replaced what could run unbounded or print
    /// addresses (`tostring`, `next`, `pairs`, `load`, `pcall`, patterns, `sort` ...).
    static let sandboxPrelude = """
    local type, rawget, select, error = type, rawget, select, error
    local concat, rawsetmetatable, tostring, gsub = table.concat, setmetatable, tostring, string.gsub
    local write = __firedrill_write
    __firedrill_write = nil
    -- Lua runs xpcall's handler before unwinding, with hooks still off when the error came from
    -- the budget hook, so a looping handler could never be stopped. Here the handler runs after
    -- the protected call has returned, under the budget like any other code.
    local rawpcall, pack, unpack = pcall, table.pack, table.unpack
    xpcall = function(f, handler, ...)
      if type(handler) ~= "function" then
        error("bad argument #2 to 'xpcall' (function expected, got " .. type(handler) .. ")", 2)
      end
      local results = pack(rawpcall(f, ...))
      if results[1] then return unpack(results, 1, results.n) end
      return false, (handler(results[2]))
    end
    -- Finalizers run with hooks off, so neither the budget nor Ctrl-C could stop one.
    setmetatable = function(t, metatable)
      if type(metatable) == "table" and rawget(metatable, "__gc") ~= nil then
        error("__gc metamethods are not allowed in the sandbox", 2)
      end
      return rawsetmetatable(t, metatable)
    end
    -- A refusal (the output limit) points at the line that printed, not at this prelude.
    local function emit(text)
      local ok, message = rawpcall(write, text)
      if not ok then error((gsub(message, "^sandbox:%d+: ", "")), 3) end
    end
    print = function(...)
      -- One value (a command's output, often large) is written as it is, not copied.
      if select('#', ...) == 1 then emit(tostring((...))) return end
      local parts = {}
      for index = 1, select('#', ...) do parts[index] = tostring((select(index, ...))) end
      emit(concat(parts, "\\t"))
    end
    """
}

/// A Swift function registered in a state.
final class HostFunction {
    let body: (LuaCall) throws -> Int32
    let identifier: Int
    init(_ body: @escaping (LuaCall) throws -> Int32, identifier: Int) {
        self.body = body
        self.identifier = identifier
    }
}

/// The arguments and results of one call from Lua into Swift. Valid only during that call.
public struct LuaCall {
    let thread: OpaquePointer
    /// Valid for the call: the state outlives every call into it.
    unowned(unsafe) let host: LuaState
    let identifier: Int

    /// The dotted name the function was registered under, for error messages.
    public var functionName: String { host.hostFunctionName(identifier) }

    public var argumentCount: Int32 { lua_gettop(thread) }

    public func value(_ index: Int32) throws -> LuaValue { try host.value(at: index, on: thread) }

    public func allArguments() throws -> [LuaValue] {
        guard argumentCount > 0 else { return [] }
        return try (1...argumentCount).map { try value($0) }
    }

    public func isNil(_ index: Int32) -> Bool { fd_is_none_or_nil(thread, index) != 0 }

    public func typeName(_ index: Int32) -> String {
        index > argumentCount ? "no value" : String(cString: lua_typename(thread, lua_type(thread, index)))
    }

    public func integer(_ index: Int32) throws -> Int64 {
        var isNumber: Int32 = 0
        let result = lua_tointegerx(thread, index, &isNumber)
        guard isNumber != 0, lua_type(thread, index) == LUA_TNUMBER else {
            if lua_type(thread, index) == LUA_TNUMBER {
                throw argumentError(index, "number has no integer representation")
            }
            throw typeError(index, expected: "number")
        }
        return result
    }

    public func number(_ index: Int32) throws -> Double {
        guard lua_type(thread, index) == LUA_TNUMBER else { throw typeError(index, expected: "number") }
        return lua_tonumberx(thread, index, nil)
    }

    /// Bytes of the string at `index` (0 if it is not a string), without copying it.
    public func byteCount(_ index: Int32) -> Int {
        lua_type(thread, index) == LUA_TSTRING ? Int(lua_rawlen(thread, index)) : 0
    }

    /// The most any string argument may hold when it crosses into Swift: the copy is made
    /// outside the Lua heap, so it is bounded here.
    public static let maximumStringBytes = 16 << 20

    /// A string argument of at most `maximumBytes`, refused with an error naming the argument
    /// before anything is copied.
    public func string(_ index: Int32, maximumBytes: Int) throws -> String {
        let length = byteCount(index)
        guard length <= maximumBytes else {
            throw argumentError(index, "string of \(length) bytes is longer than the \(LuaCall.describe(bytes: maximumBytes)) this takes")
        }
        return try string(index)
    }

    static func describe(bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : bytes >= 1 << 10 && bytes % (1 << 10) == 0 ? "\(bytes >> 10) KiB" : "\(bytes) bytes"
    }

    public func string(_ index: Int32) throws -> String {
        let length = byteCount(index)
        guard length <= LuaCall.maximumStringBytes else {
            throw argumentError(index, "string of \(length) bytes is longer than the \(LuaCall.maximumStringBytes >> 20) MiB a string may be when it crosses into Swift")
        }
        guard let text = host.string(at: index, on: thread) else { throw typeError(index, expected: "string") }
        return text
    }

    public func optionalString(_ index: Int32) throws -> String? {
        isNil(index) ? nil : try string(index)
    }

    public func function(_ index: Int32) throws -> LuaFunctionReference {
        guard lua_type(thread, index) == LUA_TFUNCTION, case .function(let function) = try value(index) else {
            throw typeError(index, expected: "function")
        }
        return function
    }

    public func table(_ index: Int32) throws -> LuaTable {
        guard lua_type(thread, index) == LUA_TTABLE, case .table(let table) = try value(index) else {
            throw typeError(index, expected: "table")
        }
        return table
    }

    public func push(_ value: LuaValue) throws { try host.push(value, on: thread) }
    public func push(integer: Int64) { lua_pushinteger(thread, integer) }
    public func push(number: Double) { lua_pushnumber(thread, number) }
    public func push(boolean: Bool) { lua_pushboolean(thread, boolean ? 1 : 0) }
    public func pushNil() { lua_pushnil(thread) }
    public func push(string: String) {
        var text = string
        text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(thread, $0.baseAddress, $0.count) }
        }
    }

    /// Pushes `nil, message`: how a command reports a failure a person would expect an answer to.
    public func fail(_ message: String) -> Int32 {
        pushNil()
        push(string: message)
        return 2
    }

    public func typeError(_ index: Int32, expected: String) -> LuaError {
        argumentError(index, "\(expected) expected, got \(typeName(index))")
    }

    public func argumentError(_ index: Int32, _ problem: String) -> LuaError {
        LuaError(kind: .runtime, message: "bad argument #\(index) to '\(functionName)' (\(problem))")
    }

    public func error(_ message: String) -> LuaError {
        LuaError(kind: .runtime, message: message)
    }
}

