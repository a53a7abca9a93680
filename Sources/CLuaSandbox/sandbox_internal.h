#ifndef FIREDRILL_SANDBOX_INTERNAL_H
#define FIREDRILL_SANDBOX_INTERNAL_H

// What the sandbox's C files share: Lua's headers, the charging functions and each file's
// installer. Not part of the module Swift imports.

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdint.h>
#include <string.h>

#include "lua_sandbox.h"

/// How many VM instructions' worth of budget one unit of C work costs. An instruction takes a
/// few nanoseconds; these keep a budget of a few hundred million instructions to a few seconds
/// whatever the mix of Lua and library work.
#define FD_COST_BYTES_PER_UNIT 16      /* copying or scanning bytes */
#define FD_COST_ALLOCATED_BYTES_PER_UNIT 64 /* making long strings (the allocator charges them) */
#define FD_COST_PER_ELEMENT 4          /* reading or writing a table slot */
#define FD_COST_PER_COMPARISON 8       /* a sort or key comparison */
#define FD_COST_PER_MATCH_STEP 2       /* one step of the pattern matcher */

/// Adds `units` to the instruction budget and raises if it is spent, or if an interrupt or the
/// watchdog stopped the command. Call before expensive work, with its expected cost, so work
/// that cannot fit is refused rather than run.
void fd_charge(lua_State *L, long long units);
/// `fd_charge` for a number of bytes.
void fd_charge_bytes(lua_State *L, size_t bytes);
/// Raises the stop in force, if any.
void fd_raise_if_stopped(lua_State *L);
/// Raises "not enough memory" if `bytes` more would not fit under the memory cap.
void fd_check_room(lua_State *L, size_t bytes, const char *what);

/// Pushes `tostring(value)` as the sandbox prints it: `__tostring` if any, else the value, or
/// `table: 0x0000002a` with the object's identity instead of its address.
const char *fd_push_display_string(lua_State *L, int index, size_t *length);

/// The canonical order of table keys: numbers, then strings (bytes), booleans, then other
/// values by identity (creation order). Returns <0, 0, >0.
int fd_compare_keys(lua_State *L, int a, int b);

void fd_install_identity(lua_State *L);
void fd_install_control(lua_State *L);
void fd_install_patterns(lua_State *L);
void fd_install_strings(lua_State *L);
void fd_install_tables(lua_State *L);
void fd_install_utf8(lua_State *L);

/// Replaces `library[name]` with a C closure that has the original function as upvalue 1.
void fd_wrap_field(lua_State *L, int library, const char *name, lua_CFunction wrapper);
/// Runs the original C function (upvalue 1) on the wrapper's arguments and returns its results.
int fd_call_original(lua_State *L);

#endif
