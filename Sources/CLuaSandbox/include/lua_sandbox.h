#ifndef FIREDRILL_LUA_SANDBOX_H
#define FIREDRILL_LUA_SANDBOX_H

// Firedrill's Lua sandbox, in C because it runs where Lua can raise errors: the allocator that
// enforces the memory cap, the count hook and the charges that enforce the instruction budget
// (VM instructions and the work of C library functions alike), the call trampoline through which
// every Swift function is reached, and the standard library functions replaced by bounded,
// deterministic ones. Every `lua_error` happens here, in C, so that Lua's longjmp never crosses
// a Swift frame (see ../../../shared/DESIGN.md, "The Lua bridge").
//
// This header names `struct lua_State` without including lua.h, so that Swift sees Lua's API
// from one module only (CLua).

#include <signal.h>
#include <stddef.h>

struct lua_State;

/// Why a command is being stopped: nothing, the instruction budget, an interrupt (Ctrl-C), or
/// the wall-clock watchdog. Once set, every hook call, Swift function call, `pcall` and
/// `coroutine.resume` raises again, so no Lua code can go on after a stop.
enum {
    FD_STOP_NONE = 0,
    FD_STOP_BUDGET = 1,
    FD_STOP_INTERRUPT = 2,
    FD_STOP_WATCHDOG = 3,
};

/// A Swift function exposed to Lua. Returns the number of results it pushed, or -1 after pushing
/// an error message; it must never raise itself.
typedef int (*fd_host_function)(struct lua_State *L);

/// Per-state bookkeeping shared by the allocator, the hook, the bounded library functions and
/// the Swift side. Its address is kept in the state's extra space, which every coroutine inherits.
typedef struct fd_context {
    void *host;                       // the Swift LuaState, unretained
    fd_host_function dispatch;        // the Swift dispatcher called by the trampoline
    long long instruction_limit;      // 0: unlimited
    long long instructions_used;      // VM instructions plus the charges of C functions
    size_t memory_limit;              // bytes; 0: unlimited
    size_t memory_used;               // bytes, block headers included
    int host_depth;                   // > 0 while Swift code runs: the cap does not apply there
    volatile sig_atomic_t interrupt_requested;
    int stop_reason;                  // FD_STOP_*
    long long deadline_nanoseconds;   // CLOCK_MONOTONIC time the command must end by; 0: none
    double wall_clock_limit_seconds;  // for the watchdog's message
    unsigned long long next_identity; // sequence number of the next object created
} fd_context;

/// A new state with the sandbox's allocator and hook; NULL when out of memory.
struct lua_State *fd_new_state(fd_context *context);
fd_context *fd_context_of(struct lua_State *L);

/// Pushes the function that opens the sandboxed libraries (to be run with `lua_pcall`).
void fd_push_sandbox_opener(struct lua_State *L);
/// Pushes the message handler used for every protected call: message plus traceback.
void fd_push_traceback_handler(struct lua_State *L);
/// Pushes a Swift function: a C closure whose upvalue identifies the Swift function object.
void fd_push_host_function(struct lua_State *L, void *function);
void *fd_host_function_pointer(struct lua_State *L);

/// Compiles text (never binary) as a chunk.
int fd_load_text(struct lua_State *L, const char *text, size_t length, const char *name);

/// Re-arms the count hook on a thread after a stop, so the next command runs at full speed.
void fd_rearm_hook(struct lua_State *L);
void fd_request_interrupt(fd_context *context);
/// The address of the interrupt flag, for a signal handler.
volatile sig_atomic_t *fd_interrupt_flag(fd_context *context);

/// CLOCK_MONOTONIC in nanoseconds: what `deadline_nanoseconds` is measured on.
long long fd_monotonic_nanoseconds(void);
/// True once the interrupt flag is set, the deadline has passed, or a stop is in force; marks
/// the stop so the next hook raises it. For host loops that cannot run Lua's hook (the world's
/// event loop).
int fd_should_stop(fd_context *context);

/// The per-state sequence number of the object at `index` (0 for values that are not objects):
/// what `tostring`, `%p` and `next`'s order use in place of addresses.
unsigned long long fd_object_identity(struct lua_State *L, int index);

/// Keeps a copy of the string library for lab code (run with `lua_pcall` once the sandbox is
/// open, before any script): string methods (`s:find(...)`) come from the string metatable's
/// `__index`, which is the trainee's `string` table, so lab checks and graders switch to the copy.
int fd_capture_lab_string_methods(struct lua_State *L);
/// Points the string metatable's `__index` at the lab's copy (`lab` true) or back at the
/// trainee's `string` table. Allocates nothing and never raises.
void fd_use_lab_string_methods(struct lua_State *L, int lab);

#endif
