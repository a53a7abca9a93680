import CLua

/// How results are shown: depth and item limits keep a huge or deep table readable.
public struct RenderOptions: Sendable, Equatable {
    public var maximumDepth = 4
    public var maximumItems = 100
    /// Tables longer than this on one line are laid out one entry per line.
    public var lineWidth = 80
    /// Characters of a string inside a table shown before it is cut short; a string returned on
    /// its own is shown whole, since that is how commands return their output.
    public var maximumStringLength = 200

    public init(maximumDepth: Int = 4, maximumItems: Int = 100, lineWidth: Int = 80, maximumStringLength: Int = 200) {
        self.maximumDepth = maximumDepth
        self.maximumItems = maximumItems
        self.lineWidth = lineWidth
        self.maximumStringLength = maximumStringLength
    }
}

enum LuaRendering {
    /// A quoted string, cut after `limit` characters with a note of how long it really is.
    static func quoteShortened(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return LuaValue.quote(text) }
        return LuaValue.quote(String(text.prefix(limit))) + "… (\(text.utf8.count) bytes)"
    }
}

extension LuaState {
    /// Renders the value at a stack index for a person: strings at the top level as they are,
    /// tables with sorted keys, cycles marked, deep or long tables cut short. Reads tables raw, so
    /// rendering never runs a script's metamethods except `__tostring`.
    func render(at index: Int32, options: RenderOptions) throws -> String {
        let index = lua_absindex(state, index)
        if lua_type(state, index) == LUA_TSTRING {
            // Shown whole, as command output is, up to what the command may still print.
            let length = Int(lua_rawlen(state, index))
            let room = remainingOutputBytes
            guard length > room else { return string(at: index) ?? "" }
            var size = 0
            let text = fd_tolstring(state, index, &size).map {
                String(decoding: UnsafeRawBufferPointer(start: $0, count: min(size, room)), as: UTF8.self)
            } ?? ""
            return text + "\n… (output cut at \(LuaCall.describe(bytes: limits.outputBytes)): the value is \(length) bytes)"
        }
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
        case LUA_TSTRING: return LuaRendering.quoteShortened(string(at: index) ?? "", limit: options.maximumStringLength)
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

        let sequenceLength = rawSequenceLength(at: index)
        let shownSequence = min(sequenceLength, Int64(options.maximumItems))
        var items: [String] = []
        for position in stride(from: Int64(1), through: shownSequence, by: 1) {
            lua_rawgeti(state, index, position)
            items.append(try renderValue(at: lua_gettop(state), options: options, depth: depth + 1,
                                         indent: indent + 2, visiting: &visiting))
            fd_pop(state, 1)
        }
        let keys = try smallestKeys(at: index, after: sequenceLength, count: options.maximumItems - items.count)
        for key in keys.chosen {
            items.append(try renderEntry(key, of: index, options: options, depth: depth, indent: indent,
                                         visiting: &visiting))
        }
        let omitted = Int(sequenceLength - shownSequence) + keys.total - keys.chosen.count
        if omitted > 0 { items.append("… (\(omitted) more)") }
        if items.isEmpty { return "{}" }
        let oneLine = "{ " + items.joined(separator: ", ") + " }"
        if oneLine.count + indent <= options.lineWidth, !oneLine.contains("\n") { return oneLine }
        let padding = String(repeating: " ", count: indent + 2)
        return "{\n" + items.map { padding + $0 }.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "}"
    }

    /// The length of the run `1...n` of non-nil values, as `#` would see it without metamethods.
    private func rawSequenceLength(at index: Int32) -> Int64 {
        var length: Int64 = 0
        while lua_rawgeti(state, index, length + 1) != LUA_TNIL {
            fd_pop(state, 1)
            length += 1
        }
        fd_pop(state, 1)
        return length
    }

    /// A key other than the sequence's, in the order the renderer shows keys.
    private struct RenderedKey {
        let order: LuaValue
        /// The key itself, when it can be pushed again from Swift (strings, numbers, booleans).
        let isPrimitive: Bool
    }

    /// The first `count` keys outside the sequence in canonical order, and how many there are.
    /// Only the chosen keys are kept while walking the table, so a huge table costs one pass and
    /// little memory, and the same keys are shown in every process whatever the hash order.
    private func smallestKeys(at index: Int32, after sequenceLength: Int64,
                              count: Int) throws -> (chosen: [RenderedKey], total: Int) {
        var chosen: [RenderedKey] = []
        var total = 0
        lua_pushnil(state)
        while lua_next(state, index) != 0 {
            fd_pop(state, 1)
            if lua_type(state, -1) == LUA_TNUMBER, fd_is_integer(state, -1) != 0 {
                let key = lua_tointegerx(state, -1, nil)
                if key >= 1 && key <= sequenceLength { continue }
            }
            total += 1
            guard count > 0 else { continue }
            let key = RenderedKey(order: try keyValue(at: lua_gettop(state)), isPrimitive: lua_type(state, -1) != LUA_TTABLE
                && lua_type(state, -1) != LUA_TFUNCTION && lua_type(state, -1) != LUA_TUSERDATA && lua_type(state, -1) != LUA_TTHREAD)
            if chosen.count == count, let last = chosen.last, !LuaValue.canonicalOrder(key.order, last.order) { continue }
            let position = chosen.firstIndex { LuaValue.canonicalOrder(key.order, $0.order) } ?? chosen.count
            chosen.insert(key, at: position)
            if chosen.count > count { chosen.removeLast() }
        }
        return (chosen, total)
    }

    /// `key = value` for one chosen key. Keys that are tables or functions cannot be pushed from
    /// Swift, so the table is walked again to find them (rare, and bounded by the item limit).
    private func renderEntry(_ key: RenderedKey, of index: Int32, options: RenderOptions, depth: Int, indent: Int,
                             visiting: inout Set<UnsafeRawPointer>) throws -> String {
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        if key.isPrimitive {
            try push(key.order)
        } else {
            guard pushKey(matching: key.order, in: index) else { return "" }
        }
        let keyIndex = lua_gettop(state)
        lua_pushvalue(state, keyIndex)
        lua_rawget(state, index)
        let keyText: String
        if case .string(let name) = key.order, LuaValue.isIdentifier(name) {
            keyText = name
        } else {
            keyText = "[" + (try renderValue(at: keyIndex, options: options, depth: depth + 1, indent: indent + 2,
                                             visiting: &visiting)) + "]"
        }
        let valueText = try renderValue(at: lua_gettop(state), options: options, depth: depth + 1,
                                        indent: indent + 2, visiting: &visiting)
        return "\(keyText) = \(valueText)"
    }

    private func pushKey(matching order: LuaValue, in index: Int32) -> Bool {
        lua_pushnil(state)
        while lua_next(state, index) != 0 {
            fd_pop(state, 1)
            if (try? keyValue(at: lua_gettop(state))) == order { return true }
        }
        return false
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
