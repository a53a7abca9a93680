// Opening the sandbox: Lua's base, string, table, math, utf8 and coroutine libraries, without
// files, bytecode or the debug library, with the functions that could run unbounded in C or
// reveal addresses replaced, and with `pcall` and `coroutine.resume` unable to swallow a stop.

#include "sandbox_internal.h"

void fd_wrap_field(lua_State *L, int library, const char *name, lua_CFunction wrapper) {
    library = lua_absindex(L, library);
    lua_getfield(L, library, name);
    lua_pushcclosure(L, wrapper, 1);
    lua_setfield(L, library, name);
}

int fd_call_original(lua_State *L) {
    // Called in the wrapper's own frame, so the original's argument errors name the function as
    // the script called it ("bad argument #2 to 'offset'").
    lua_CFunction original = lua_tocfunction(L, lua_upvalueindex(1));
    return original(L);
}

// MARK: pcall and coroutines

/// After a protected call: a stop is raised again at once; anything else is returned as `pcall`
/// returns it.
static int fd_finish_pcall(lua_State *L, int status, lua_KContext base) {
    fd_raise_if_stopped(L);
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)base;
}

/// `pcall(f, ...)`, which yields across (a continuation finishes it) like the original.
static int fd_pcall(lua_State *L) {
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, fd_finish_pcall);
    return fd_finish_pcall(L, status, 0);
}

/// `coroutine.resume` and the functions `coroutine.wrap` returns: a coroutine that the budget,
/// an interrupt or the watchdog stopped must not hand control back to a caller that goes on.
static int fd_resume(lua_State *L) {
    int results = fd_call_original(L);
    fd_raise_if_stopped(L);
    return results;
}

static int fd_wrapped_coroutine(lua_State *L) {
    // The function `coroutine.wrap` made is a closure of its own: call it.
    int arguments = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, arguments, LUA_MULTRET);
    fd_raise_if_stopped(L);
    return lua_gettop(L);
}

static int fd_wrap(lua_State *L) {
    fd_call_original(L);
    lua_pushcclosure(L, fd_wrapped_coroutine, 1);
    return 1;
}

/// What one full collection costs the budget: it walks the whole heap in one call. A fixed
/// charge, not one by the memory in use, which differs from process to process.
#define FD_COST_PER_COLLECTION 5000000

/// `collectgarbage`, charged for the collections it asks for.
static int fd_collectgarbage(lua_State *L) {
    const char *option = luaL_optstring(L, 1, "collect");
    if (strcmp(option, "collect") == 0 || strcmp(option, "step") == 0) fd_charge(L, FD_COST_PER_COLLECTION);
    return fd_call_original(L);
}

/// Source text `load` accepts at once: plenty for any script, and parsing it is cheap.
#define FD_LOAD_MAXIMUM_BYTES (16u << 20)

/// `load` of text only, at most `FD_LOAD_MAXIMUM_BYTES`, charged by size. A reader function is
/// read to the end first (under the budget, since it is Lua), then loaded as text.
static int fd_load(lua_State *L) {
    size_t length = 0;
    int top = lua_gettop(L);
    if (lua_type(L, 1) == LUA_TFUNCTION) {
        luaL_Buffer buffer;
        luaL_buffinit(L, &buffer);
        size_t total = 0;
        for (;;) {
            lua_pushvalue(L, 1);
            lua_call(L, 0, 1);
            if (lua_isnil(L, -1)) { lua_pop(L, 1); break; }
            if (lua_type(L, -1) != LUA_TSTRING) {
                lua_pushnil(L);
                lua_pushliteral(L, "reader function must return a string");
                return 2;
            }
            size_t piece = lua_rawlen(L, -1);
            if (piece == 0) { lua_pop(L, 1); break; }
            total += piece;
            if (total > FD_LOAD_MAXIMUM_BYTES) {
                lua_pushnil(L);
                lua_pushfstring(L, "chunk too large: load accepts at most %d MiB of source", (int)(FD_LOAD_MAXIMUM_BYTES >> 20));
                return 2;
            }
            luaL_addvalue(&buffer);
        }
        luaL_pushresult(&buffer);
        lua_replace(L, 1);
    }
    if (lua_type(L, 1) == LUA_TSTRING) {
        length = lua_rawlen(L, 1);
        if (length > FD_LOAD_MAXIMUM_BYTES) {
            lua_pushnil(L);
            lua_pushfstring(L, "chunk too large: load accepts at most %d MiB of source", (int)(FD_LOAD_MAXIMUM_BYTES >> 20));
            return 2;
        }
        fd_charge_bytes(L, length * 4);
    }
    // Text only: force mode "t" whatever the caller asked for.
    if (top < 3) lua_settop(L, 3);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    return fd_call_original(L);
}

static void fd_install_control_functions(lua_State *L) {
    lua_pushglobaltable(L);
    lua_pushcfunction(L, fd_pcall);
    lua_setfield(L, -2, "pcall");
    fd_wrap_field(L, -1, "collectgarbage", fd_collectgarbage);
    fd_wrap_field(L, -1, "load", fd_load);
    lua_getfield(L, -1, LUA_COLIBNAME);
    fd_wrap_field(L, -1, "resume", fd_resume);
    fd_wrap_field(L, -1, "wrap", fd_wrap);
    lua_pop(L, 2);
}

void fd_install_control(lua_State *L) {
    fd_install_control_functions(L);
}

// MARK: Opening

static int fd_open_sandbox(lua_State *L) {
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
    fd_install_identity(L);
    fd_install_control(L);
    fd_install_patterns(L);
    fd_install_strings(L);
    fd_install_tables(L);
    fd_install_utf8(L);
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

void fd_push_sandbox_opener(lua_State *L) {
    lua_pushcfunction(L, fd_open_sandbox);
}

static const char *const lab_strings_key = "firedrill.lab.strings";
static const char *const trainee_strings_key = "firedrill.trainee.strings";
static const char *const string_metatable_key = "firedrill.string.metatable";

int fd_capture_lab_string_methods(lua_State *L) {
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, string_metatable_key);
    lua_pop(L, 1);
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, trainee_strings_key);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, -3) != 0) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4);
    }
    lua_setfield(L, LUA_REGISTRYINDEX, lab_strings_key);
    lua_pop(L, 1);
    return 0;
}

void fd_use_lab_string_methods(lua_State *L, int lab) {
    // Every string and key used here already exists, so nothing is allocated.
    if (lua_getfield(L, LUA_REGISTRYINDEX, string_metatable_key) != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    if (lua_getfield(L, LUA_REGISTRYINDEX, lab ? lab_strings_key : trainee_strings_key) != LUA_TTABLE) {
        lua_pop(L, 2);
        return;
    }
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}
