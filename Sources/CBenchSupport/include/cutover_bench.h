// The reference for the call benchmark: a plain C function registered the usual way.
#ifndef CUTOVER_BENCH_H
#define CUTOVER_BENCH_H
#include <lua.h>
/// Registers global `c_increment(n)` returning n + 1 with lua_pushcfunction/lua_setglobal.
void cutover_bench_register(lua_State *L);
#endif
