import CLua
import Simulation

/// Limits that keep a script from taking the host down with it.
public struct LuaLimits: Sendable, Equatable {
    /// VM instructions one top-level call may run (0: unlimited).
    public var instructions: Int64
    /// Bytes the state may hold (0: unlimited).
    public var memoryBytes: Int

    public init(instructions: Int64 = 500_000_000, memoryBytes: Int = 256 << 20) {
        self.instructions = instructions
        self.memoryBytes = memoryBytes
    }

    public static let unlimited = LuaLimits(instructions: 0, memoryBytes: 0)
}

/// What went wrong in Lua, with the traceback when there is one.
public struct LuaError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        case syntax, runtime, memory, instructionBudget, interrupted, bridge
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
    public var limits: LuaLimits {
        didSet { applyLimits() }
    }
    /// Where `print` writes. The REPL collects it; `firedrill run` writes it to stdout.
    public var printSink: (String) -> Void = { print($0) }

    public init(limits: LuaLimits = LuaLimits(), random: RandomStream) throws {
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

    /// True once an interrupt was requested during the current top-level call.
    public var isInterruptRequested: Bool {
        context.pointee.interrupt_requested != 0 || context.pointee.stop_reason == Int32(FD_STOP_INTERRUPT)
    }

    /// A raw pointer to the interrupt flag, for a signal handler that cannot capture the state.
    public var interruptFlag: UnsafeMutablePointer<fd_context> { context }

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

    /// Runs `body` with the stack restored afterwards and the per-call limits reset for the
    /// outermost call.
    private func protected<Result>(_ body: () throws -> Result) throws -> Result {
        let top = lua_gettop(state)
        let savedHostDepth = context.pointee.host_depth
        if callDepth == 0 { resetStopState() }
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

    private func resetStopState() {
        context.pointee.instructions_used = 0
        context.pointee.stop_reason = Int32(FD_STOP_NONE)
        context.pointee.interrupt_requested = 0
        fd_rearm_hook(state)
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
            return LuaError(kind: .instructionBudget,
                            message: "instruction budget exhausted: the script ran more than \(limits.instructions) Lua instructions",
                            traceback: LuaState.tracebackLines(raw))
        case Int32(FD_STOP_INTERRUPT):
            return LuaError(kind: .interrupted, message: "interrupted", traceback: LuaState.tracebackLines(raw))
        default:
            break
        }
        if status == LUA_ERRMEM {
            let megabytes = limits.memoryBytes >> 20
            return LuaError(kind: .memory, message: "memory limit exceeded: the script used more than \(megabytes) MiB")
        }
        let (message, traceback) = LuaState.splitTraceback(raw)
        return LuaError(kind: .runtime, message: message, traceback: traceback)
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
            for (key, element) in table.hash {
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
        return try value(at: index, on: thread ?? state, visiting: &visiting, depth: 0)
    }

    static let maximumTableDepth = 100

    private func value(at index: Int32, on thread: OpaquePointer, visiting: inout Set<UnsafeRawPointer>,
                       depth: Int) throws -> LuaValue {
        let index = lua_absindex(thread, index)
        switch lua_type(thread, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(thread, index) != 0)
        case LUA_TNUMBER:
            return fd_is_integer(thread, index) != 0
                ? .integer(lua_tointegerx(thread, index, nil)) : .number(lua_tonumberx(thread, index, nil))
        case LUA_TSTRING: return .string(string(at: index, on: thread) ?? "")
        case LUA_TFUNCTION:
            lua_pushvalue(thread, index)
            lua_xmove(thread, state, 1)
            return .function(makeReference())
        case LUA_TTABLE:
            return .table(try table(at: index, on: thread, visiting: &visiting, depth: depth))
        default:
            let typeName = String(cString: lua_typename(thread, lua_type(thread, index)))
            throw LuaError(kind: .bridge, message: "a \(typeName) value cannot cross into Swift")
        }
    }

    private func table(at index: Int32, on thread: OpaquePointer, visiting: inout Set<UnsafeRawPointer>,
                       depth: Int) throws -> LuaTable {
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
            result.array.append(try value(at: -1, on: thread, visiting: &visiting, depth: depth + 1))
            fd_pop(thread, 1)
            position += 1
        }
        fd_pop(thread, 1)
        let arrayCount = Int64(result.array.count)
        lua_pushnil(thread)
        while lua_next(thread, index) != 0 {
            let key = try value(at: -2, on: thread, visiting: &visiting, depth: depth + 1)
            if case .integer(let position) = key, position >= 1, position <= arrayCount {
                fd_pop(thread, 1)
                continue
            }
            result.hash[key] = try value(at: -1, on: thread, visiting: &visiting, depth: depth + 1)
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
            printSink(try call.string(1))
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

    /// Lua run once per state: `load` refuses binary chunks, and `pairs` walks keys in a fixed
    /// order, because Lua seeds its string hash per process and table order would otherwise
    /// differ from run to run (determinism is the product).
    static let sandboxPrelude = """
    local type, next, rawget, select, error, getmetatable = type, next, rawget, select, error, getmetatable
    local sort, concat, rawload, rawtostring = table.sort, table.concat, load, tostring
    local rawsetmetatable = setmetatable
    local write = __firedrill_write
    __firedrill_write = nil
    -- tostring names tables and functions by the order they were first printed, not by address,
    -- so the same session prints the same text every time.
    local names, count = rawsetmetatable({}, { __mode = "k" }), 0
    tostring = function(...)
      if select('#', ...) == 0 then error("bad argument #1 to 'tostring' (value expected)", 2) end
      local value = ...
      local kind = type(value)
      if kind ~= "table" and kind ~= "function" and kind ~= "thread" and kind ~= "userdata" then
        return rawtostring(value)
      end
      local metatable = getmetatable(value)
      if type(metatable) == "table" and (rawget(metatable, "__tostring") or rawget(metatable, "__name")) then
        return rawtostring(value)
      end
      local name = names[value]
      if not name then count = count + 1; name = count; names[value] = name end
      return kind .. ": #" .. name
    end
    local tostring = tostring
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
    print = function(...)
      local parts = {}
      for index = 1, select('#', ...) do parts[index] = tostring((select(index, ...))) end
      write(concat(parts, "\\t"))
    end
    load = function(chunk, name, mode, ...)
      if select('#', ...) > 0 then return rawload(chunk, name, "t", ...) end
      return rawload(chunk, name, "t")
    end
    local rank = { number = 1, string = 2, boolean = 3 }
    local function before(a, b)
      local ta, tb = type(a), type(b)
      local ra, rb = rank[ta] or 4, rank[tb] or 4
      if ra ~= rb then return ra < rb end
      if ra == 4 then return false end
      if ta == "boolean" then return (not a) and b end
      return a < b
    end
    pairs = function(t)
      local metatable = getmetatable(t)
      local handler = type(metatable) == "table" and rawget(metatable, "__pairs")
      if handler then
        local f, s, c = handler(t)
        return f, s, c
      end
      if type(t) ~= "table" then
        error("bad argument #1 to 'for iterator' (table expected, got " .. type(t) .. ")", 2)
      end
      local keys, count = {}, 0
      for key in next, t do count = count + 1; keys[count] = key end
      sort(keys, before)
      local position = 0
      return function()
        while position < count do
          position = position + 1
          local key = keys[position]
          local value = rawget(t, key)
          if value ~= nil then return key, value end
        end
        return nil
      end, t, nil
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

    public func string(_ index: Int32) throws -> String {
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

