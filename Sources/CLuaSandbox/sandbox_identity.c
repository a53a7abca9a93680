// Determinism from Lua: objects are named by their per-state sequence number instead of their
// address (`tostring`, `%p`), and `next` (so `pairs`) walks keys in a canonical order instead of
// the hash order, which Lua seeds per process.

#include <stdio.h>

#include "sandbox_internal.h"

unsigned long long fd_block_identity(const void *object, size_t offset);

/// Registry keys of the sandbox's tables.
static const char *const observed_key = "firedrill.observed";
static const char *const order_keys_key = "firedrill.order.keys";
static const char *const order_positions_key = "firedrill.order.positions";

/// Numbers for values whose memory is not a block of ours (light C functions, userdata): given
/// from the same sequence, the first time they are named.
static unsigned long long fd_observed_identity(lua_State *L, int index) {
    index = lua_absindex(L, index);
    lua_getfield(L, LUA_REGISTRYINDEX, observed_key);
    lua_pushvalue(L, index);
    lua_rawget(L, -2);
    unsigned long long identity = (unsigned long long)lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (identity == 0) {
        identity = ++fd_context_of(L)->next_identity;
        lua_pushvalue(L, index);
        lua_pushinteger(L, (lua_Integer)identity);
        lua_rawset(L, -3);
    }
    lua_pop(L, 1);
    return identity;
}

static int fd_is_light_function(lua_State *L, int index) {
    if (!lua_iscfunction(L, index)) return 0;
    if (lua_getupvalue(L, index, 1) == NULL) return 1;
    lua_pop(L, 1);
    return 0;
}

unsigned long long fd_object_identity(lua_State *L, int index) {
    const void *object = lua_topointer(L, index);
    switch (lua_type(L, index)) {
    case LUA_TTABLE:
    case LUA_TSTRING:
        return fd_block_identity(object, 0);
    case LUA_TFUNCTION:
        return fd_is_light_function(L, index) ? fd_observed_identity(L, index) : fd_block_identity(object, 0);
    case LUA_TTHREAD:
        return fd_block_identity(object, LUA_EXTRASPACE);
    case LUA_TUSERDATA:
    case LUA_TLIGHTUSERDATA:
        return fd_observed_identity(L, index);
    default:
        return 0;
    }
}

// MARK: tostring

const char *fd_push_display_string(lua_State *L, int index, size_t *length) {
    index = lua_absindex(L, index);
    int type = lua_type(L, index);
    if (type == LUA_TTABLE || type == LUA_TFUNCTION || type == LUA_TTHREAD || type == LUA_TUSERDATA ||
        type == LUA_TLIGHTUSERDATA) {
        if (luaL_callmeta(L, index, "__tostring")) {
            if (!lua_isstring(L, -1)) luaL_error(L, "'__tostring' must return a string");
            return lua_tolstring(L, -1, length);
        }
        const char *kind = luaL_typename(L, index);
        int has_name = luaL_getmetafield(L, index, "__name") == LUA_TSTRING;
        if (has_name) kind = lua_tostring(L, -1);
        lua_pushfstring(L, "%s: 0x", kind);
        char digits[32];
        snprintf(digits, sizeof digits, "%08llx", fd_object_identity(L, index));
        lua_pushstring(L, digits);
        lua_concat(L, 2);
        if (has_name) lua_remove(L, -2);
        return lua_tolstring(L, -1, length);
    }
    return luaL_tolstring(L, index, length);
}

static int fd_tostring(lua_State *L) {
    luaL_checkany(L, 1);
    fd_push_display_string(L, 1, NULL);
    return 1;
}

// MARK: The canonical order of keys

/// Numbers first, then strings, booleans, and every other value.
static int fd_key_rank(int type) {
    switch (type) {
    case LUA_TNUMBER: return 0;
    case LUA_TSTRING: return 1;
    case LUA_TBOOLEAN: return 2;
    default: return 3;
    }
}

static int fd_compare_numbers(lua_State *L, int a, int b) {
    int a_integer = lua_isinteger(L, a), b_integer = lua_isinteger(L, b);
    if (a_integer && b_integer) {
        lua_Integer x = lua_tointeger(L, a), y = lua_tointeger(L, b);
        return (x > y) - (x < y);
    }
    lua_Number x = lua_tonumber(L, a), y = lua_tonumber(L, b);
    if (x != y) return x < y ? -1 : 1;
    // Equal as floats only when an integer lost precision: the integer comes first.
    return b_integer - a_integer;
}

static int fd_compare_strings(lua_State *L, int a, int b) {
    size_t a_length, b_length;
    const char *x = lua_tolstring(L, a, &a_length);
    const char *y = lua_tolstring(L, b, &b_length);
    int order = memcmp(x, y, a_length < b_length ? a_length : b_length);
    if (order != 0) return order;
    return (a_length > b_length) - (a_length < b_length);
}

int fd_compare_keys(lua_State *L, int a, int b) {
    int a_type = lua_type(L, a), b_type = lua_type(L, b);
    int a_rank = fd_key_rank(a_type), b_rank = fd_key_rank(b_type);
    if (a_rank != b_rank) return a_rank - b_rank;
    switch (a_rank) {
    case 0: return fd_compare_numbers(L, a, b);
    case 1: return fd_compare_strings(L, a, b);
    case 2: return lua_toboolean(L, a) - lua_toboolean(L, b);
    default: {
        unsigned long long x = fd_object_identity(L, a), y = fd_object_identity(L, b);
        return (x > y) - (x < y);
    }
    }
}

