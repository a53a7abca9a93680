// The table library, bounded: `sort` is a stable merge sort whose comparisons are charged (and
// whose comparator runs under the budget like any Lua code); `concat` checks its result against
// the memory cap before building it; `insert`, `remove`, `move` and `unpack` are charged by the
// slots they will touch before they touch any.

#include <limits.h>

#include "sandbox_internal.h"

/// Whether `t[index]` may be read (and written, with `write`) as a table: a table, or a value
/// whose metatable has the metamethods. As Lua's table library checks it.
static void fd_check_table(lua_State *L, int index, int write) {
    if (lua_type(L, index) == LUA_TTABLE) return;
    if (lua_getmetatable(L, index)) {
        int ok = luaL_getmetafield(L, index, "__index") != LUA_TNIL;
        if (ok) lua_pop(L, 1);
        if (ok && write) {
            ok = luaL_getmetafield(L, index, "__newindex") != LUA_TNIL;
            if (ok) lua_pop(L, 1);
        }
        if (ok) {
            ok = luaL_getmetafield(L, index, "__len") != LUA_TNIL;
            if (ok) lua_pop(L, 1);
        }
        lua_pop(L, 1);
        if (ok) return;
    }
    luaL_checktype(L, index, LUA_TTABLE);
}

// MARK: sort

/// Whether `a < b` for the sort: the comparator (argument 2) if given, else `<`.
static int fd_sort_less(lua_State *L, int a, int b) {
    if (lua_isnil(L, 2)) return lua_compare(L, a, b, LUA_OPLT);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, a - (a < 0 ? 1 : 0));
    lua_pushvalue(L, b - (b < 0 ? 2 : 0));
    lua_call(L, 2, 1);
    int less = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return less;
}

/// `table.sort(t [, comp])`: a stable bottom-up merge sort. Elements are read once into a
/// scratch table, merged between two scratch tables (each merge charged before it runs), and
/// written back. Elements that compare equal keep their order, so the result never depends on
/// anything but the input.
static int fd_sort(lua_State *L) {
    fd_check_table(L, 1, 1);
    lua_Integer count = luaL_len(L, 1);
    if (count > 1) {
        luaL_argcheck(L, count < INT_MAX, 1, "array too big");
        if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TFUNCTION);
        lua_settop(L, 2);
        fd_charge(L, (long long)count * FD_COST_PER_ELEMENT * 2);
        lua_createtable(L, (int)count, 0);   // 3: source
        lua_createtable(L, (int)count, 0);   // 4: destination
        for (lua_Integer i = 1; i <= count; i++) {
            lua_geti(L, 1, i);
            lua_rawseti(L, 3, i);
        }
        int source = 3, destination = 4;
        for (lua_Integer width = 1; width < count; width *= 2) {
            fd_charge(L, (long long)count * (FD_COST_PER_COMPARISON + FD_COST_PER_ELEMENT));
            for (lua_Integer left = 1; left <= count; left += 2 * width) {
                lua_Integer middle = left + width <= count + 1 ? left + width : count + 1;
                lua_Integer right = left + 2 * width <= count + 1 ? left + 2 * width : count + 1;
                lua_Integer i = left, j = middle, out = left;
                while (i < middle && j < right) {
                    lua_rawgeti(L, source, i);
                    lua_rawgeti(L, source, j);
                    // Take from the right only when strictly smaller: that keeps ties in order.
                    int right_first = fd_sort_less(L, -1, -2);
                    if (right_first) {
                        lua_rawseti(L, destination, out++);
                        lua_pop(L, 1);
                        j++;
                    } else {
                        lua_pop(L, 1);
                        lua_rawseti(L, destination, out++);
                        i++;
                    }
                }
                for (; i < middle; i++) { lua_rawgeti(L, source, i); lua_rawseti(L, destination, out++); }
                for (; j < right; j++) { lua_rawgeti(L, source, j); lua_rawseti(L, destination, out++); }
            }
            int swap = source;
            source = destination;
            destination = swap;
        }
        for (lua_Integer i = 1; i <= count; i++) {
            lua_rawgeti(L, source, i);
            lua_seti(L, 1, i);
        }
    }
    return 0;
}

// MARK: concat

/// Charges for `count` slots, refusing a count that could not be paid.
static void fd_charge_slots(lua_State *L, lua_Unsigned count) {
    const lua_Unsigned most = (lua_Unsigned)LLONG_MAX / (FD_COST_PER_ELEMENT * 4);
    fd_charge(L, (long long)(count > most ? most : count) * FD_COST_PER_ELEMENT * 2);
}


