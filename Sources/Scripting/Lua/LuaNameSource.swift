import CLua

/// Completion's view of a live Lua state. It reads tables raw and follows `__index` only when it
/// is a table, so pressing Tab never runs a script's code (a metamethod could loop, fail or change
/// the world between commands).
public struct LuaNameSource: CompletionNameSource {
    private let lua: LuaState

    public init(lua: LuaState) { self.lua = lua }

    public func names(at path: [String]) -> [CompletionCandidate] { lua.completionNames(at: path) }
}

extension LuaState {
    /// Keys read from one table at most: a huge table must not make Tab slow.
    static let maximumCompletionKeys = 5_000
    /// `__index` tables followed at most, so a loop of metatables ends.
    static let maximumIndexChain = 8

    func completionNames(at path: [String]) -> [CompletionCandidate] {
        lua_checkstack(state, 10)
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        lua_rawgeti(state, fd_registry_index(), lua_Integer(LUA_RIDX_GLOBALS))
        for field in path {
            guard pushCompletionField(field, of: lua_gettop(state)) else { return [] }
        }
        return namesInValue(at: lua_gettop(state))
    }

    /// Pushes `value[field]` as Lua would find it through `__index` tables; false (nothing
    /// pushed) when it is nil or the value has no fields.
    private func pushCompletionField(_ field: String, of index: Int32) -> Bool {
        var current = lua_absindex(state, index)
        let top = lua_gettop(state)
        lua_checkstack(state, Int32(LuaState.maximumIndexChain) + 4)
        for _ in 0..<LuaState.maximumIndexChain {
            if lua_type(state, current) == LUA_TTABLE {
                lua_pushstring(state, field)
                if lua_rawget(state, current) != LUA_TNIL {
                    lua_copy(state, -1, top + 1)
                    lua_settop(state, top + 1)
                    return true
                }
                fd_pop(state, 1)
            }
            guard pushIndexTable(of: current) else { break }
            current = lua_gettop(state)
        }
        lua_settop(state, top)
        return false
    }

    /// Pushes the `__index` table of a value's metatable (the string library for strings).
    private func pushIndexTable(of index: Int32) -> Bool {
        guard lua_getmetatable(state, index) != 0 else { return false }
        lua_pushstring(state, "__index")
        lua_rawget(state, -2)
        lua_rotate(state, -2, -1)  // drop the metatable, keep its __index
        fd_pop(state, 1)
        if lua_type(state, -1) == LUA_TTABLE { return true }
        fd_pop(state, 1)
        return false
    }

    /// The identifier keys of a value and of the `__index` tables behind it.
    private func namesInValue(at index: Int32) -> [CompletionCandidate] {
        var found: [String: CompletionCandidate] = [:]
        var current = lua_absindex(state, index)
        lua_checkstack(state, Int32(LuaState.maximumIndexChain) + 4)
        for _ in 0..<LuaState.maximumIndexChain {
            if lua_type(state, current) == LUA_TTABLE { collectNames(in: current, into: &found) }
            guard pushIndexTable(of: current) else { break }
            current = lua_gettop(state)
        }
        return Array(found.values)
    }

    private func collectNames(in table: Int32, into found: inout [String: CompletionCandidate]) {
        var visited = 0
        lua_pushnil(state)
        while lua_next(state, table) != 0 {
            defer { fd_pop(state, 1) }
            visited += 1
            guard visited <= LuaState.maximumCompletionKeys else { fd_pop(state, 1); return }
            guard let name = string(at: -2), LuaValue.isIdentifier(name), found[name] == nil else { continue }
            found[name] = CompletionCandidate(name, kind: completionKind(at: -1))
        }
    }

    private func completionKind(at index: Int32) -> CompletionCandidate.Kind {
        switch lua_type(state, index) {
        case LUA_TFUNCTION: .function
        case LUA_TTABLE: .table
        default: .value
        }
    }
}
