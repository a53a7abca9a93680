// `string.rep` and `string.format` with their output checked against the memory cap before it
// is built, `%p` and `%s` naming objects by identity, and utf8 functions charged by the bytes
// they scan. (Other string functions allocate what they produce, and the allocator charges it.)

#include <limits.h>
#include <stdio.h>

#include "sandbox_internal.h"

/// `string.rep(s, n [, sep])`: refuses a result that cannot fit under the memory cap before
/// building it, and returns at once when there is nothing to repeat.
static int fd_rep(lua_State *L) {
    size_t length, separator_length;
    const char *text = luaL_checklstring(L, 1, &length);
    lua_Integer count = luaL_checkinteger(L, 2);
    const char *separator = luaL_optlstring(L, 3, "", &separator_length);
    if (count <= 0 || (length == 0 && separator_length == 0)) {
        lua_pushliteral(L, "");
        return 1;
    }
    size_t unit = length + separator_length;
    // The result must also fit a Lua integer (Lua's own MAXSIZE rule).
    size_t maximum = (size_t)LUA_MAXINTEGER < SIZE_MAX ? (size_t)LUA_MAXINTEGER : SIZE_MAX;
    if (unit < length || (size_t)count > maximum / unit) return luaL_error(L, "resulting string too large");
    size_t total = (size_t)count * length + (size_t)(count - 1) * separator_length;
    // Lua builds the result in a buffer, then copies it into the string: twice its size at once.
    fd_check_room(L, total > SIZE_MAX / 2 ? SIZE_MAX : total * 2, "string.rep");
    fd_charge_bytes(L, total);
    luaL_Buffer buffer;
    char *out = luaL_buffinitsize(L, &buffer, total);
    for (lua_Integer i = 0; i < count; i++) {
        memcpy(out, text, length);
        out += length;
        if (separator_length > 0 && i + 1 < count) {
            memcpy(out, separator, separator_length);
            out += separator_length;
        }
    }
    luaL_pushresultsize(&buffer, total);
    return 1;
}

/// Longest conversion specification `format` accepts (Lua's limit: flags, width, precision).
#define FD_FORMAT_SPEC_MAXIMUM 22

/// `string.format`: each conversion is formatted by Lua's own `format` (upvalue 1) on its own,
/// except that `%p` prints the object's identity and `%s` a value as `tostring` shows it, so no
/// address reaches the output. Arguments are checked here, so errors name the right one.
static int fd_format(lua_State *L) {
    int top = lua_gettop(L);
    size_t format_length;
    const char *format = luaL_checklstring(L, 1, &format_length);
    const char *end = format + format_length;
    int argument = 1;
    luaL_Buffer buffer;
    luaL_buffinit(L, &buffer);
    while (format < end) {
        if (*format != '%') {
            luaL_addchar(&buffer, *format++);
            continue;
        }
        format++;
        if (format < end && *format == '%') {
            luaL_addchar(&buffer, '%');
            format++;
            continue;
        }
        size_t span = 0;
        while (format + span < end && strchr("-+ #0123456789.", format[span]) != NULL && format[span] != 0) span++;
        if (span >= FD_FORMAT_SPEC_MAXIMUM) return luaL_error(L, "invalid format (too long)");
        char conversion = format + span < end ? format[span] : 0;
        char spec[FD_FORMAT_SPEC_MAXIMUM + 4];
        spec[0] = '%';
        memcpy(spec + 1, format, span);
        spec[span + 1] = conversion;
        spec[span + 2] = 0;
        if (conversion == 0) return luaL_error(L, "invalid conversion '%s' to 'format'", spec);
        format += span + 1;
        if (++argument > top) return luaL_argerror(L, argument, "no value");
        lua_pushvalue(L, lua_upvalueindex(1));
        switch (conversion) {
        case 'p': {
            unsigned long long identity = fd_object_identity(L, argument);
            char digits[32];
            if (identity != 0) snprintf(digits, sizeof digits, "0x%08llx", identity);
            else snprintf(digits, sizeof digits, "(null)");
            spec[span + 1] = 's';
            lua_pushstring(L, spec);
            lua_pushstring(L, digits);
            break;
        }
        case 's':
            lua_pushstring(L, spec);
            fd_push_display_string(L, argument, NULL);
            break;
        case 'q': {
            int type = lua_type(L, argument);
            if (type != LUA_TSTRING && type != LUA_TNUMBER && type != LUA_TNIL && type != LUA_TBOOLEAN) {
                return luaL_argerror(L, argument, "value has no literal form");
            }
            if (type == LUA_TSTRING) fd_check_room(L, lua_rawlen(L, argument) * 4, "string.format's %q");
            lua_pushstring(L, spec);
            lua_pushvalue(L, argument);
            break;
        }
        case 'd': case 'i': case 'u': case 'o': case 'x': case 'X': case 'c':
            luaL_checkinteger(L, argument);
            lua_pushstring(L, spec);
            lua_pushvalue(L, argument);
            break;
        case 'a': case 'A': case 'e': case 'E': case 'f': case 'g': case 'G':
            luaL_checknumber(L, argument);
            lua_pushstring(L, spec);
            lua_pushvalue(L, argument);
            break;
        default:
            // Lua's format says what is wrong with the conversion.
            lua_pushstring(L, spec);
            lua_pushvalue(L, argument);
            break;
        }
        lua_call(L, 2, 1);
        luaL_addvalue(&buffer);
    }
    luaL_pushresult(&buffer);
    return 1;
}

// MARK: utf8

/// utf8 functions that scan their subject without allocating: charged by its length first.
static int fd_utf8_scanning(lua_State *L) {
    size_t length = 0;
    luaL_checklstring(L, 1, &length);
    fd_charge_bytes(L, length * 4);
    return fd_call_original(L);
}

void fd_install_strings(lua_State *L) {
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushcfunction(L, fd_rep);
    lua_setfield(L, -2, "rep");
    fd_wrap_field(L, -1, "format", fd_format);
    lua_pop(L, 1);
}

void fd_install_utf8(lua_State *L) {
    lua_getglobal(L, LUA_UTF8LIBNAME);
    fd_wrap_field(L, -1, "len", fd_utf8_scanning);
    fd_wrap_field(L, -1, "offset", fd_utf8_scanning);
    fd_wrap_field(L, -1, "codepoint", fd_utf8_scanning);
    fd_wrap_field(L, -1, "codes", fd_utf8_scanning);
    lua_pop(L, 1);
}
