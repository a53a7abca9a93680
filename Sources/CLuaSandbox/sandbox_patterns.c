// Lua's string patterns (`find`, `match`, `gmatch`, `gsub`) with a matcher of our own that counts
// its steps and charges them to the budget: a pattern that backtracks for ever is stopped by the
// budget, an interrupt or the watchdog like any loop. A pattern is compiled once into items (a
// 256-bit set for each character class), then matched by backtracking over the items.

#include "sandbox_internal.h"

#define FD_MAXIMUM_CAPTURES 32
/// Nested backtracking points before "pattern too complex" (Lua's limit too).
#define FD_MAXIMUM_MATCH_DEPTH 200
/// Steps counted before they are charged, so the charge stays off the hot path.
#define FD_STEPS_PER_CHARGE 4096

#define FD_CAPTURE_UNFINISHED (-1)
#define FD_CAPTURE_POSITION (-2)

typedef struct fd_character_set {
    uint32_t bits[8];
} fd_character_set;

enum fd_item_kind {
    FD_ITEM_SET,              // one character from a set, maybe repeated
    FD_ITEM_BALANCE,          // %bxy
    FD_ITEM_FRONTIER,         // %f[set]
    FD_ITEM_BACK_REFERENCE,   // %1 .. %9
    FD_ITEM_OPEN,             // (
    FD_ITEM_OPEN_POSITION,    // ()
    FD_ITEM_CLOSE,            // )
    FD_ITEM_END,              // $ at the end of the pattern
};

typedef struct fd_pattern_item {
    unsigned char kind;
    unsigned char repeat;     // 0 (once), '*', '+', '-' or '?'
    unsigned char capture;    // the capture an OPEN, CLOSE or back reference names
    unsigned char open, close; // for %b
    fd_character_set set;
} fd_pattern_item;

typedef struct fd_pattern {
    int anchored;
    int item_count;
    int capture_count;
    fd_pattern_item items[];
} fd_pattern;

// MARK: Character classes

static void fd_set_add(fd_character_set *set, unsigned char c) { set->bits[c >> 5] |= 1u << (c & 31); }
static int fd_set_has(const fd_character_set *set, unsigned char c) { return (set->bits[c >> 5] >> (c & 31)) & 1u; }

static void fd_set_invert(fd_character_set *set) {
    for (int i = 0; i < 8; i++) set->bits[i] = ~set->bits[i];
}

/// Whether `c` is in class `letter` (lower case) in the "C" locale, whatever the process locale.
static int fd_in_class(int c, int letter) {
    int upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
    switch (letter) {
    case 'a': return upper || lower;
    case 'c': return c < 32 || c == 127;
    case 'd': return digit;
    case 'g': return c > 32 && c < 127;
    case 'l': return lower;
    case 'p': return c > 32 && c < 127 && !upper && !lower && !digit;
    case 's': return c == ' ' || (c >= '\t' && c <= '\r');
    case 'u': return upper;
    case 'w': return upper || lower || digit;
    case 'x': return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    case 'z': return c == 0;
    default: return -1;
    }
}

/// Adds the class escaped by `%letter` to `set`: a class, its complement (upper case), or the
/// character itself.
static void fd_set_add_escape(fd_character_set *set, unsigned char letter) {
    int lower = (letter >= 'A' && letter <= 'Z') ? letter + 32 : letter;
    if (fd_in_class('a', lower) < 0) {
        fd_set_add(set, letter);
        return;
    }
    int complement = letter != lower;
    for (int c = 0; c < 256; c++) {
        if (fd_in_class(c, lower) != complement) fd_set_add(set, (unsigned char)c);
    }
}

// MARK: Compiling

typedef struct fd_compiler {
    lua_State *L;
    const unsigned char *text;
    size_t length;
    size_t position;
} fd_compiler;

