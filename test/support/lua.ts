// Runs a Lua script the way Argo CD runs a resource health check: the live object as the global
// `obj`, the script's returned table read back as { status, message }. Lua 5.3 via fengari.
import { lauxlib, lua, lualib, to_luastring, type LuaState } from 'fengari';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function push(L: LuaState, value: Json | undefined): void {
  if (value === null || value === undefined) {
    lua.lua_pushnil(L);
  } else if (typeof value === 'boolean') {
    lua.lua_pushboolean(L, value);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value)) lua.lua_pushinteger(L, value);
    else lua.lua_pushnumber(L, value);
  } else if (typeof value === 'string') {
    lua.lua_pushliteral(L, value);
  } else if (Array.isArray(value)) {
    lua.lua_createtable(L, value.length, 0);
    value.forEach((item, i) => { push(L, item); lua.lua_rawseti(L, -2, i + 1); });
  } else {
    lua.lua_createtable(L, 0, Object.keys(value).length);
    for (const [key, item] of Object.entries(value)) {
      push(L, item);
      lua.lua_setfield(L, -2, to_luastring(key));
    }
  }
}

/** What a health script returned. */
export interface Health {
  status: string;
  message: string;
}

/** Runs `script` with `obj` set to `object`; throws with Lua's error text if the script fails. */
export function runHealthScript(script: string, object: Json): Health {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  push(L, object);
  lua.lua_setglobal(L, to_luastring('obj'));
  if (lauxlib.luaL_loadstring(L, to_luastring(script)) !== lua.LUA_OK || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    throw new Error(`Lua error: ${lua.lua_tojsstring(L, -1)}`);
  }
  const field = (name: string): string => {
    lua.lua_getfield(L, -1, to_luastring(name));
    const text = lua.lua_tojsstring(L, -1);
    lua.lua_pop(L, 1);
    return text;
  };
  return { status: field('status'), message: field('message') };
}