static void fd_concat_field(lua_State *L, lua_Integer index) {
    lua_geti(L, 1, index);
    if (!lua_isstring(L, -1)) {
        luaL_error(L, "invalid value (%s) at index %I in table for 'concat'", luaL_typename(L, -1), (LUA_INTEGER)index);
    }
}

/// `table.concat(t [, sep [, i [, j]]])`: a first pass measures the result and checks it against
/// the memory cap; the second builds it.
static int fd_concat(lua_State *L) {
    fd_check_table(L, 1, 0);
    lua_Integer last = luaL_len(L, 1);
    size_t separator_length;
    const char *separator = luaL_optlstring(L, 2, "", &separator_length);
    lua_Integer first = luaL_optinteger(L, 3, 1);
    last = luaL_optinteger(L, 4, last);
    lua_settop(L, 4);
    if (first > last) {
        lua_pushliteral(L, "");
        return 1;
    }
    lua_Unsigned count = (lua_Unsigned)last - (lua_Unsigned)first + 1u;
    fd_charge_slots(L, count);
    size_t total = 0;
    for (lua_Integer i = first;; i++) {
        fd_concat_field(L, i);
        total += lua_rawlen(L, -1);
        lua_pop(L, 1);
        if (i == last) break;
        total += separator_length;
        if (total > (size_t)LUA_MAXINTEGER) return luaL_error(L, "resulting string too large");
    }
    fd_check_room(L, total > SIZE_MAX / 2 ? SIZE_MAX : total * 2, "table.concat");
    luaL_Buffer buffer;
    luaL_buffinit(L, &buffer);
    for (lua_Integer i = first;; i++) {
        fd_concat_field(L, i);
        luaL_addvalue(&buffer);
        if (i == last) break;
        luaL_addlstring(&buffer, separator, separator_length);
    }
    luaL_pushresult(&buffer);
    return 1;
}

// MARK: insert, remove, move, unpack

static int fd_insert(lua_State *L) {
    if (lua_gettop(L) == 3 && lua_isinteger(L, 2)) {
        fd_check_table(L, 1, 1);
        lua_Integer size = luaL_len(L, 1), position = lua_tointeger(L, 2);
        if (position >= 1 && position <= size) fd_charge_slots(L, (lua_Unsigned)(size - position + 1));
    }
    return fd_call_original(L);
}

static int fd_remove(lua_State *L) {
    fd_check_table(L, 1, 1);
    lua_Integer size = luaL_len(L, 1);
    lua_Integer position = luaL_optinteger(L, 2, size);
    if (position >= 1 && position < size) fd_charge_slots(L, (lua_Unsigned)(size - position));
    return fd_call_original(L);
}

static int fd_move(lua_State *L) {
    lua_Integer first = luaL_checkinteger(L, 2);
    lua_Integer last = luaL_checkinteger(L, 3);
    luaL_checkinteger(L, 4);
    if (last >= first) fd_charge_slots(L, (lua_Unsigned)last - (lua_Unsigned)first + 1u);
    return fd_call_original(L);
}

/// Most values one call can return: the Lua stack's own limit (LUAI_MAXSTACK).
#define FD_MAXIMUM_RESULTS 1000000

static int fd_unpack(lua_State *L) {
    lua_Integer first = luaL_optinteger(L, 2, 1);
    lua_Integer last = lua_isnoneornil(L, 3) ? luaL_len(L, 1) : luaL_checkinteger(L, 3);
    if (last >= first) {
        lua_Unsigned count = (lua_Unsigned)last - (lua_Unsigned)first + 1u;
        if (count == 0 || count > FD_MAXIMUM_RESULTS) return luaL_error(L, "too many results to unpack");
        fd_charge_slots(L, count);
    }
    return fd_call_original(L);
}

void fd_install_tables(lua_State *L) {
    lua_getglobal(L, LUA_TABLIBNAME);
    lua_pushcfunction(L, fd_sort);
    lua_setfield(L, -2, "sort");
    lua_pushcfunction(L, fd_concat);
    lua_setfield(L, -2, "concat");
    fd_wrap_field(L, -1, "insert", fd_insert);
    fd_wrap_field(L, -1, "remove", fd_remove);
    fd_wrap_field(L, -1, "move", fd_move);
    fd_wrap_field(L, -1, "unpack", fd_unpack);
    lua_pop(L, 1);
}