/// Reads `[...]` at the compiler's position (on '['); Lua's rules: the first character of the
/// set (after an optional '^') is always part of it, even ']'; `%x` escapes; `a-z` ranges.
static void fd_compile_bracket(fd_compiler *compiler, fd_character_set *set) {
    const unsigned char *text = compiler->text;
    size_t position = compiler->position + 1;
    int complement = 0;
    if (position < compiler->length && text[position] == '^') {
        complement = 1;
        position++;
    }
    size_t first = position;
    size_t end = position;
    do {
        if (end >= compiler->length) luaL_error(compiler->L, "malformed pattern (missing ']')");
        if (text[end++] == '%' && end < compiler->length) end++;
    } while (end >= compiler->length || text[end] != ']');
    // text[end] is the closing ']'.
    for (size_t p = first; p < end; p++) {
        if (text[p] == '%') {
            p++;
            fd_set_add_escape(set, text[p]);
        } else if (p + 2 < end && text[p + 1] == '-') {
            for (int c = text[p]; c <= text[p + 2]; c++) fd_set_add(set, (unsigned char)c);
            p += 2;
        } else {
            fd_set_add(set, text[p]);
        }
    }
    if (complement) fd_set_invert(set);
    compiler->position = end + 1;
}

/// Reads one single-character class at the compiler's position into `set`.
static void fd_compile_class(fd_compiler *compiler, fd_character_set *set) {
    const unsigned char *text = compiler->text;
    unsigned char c = text[compiler->position];
    if (c == '.') {
        fd_set_invert(set);
        compiler->position++;
    } else if (c == '%') {
        if (compiler->position + 1 >= compiler->length) luaL_error(compiler->L, "malformed pattern (ends with '%%')");
        fd_set_add_escape(set, text[compiler->position + 1]);
        compiler->position += 2;
    } else if (c == '[') {
        fd_compile_bracket(compiler, set);
    } else {
        fd_set_add(set, c);
        compiler->position++;
    }
}

/// Compiles `text` into a pattern held by a new userdata, left on the stack. `may_anchor`: a
/// leading '^' anchors the match (not for `gmatch`, where Lua reads it as a character).
static fd_pattern *fd_compile(lua_State *L, const char *text, size_t length, int may_anchor) {
    fd_charge_bytes(L, length * 4);
    size_t bytes = sizeof(fd_pattern) + (length + 1) * sizeof(fd_pattern_item);
    fd_check_room(L, bytes, "the pattern");
    fd_pattern *pattern = (fd_pattern *)lua_newuserdatauv(L, bytes, 0);
    memset(pattern, 0, sizeof(fd_pattern));
    fd_compiler compiler = {L, (const unsigned char *)text, length, 0};
    if (may_anchor && length > 0 && text[0] == '^') {
        pattern->anchored = 1;
        compiler.position = 1;
    }
    int open_captures[FD_MAXIMUM_CAPTURES];
    int open_count = 0;
    int closed[FD_MAXIMUM_CAPTURES] = {0};
    while (compiler.position < length) {
        fd_pattern_item *item = &pattern->items[pattern->item_count++];
        memset(item, 0, sizeof *item);
        unsigned char c = compiler.text[compiler.position];
        unsigned char next = compiler.position + 1 < length ? compiler.text[compiler.position + 1] : 0;
        int has_next = compiler.position + 1 < length;
        if (c == '(') {
            if (pattern->capture_count >= FD_MAXIMUM_CAPTURES) luaL_error(L, "too many captures");
            item->capture = (unsigned char)pattern->capture_count++;
            if (has_next && next == ')') {
                item->kind = FD_ITEM_OPEN_POSITION;
                closed[item->capture] = 1;
                compiler.position += 2;
            } else {
                item->kind = FD_ITEM_OPEN;
                open_captures[open_count++] = item->capture;
                compiler.position += 1;
            }
            continue;
        }
        if (c == ')') {
            if (open_count == 0) luaL_error(L, "invalid pattern capture");
            item->kind = FD_ITEM_CLOSE;
            item->capture = (unsigned char)open_captures[--open_count];
            closed[item->capture] = 1;
            compiler.position += 1;
            continue;
        }
        if (c == '$' && compiler.position + 1 == length) {
            item->kind = FD_ITEM_END;
            compiler.position += 1;
            continue;
        }
        if (c == '%' && has_next && next == 'b') {
            if (compiler.position + 3 >= length) luaL_error(L, "malformed pattern (missing arguments to '%%b')");
            item->kind = FD_ITEM_BALANCE;
            item->open = compiler.text[compiler.position + 2];
            item->close = compiler.text[compiler.position + 3];
            compiler.position += 4;
            continue;
        }
        if (c == '%' && has_next && next == 'f') {
            compiler.position += 2;
            if (compiler.position >= length || compiler.text[compiler.position] != '[') {
                luaL_error(L, "missing '[' after '%%f' in pattern");
            }
            item->kind = FD_ITEM_FRONTIER;
            fd_compile_bracket(&compiler, &item->set);
            continue;
        }
        if (c == '%' && has_next && next >= '0' && next <= '9') {
            int index = next - '1';
            if (index < 0 || index >= pattern->capture_count || !closed[index]) {
                luaL_error(L, "invalid capture index %%%d", index + 1);
            }
            item->kind = FD_ITEM_BACK_REFERENCE;
            item->capture = (unsigned char)index;
            compiler.position += 2;
            continue;
        }
        item->kind = FD_ITEM_SET;
        fd_compile_class(&compiler, &item->set);
        if (compiler.position < length) {
            unsigned char suffix = compiler.text[compiler.position];
            if (suffix == '*' || suffix == '+' || suffix == '-' || suffix == '?') {
                item->repeat = suffix;
                compiler.position++;
            }
        }
    }
    if (open_count > 0) luaL_error(L, "unfinished capture");
    return pattern;
}

