import Scripting
import Simulation

/// The Lua environments a lab's code and its grader run in, inside the trainee's Lua state, kept
/// apart from the trainee's code.
///
/// When a session starts, before any lab or trainee code runs, it copies every global (the
/// standard libraries and the platform's modules) and the string library that string methods
/// come from. Lab code (`lab.lua`) runs with those pristine copies; its `_G` is a view of the
/// trainee's globals read raw (no metamethod of the trainee's runs). A grader gets fresh pristine
/// copies and nothing of the trainee's but `session.globals`. Both run with the pristine string
/// methods and a budget of their own, and both receive `world`, a table of the documented
/// modules (`world.sim`, `world.faults`, ...) and `world.truth` (etcd's committed state, see
/// `TruthModule`), which the trainee never sees; and both have `labkit` (see `LabKit`), each its
/// own copy.
///
/// What lab code and graders get from the trainee is handed over as plain data: tables are
/// copied without their metatables, and functions become wrappers that run the trainee's
/// function under a budget of its own (the world is read-only there, as for the caller) and hand
/// its results back as data. A trainee who redefines `string.find`, `pairs` or `faults.active`,
/// or sets a metatable on `_G`, changes nothing a check or a grader sees.
final class LabEnvironment {
    private let runtime: ScriptRuntime
    private let evaluateLabFunction: LuaFunctionReference
    private let callLabFunction: LuaFunctionReference
    private let evaluateGraderFunction: LuaFunctionReference
    private let setGradingFunction: LuaFunctionReference
    private let callCheckFunction: LuaFunctionReference

    /// Installs the environments. Call after every module and lab function is defined, and
    /// before any lab or trainee code runs: the copies are taken now.
    init(runtime: ScriptRuntime, modules labModules: LabModules) throws {
        self.runtime = runtime
        let modules = runtime.documentation.modules.map { LuaValue.string($0.name) }
        try runtime.lua.captureLabStringMethods()
        LabEnvironment.registerTraineeCall(in: runtime)
        LabEnvironment.registerModuleFinder(in: runtime, modules: labModules)
        let installer = try runtime.lua.compile(LabEnvironment.source, chunkName: "=lab environment")
        let arguments: [LuaValue] = [.table(LuaTable(array: modules)), .string(LabKit.source)]
        guard case .table(let functions) = try runtime.lua.call(installer, arguments).first ?? .nil else {
            throw LuaError(kind: .bridge, message: "the lab environment did not install")
        }
        func function(_ name: String) throws -> LuaFunctionReference {
            guard case .function(let function) = functions[name] ?? .nil else {
                throw LuaError(kind: .bridge, message: "the lab environment has no \(name)")
            }
            return function
        }
        evaluateLabFunction = try function("evaluate_lab")
        callLabFunction = try function("call_lab")
        evaluateGraderFunction = try function("evaluate_grader")
        setGradingFunction = try function("set_grading")
        callCheckFunction = try function("call_check")
    }

    /// Runs a lab file and returns the table it returns, or a `LabError` naming the file.
    func evaluateLab(_ file: LabFile) throws -> LuaTable {
        try evaluate(file, with: evaluateLabFunction)
    }

    /// Calls a lab function as `f(world, session, ...)`, isolated (see `isolated`). What it does
    /// to the world is the lab's, not the trainee's, in the audit log.
    @discardableResult
    func callLab(_ function: LuaFunctionReference, _ arguments: [LuaValue] = []) throws -> [LuaValue] {
        try runtime.world.audit.attributing(to: AuditLog.Attribution(actor: .lab, command: nil)) {
            try isolated { try runtime.lua.call(callLabFunction, [.function(function)] + arguments) }
        }
    }

    /// Runs a grader file in a fresh pristine environment and returns its rubric table.
    func evaluateGrader(_ file: LabFile) throws -> LuaTable {
        try evaluate(file, with: evaluateGraderFunction)
    }

    /// Hands the grader its `session` and `history` tables; `session.globals` (a plain copy of
    /// the trainee's own globals) is added here.
    func setGrading(session: LuaValue, history: LuaValue) throws {
        try isolated { try runtime.lua.call(setGradingFunction, [session, history]) }
    }

    /// Calls a rubric check as `check(world, session, history)`.
    func callCheck(_ function: LuaFunctionReference) throws -> [LuaValue] {
        try isolated { try runtime.lua.call(callCheckFunction, [.function(function)]) }
    }

