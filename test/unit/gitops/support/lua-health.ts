// Runs an Argo CD health script in the real Lua 5.1 interpreter (Debian's `lua5.1`), the way
// Argo CD does: the object is the global `obj`, the script's return value is the health.
//
// The object crosses as a Lua table literal generated here (JSON arrays become sequences, maps
// become keyed tables, null becomes nil), like Argo CD's own JSON-to-Lua conversion. The script
// runs in an environment holding only what Argo CD opens for health scripts (the base
// functions, `table` and a safe subset of `os`), so a script that needs more fails here too.
import { spawnSync } from 'node:child_process';

export const LUA = 'lua5.1';

/** The health Argo CD would show, or why the script could not produce one. */
export type LuaHealth = { ok: true; status: string; message: string } | { ok: false; error: string };

/** Throws, with what to do, when the interpreter is missing: these tests fail, never skip. */
export function assertLuaAvailable(): void {
  const probe = spawnSync(LUA, ['-v'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw missingLua(probe.error?.message ?? `exit ${probe.status}`);
}

function missingLua(why: string): Error {
  return new Error(
    `${LUA} is required to test the Argo CD health check in a real Lua 5.1 interpreter, and it ` +
      `could not be run (${why}). Install it: \`apt-get install -y lua5.1\` (CI installs it in .ci/run).`,
  );
}

/** A Lua expression that builds `value`. */
export function toLuaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot express ${value} in Lua`);
    return String(value);
  }
  if (typeof value === 'string') return luaString(value);
  if (Array.isArray(value)) return `{${value.map(toLuaLiteral).join(', ')}}`;
  if (typeof value === 'object') {
    const fields = Object.entries(value as Record<string, unknown>).map(
      ([key, inner]) => `[${luaString(key)}] = ${toLuaLiteral(inner)}`,
    );
    return `{${fields.join(', ')}}`;
  }
  throw new Error(`cannot express a ${typeof value} in Lua`);
}

function luaString(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let out = '"';
  for (const byte of bytes) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    // Everything else (control characters, UTF-8 bytes) as a decimal escape: exact and ASCII-safe.
    else out += `\\${byte.toString().padStart(3, '0')}`;
  }
  return `${out}"`;
}

const HARNESS = (scriptPath: string, objectLiteral: string) => `
local base = {
  "assert", "error", "ipairs", "next", "pairs", "pcall", "print", "rawequal", "rawget", "rawset",
  "select", "setmetatable", "getmetatable", "tonumber", "tostring", "type", "unpack", "xpcall", "_VERSION",
}
local env = {}
for _, name in ipairs(base) do env[name] = _G[name] end
env.table = table
env.os = { time = os.time, date = os.date, clock = os.clock, difftime = os.difftime }
env._G = env
env.obj = ${objectLiteral}

local chunk, loadError = loadfile(${luaString(scriptPath)})
if chunk == nil then
  io.stderr:write("load: " .. tostring(loadError))
  os.exit(2)
end
setfenv(chunk, env)
local ok, result = pcall(chunk)
if not ok then
  io.stderr:write("run: " .. tostring(result))
  os.exit(3)
end
if type(result) ~= "table" then
  io.stderr:write("the script returned a " .. type(result) .. ", not a table")
  os.exit(4)
end
if type(result.status) ~= "string" or (result.message ~= nil and type(result.message) ~= "string") then
  io.stderr:write("status must be a string and message a string or nil")
  os.exit(5)
end
io.write(result.status, "\\n", result.message or "")
`;

/** Runs the health script at `scriptPath` for `object` in lua5.1 (throws if lua5.1 cannot run). */
export function runHealthScript(scriptPath: string, object: unknown): LuaHealth {
  const run = spawnSync(LUA, ['-'], { input: HARNESS(scriptPath, toLuaLiteral(object)), encoding: 'utf8' });
  if (run.error) throw missingLua(run.error.message);
  if (run.status !== 0) return { ok: false, error: run.stderr || `exit ${run.status}` };
  const newline = run.stdout.indexOf('\n');
  return { ok: true, status: run.stdout.slice(0, newline), message: run.stdout.slice(newline + 1) };
}
