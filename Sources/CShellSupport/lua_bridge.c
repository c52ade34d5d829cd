// The Lua side of the boundary: allocator, trampoline, protected calls, hooks.
#include "cutover_support.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static cutover_dispatch_fn dispatch_fn;
static cutover_release_fn release_fn;

/// The VM inside the outermost cutover_pcall, for the SIGINT handler.
static cutover_vm *volatile running_vm;

static volatile sig_atomic_t sigint_flag;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// MARK: - Allocator

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    cutover_vm *vm = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        vm->used -= old;
        return NULL;
    }
    // Never refuse a shrink, and only refuse growth while Lua code runs: Swift code
    // calls "m" API functions and must never see them fail.
    if (nsize > old && vm->cap != 0 && vm->enforcing > 0 && vm->used - old + nsize > vm->cap) {
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p == NULL) return NULL;
    vm->used = vm->used - old + nsize;
    if (vm->used > vm->peak) vm->peak = vm->used;
    return p;
}

static int panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "cutover: unprotected Lua error (a bug in Cutover): %s\n", msg ? msg : "?");
    fflush(stderr);
    return 0; // abort follows
}

// Warnings as lua.c prints them: "@on"/"@off" control messages, pieces joined.
static void warn_continue(void *ud, const char *msg, int tocont);
static void warn_on(void *ud, const char *msg, int tocont);
static void warn_off(void *ud, const char *msg, int tocont) {
    if (!tocont && msg[0] == '@' && strcmp(msg, "@on") == 0)
        lua_setwarnf(((cutover_vm *)ud)->main, warn_on, ud);
}
static void warn_continue(void *ud, const char *msg, int tocont) {
    fputs(msg, stderr);
    if (tocont) {
        lua_setwarnf(((cutover_vm *)ud)->main, warn_continue, ud);
    } else {
        fputs("\n", stderr);
        lua_setwarnf(((cutover_vm *)ud)->main, warn_on, ud);
    }
}
static void warn_on(void *ud, const char *msg, int tocont) {
    if (!tocont && msg[0] == '@') {
        if (strcmp(msg, "@off") == 0) lua_setwarnf(((cutover_vm *)ud)->main, warn_off, ud);
        return;
    }
    fputs("Lua warning: ", stderr);
    warn_continue(ud, msg, tocont);
}

lua_State *cutover_newstate(cutover_vm *vm) {
    memset(vm, 0, sizeof *vm);
    lua_State *L = lua_newstate(capped_alloc, vm);
    if (L == NULL) return NULL;
    vm->main = L;
    *(cutover_vm **)lua_getextraspace(L) = vm;
    lua_atpanic(L, panic);
    lua_setwarnf(L, warn_off, vm);
    return L;
}

cutover_vm *cutover_vm_of(lua_State *L) {
    return *(cutover_vm **)lua_getextraspace(L);
}

// MARK: - Trampoline

void cutover_set_dispatch(cutover_dispatch_fn dispatch, cutover_release_fn release) {
    dispatch_fn = dispatch;
    release_fn = release;
}

static int trampoline(lua_State *L) {
    void **slot = lua_touserdata(L, lua_upvalueindex(1));
    cutover_vm *vm = cutover_vm_of(L);
    int saved = vm->enforcing;
    vm->enforcing = 0; // Swift frames below: no allocation may fail
    int n = dispatch_fn(L, *slot);
    vm->enforcing = saved;
    // The Swift frame has returned: raising is safe from here on.
    switch (n) {
    case CUTOVER_RAISE:
        return lua_error(L);
    case CUTOVER_RAISE_WHERE:
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    case CUTOVER_ARGERROR:
        return luaL_argerror(L, vm->argerror_index, lua_tostring(L, -1));
    default:
        return n;
    }
}

static int box_gc(lua_State *L) {
    void **slot = lua_touserdata(L, 1);
    if (slot != NULL && *slot != NULL) {
        void *box = *slot;
        *slot = NULL;
        release_fn(box);
    }
    return 0;
}

static const char *const function_box_tname = "cutover.function_box";