// MARK: Matching

typedef struct fd_matcher {
    lua_State *L;
    const unsigned char *subject;
    ptrdiff_t length;
    const fd_pattern *pattern;
    long long steps;
    int depth;
    ptrdiff_t capture_start[FD_MAXIMUM_CAPTURES];
    ptrdiff_t capture_length[FD_MAXIMUM_CAPTURES];
} fd_matcher;

static void fd_step(fd_matcher *matcher, long long count) {
    matcher->steps += count;
    if (matcher->steps >= FD_STEPS_PER_CHARGE) {
        fd_charge(matcher->L, matcher->steps * FD_COST_PER_MATCH_STEP);
        matcher->steps = 0;
    }
}

static int fd_item_accepts(const fd_matcher *matcher, const fd_pattern_item *item, ptrdiff_t position) {
    return position < matcher->length && fd_set_has(&item->set, matcher->subject[position]);
}

/// Matches items from `index` on at `position`; returns where the match ends, or -1.
static ptrdiff_t fd_match(fd_matcher *matcher, int index, ptrdiff_t position) {
    if (++matcher->depth > FD_MAXIMUM_MATCH_DEPTH) luaL_error(matcher->L, "pattern too complex");
    const fd_pattern *pattern = matcher->pattern;
    ptrdiff_t result = -1;
    for (;;) {
        fd_step(matcher, 1);
        if (index == pattern->item_count) {
            result = position;
            break;
        }
        const fd_pattern_item *item = &pattern->items[index];
        if (item->kind == FD_ITEM_OPEN) {
            matcher->capture_start[item->capture] = position;
            matcher->capture_length[item->capture] = FD_CAPTURE_UNFINISHED;
            index++;
            continue;
        }
        if (item->kind == FD_ITEM_OPEN_POSITION) {
            matcher->capture_start[item->capture] = position;
            matcher->capture_length[item->capture] = FD_CAPTURE_POSITION;
            index++;
            continue;
        }
        if (item->kind == FD_ITEM_CLOSE) {
            matcher->capture_length[item->capture] = position - matcher->capture_start[item->capture];
            index++;
            continue;
        }
        if (item->kind == FD_ITEM_END) {
            if (position != matcher->length) break;
            index++;
            continue;
        }
        if (item->kind == FD_ITEM_BALANCE) {
            if (position >= matcher->length || matcher->subject[position] != item->open) break;
            int nesting = 1;
            ptrdiff_t scan = position + 1;
            for (; scan < matcher->length; scan++) {
                unsigned char c = matcher->subject[scan];
                if (c == item->close) {
                    if (--nesting == 0) break;
                } else if (c == item->open) {
                    nesting++;
                }
            }
            fd_step(matcher, scan - position);
            if (scan >= matcher->length) break;
            position = scan + 1;
            index++;
            continue;
        }
        if (item->kind == FD_ITEM_FRONTIER) {
            unsigned char previous = position == 0 ? 0 : matcher->subject[position - 1];
            unsigned char current = position < matcher->length ? matcher->subject[position] : 0;
            if (fd_set_has(&item->set, previous) || !fd_set_has(&item->set, current)) break;
            index++;
            continue;
        }
        if (item->kind == FD_ITEM_BACK_REFERENCE) {
            ptrdiff_t length = matcher->capture_length[item->capture];
            // A position capture names no text: as in Lua, it never matches.
            if (length < 0 || matcher->length - position < length ||
                memcmp(matcher->subject + matcher->capture_start[item->capture], matcher->subject + position,
                       (size_t)length) != 0) {
                break;
            }
            fd_step(matcher, length / FD_COST_BYTES_PER_UNIT);
            position += length;
            index++;
            continue;
        }
        // A character class, maybe repeated.
        switch (item->repeat) {
        case 0:
            if (!fd_item_accepts(matcher, item, position)) goto done;
            position++;
            index++;
            continue;
        case '?':
            if (fd_item_accepts(matcher, item, position)) {
                ptrdiff_t end = fd_match(matcher, index + 1, position + 1);
                if (end >= 0) {
                    result = end;
                    goto done;
                }
            }
            index++;
            continue;
        case '*':
        case '+': {
            ptrdiff_t run = 0;
            while (fd_item_accepts(matcher, item, position + run)) run++;
            fd_step(matcher, run);
            ptrdiff_t least = item->repeat == '+' ? 1 : 0;
            if (run < least) goto done;
            if (index + 1 == pattern->item_count) {
                result = position + run;
                goto done;
            }
            for (ptrdiff_t count = run; count >= least; count--) {
                ptrdiff_t end = fd_match(matcher, index + 1, position + count);
                if (end >= 0) {
                    result = end;
                    break;
                }
            }
            goto done;
        }
        case '-':
            for (;;) {
                ptrdiff_t end = fd_match(matcher, index + 1, position);
                if (end >= 0) {
                    result = end;
                    goto done;
                }
                if (!fd_item_accepts(matcher, item, position)) goto done;
                position++;
            }
        }
    }
done:
    matcher->depth--;
    return result;
}