    /// Lab code and graders run with the pristine string methods and a budget of their own: a
    /// check that runs inside a trainee's command (`check()`) neither spends the command's
    /// budget nor is stopped by it.
    private func isolated<Result>(_ body: () throws -> Result) throws -> Result {
        try runtime.lua.withStringMethods(lab: true) {
            try runtime.lua.withOwnBudget { try body() }
        }
    }

    /// `trainee_call(f, ...)` for the environment's wrappers of trainee functions: runs `f` with
    /// the trainee's string methods and a budget of its own, and returns `true, results...` as
    /// data, or `false, message`. The world stays as read-only as it was for the caller.
    private static func registerTraineeCall(in runtime: ScriptRuntime) {
        runtime.lua.register(traineeCallGlobal) { [unowned runtime] call in
            let function = try call.function(1)
            let arguments = Array(try call.allArguments().dropFirst())
            do {
                let results = try runtime.lua.withStringMethods(lab: false) {
                    try runtime.lua.withOwnBudget { try runtime.lua.call(function, arguments) }
                }
                call.push(boolean: true)
                for result in results { try call.push(result) }
                return Int32(results.count + 1)
            } catch {
                call.push(boolean: false)
                call.push(string: ReplCore.describe(error))
                return 2
            }
        }
    }

    /// `find_module(name)` for the environments' `require`: the module's source and chunk name,
    /// or nil and why not.
    private static func registerModuleFinder(in runtime: ScriptRuntime, modules: LabModules) {
        runtime.lua.register(moduleFinderGlobal) { call in
            let name = try call.string(1, maximumBytes: LabModules.longestName + 1)
            switch modules.file(for: name) {
            case .success(let file):
                call.push(string: file.text)
                call.push(string: file.chunkName)
            case .failure(let error):
                call.pushNil()
                call.push(string: error.message)
            }
            return 2
        }
    }

    private func evaluate(_ file: LabFile, with evaluator: LuaFunctionReference) throws -> LuaTable {
        let results: [LuaValue]
        do {
            results = try isolated { try runtime.lua.call(evaluator, [.string(file.text), .string(file.chunkName)]) }
        } catch let error as LuaError {
            throw LabError.lua(file: file.displayPath, message: error.message)
        }
        guard case .table(let table) = results.first ?? .nil else {
            throw LabError(file: file.displayPath, problem: "must return a table, returned \(results.first?.typeName ?? "nothing")")
        }
        return table
    }

    /// Hooks for lab code live under this global until the environment takes them away.
    static let sessionHooksGlobal = "__firedrill_session"
    /// Where `trainee_call` waits for the environment to take it.
    static let traineeCallGlobal = "__firedrill_trainee_call"
    /// Where the module finder waits for the environment to take it.
    static let moduleFinderGlobal = "__firedrill_find_module"

