// The state's bookkeeping: the allocator (memory cap and object identities), the count hook and
// charges (instruction budget, interrupts, watchdog), the trampoline for Swift functions.

#include <limits.h>
#include <stdlib.h>
#include <time.h>

#include "sandbox_internal.h"

/// Every block the allocator hands Lua is preceded by this header. A new object (a string,
/// table, function, userdata or thread: Lua says which when it allocates one) gets the next
/// number in the state's sequence, which stands in for its address wherever an address would
/// reach a script (`tostring`, `%p`, the order `next` walks keys that are tables): the same
/// session then prints and iterates the same way in every process.
typedef struct fd_block_header {
    unsigned long long identity;
    unsigned long long reserved; // keeps the block 16-byte aligned
} fd_block_header;

#define FD_HEADER_SIZE sizeof(fd_block_header)

/// Above this a string block holds a long string (Lua interns strings of up to 40 bytes).
#define FD_LONG_STRING_BYTES 128

fd_context *fd_context_of(lua_State *L) {
    return *(fd_context **)lua_getextraspace(L);
}

static int fd_is_object_tag(size_t tag) {
    return tag == LUA_TSTRING || tag == LUA_TTABLE || tag == LUA_TFUNCTION || tag == LUA_TUSERDATA ||
           tag == LUA_TTHREAD;
}

/// The allocator: counts bytes and refuses growth past the cap while Lua code runs. Host code
/// (Swift functions called from Lua) may always allocate, because a failure there would raise
/// through a Swift frame; the trampoline checks the cap once the Swift function has returned.
static void *fd_allocate(void *ud, void *pointer, size_t old_size, size_t new_size) {
    fd_context *context = (fd_context *)ud;
    char *block = pointer ? (char *)pointer - FD_HEADER_SIZE : NULL;
    size_t previous = pointer ? old_size + FD_HEADER_SIZE : 0;
    if (new_size == 0) {
        if (block) {
            free(block);
            context->memory_used -= previous;
        }
        return NULL;
    }
    size_t wanted = new_size + FD_HEADER_SIZE;
    if (wanted > previous && context->memory_limit != 0 && context->host_depth == 0 &&
        context->memory_used + (wanted - previous) > context->memory_limit) {
        return NULL;
    }
    char *resized = realloc(block, wanted);
    if (resized == NULL) return NULL;
    // Making a long string is work too: `..` on a big string copies it in one VM instruction.
    // Its size is charged to the budget, which the next hook call enforces. Only long strings:
    // they are made afresh every time, so the charge is the same in every process, whereas
    // when a table's parts grow, and so when garbage is collected, depends on Lua's string
    // hash, which is seeded per process; a budget that counted those would stop a command at
    // a different instruction in another process.
    if (block == NULL && old_size == LUA_TSTRING && new_size > FD_LONG_STRING_BYTES) {
        context->instructions_used += (long long)(new_size / FD_COST_ALLOCATED_BYTES_PER_UNIT);
    }
    if (block == NULL) {
        // For a new block Lua passes the kind of object in `old_size`.
        ((fd_block_header *)resized)->identity = fd_is_object_tag(old_size) ? ++context->next_identity : 0;
    }
    context->memory_used = context->memory_used - previous + wanted;
    return resized + FD_HEADER_SIZE;
}

/// The identity stored before an object's block (`lua_topointer` gives the object's address;
/// a thread's address lies past the state's extra space).
unsigned long long fd_block_identity(const void *object, size_t offset) {
    const char *block = (const char *)object - offset - FD_HEADER_SIZE;
    return ((const fd_block_header *)block)->identity;
}

long long fd_monotonic_nanoseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

/// Marks the stop that applies now, if any: an interrupt, the budget, the watchdog.
static void fd_note_stop(fd_context *context) {
    if (context->stop_reason != FD_STOP_NONE) return;
    if (context->interrupt_requested) {
        context->stop_reason = FD_STOP_INTERRUPT;
    } else if (context->instruction_limit > 0 && context->instructions_used > context->instruction_limit) {
        context->stop_reason = FD_STOP_BUDGET;
    } else if (context->deadline_nanoseconds != 0 && fd_monotonic_nanoseconds() > context->deadline_nanoseconds) {
        context->stop_reason = FD_STOP_WATCHDOG;
    }
}

int fd_should_stop(fd_context *context) {
    fd_note_stop(context);
    return context->stop_reason != FD_STOP_NONE;
}

static void fd_count_hook(lua_State *L, lua_Debug *ar);