static void fd_matcher_prepare(fd_matcher *matcher, lua_State *L, const char *subject, size_t length,
                               const fd_pattern *pattern) {
    matcher->L = L;
    matcher->subject = (const unsigned char *)subject;
    matcher->length = (ptrdiff_t)length;
    matcher->pattern = pattern;
    matcher->steps = 0;
    matcher->depth = 0;
}

/// Pushes capture `index` (or the whole match when the pattern has none and `index` is 0).
static void fd_push_capture(fd_matcher *matcher, int index, ptrdiff_t start, ptrdiff_t end) {
    if (index >= matcher->pattern->capture_count) {
        if (index != 0) luaL_error(matcher->L, "invalid capture index %%%d", index + 1);
        lua_pushlstring(matcher->L, (const char *)matcher->subject + start, (size_t)(end - start));
        return;
    }
    ptrdiff_t length = matcher->capture_length[index];
    ptrdiff_t capture = matcher->capture_start[index];
    if (length == FD_CAPTURE_POSITION) {
        lua_pushinteger(matcher->L, (lua_Integer)capture + 1);
    } else {
        lua_pushlstring(matcher->L, (const char *)matcher->subject + capture, (size_t)length);
    }
}

/// Pushes every capture, or the whole match when there are none and `whole` is set.
static int fd_push_captures(fd_matcher *matcher, ptrdiff_t start, ptrdiff_t end, int whole) {
    int count = matcher->pattern->capture_count;
    if (count == 0 && whole) count = 1;
    luaL_checkstack(matcher->L, count, "too many captures");
    for (int index = 0; index < count; index++) fd_push_capture(matcher, index, start, end);
    return count;
}

// MARK: find and match

/// A start position as Lua reads it: negative counts from the end; clipped to 1.
static size_t fd_start_position(lua_Integer position, size_t length) {
    if (position > 0) return (size_t)position;
    if (position == 0) return 1;
    if (position < -(lua_Integer)length) return 1;
    return length + (size_t)position + 1;
}

