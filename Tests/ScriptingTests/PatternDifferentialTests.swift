import CLua
import Testing
import Simulation
@testable import Scripting

/// The sandbox's pattern matcher is its own (it counts its steps); it must agree with Lua's on
/// what patterns mean. Random patterns and subjects go through `find`, `match`, `gmatch` and
/// `gsub` in a plain Lua state and in the sandbox, and the answers must be the same. Where Lua's
/// matcher raises an error only once it reaches a malformed part, the sandbox may refuse the
/// pattern at once; every other answer must match. The seed prints with any difference.
@Suite struct PatternDifferentialTests {
    static let cases = 3_000

    @Test func theSandboxMatchesAsLuaDoes() throws {
        let plain = luaL_newstate()!
        defer { lua_close(plain) }
        luaL_openlibs(plain)
        let sandbox = try LuaState(limits: LuaLimits(instructions: 50_000_000, memoryBytes: 64 << 20),
                                   random: RandomStream(seed: 1, name: "patterns"))
        let random = RandomStream(seed: 13, name: "pattern cases")
        var compared = 0
        for number in 0..<PatternDifferentialTests.cases {
            let code = PatternDifferentialTests.program(random)
            let expected = PatternDifferentialTests.run(code, in: plain)
            let got: String
            do { got = (try sandbox.execute(code)).first?.stringValue ?? "?" } catch { got = "error: \(error)" }
            switch (expected.hasPrefix("error:"), got.hasPrefix("error:")) {
            case (false, false):
                #expect(got == expected, "case \(number) (seed 13): \(code)\nLua: \(expected)\nsandbox: \(got)")
                compared += 1
            case (true, false):
                Issue.record("case \(number) (seed 13): Lua raised, the sandbox did not: \(code)\nLua: \(expected)\nsandbox: \(got)")
            default:
                break
            }
        }
        #expect(compared > PatternDifferentialTests.cases / 2, "too few cases compared: \(compared)")
    }

    static let subjectAlphabet = Array("aab()[]%.- x1")
    static let patternPieces = ["a", "b", ".", "%a", "%d", "%s", "%w", "%p", "%A", "%%", "%.", "[ab]", "[^a]", "[a-c]", "[%a%-]",
                                "[]]", "[^]a]", "(", ")", "()", "%b()", "%f[%a]", "%1", "^", "$", "x", " ", "-"]
    static let quantifiers = ["", "", "", "*", "+", "-", "?"]

    static func program(_ random: RandomStream) -> String {
        let subject = String((0..<random.integer(in: 0..<14)).map { _ in random.element(of: subjectAlphabet)! })
        var pattern = ""
        for _ in 0..<random.integer(in: 1..<6) {
            pattern += random.element(of: patternPieces)! + random.element(of: quantifiers)!
        }
        let s = LuaValue.quote(subject), p = LuaValue.quote(pattern)
        let show = """
        local function show(...)
          local parts = {}
          for i = 1, select('#', ...) do local v = select(i, ...) parts[i] = type(v) .. ':' .. tostring(v) end
          return table.concat(parts, '|')
        end
        """
        switch random.integer(in: 0..<5) {
        case 0: return show + "\nreturn show(string.find(\(s), \(p), \(random.integer(in: -3..<5))))"
        case 1: return show + "\nreturn show(string.match(\(s), \(p)))"
        case 2:
            return show + """

            local all = {}
            for a, b in string.gmatch(\(s), \(p)) do all[#all + 1] = show(a, b) if #all > 30 then break end end
            return table.concat(all, ';')
            """
        case 3:
            let replacement = random.element(of: ["\"<%0>\"", "\"%1\"", "\"%%\"", "function(a) return a .. '!' end", "{a = 'A'}", "\"\""])!
            return show + "\nreturn show(string.gsub(\(s), \(p), \(replacement), \(random.integer(in: 0..<4) == 0 ? "1" : "nil")))"
        default: return show + "\nreturn show(string.find(\(s), \(p), 1, true))"
        }
    }

    /// Runs code in a plain state and returns its first result as text, or "error: ...".
    static func run(_ code: String, in state: OpaquePointer) -> String {
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        guard luaL_loadstring(state, code) == LUA_OK, fd_pcall(state, 0, 1, 0) == LUA_OK else {
            return "error: " + (lua_tolstring(state, -1, nil).map { String(cString: $0) } ?? "?")
        }
        return lua_tolstring(state, -1, nil).map { String(cString: $0) } ?? "?"
    }
}