// MARK: next

/// Merge sort of `keys[1..count]` (a sequence) into canonical order, using `scratch` (a table
/// of the same size). Keys are distinct, so stability does not matter here; merge sort keeps the
/// number of comparisons at n log n whatever the input.
static void fd_sort_keys(lua_State *L, int keys, int scratch, lua_Integer count) {
    for (lua_Integer width = 1; width < count; width *= 2) {
        fd_charge(L, (long long)count * FD_COST_PER_COMPARISON);
        for (lua_Integer left = 1; left <= count; left += 2 * width) {
            lua_Integer middle = left + width, right = left + 2 * width;
            if (middle > count + 1) middle = count + 1;
            if (right > count + 1) right = count + 1;
            lua_Integer i = left, j = middle, out = left;
            while (i < middle || j < right) {
                int take_left;
                if (i >= middle) take_left = 0;
                else if (j >= right) take_left = 1;
                else {
                    lua_rawgeti(L, keys, i);
                    lua_rawgeti(L, keys, j);
                    take_left = fd_compare_keys(L, -2, -1) <= 0;
                    lua_pop(L, 2);
                }
                lua_rawgeti(L, keys, take_left ? i++ : j++);
                lua_rawseti(L, scratch, out++);
            }
        }
        for (lua_Integer position = 1; position <= count; position++) {
            lua_rawgeti(L, scratch, position);
            lua_rawseti(L, keys, position);
        }
    }
}

/// Builds the order of table `t` (an absolute index): pushes its keys in canonical order (a
/// sequence) and a map from each key to its position, and caches both for `next(t, key)`.
static void fd_build_order(lua_State *L, int t) {
    lua_Integer count = 0;
    lua_newtable(L);                                    // keys
    int keys = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, keys, ++count);
    }
    fd_charge(L, (long long)count * FD_COST_PER_ELEMENT);
    if (count > 1) {
        lua_createtable(L, (int)(count < INT32_MAX ? count : INT32_MAX), 0);
        fd_sort_keys(L, keys, lua_gettop(L), count);
        lua_pop(L, 1);
    }
    lua_createtable(L, 0, (int)(count < INT32_MAX ? count : INT32_MAX)); // positions
    int positions = lua_gettop(L);
    for (lua_Integer position = 1; position <= count; position++) {
        lua_rawgeti(L, keys, position);
        lua_pushinteger(L, position);
        lua_rawset(L, positions);
    }
    lua_getfield(L, LUA_REGISTRYINDEX, order_keys_key);
    lua_pushvalue(L, t);
    lua_pushvalue(L, keys);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, order_positions_key);
    lua_pushvalue(L, t);
    lua_pushvalue(L, positions);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

/// Pushes the cached order of `t` (keys, positions), or nothing and returns 0.
static int fd_cached_order(lua_State *L, int t) {
    lua_getfield(L, LUA_REGISTRYINDEX, order_keys_key);
    lua_pushvalue(L, t);
    if (lua_rawget(L, -2) != LUA_TTABLE) {
        lua_pop(L, 2);
        return 0;
    }
    lua_remove(L, -2);
    lua_getfield(L, LUA_REGISTRYINDEX, order_positions_key);
    lua_pushvalue(L, t);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    return 1;
}

/// `next(t [, key])` in canonical order: the order is worked out when a traversal starts (key
/// nil) and kept while the table lives, so each later step is a lookup. A key added during a
/// traversal (which Lua leaves undefined) makes the order be worked out again.
static int fd_next(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    lua_Integer position = 0;
    if (lua_isnil(L, 2)) {
        fd_build_order(L, 1);
    } else {
        int found = 0;
        for (int attempt = 0; attempt < 2 && !found; attempt++) {
            if (attempt == 1 || !fd_cached_order(L, 1)) {
                lua_settop(L, 2);
                fd_build_order(L, 1);
            }
            lua_pushvalue(L, 2);
            if (lua_rawget(L, -2) == LUA_TNUMBER) {
                position = lua_tointeger(L, -1);
                found = 1;
            }
            lua_pop(L, 1);
        }
        if (!found) return luaL_error(L, "invalid key to 'next'");
    }
    // Stack: t, key, keys, positions.
    for (;;) {
        position++;
        if (lua_rawgeti(L, 3, position) == LUA_TNIL) {
            lua_pushnil(L);
            return 1;
        }
        lua_pushvalue(L, -1);
        if (lua_rawget(L, 1) != LUA_TNIL) return 2;
        lua_pop(L, 2);  // removed during the traversal: skip it
    }
}

/// `pairs(t)`: `__pairs` if the metatable has one, else `next, t, nil`.
static int fd_pairs(lua_State *L) {
    luaL_checkany(L, 1);
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushcfunction(L, fd_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static void fd_new_weak_table(lua_State *L, const char *registry_key, const char *mode) {
    lua_newtable(L);
    lua_newtable(L);
    lua_pushstring(L, mode);
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, registry_key);
}

void fd_install_identity(lua_State *L) {
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, observed_key);
    // The caches must not keep a table or its keys alive.
    fd_new_weak_table(L, order_keys_key, "k");
    fd_new_weak_table(L, order_positions_key, "k");
    lua_pushglobaltable(L);
    lua_pushcfunction(L, fd_tostring);
    lua_setfield(L, -2, "tostring");
    lua_pushcfunction(L, fd_next);
    lua_setfield(L, -2, "next");
    lua_pushcfunction(L, fd_pairs);
    lua_setfield(L, -2, "pairs");
    lua_pop(L, 1);
}