static int fd_has_specials(const char *pattern, size_t length) {
    static const char specials[] = "^$*+?.([%-";
    for (size_t i = 0; i < length; i++) {
        if (pattern[i] != 0 && strchr(specials, pattern[i]) != NULL) return 1;
    }
    return 0;
}

/// A plain substring search, charged by what it scans. Returns the offset or -1.
static ptrdiff_t fd_plain_search(lua_State *L, const char *subject, size_t length, size_t from,
                                 const char *needle, size_t needle_length) {
    if (needle_length == 0) return (ptrdiff_t)from;
    if (needle_length > length - from) return -1;
    size_t last = length - needle_length;
    size_t charged_up_to = from;
    for (size_t position = from; position <= last;) {
        const char *found = memchr(subject + position, needle[0], last - position + 1);
        if (found == NULL) break;
        position = (size_t)(found - subject);
        if (position - charged_up_to > 65536) {
            fd_charge_bytes(L, position - charged_up_to);
            charged_up_to = position;
        }
        fd_charge_bytes(L, needle_length);
        if (memcmp(found, needle, needle_length) == 0) return (ptrdiff_t)position;
        position++;
    }
    fd_charge_bytes(L, length - charged_up_to);
    return -1;
}

static int fd_find_or_match(lua_State *L, int find) {
    size_t length, pattern_length;
    const char *subject = luaL_checklstring(L, 1, &length);
    const char *text = luaL_checklstring(L, 2, &pattern_length);
    size_t start = fd_start_position(luaL_optinteger(L, 3, 1), length) - 1;
    if (start > length) {
        luaL_pushfail(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || !fd_has_specials(text, pattern_length))) {
        ptrdiff_t found = fd_plain_search(L, subject, length, start, text, pattern_length);
        if (found < 0) {
            luaL_pushfail(L);
            return 1;
        }
        lua_pushinteger(L, (lua_Integer)found + 1);
        lua_pushinteger(L, (lua_Integer)(found + (ptrdiff_t)pattern_length));
        return 2;
    }
    const fd_pattern *pattern = fd_compile(L, text, pattern_length, 1);
    fd_matcher matcher;
    fd_matcher_prepare(&matcher, L, subject, length, pattern);
    for (ptrdiff_t position = (ptrdiff_t)start; position <= (ptrdiff_t)length; position++) {
        ptrdiff_t end = fd_match(&matcher, 0, position);
        if (end >= 0) {
            if (!find) return fd_push_captures(&matcher, position, end, 1);
            lua_pushinteger(L, (lua_Integer)position + 1);
            lua_pushinteger(L, (lua_Integer)end);
            return fd_push_captures(&matcher, position, end, 0) + 2;
        }
        if (pattern->anchored) break;
    }
    luaL_pushfail(L);
    return 1;
}

static int fd_find(lua_State *L) { return fd_find_or_match(L, 1); }
static int fd_match_function(lua_State *L) { return fd_find_or_match(L, 0); }

// MARK: gmatch

typedef struct fd_gmatch_state {
    ptrdiff_t position;
    ptrdiff_t last_match;
} fd_gmatch_state;

/// Upvalues: subject, pattern text, compiled pattern, state.
static int fd_gmatch_next(lua_State *L) {
    size_t length;
    const char *subject = lua_tolstring(L, lua_upvalueindex(1), &length);
    const fd_pattern *pattern = (const fd_pattern *)lua_touserdata(L, lua_upvalueindex(3));
    fd_gmatch_state *state = (fd_gmatch_state *)lua_touserdata(L, lua_upvalueindex(4));
    fd_matcher matcher;
    fd_matcher_prepare(&matcher, L, subject, length, pattern);
    for (ptrdiff_t position = state->position; position <= (ptrdiff_t)length; position++) {
        ptrdiff_t end = fd_match(&matcher, 0, position);
        if (end >= 0 && end != state->last_match) {
            state->position = state->last_match = end;
            return fd_push_captures(&matcher, position, end, 1);
        }
    }
    state->position = (ptrdiff_t)length + 1;
    return 0;
}

