#ifndef FIREDRILL_CLUA_SHIM_H
#define FIREDRILL_CLUA_SHIM_H

// The one C file Firedrill needs for Lua: the macros Swift cannot import, the allocator that
// enforces the memory cap, the count hook that enforces the instruction budget, and the call
// trampoline. Every `lua_error` happens here, in C, so that Lua's longjmp never crosses a Swift
// frame (see ../../../shared/DESIGN.md, "The Lua bridge").

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/// Why the count hook is raising: nothing, the instruction budget, or an interrupt (Ctrl-C).
enum {
    FD_STOP_NONE = 0,
    FD_STOP_BUDGET = 1,
    FD_STOP_INTERRUPT = 2,
};

/// How often the count hook runs while the budget lasts, in VM instructions.
#define FD_HOOK_INTERVAL 1000

/// A Swift function exposed to Lua. Returns the number of results it pushed, or -1 after pushing
/// an error message; it must never raise itself.
typedef int (*fd_host_function)(lua_State *L);

/// Per-state bookkeeping shared by the allocator, the hook and the Swift side. Its address is kept
/// in the state's extra space, which every coroutine inherits.
typedef struct fd_context {
    void *host;                       // the Swift LuaState, unretained
    fd_host_function dispatch;        // the Swift dispatcher called by the trampoline
    long long instruction_limit;      // 0: unlimited
    long long instructions_used;
    size_t memory_limit;              // bytes; 0: unlimited
    size_t memory_used;
    int host_depth;                   // > 0 while Swift code runs: the cap does not apply there
    volatile sig_atomic_t interrupt_requested;
    int stop_reason;                  // FD_STOP_*: once set, every hook call raises again
} fd_context;

static inline fd_context *fd_context_of(lua_State *L) {
    return *(fd_context **)lua_getextraspace(L);
}

static inline void fd_set_context(lua_State *L, fd_context *context) {
    *(fd_context **)lua_getextraspace(L) = context;
}

/// The allocator: counts bytes and refuses growth past the cap while Lua code runs. Host code
/// (Swift functions called from Lua) may always allocate, because a failure there would raise
/// through a Swift frame; what it allocates is bounded by the host, not by the script.
static inline void *fd_allocate(void *ud, void *pointer, size_t old_size, size_t new_size) {
    fd_context *context = (fd_context *)ud;
    size_t previous = pointer ? old_size : 0;
    if (new_size == 0) {
        free(pointer);
        context->memory_used -= previous;
        return NULL;
    }
    if (new_size > previous && context->memory_limit != 0 && context->host_depth == 0 &&
        context->memory_used + (new_size - previous) > context->memory_limit) {
        return NULL;
    }
    void *resized = realloc(pointer, new_size);
    if (resized == NULL) return NULL;
    context->memory_used = context->memory_used - previous + new_size;
    return resized;
}

static inline void fd_count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    fd_context *context = fd_context_of(L);
    if (context->stop_reason == FD_STOP_NONE) {
        if (context->interrupt_requested) {
            context->stop_reason = FD_STOP_INTERRUPT;
        } else if (context->instruction_limit > 0) {
            context->instructions_used += lua_gethookcount(L);
            if (context->instructions_used > context->instruction_limit) {
                context->stop_reason = FD_STOP_BUDGET;
            }
        }
    }
    if (context->stop_reason == FD_STOP_NONE) return;
    // From now on this thread's hook runs on every instruction, so a `pcall` that swallowed the
    // error gets only one instruction before it is raised again.
    lua_sethook(L, fd_count_hook, LUA_MASKCOUNT, 1);
    if (context->stop_reason == FD_STOP_INTERRUPT) {
        luaL_error(L, "interrupted");
    } else {
        luaL_error(L, "instruction budget exhausted (limit %I instructions)",
                   (LUA_INTEGER)context->instruction_limit);
    }
}

/// Re-arms the hook on the main thread after a stop, so the next top-level call runs at full speed.
static inline void fd_rearm_hook(lua_State *L) {
    lua_sethook(L, fd_count_hook, LUA_MASKCOUNT, FD_HOOK_INTERVAL);
}

/// The one C function behind every Swift function in Lua. Upvalue 1 identifies the Swift closure;
/// the dispatcher runs it and reports failure by returning -1, and only then does C raise.
static inline int fd_trampoline(lua_State *L) {
    fd_context *context = fd_context_of(L);
    int results = context->dispatch(L);
    if (results >= 0) return results;
    // Point at the Lua line that made the call, as luaL_error does.
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
    return lua_error(L);
}

/// Upvalue 1 points at the Swift function object (kept alive by the Swift state).
static inline void fd_push_host_function(lua_State *L, void *function) {
    lua_pushlightuserdata(L, function);
    lua_pushcclosure(L, fd_trampoline, 1);
}

static inline void *fd_host_function_pointer(lua_State *L) {
    return lua_touserdata(L, lua_upvalueindex(1));
}

/// Message handler for every protected call: the message plus a traceback, as `lua.c` does it.
static inline int fd_traceback(lua_State *L) {
    const char *message = lua_tostring(L, 1);
    if (message == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) {
            message = lua_tostring(L, -1);
        } else {
            message = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
        }
    }
    luaL_traceback(L, L, message, 1);
    return 1;
}

/// Opens the sandboxed libraries. Run through `lua_pcall`, so a failure here cannot longjmp
/// through Swift.
static inline int fd_open_sandbox(lua_State *L) {
    static const luaL_Reg libraries[] = {
        {LUA_GNAME, luaopen_base},
        {LUA_STRLIBNAME, luaopen_string},
        {LUA_TABLIBNAME, luaopen_table},
        {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},
        {LUA_COLIBNAME, luaopen_coroutine},
        {NULL, NULL},
    };
    for (const luaL_Reg *library = libraries; library->func != NULL; library++) {
        luaL_requiref(L, library->name, library->func, 1);
        lua_pop(L, 1);
    }
    // Files and bytecode are outside the sandbox.
    lua_pushnil(L); lua_setglobal(L, "dofile");
    lua_pushnil(L); lua_setglobal(L, "loadfile");
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L); lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    // Scripts share the string metatable; hide it so none can change how every string behaves.
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {
        lua_pushliteral(L, "the string metatable is protected");
        lua_setfield(L, -2, "__metatable");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return 0;
}

// Macros Swift cannot import.
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
static inline void fd_push_traceback_handler(lua_State *L) { lua_pushcfunction(L, fd_traceback); }
static inline void fd_push_sandbox_opener(lua_State *L) { lua_pushcfunction(L, fd_open_sandbox); }
static inline lua_State *fd_new_state(fd_context *context) {
    lua_State *L = lua_newstate(fd_allocate, context);
    if (L != NULL) {
        fd_set_context(L, context);
        fd_rearm_hook(L);
    }
    return L;
}
static inline int fd_load_text(lua_State *L, const char *text, size_t length, const char *name) {
    return luaL_loadbufferx(L, text, length, name, "t");
}
static inline void fd_request_interrupt(fd_context *context) { context->interrupt_requested = 1; }

#endif
