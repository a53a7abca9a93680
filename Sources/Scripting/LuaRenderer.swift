import CLua

/// How results are shown: depth and item limits keep a huge or deep table readable.
public struct RenderOptions: Sendable, Equatable {
    public var maximumDepth = 4
    public var maximumItems = 100
    /// Tables longer than this on one line are laid out one entry per line.
    public var lineWidth = 80

    public init(maximumDepth: Int = 4, maximumItems: Int = 100, lineWidth: Int = 80) {
        self.maximumDepth = maximumDepth
        self.maximumItems = maximumItems
        self.lineWidth = lineWidth
    }
}

extension LuaState {
    /// Renders the value at a stack index for a person: strings at the top level as they are,
    /// tables with sorted keys, cycles marked, deep or long tables cut short. Reads tables raw, so
    /// rendering never runs a script's metamethods except `__tostring`.
    func render(at index: Int32, options: RenderOptions) throws -> String {
        let index = lua_absindex(state, index)
        if lua_type(state, index) == LUA_TSTRING { return string(at: index) ?? "" }
        var visiting = Set<UnsafeRawPointer>()
        return try renderValue(at: index, options: options, depth: 0, indent: 0, visiting: &visiting)
    }

    private func renderValue(at index: Int32, options: RenderOptions, depth: Int, indent: Int,
                             visiting: inout Set<UnsafeRawPointer>) throws -> String {
        switch lua_type(state, index) {
        case LUA_TNIL, LUA_TNONE: return "nil"
        case LUA_TBOOLEAN: return lua_toboolean(state, index) != 0 ? "true" : "false"
        case LUA_TNUMBER:
            return fd_is_integer(state, index) != 0
                ? String(lua_tointegerx(state, index, nil)) : LuaValue.format(number: lua_tonumberx(state, index, nil))
        case LUA_TSTRING: return LuaValue.quote(string(at: index) ?? "")
        case LUA_TTABLE where !hasDisplayMetamethod(at: index):
            return try renderTable(at: index, options: options, depth: depth, indent: indent, visiting: &visiting)
        default:
            return try callToString(at: index)
        }
    }

    private func renderTable(at index: Int32, options: RenderOptions, depth: Int, indent: Int,
                             visiting: inout Set<UnsafeRawPointer>) throws -> String {
        guard let identity = lua_topointer(state, index) else { return "{}" }
        if visiting.contains(identity) { return "<cycle>" }
        if depth >= options.maximumDepth { return "{...}" }
        visiting.insert(identity)
        defer { visiting.remove(identity) }
        lua_checkstack(state, 6)

        var sequence: [String] = []
        var keyed: [(key: LuaValue, text: String)] = []
        var omitted = 0
        var position: lua_Integer = 1
        while lua_rawgeti(state, index, position) != LUA_TNIL {
            if sequence.count < options.maximumItems {
                sequence.append(try renderValue(at: lua_gettop(state), options: options, depth: depth + 1,
                                                indent: indent + 2, visiting: &visiting))
            } else {
                omitted += 1
            }
            fd_pop(state, 1)
            position += 1
        }
        fd_pop(state, 1)
        let sequenceLength = Int64(position - 1)
        lua_pushnil(state)
        while lua_next(state, index) != 0 {
            let keyType = lua_type(state, -2)
            if keyType == LUA_TNUMBER, fd_is_integer(state, -2) != 0 {
                let key = lua_tointegerx(state, -2, nil)
                if key >= 1 && key <= sequenceLength { fd_pop(state, 1); continue }
            }
            if sequence.count + keyed.count >= options.maximumItems {
                omitted += 1
                fd_pop(state, 1)
                continue
            }
            let key = try keyValue(at: lua_gettop(state) - 1)
            let keyText: String
            if case .string(let name) = key, LuaValue.isIdentifier(name) {
                keyText = name
            } else {
                keyText = "[" + (try renderValue(at: lua_gettop(state) - 1, options: options, depth: depth + 1,
                                                 indent: indent + 2, visiting: &visiting)) + "]"
            }
            let valueText = try renderValue(at: lua_gettop(state), options: options, depth: depth + 1,
                                            indent: indent + 2, visiting: &visiting)
            keyed.append((key, "\(keyText) = \(valueText)"))
            fd_pop(state, 1)
        }
        keyed.sort { LuaValue.canonicalOrder($0.key, $1.key) }
        var items = sequence + keyed.map(\.text)
        if omitted > 0 { items.append("… (\(omitted) more)") }
        if items.isEmpty { return "{}" }
        let oneLine = "{ " + items.joined(separator: ", ") + " }"
        if oneLine.count + indent <= options.lineWidth, !oneLine.contains("\n") { return oneLine }
        let padding = String(repeating: " ", count: indent + 2)
        return "{\n" + items.map { padding + $0 }.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "}"
    }

    /// A key as a Swift value for sorting; tables and functions sort by their rendered form.
    private func keyValue(at index: Int32) throws -> LuaValue {
        switch lua_type(state, index) {
        case LUA_TSTRING: return .string(string(at: index) ?? "")
        case LUA_TNUMBER:
            return fd_is_integer(state, index) != 0
                ? .integer(lua_tointegerx(state, index, nil)) : .number(lua_tonumberx(state, index, nil))
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(state, index) != 0)
        default: return .table(LuaTable(hash: [.string("__rendered"): .string(try callToString(at: index))]))
        }
    }

    private func hasDisplayMetamethod(at index: Int32) -> Bool {
        guard lua_getmetatable(state, index) != 0 else { return false }
        defer { fd_pop(state, 1) }
        for field in ["__tostring", "__name"] {
            lua_pushstring(state, field)
            let found = lua_rawget(state, -2) != LUA_TNIL
            fd_pop(state, 1)
            if found { return true }
        }
        return false
    }

    /// Calls the sandbox's `tostring` on a value, protected: a failing `__tostring` shows as an
    /// error marker instead of escaping.
    private func callToString(at index: Int32) throws -> String {
        lua_checkstack(state, 4)
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        lua_rawgeti(state, fd_registry_index(), lua_Integer(LUA_RIDX_GLOBALS))
        lua_pushstring(state, "tostring")
        lua_rawget(state, -2)
        lua_pushvalue(state, index)
        guard fd_pcall(state, 1, 1, 0) == LUA_OK else {
            return "<error in __tostring: \(string(at: -1) ?? "?")>"
        }
        return string(at: -1) ?? "?"
    }
}
