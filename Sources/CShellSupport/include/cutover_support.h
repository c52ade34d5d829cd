// The small part of Cutover that has to be C: everything that may longjmp (Lua's
// error raising) or run in a signal handler lives here, so no Lua error ever crosses
// a Swift frame. Every symbol carries the cutover_ prefix.
#ifndef CUTOVER_SUPPORT_H
#define CUTOVER_SUPPORT_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <signal.h>
#include <lua.h>

// MARK: - Per-VM context

/// Why a running chunk is being stopped.
enum {
    CUTOVER_INTERRUPT_NONE = 0,
    CUTOVER_INTERRUPT_SIGNAL = 1,   // Ctrl-C or cutover_interrupt()
    CUTOVER_INTERRUPT_DEADLINE = 2, // the time limit passed
};

/// State shared by the allocator, the hook and the trampoline of one VM. Its address
/// is kept in the extra space of every thread of the VM (coroutines copy it).
typedef struct cutover_vm {
    void *owner;                    // the Swift LuaVM, unretained
    lua_State *main;
    lua_State *volatile current;    // the thread running now, when known
    size_t used;                    // bytes allocated by Lua
    size_t peak;
    size_t cap;                     // 0 = no cap
    int enforcing;                  // > 0: Lua code runs, the cap applies
    int depth;                      // nesting of cutover_pcall
    volatile sig_atomic_t interrupt;// CUTOVER_INTERRUPT_*
    int64_t deadline_ns;            // CLOCK_MONOTONIC; 0 = none; armed per outermost call
    int64_t time_limit_ns;          // 0 = none
    int argerror_index;             // set by the Swift dispatcher with CUTOVER_ARGERROR
    int last_interrupt;             // what stopped the last outermost call, if anything
} cutover_vm;

/// Creates a state whose allocator counts bytes and honours `vm->cap` while Lua code
/// runs; sets a panic handler and a warning function. Returns NULL on failure.
lua_State *cutover_newstate(cutover_vm *vm);
cutover_vm *cutover_vm_of(lua_State *L);

// MARK: - Swift functions seen from Lua

/// What the Swift dispatcher returns besides a result count.
enum {
    CUTOVER_RAISE = -1,        // raise the value on top of the stack as it is
    CUTOVER_RAISE_WHERE = -2,  // prefix the caller's position ("file:line: ") to the string on top, then raise
    CUTOVER_ARGERROR = -3,     // luaL_argerror(vm->argerror_index, string on top)
};

/// Calls the Swift function boxed at `box` with the running thread's state. It must
/// not raise; it returns a result count or one of the CUTOVER_RAISE* codes.
typedef int (*cutover_dispatch_fn)(lua_State *L, void *box);
/// Releases a box whose userdata Lua collected. It must not call the Lua API.
typedef void (*cutover_release_fn)(void *box);

void cutover_set_dispatch(cutover_dispatch_fn dispatch, cutover_release_fn release);

/// Pushes a Lua function that calls the Swift function in `box` (retained by the
/// caller; released through the release function when Lua collects it).
void cutover_push_swift_function(lua_State *L, void *box);
/// Pushes a full userdata that holds `box` (retained; released on collection) and
/// gives it the metatable registered under `tname` (see cutover_new_boxed_metatable).
void cutover_push_boxed(lua_State *L, void *box, const char *tname);
/// The box inside a userdata made by cutover_push_boxed with metatable `tname`, or NULL.
void *cutover_to_boxed(lua_State *L, int idx, const char *tname);
/// Creates (or finds) the registry metatable `tname` with __gc releasing the box and
/// __name = tname; leaves it on the stack. Returns 1 when it was created.
int cutover_new_boxed_metatable(lua_State *L, const char *tname);

// MARK: - Protected calls

/// lua_pcall with a traceback message handler, the memory cap applied and the
/// interrupt machinery armed. On error the stack holds one value: the message with
/// its traceback appended (a string), and the status is returned.
int cutover_pcall(lua_State *L, int nargs, int nresults);
/// Loads a chunk; never raises (a memory error becomes a status).
int cutover_load(lua_State *L, const char *buf, size_t len, const char *name, const char *mode);
/// Calls luaL_tolstring on the value at idx under protection; pushes the string, or
/// an error message and returns non-zero.
int cutover_tolstring(lua_State *L, int idx);

// MARK: - Interrupts

/// Installs the SIGINT handler (without SA_RESTART, so a blocked read returns EINTR).
void cutover_install_sigint(void);
void cutover_restore_sigint(void);
/// Asks the running VM (if any) to stop with an "interrupted" error, as Ctrl-C does.
void cutover_interrupt(void);
/// Whether Ctrl-C arrived since the last cutover_take_sigint; clears it.
int cutover_take_sigint(void);
int cutover_sigint_pending(void);
/// Replaces coroutine.resume and coroutine.wrap with versions that keep the interrupt
/// hook on the thread that runs, so a loop inside a coroutine can be stopped too.
void cutover_install_coroutine_tracking(lua_State *L);

// MARK: - libedit

/// A character reader for libedit that polls stdin in short slices and returns -1
/// (EOF to libedit) when SIGINT arrives; decodes UTF-8 itself.
int cutover_editline_getc(FILE *stream);



// MARK: - Output

/// Writes to C's stdout/stderr (the streams Lua's print and io.write use), so text
/// from Swift and from Lua comes out in order.
void cutover_write_out(const char *text, size_t length);
void cutover_write_err(const char *text, size_t length);
void cutover_flush(void);
#endif
