import Scripting
import Simulation

/// The Lua environments a lab's code and its grader run in, inside the trainee's Lua state.
///
/// When a session starts, before any lab or trainee code runs, it copies every global (the
/// standard libraries and the platform's modules). Lab code (`lab.lua`) runs with those pristine
/// copies and falls through to the trainee's globals for anything else (so a step can call the
/// trainee's `drill_check`). A grader gets fresh pristine copies and nothing of the trainee's but
/// `session.globals`: a trainee who redefines `faults.active` or `string.format` cannot fool it.
/// Both receive `world`, a table of the documented modules (`world.sim`, `world.faults`, ...)
/// and `world.truth` (etcd's committed state, see `TruthModule`), which the trainee never sees;
/// and both have `labkit` (see `LabKit`), each its own copy.
final class LabEnvironment {
    private let runtime: ScriptRuntime
    private let evaluateLabFunction: LuaFunctionReference
    private let callLabFunction: LuaFunctionReference
    private let evaluateGraderFunction: LuaFunctionReference
    private let setGradingFunction: LuaFunctionReference
    private let callCheckFunction: LuaFunctionReference

    /// Installs the environments. Call after every module and lab function is defined, and
    /// before any lab or trainee code runs: the copies are taken now.
    init(runtime: ScriptRuntime) throws {
        self.runtime = runtime
        let modules = runtime.documentation.modules.map { LuaValue.string($0.name) }
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

    /// Calls a lab function as `f(world, session, ...)`. What it does to the world is the lab's,
    /// not the trainee's, in the audit log.
    @discardableResult
    func callLab(_ function: LuaFunctionReference, _ arguments: [LuaValue] = []) throws -> [LuaValue] {
        try runtime.world.audit.attributing(to: AuditLog.Attribution(actor: .lab, command: nil)) {
            try runtime.lua.call(callLabFunction, [.function(function)] + arguments)
        }
    }

    /// Runs a grader file in a fresh pristine environment (restoring the string library, whose
    /// table string methods reach) and returns its rubric table.
    func evaluateGrader(_ file: LabFile) throws -> LuaTable {
        try evaluate(file, with: evaluateGraderFunction)
    }

    /// Hands the grader its `session` and `history` tables; `session.globals` is added here.
    func setGrading(session: LuaValue, history: LuaValue) throws {
        try runtime.lua.call(setGradingFunction, [session, history])
    }

    /// Calls a rubric check as `check(world, session, history)`.
    func callCheck(_ function: LuaFunctionReference) throws -> [LuaValue] {
        try runtime.lua.call(callCheckFunction, [.function(function)])
    }

    private func evaluate(_ file: LabFile, with evaluator: LuaFunctionReference) throws -> LuaTable {
        let results: [LuaValue]
        do {
            results = try runtime.lua.call(evaluator, [.string(file.text), .string(file.chunkName)])
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

    static let source = """
    local moduleNames, labkitSource = ...
    local next, type, ipairs, load, error, setmetatable, rawget, rawset =
      next, type, ipairs, load, error, setmetatable, rawget, rawset
    local G = _G
    local hooks = rawget(G, "\(sessionHooksGlobal)") or {}
    rawset(G, "\(sessionHooksGlobal)", nil)
    local truthHolder = rawget(G, "\(TruthModule.hiddenGlobal)") or {}
    rawset(G, "\(TruthModule.hiddenGlobal)", nil)
    local truth = truthHolder.truth or {}

    local function copy(t)
      local result = {}
      for key, value in next, t do result[key] = value end
      return result
    end

    local originals = {}
    for name, value in next, G do
      if type(value) == "table" and value ~= G then
        originals[name] = { fields = copy(value) }
      else
        originals[name] = { value = value }
      end
    end
    -- Strings' methods come from this table (the sandbox protects the metatable itself).
    local stringLibrary, stringFields = string, copy(string)

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

    local function reset(t, fields)
      for key in next, copy(t) do rawset(t, key, nil) end
      for key, value in next, fields do rawset(t, key, value) end
    end

    local function evaluate(source, chunkName, environment)
      local chunk, message = load(source, chunkName, "t", environment)
      if not chunk then error(message, 0) end
      return chunk()
    end

    local labEnvironment = setmetatable(pristine(), { __index = G })
    labEnvironment._G = G
    installLabkit(labEnvironment)
    local labWorld, labSession = worldOf(labEnvironment), copy(hooks)
    local graderWorld, graderSession, graderHistory

    return {
      evaluate_lab = function(source, chunkName) return evaluate(source, chunkName, labEnvironment) end,
      call_lab = function(f, ...) return f(labWorld, labSession, ...) end,
      evaluate_grader = function(source, chunkName)
        reset(stringLibrary, stringFields)
        local environment = pristine()
        environment._G = environment
        installLabkit(environment)
        graderWorld = worldOf(environment)
        return evaluate(source, chunkName, environment)
      end,
      set_grading = function(session, history)
        session.globals = G
        graderSession, graderHistory = session, history
      end,
      call_check = function(f) return f(graderWorld, graderSession, graderHistory) end,
    }
    """
}
