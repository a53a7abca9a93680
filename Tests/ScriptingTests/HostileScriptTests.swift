import Testing
@testable import Scripting

/// Each hostile script must end in a clear error, and the state must still work afterwards.
@Suite struct HostileScriptTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let code: String
        /// A fragment the error message must contain.
        let expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "io", code: "io.open('/etc/passwd')", expected: "attempt to index a nil value (global 'io')"),
        Case(name: "os", code: "os.execute('true')", expected: "attempt to index a nil value (global 'os')"),
        Case(name: "require", code: "require('os')", expected: "attempt to call a nil value (global 'require')"),
        Case(name: "dofile", code: "dofile('/etc/passwd')", expected: "attempt to call a nil value (global 'dofile')"),
        Case(name: "loadfile", code: "loadfile('/etc/passwd')", expected: "attempt to call a nil value (global 'loadfile')"),
        Case(name: "binary chunk", code: "assert(load('\\27Lua\\x54\\0', 'x', 'b'))", expected: "attempt to load a binary chunk"),
        Case(name: "string.dump", code: "string.dump(print)", expected: "attempt to call a nil value (field 'dump')"),
        Case(name: "debug", code: "debug.sethook()", expected: "attempt to index a nil value (global 'debug')"),
        Case(name: "string metatable", code: "getmetatable('').__index = {}", expected: "attempt to index a string value"),
        Case(name: "infinite loop", code: "while true do end", expected: "instruction budget exhausted"),
        Case(name: "loop inside pcall", code: "while true do pcall(function() while true do end end) end",
             expected: "instruction budget exhausted"),
        Case(name: "pcall that swallows the stop", code: "return pcall(function() while true do end end)",
             expected: "instruction budget exhausted"),
        Case(name: "coroutine created before the loop",
             code: "local co = coroutine.create(function() while true do pcall(function() while true do end end) end end) while true do coroutine.resume(co) end",
             expected: "instruction budget exhausted"),
        Case(name: "memory bomb", code: "local t, s = {}, ('x'):rep(1e6) for i = 1, 1e9 do t[i] = s .. i end", expected: "memory limit exceeded"),
        Case(name: "string bomb", code: "local s = ('x'):rep(1 << 30)", expected: "memory limit exceeded"),
        Case(name: "deep recursion", code: "local function f(n) return f(n + 1) + 1 end f(1)", expected: "stack overflow"),
        Case(name: "finalizer that loops", code: "setmetatable({}, {__gc = function() while true do end end})",
             expected: "__gc metamethods are not allowed"),
        Case(name: "xpcall that loops in both", code: "xpcall(function() while true do end end, function() while true do end end)",
             expected: "instruction budget exhausted"),
        Case(name: "error object that is a table", code: "error({ code = 42 })", expected: "(error object is a table value)"),
        Case(name: "xpcall handler that loops", code: "xpcall(function() error('x') end, function() while true do end end) while true do end",
             expected: "instruction budget exhausted"),
    ]

    @Test(arguments: cases)
    func endsInAClearErrorAndTheStateStaysUsable(_ hostile: Case) throws {
        let runtime = try makeRuntime()
        let core = ReplCore(runtime: runtime)
        let reply = core.feed(hostile.code)
        #expect(reply.failed, "\(hostile.name) should fail")
        #expect(reply.text.contains(hostile.expected), "\(hostile.name): got \(reply.text)")
        let after = core.feed("return 6 * 7")
        #expect(after.text == "42" && !after.failed, "state unusable after \(hostile.name): \(after.text)")
        #expect(core.feed("return sim.clock()").text == "09:00:00")
    }

    @Test func memoryIsReclaimedAfterTheCap() throws {
        let runtime = try makeRuntime()
        let core = ReplCore(runtime: runtime)
        for _ in 0..<3 {
            #expect(core.feed("local t, s = {}, ('x'):rep(1e6) for i = 1, 1e9 do t[i] = s .. i end").text.contains("memory limit exceeded"))
            #expect(core.feed("local t = {} for i = 1, 1000 do t[i] = i end return #t").text == "1000")
        }
    }

    @Test func budgetIsPerCommand() throws {
        let runtime = try makeRuntime(instructions: 1_000_000)
        let core = ReplCore(runtime: runtime)
        // Each command may use most of the budget; together they use far more than one budget.
        for _ in 0..<5 {
            let reply = core.feed("local x = 0 for i = 1, 100000 do x = x + i end return x")
            #expect(reply.text == "5000050000")
        }
    }

    @Test func swiftErrorsBecomeLuaErrorsThatPcallCatches() throws {
        let runtime = try makeRuntime()
        let core = ReplCore(runtime: runtime)
        let reply = core.feed("return pcall(function() sim.advance({}) end)")
        #expect(reply.text.contains("false") && reply.text.contains("bad argument #1 to 'sim.advance'"))
        #expect(reply.text.contains("stdin:1:"), "errors point at the calling line: \(reply.text)")
    }
}
