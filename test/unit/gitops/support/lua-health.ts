// Runs an Argo CD health script the way Argo CD runs one registered in argocd-cm: in gopher-lua
// at the version Argo CD pins, with only the libraries Argo CD opens (package, base, table;
// `os` only through require("os"), and then only time and date), the object as the global
// `obj`, and the answer read into {status, message} as Argo CD reads it. The environment is
// test/support/gopher-lua/main.go (which says where in Argo CD each part comes from), built
// from the Go module proxy on first use and cached outside the repository.
//
// A script that uses anything else (string.format, ("x"):upper(), math, os at global scope)
// fails here as it fails in Argo CD, where the resource's health turns Unknown.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureArgoCdLua } from '../../../support/gopher-lua/argocd-lua.ts';

/**
 * What Argo CD makes of the script's answer (status, message), with the answer itself as JSON
 * (`returned`: fields Argo CD does not read show only there); or why
 * the script produced none (Argo CD would show the resource Unknown with that error).
 */
export type LuaHealth =
  | { ok: true; status: string; message: string; returned: unknown }
  | { ok: false; error: string };

export interface ArgoCdLua {
  /** Module versions the runner was built with, e.g. { 'gopher-lua': 'v1.1.2', ... }. */
  versions: Record<string, string>;
  /** Runs the health script at `scriptPath` for `object`. */
  run(scriptPath: string, object: unknown): LuaHealth;
  /** Runs a script given as text (probes of the environment). */
  runSource(source: string, object: unknown): LuaHealth;
}

/** Builds the runner if needed (throws with the reason if it cannot: these tests never skip). */
export async function argoCdLua(): Promise<ArgoCdLua> {
  const { path } = await ensureArgoCdLua();
  const version = spawnSync(path, ['-version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new Error(`${path} -version failed: ${version.error?.message ?? version.stderr}`);
  }
  const run = (scriptPath: string, object: unknown): LuaHealth => {
    const result = spawnSync(path, [scriptPath], { input: JSON.stringify(object), encoding: 'utf8' });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`${path} exited with ${result.status}: ${result.stderr}`);
    const answer = JSON.parse(result.stdout) as {
      ok: boolean;
      returned?: unknown;
      health?: { status?: string; message?: string };
      error?: string;
    };
    if (!answer.ok) return { ok: false, error: answer.error ?? '' };
    return {
      ok: true,
      status: answer.health?.status ?? '',
      message: answer.health?.message ?? '',
      returned: answer.returned,
    };
  };

  return {
    versions: JSON.parse(version.stdout) as Record<string, string>,
    run,
    runSource(source, object) {
      const dir = mkdtempSync(join(tmpdir(), 'appcopy-lua-probe-'));
      try {
        writeFileSync(join(dir, 'probe.lua'), source);
        return run(join(dir, 'probe.lua'), object);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