void cutover_push_swift_function(lua_State *L, void *box) {
    void **slot = lua_newuserdatauv(L, sizeof(void *), 0);
    *slot = box;
    if (luaL_newmetatable(L, function_box_tname)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
    lua_pushcclosure(L, trampoline, 1);
}

int cutover_new_boxed_metatable(lua_State *L, const char *tname) {
    if (!luaL_newmetatable(L, tname)) return 0;
    lua_pushcfunction(L, box_gc);
    lua_setfield(L, -2, "__gc");
    return 1;
}

void cutover_push_boxed(lua_State *L, void *box, const char *tname) {
    void **slot = lua_newuserdatauv(L, sizeof(void *), 1);
    *slot = box;
    cutover_new_boxed_metatable(L, tname);
    lua_setmetatable(L, -2);
}

void *cutover_to_boxed(lua_State *L, int idx, const char *tname) {
    void **slot = luaL_testudata(L, idx, tname);
    return slot ? *slot : NULL;
}

// MARK: - Protected calls

/// lua.c's message handler: the message (or a description of a non-string error
/// object) followed by a traceback.
static int msghandler(lua_State *L) {
    cutover_vm *vm = cutover_vm_of(L);
    vm->enforcing = 0; // the traceback must not fail for want of memory
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1; // a value that describes itself: no traceback, as lua.c does
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

static void set_hook(lua_State *L, cutover_vm *vm);

static void hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    cutover_vm *vm = cutover_vm_of(L);
    if (vm->interrupt == CUTOVER_INTERRUPT_NONE && vm->deadline_ns != 0 && now_ns() >= vm->deadline_ns)
        vm->interrupt = CUTOVER_INTERRUPT_DEADLINE;
    switch (vm->interrupt) {
    case CUTOVER_INTERRUPT_SIGNAL:
        // Sticky: check every instruction so a pcall in a loop cannot swallow it.
        lua_sethook(L, hook, LUA_MASKCOUNT, 1);
        luaL_error(L, "interrupted");
        break;
    case CUTOVER_INTERRUPT_DEADLINE:
        lua_sethook(L, hook, LUA_MASKCOUNT, 1);
        luaL_error(L, "interrupted: time limit of %f s exceeded", (double)vm->time_limit_ns / 1e9);
        break;
    default:
        set_hook(L, vm); // a stale hook from an earlier run: put it right
    }
}

/// The hook a thread should have now: every instruction while interrupted, every
/// 1000 while a deadline runs, none otherwise.
static void set_hook(lua_State *L, cutover_vm *vm) {
    if (vm->interrupt != CUTOVER_INTERRUPT_NONE)
        lua_sethook(L, hook, LUA_MASKCOUNT, 1);
    else if (vm->deadline_ns != 0)
        lua_sethook(L, hook, LUA_MASKCOUNT, 1000);
    else if (lua_gethook(L) != NULL)
        lua_sethook(L, NULL, 0, 0);
}

int cutover_pcall(lua_State *L, int nargs, int nresults) {
    cutover_vm *vm = cutover_vm_of(L);
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    cutover_vm *saved_running = running_vm;
    lua_State *saved_current = vm->current;
    int outermost = vm->depth == 0;
    if (outermost) {
        // A Ctrl-C that came after the last call ended but before this one began
        // (say, right after Enter) is meant for this call.
        vm->interrupt = sigint_flag ? CUTOVER_INTERRUPT_SIGNAL : CUTOVER_INTERRUPT_NONE;
        vm->deadline_ns = vm->time_limit_ns ? now_ns() + vm->time_limit_ns : 0;
        set_hook(vm->main, vm);
        if (L != vm->main) set_hook(L, vm);
    }
    vm->depth++;
    vm->current = L;
    running_vm = vm;
    int saved_enforcing = vm->enforcing;
    vm->enforcing = 1;
    int status = lua_pcall(L, nargs, nresults, base);
    vm->enforcing = saved_enforcing;
    running_vm = saved_running;
    vm->current = saved_current;
    vm->depth--;
    if (outermost) {
        vm->last_interrupt = status == LUA_OK ? CUTOVER_INTERRUPT_NONE : vm->interrupt;
        vm->interrupt = CUTOVER_INTERRUPT_NONE;
        vm->deadline_ns = 0;
        set_hook(vm->main, vm);
        if (L != vm->main) set_hook(L, vm);
        sigint_flag = 0; // the Ctrl-C was taken by this call
    }
    lua_remove(L, base);
    return status;
}

int cutover_load(lua_State *L, const char *buf, size_t len, const char *name, const char *mode) {
    return luaL_loadbufferx(L, buf, len, name, mode);
}

static int tolstring_protected(lua_State *L) {
    luaL_tolstring(L, 1, NULL);
    return 1;
}

int cutover_tolstring(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    lua_pushcfunction(L, tolstring_protected);
    lua_pushvalue(L, idx);
    return cutover_pcall(L, 1, 1);
}

// MARK: - Interrupts

static struct sigaction previous_sigint;
static int sigint_installed;

static void on_sigint(int sig) {
    (void)sig;
    sigint_flag = 1;
    cutover_vm *vm = running_vm;
    if (vm != NULL) {
        vm->interrupt = CUTOVER_INTERRUPT_SIGNAL;
        // lua_sethook is safe to call from a signal handler (lua.c relies on it).
        lua_sethook(vm->main, hook, LUA_MASKCOUNT, 1);
        lua_State *cur = vm->current;
        if (cur != NULL && cur != vm->main) lua_sethook(cur, hook, LUA_MASKCOUNT, 1);
    }
}

void cutover_install_sigint(void) {
    if (sigint_installed) return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; // no SA_RESTART: readline's read() must return
    sigaction(SIGINT, &sa, &previous_sigint);
    sigint_installed = 1;
}

void cutover_restore_sigint(void) {
    if (!sigint_installed) return;
    sigaction(SIGINT, &previous_sigint, NULL);
    sigint_installed = 0;
}

void cutover_interrupt(void) { on_sigint(SIGINT); }

int cutover_take_sigint(void) {
    int was = sigint_flag;
    sigint_flag = 0;
    return was;
}

int cutover_sigint_pending(void) { return sigint_flag; }

// MARK: - Coroutines that keep the hook

/// Runs `co` as lcorolib's auxresume does, keeping vm->current pointed at it so
/// Ctrl-C can arm the thread that is actually running.
static int tracked_resume(lua_State *L, lua_State *co, int narg) {
    cutover_vm *vm = cutover_vm_of(L);
    if (!lua_checkstack(co, narg)) {
        lua_pushliteral(L, "too many arguments to resume");
        return -1;
    }
    if (lua_status(co) == LUA_OK) {
        lua_Debug ar;
        if (co == L || lua_getstack(co, 0, &ar)) {
            lua_pushliteral(L, "cannot resume non-suspended coroutine");
            return -1;
        }
        if (lua_gettop(co) == 0) {
            lua_pushliteral(L, "cannot resume dead coroutine");
            return -1;
        }
    } else if (lua_status(co) != LUA_YIELD) {
        lua_pushliteral(L, "cannot resume dead coroutine");
        return -1;
    }
    lua_xmove(L, co, narg);
    set_hook(co, vm);
    lua_State *saved = vm->current;
    vm->current = co;
    int nres;
    int status = lua_resume(co, L, narg, &nres);
    vm->current = saved;
    if (vm->interrupt != CUTOVER_INTERRUPT_NONE) set_hook(L, vm);
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            lua_pushliteral(L, "too many results to resume");
            return -1;
        }
        lua_xmove(co, L, nres);
        return nres;
    }
    lua_xmove(co, L, 1);
    return -1;
}

