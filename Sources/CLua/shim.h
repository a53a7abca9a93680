#ifndef FIREDRILL_CLUA_SHIM_H
#define FIREDRILL_CLUA_SHIM_H

// Lua's C API for Swift, with the macros Swift cannot import as functions. The sandbox itself
// (allocator, budget, trampoline, bounded libraries) is the CLuaSandbox target.

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

static inline void fd_pop(lua_State *L, int count) { lua_pop(L, count); }
static inline void fd_newtable(lua_State *L) { lua_newtable(L); }
static inline int fd_registry_index(void) { return LUA_REGISTRYINDEX; }
static inline int fd_upvalue_index(int index) { return lua_upvalueindex(index); }
static inline int fd_pcall(lua_State *L, int arguments, int results, int handler) {
    return lua_pcall(L, arguments, results, handler);
}
static inline int fd_is_none_or_nil(lua_State *L, int index) { return lua_isnoneornil(L, index); }
static inline int fd_is_integer(lua_State *L, int index) { return lua_isinteger(L, index); }
static inline const char *fd_tolstring(lua_State *L, int index, size_t *length) {
    return lua_tolstring(L, index, length);
}

#endif
