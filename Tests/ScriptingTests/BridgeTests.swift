import Testing
import Simulation
@testable import Scripting

@Suite struct BridgeTests {
    func state() throws -> LuaState {
        try LuaState(random: RandomStream(seed: 1, name: "test"))
    }

    /// Swift → Lua → Swift must give back the same value.
    func roundTrip(_ value: LuaValue) throws -> LuaValue {
        let lua = try state()
        try lua.setGlobal("value", value)
        return try lua.execute("return value").first ?? .nil
    }

    @Test func scalarsRoundTrip() throws {
        for value: LuaValue in [.nil, true, false, 0, -7, .integer(Int64.max), .integer(Int64.min), 3.5, -0.25, 1e300, "", "héllo"] {
            #expect(try roundTrip(value) == value)
        }
    }

    @Test func integersAndFloatsStayDistinct() throws {
        let lua = try state()
        let results = try lua.execute("return 3, 3.0, 2^53, 7 // 2, 7 / 2", chunkName: "=t")
        #expect(results[0] == .integer(3))
        #expect(results[1] == .number(3.0))
        #expect(results[2] == .number(9007199254740992))
        #expect(results[3] == .integer(3))
        #expect(results[4] == .number(3.5))
        try lua.setGlobal("n", .number(2))
        #expect(try lua.execute("return math.type(n)") == ["float"])
        try lua.setGlobal("n", .integer(2))
        #expect(try lua.execute("return math.type(n)") == ["integer"])
    }

    @Test func stringsWithNULsSurvive() throws {
        let text = "a\u{0}b\u{0}\u{0}c"
        #expect(try roundTrip(.string(text)) == .string(text))
        let lua = try state()
        try lua.setGlobal("s", .string(text))
        #expect(try lua.execute("return #s") == [.integer(6)])
        #expect(try lua.execute("return 'x\\0y'") == [.string("x\u{0}y")])
    }

    @Test func nestedTablesRoundTrip() throws {
        var inner = LuaTable(array: [1, 2, 3])
        inner["name"] = "etcd-1"
        var outer = LuaTable(array: [.table(inner), "second"])
        outer["flag"] = true
        outer[.number(2.5)] = "float key"
        outer[.boolean(true)] = "bool key"
        outer["deep"] = ["a": ["b": ["c": 1]]]
        #expect(try roundTrip(.table(outer)) == .table(outer))
    }

    @Test func arrayWithHolesKeepsEveryEntry() throws {
        let lua = try state()
        let value = try lua.execute("return {1, 2, nil, 4, n = 'x'}").first!
        let table = value.tableValue!
        #expect(table.array == [1, 2])
        #expect(table[.integer(4)] == 4)
        #expect(table["n"] == "x")
    }

    @Test func cyclicTablesAreRefusedNotFollowed() throws {
        let lua = try state()
        #expect(throws: LuaError.self) { try lua.execute("local t = {} t.t = t return t") }
        // A table seen twice without a cycle is fine.
        let shared = try lua.execute("local s = {1} return {a = s, b = s}").first!
        #expect(shared["a"] == shared["b"])
    }

    @Test func functionsCrossAsReferencesAndCanBeCalled() throws {
        let lua = try state()
        let function = try lua.execute("return function(a, b) return a .. b, #a end").first!
        guard case .function(let reference) = function else { Issue.record("not a function"); return }
        #expect(try lua.call(reference, ["ab", "cd"]) == ["abcd", 2])
    }

    @Test func swiftFunctionsSeeArgumentsAndReturnResults() throws {
        let lua = try state()
        lua.register("host.echo", values: { arguments in arguments.reversed() })
        #expect(try lua.execute("return host.echo(1, 'two', {3})") == [["3"].isEmpty ? 0 : .table(LuaTable(array: [3])), "two", 1])
        lua.register("host.fail") { call in throw call.error("the host says no") }
        let reply = try lua.execute("return pcall(host.fail)")
        #expect(reply[0] == false)
        #expect(reply[1].stringValue?.hasSuffix("the host says no") == true)
    }

    @Test func tablesPrintWithSortedKeys() {
        var table = LuaTable(array: ["x"])
        table["zeta"] = 1
        table["alpha"] = 2
        table[.integer(10)] = 3
        table["with space"] = 4
        #expect(LuaValue.table(table).description == #"{"x", [10] = 3, alpha = 2, ["with space"] = 4, zeta = 1}"#)
    }

    @Test func pairsIsDeterministic() throws {
        let lua = try state()
        let order = try lua.execute("""
            local t = { zebra = 1, apple = 2, [3] = 'c', [1] = 'a', mango = 3, [true] = 'yes', [2.5] = 'f' }
            local keys = {}
            for k in pairs(t) do keys[#keys + 1] = tostring(k) end
            return table.concat(keys, ' ')
            """)
        #expect(order == ["1 2.5 3 apple mango zebra true"])
    }

    @Test func mathRandomDrawsFromTheSeededStream() throws {
        let draws = { (seed: UInt64) throws -> [LuaValue] in
            let lua = try LuaState(random: RandomStream(seed: seed, name: "lua/math.random"))
            return try lua.execute("return math.random(1, 1000), math.random(1, 1000), math.random()")
        }
        #expect(try draws(5) == draws(5))
        #expect(try draws(5) != draws(6))
    }
}