    static let source = """
    local moduleNames, labkitSource = ...
    local next, type, ipairs, load, error, setmetatable, rawget, rawset, select =
      next, type, ipairs, load, error, setmetatable, rawget, rawset, select
    local pack, unpack = table.pack, table.unpack
    local G = _G
    local hooks = rawget(G, "\(sessionHooksGlobal)") or {}
    rawset(G, "\(sessionHooksGlobal)", nil)
    local traineeCall = rawget(G, "\(traineeCallGlobal)")
    rawset(G, "\(traineeCallGlobal)", nil)
    local findModule = rawget(G, "\(moduleFinderGlobal)")
    rawset(G, "\(moduleFinderGlobal)", nil)
    local pcall, tostring = pcall, tostring
    local truthHolder = rawget(G, "\(TruthModule.hiddenGlobal)") or {}
    rawset(G, "\(TruthModule.hiddenGlobal)", nil)
    local truth = truthHolder.truth or {}

    local function copy(t)
      local result = {}
      for key, value in next, t do result[key] = value end
      return result
    end

    -- The globals as the session started, and the tables among them (the libraries and the
    -- platform's modules), by identity.
    local originals, installed = {}, {}
    for name, value in next, G do
      if type(value) == "table" and value ~= G then
        originals[name] = { fields = copy(value) }
        installed[value] = true
      else
        originals[name] = { value = value }
      end
    end

    local function pristine()
      local environment = {}
      for name, original in next, originals do
        if original.fields then environment[name] = copy(original.fields) else environment[name] = original.value end
      end
      return environment
    end

    -- Each environment gets its own copy of the truth's tables, so nothing one changes reaches another.
    local function truthCopy()
      local copied = {}
      for name, part in next, truth do copied[name] = copy(part) end
      return copied
    end

    local function worldOf(environment)
      local world = {}
      for _, name in ipairs(moduleNames) do world[name] = environment[name] end
      world.truth = truthCopy()
      return world
    end

    local function installLabkit(environment)
      local chunk, message = load(labkitSource, "=labkit", "t", environment)
      if not chunk then error(message, 0) end
      environment.labkit = chunk()
    end

    -- `require "name"` for one environment: modules run in that environment, once each (the
    -- cache is the environment's own), from the files the lab was read with.
    local loading = {}
    local function installRequire(environment)
      local loaded = {}
      environment.require = function(name)
        if type(name) ~= "string" then
          error("require: expected a module name (a string), got " .. type(name), 2)
        end
        local cached = loaded[name]
        if cached == loading then error('require "' .. name .. '": it requires itself (a cycle)', 2) end
        if cached ~= nil then return cached end
        local source, chunkName = findModule(name)
        if not source then error(chunkName, 2) end
        local chunk, message = load(source, chunkName, "t", environment)
        if not chunk then error(message, 0) end
        loaded[name] = loading
        local ok, result = pcall(chunk, name)
        if not ok then
          loaded[name] = nil
          error(result, 0)
        end
        if result == nil then result = true end
        loaded[name] = result
        return result
      end
    end

    -- A trainee's value as plain data: tables copied raw and without metatables (shared tables
    -- stay shared), at most `room.left` values and 32 levels; functions wrapped so that calling
    -- one runs the trainee's function under a budget of its own and returns data.
    local function handOver(value, seen, room, depth)
      local kind = type(value)
      if kind ~= "table" and kind ~= "function" then return value end
      if seen[value] ~= nil then return seen[value] end
      if kind == "function" then
        local wrapper = function(...)
          local results = pack(traineeCall(value, ...))
          if not results[1] then error(results[2], 0) end
          return unpack(results, 2, results.n)
        end
        seen[value] = wrapper
        return wrapper
      end
      local result = {}
      seen[value] = result
      if depth >= 32 then return result end
      for key, item in next, value do
        room.left = room.left - 1
        if room.left < 0 then break end
        local copiedKey = handOver(key, seen, room, depth + 1)
        if copiedKey ~= nil then result[copiedKey] = handOver(item, seen, room, depth + 1) end
      end
      return result
    end

    local function handOverFresh(value)
      return handOver(value, {}, { left = 100000 }, 0)
    end

    -- Lab code's view of the trainee's globals: read raw, handed over as data. The platform's
    -- own tables come as they are (a lab's setup may wrap the trainee's sim.when).
    local traineeGlobals = setmetatable({}, {
      __index = function(_, name)
        local value = rawget(G, name)
        if installed[value] then return value end
        return handOverFresh(value)
      end,
      __newindex = function(_, name, value) rawset(G, name, value) end,
    })

    -- The globals the trainee defined or replaced, as data, for a grader's session.globals.
    local function traineeOwnGlobals()
      local result, seen, room = {}, {}, { left = 100000 }
      for name, value in next, G do
        local original = originals[name]
        local unchanged = original ~= nil
          and ((original.fields ~= nil and installed[value]) or (original.fields == nil and original.value == value))
        if not unchanged and type(name) == "string" then
          result[name] = handOver(value, seen, room, 0)
          if room.left < 0 then break end
        end
      end
      return result
    end

    local function evaluate(source, chunkName, environment)
      local chunk, message = load(source, chunkName, "t", environment)
      if not chunk then error(message, 0) end
      return chunk()
    end

    local labEnvironment = setmetatable(pristine(), { __index = traineeGlobals })
    labEnvironment._G = traineeGlobals
    installLabkit(labEnvironment)
    installRequire(labEnvironment)
    local labWorld, labSession = worldOf(labEnvironment), copy(hooks)
    local graderWorld, graderSession, graderHistory

    return {
      evaluate_lab = function(source, chunkName) return evaluate(source, chunkName, labEnvironment) end,
      call_lab = function(f, ...) return f(labWorld, labSession, ...) end,
      evaluate_grader = function(source, chunkName)
        local environment = pristine()
        environment._G = environment
        installLabkit(environment)
        installRequire(environment)
        graderWorld = worldOf(environment)
        return evaluate(source, chunkName, environment)
      end,
      set_grading = function(session, history)
        session.globals = traineeOwnGlobals()
        graderSession, graderHistory = session, history
      end,
      call_check = function(f) return f(graderWorld, graderSession, graderHistory) end,
    }
    """
}