/// Raises the stop in force. From now on this thread's hook runs on every instruction, so a
/// `pcall` that swallowed the error gets only one instruction before it is raised again.
static void fd_raise_stop(lua_State *L) {
    fd_context *context = fd_context_of(L);
    lua_sethook(L, fd_count_hook, LUA_MASKCOUNT, 1);
    switch (context->stop_reason) {
    case FD_STOP_INTERRUPT:
        luaL_error(L, "interrupted");
        break;
    case FD_STOP_WATCHDOG:
        luaL_error(L, "wall-clock limit exceeded (the command ran longer than %d seconds)",
                   (int)context->wall_clock_limit_seconds);
        break;
    default:
        luaL_error(L, "instruction budget exhausted (limit %I instructions)", (LUA_INTEGER)context->instruction_limit);
        break;
    }
}

void fd_raise_if_stopped(lua_State *L) {
    if (fd_context_of(L)->stop_reason != FD_STOP_NONE) fd_raise_stop(L);
}

static void fd_count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    fd_context *context = fd_context_of(L);
    if (context->stop_reason == FD_STOP_NONE) {
        context->instructions_used += lua_gethookcount(L);
        fd_note_stop(context);
    }
    if (context->stop_reason != FD_STOP_NONE) fd_raise_stop(L);
}

void fd_charge(lua_State *L, long long units) {
    fd_context *context = fd_context_of(L);
    if (context->stop_reason == FD_STOP_NONE) {
        context->instructions_used = units > LLONG_MAX - context->instructions_used ? LLONG_MAX
                                                                                   : context->instructions_used + units;
        fd_note_stop(context);
    }
    if (context->stop_reason != FD_STOP_NONE) fd_raise_stop(L);
}

void fd_charge_bytes(lua_State *L, size_t bytes) {
    fd_charge(L, (long long)(bytes / FD_COST_BYTES_PER_UNIT) + 1);
}

void fd_check_room(lua_State *L, size_t bytes, const char *what) {
    fd_context *context = fd_context_of(L);
    if (context->memory_limit == 0 || context->host_depth != 0) return;
    if (bytes <= context->memory_limit && context->memory_used + bytes <= context->memory_limit) return;
    luaL_error(L, "not enough memory (%s would need %I MiB more, with %I MiB in use; the limit is %I MiB)", what,
               (LUA_INTEGER)(bytes >> 20), (LUA_INTEGER)(context->memory_used >> 20),
               (LUA_INTEGER)(context->memory_limit >> 20));
}

/// Re-arms the hook on a thread after a stop, so the next top-level call runs at full speed.
#define FD_HOOK_INTERVAL 1000

void fd_rearm_hook(lua_State *L) {
    lua_sethook(L, fd_count_hook, LUA_MASKCOUNT, FD_HOOK_INTERVAL);
}

void fd_request_interrupt(fd_context *context) {
    context->interrupt_requested = 1;
}

volatile sig_atomic_t *fd_interrupt_flag(fd_context *context) {
    return &context->interrupt_requested;
}

/// The one C function behind every Swift function in Lua. Upvalue 1 identifies the Swift closure;
/// the dispatcher runs it and reports failure by returning -1, and only then does C raise. A
/// stopped command reaches no Swift function, and a Swift function whose results took the state
/// past the memory cap raises the memory error Lua itself would have.
static int fd_trampoline(lua_State *L) {
    fd_context *context = fd_context_of(L);
    fd_raise_if_stopped(L);
    int results = context->dispatch(L);
    if (results < 0) {
        // Point at the Lua line that made the call, as luaL_error does.
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    if (context->memory_limit != 0 && context->host_depth == 0 && context->memory_used > context->memory_limit) {
        lua_gc(L, LUA_GCCOLLECT, 0);
        if (context->memory_used > context->memory_limit) {
            return luaL_error(L, "not enough memory (%I MiB in use after this call; the limit is %I MiB)",
                              (LUA_INTEGER)(context->memory_used >> 20), (LUA_INTEGER)(context->memory_limit >> 20));
        }
    }
    return results;
}

void fd_push_host_function(lua_State *L, void *function) {
    lua_pushlightuserdata(L, function);
    lua_pushcclosure(L, fd_trampoline, 1);
}

void *fd_host_function_pointer(lua_State *L) {
    return lua_touserdata(L, lua_upvalueindex(1));
}

/// Message handler for every protected call: the message plus a traceback, as `lua.c` does it.
static int fd_traceback(lua_State *L) {
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

void fd_push_traceback_handler(lua_State *L) {
    lua_pushcfunction(L, fd_traceback);
}

lua_State *fd_new_state(fd_context *context) {
    lua_State *L = lua_newstate(fd_allocate, context);
    if (L != NULL) {
        *(fd_context **)lua_getextraspace(L) = context;
        fd_rearm_hook(L);
    }
    return L;
}

int fd_load_text(lua_State *L, const char *text, size_t length, const char *name) {
    return luaL_loadbufferx(L, text, length, name, "t");
}