static int co_resume(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    luaL_argexpected(L, co != NULL, 1, "coroutine");
    int r = tracked_resume(L, co, lua_gettop(L) - 1);
    if (r < 0) {
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, -(r + 1));
    return r + 1;
}

static int co_wrapped(lua_State *L) {
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int r = tracked_resume(L, co, lua_gettop(L));
    if (r < 0) {
        int status = lua_status(co);
        if (status != LUA_OK && status != LUA_YIELD) {
            status = lua_resetthread(co); // close its pending variables
            lua_xmove(co, L, 1);          // the error, possibly replaced by closing
        }
        if (lua_type(L, -1) == LUA_TSTRING) {
            luaL_where(L, 1);
            lua_insert(L, -2);
            lua_concat(L, 2);
        }
        return lua_error(L);
    }
    return r;
}

static int co_wrap(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_State *co = lua_newthread(L);
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 1);
    lua_pushcclosure(L, co_wrapped, 1);
    return 1;
}

static int install_tracking(lua_State *L) {
    if (lua_getglobal(L, "coroutine") != LUA_TTABLE) return 0;
    lua_pushcfunction(L, co_resume);
    lua_setfield(L, -2, "resume");
    lua_pushcfunction(L, co_wrap);
    lua_setfield(L, -2, "wrap");
    return 0;
}

void cutover_install_coroutine_tracking(lua_State *L) {
    lua_pushcfunction(L, install_tracking);
    if (cutover_pcall(L, 0, 0) != LUA_OK) lua_pop(L, 1);
}