static int fd_gmatch(lua_State *L) {
    size_t length, pattern_length;
    luaL_checklstring(L, 1, &length);
    const char *text = luaL_checklstring(L, 2, &pattern_length);
    size_t start = fd_start_position(luaL_optinteger(L, 3, 1), length) - 1;
    if (start > length) start = length + 1;
    lua_settop(L, 2);
    fd_compile(L, text, pattern_length, 0);
    fd_gmatch_state *state = (fd_gmatch_state *)lua_newuserdatauv(L, sizeof(fd_gmatch_state), 0);
    state->position = (ptrdiff_t)start;
    state->last_match = -1;
    lua_pushcclosure(L, fd_gmatch_next, 4);
    return 1;
}

// MARK: gsub

/// Appends a replacement string with its `%0`..`%9` and `%%` escapes.
static void fd_add_replacement_text(fd_matcher *matcher, luaL_Buffer *buffer, ptrdiff_t start, ptrdiff_t end) {
    lua_State *L = matcher->L;
    size_t length;
    const char *text = lua_tolstring(L, 3, &length);
    for (size_t i = 0; i < length; i++) {
        if (text[i] != '%') {
            luaL_addchar(buffer, text[i]);
            continue;
        }
        i++;
        char c = i < length ? text[i] : 0;
        if (c == '%') {
            luaL_addchar(buffer, '%');
        } else if (c == '0') {
            luaL_addlstring(buffer, (const char *)matcher->subject + start, (size_t)(end - start));
        } else if (c >= '1' && c <= '9') {
            fd_push_capture(matcher, c - '1', start, end);
            luaL_tolstring(L, -1, NULL);
            lua_remove(L, -2);
            luaL_addvalue(buffer);
        } else {
            luaL_error(L, "invalid use of '%%' in replacement string");
        }
    }
}

/// Appends what replaces one match; returns whether the subject changed.
static int fd_add_replacement(fd_matcher *matcher, luaL_Buffer *buffer, ptrdiff_t start, ptrdiff_t end, int kind) {
    lua_State *L = matcher->L;
    if (kind == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int count = fd_push_captures(matcher, start, end, 1);
        lua_call(L, count, 1);
    } else if (kind == LUA_TTABLE) {
        fd_push_capture(matcher, 0, start, end);
        lua_gettable(L, 3);
    } else {
        fd_add_replacement_text(matcher, buffer, start, end);
        return 1;
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(buffer, (const char *)matcher->subject + start, (size_t)(end - start));
        return 0;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(buffer);
    return 1;
}

static int fd_gsub(lua_State *L) {
    size_t length, pattern_length;
    const char *subject = luaL_checklstring(L, 1, &length);
    const char *text = luaL_checklstring(L, 2, &pattern_length);
    int kind = lua_type(L, 3);
    lua_Integer maximum = luaL_optinteger(L, 4, (lua_Integer)length + 1);
    luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION || kind == LUA_TTABLE, 3,
                     "string/function/table");
    lua_settop(L, 4);
    const fd_pattern *pattern = fd_compile(L, text, pattern_length, 1);
    fd_matcher matcher;
    fd_matcher_prepare(&matcher, L, subject, length, pattern);
    luaL_Buffer buffer;
    luaL_buffinit(L, &buffer);
    ptrdiff_t position = 0, last_match = -1;
    lua_Integer count = 0;
    int changed = 0;
    while (count < maximum) {
        ptrdiff_t end = fd_match(&matcher, 0, position);
        if (end >= 0 && end != last_match) {
            count++;
            changed = fd_add_replacement(&matcher, &buffer, position, end, kind) | changed;
            position = last_match = end;
        } else if (position < (ptrdiff_t)length) {
            luaL_addchar(&buffer, subject[position++]);
        } else {
            break;
        }
        if (pattern->anchored) break;
    }
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        luaL_addlstring(&buffer, subject + position, (size_t)((ptrdiff_t)length - position));
        luaL_pushresult(&buffer);
    }
    lua_pushinteger(L, count);
    return 2;
}

void fd_install_patterns(lua_State *L) {
    static const luaL_Reg functions[] = {
        {"find", fd_find},
        {"match", fd_match_function},
        {"gmatch", fd_gmatch},
        {"gsub", fd_gsub},
        {NULL, NULL},
    };
    lua_getglobal(L, LUA_STRLIBNAME);
    luaL_setfuncs(L, functions, 0);
    lua_pop(L, 1);
}
