#include "cutover_bench.h"
#include <lauxlib.h>

static int c_increment(lua_State *L) {
    lua_pushinteger(L, luaL_checkinteger(L, 1) + 1);
    return 1;
}

void cutover_bench_register(lua_State *L) {
    lua_pushcfunction(L, c_increment);
    lua_setglobal(L, "c_increment");
}
