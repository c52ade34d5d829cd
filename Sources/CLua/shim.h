// Lua 5.4 for Swift: the headers, plus static inline stand-ins for the macros and
// constants Swift cannot import (function-like macros, unary minus, variadics).
#ifndef CUTOVER_CLUA_SHIM_H
#define CUTOVER_CLUA_SHIM_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

static const int cutover_LUA_REGISTRYINDEX = LUA_REGISTRYINDEX;
static const int cutover_LUA_RIDX_GLOBALS = LUA_RIDX_GLOBALS;
static const int cutover_LUA_MULTRET = LUA_MULTRET;
static const int cutover_LUA_NOREF = LUA_NOREF;
static const int cutover_LUA_REFNIL = LUA_REFNIL;
static const long long cutover_LUA_MININTEGER = LUA_MININTEGER;
static const long long cutover_LUA_MAXINTEGER = LUA_MAXINTEGER;
static const char *const cutover_LUA_VERSION = LUA_VERSION;
static const char *const cutover_LUA_RELEASE = LUA_RELEASE;

static inline int cutover_lua_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline void cutover_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void cutover_lua_newtable(lua_State *L) { lua_newtable(L); }
static inline void cutover_lua_insert(lua_State *L, int idx) { lua_insert(L, idx); }
static inline void cutover_lua_remove(lua_State *L, int idx) { lua_remove(L, idx); }
static inline void cutover_lua_replace(lua_State *L, int idx) { lua_replace(L, idx); }
static inline const char *cutover_lua_tostring(lua_State *L, int idx) { return lua_tolstring(L, idx, NULL); }
static inline int cutover_lua_isnoneornil(lua_State *L, int idx) { return lua_isnoneornil(L, idx); }
static inline void *cutover_lua_newuserdata(lua_State *L, size_t size) { return lua_newuserdatauv(L, size, 1); }
static inline int cutover_lua_gc(lua_State *L, int what) { return lua_gc(L, what, 0); }
static inline lua_Integer cutover_lua_tointeger(lua_State *L, int idx, int *isnum) { return lua_tointegerx(L, idx, isnum); }
static inline lua_Number cutover_lua_tonumber(lua_State *L, int idx, int *isnum) { return lua_tonumberx(L, idx, isnum); }
static inline void cutover_lua_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline int cutover_luaL_loadbuffer(lua_State *L, const char *buf, size_t len, const char *name, const char *mode) {
    return luaL_loadbufferx(L, buf, len, name, mode);
}

#endif
