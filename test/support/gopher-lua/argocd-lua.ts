// Builds and finds `argocd-lua` (main.go here): Argo CD's health-script environment in
// gopher-lua, for the tests of deploy/argocd/health.lua.
//
// Built with Go from the Go module proxy on first use (a few seconds once the two modules are
// downloaded) and cached outside the repository, next to the control plane's binaries:
// $APPCOPY_TESTBED_CACHE or ${XDG_CACHE_HOME:-~/.cache}/appcopy-testbed/gopher-lua-<hash>/.
// The hash covers go.mod, go.sum and main.go, so any change to the program builds a new entry
// and a stale binary is never used. An entry appears complete or not at all: the build writes
// into a sibling temporary directory that is then renamed, and of two concurrent builds the
// second rename fails and that caller uses the first one's binary.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCacheDir } from '../control-plane/binary-cache.ts';
import { findOnPath, isExecutable } from '../executables.ts';

const SOURCE_DIR = fileURLToPath(new URL('./', import.meta.url));
const SOURCES = ['go.mod', 'go.sum', 'main.go'];
const BINARY = 'argocd-lua';

export interface EnsureArgoCdLuaOptions {
  /** Default: the control plane's cache directory (see binary-cache.ts defaultCacheDir). */
  cacheDir?: string;
  /** Environment for finding the cache and running `go build` (PATH must reach `go`). */
  env?: NodeJS.ProcessEnv;
}

export interface ArgoCdLuaBinary {
  path: string;
  /** True when this call ran the build. */
  built: boolean;
}

/** The cache entry for the current sources: a change to any of them names a new entry. */
export function argoCdLuaEntryDir(cacheDir: string): string {
  const hash = createHash('sha256');
  for (const name of SOURCES)
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(SOURCE_DIR, name)));
  return join(cacheDir, `gopher-lua-${hash.digest('hex').slice(0, 16)}`);
}

/** The path of a built argocd-lua for the current sources, building it first if needed. */
export async function ensureArgoCdLua(options: EnsureArgoCdLuaOptions = {}): Promise<ArgoCdLuaBinary> {
  const env = options.env ?? process.env;
  const entry = argoCdLuaEntryDir(options.cacheDir ?? defaultCacheDir(env));
  const path = join(entry, BINARY);
  if (isExecutable(path)) return { path, built: false };

  if (!findOnPath('go', env.PATH ?? '')) {
    throw new Error(
      `The Argo CD health-script runner (test/support/gopher-lua) is not built yet and Go is not on PATH, so it cannot be. ` +
        `Install Go 1.24 or newer (https://go.dev/doc/install) and run again; the build takes seconds and is cached in ${entry}.`,
    );
  }
  mkdirSync(join(entry, '..'), { recursive: true });
  const work = mkdtempSync(`${entry}.building.`);
  try {
    const output = await goBuild(join(work, BINARY), env);
    if (!isExecutable(join(work, BINARY))) {
      throw new Error(
        `Building the Argo CD health-script runner (test/support/gopher-lua) failed; check that the Go module proxy is reachable (go env GOPROXY). go build said:\n${output}`,
      );
    }
    try {
      renameSync(work, entry);
    } catch (error) {
      // A concurrent build finished first; its binary is as good as ours.
      if (!isExecutable(path)) throw error;
      return { path, built: false };
    }
    return { path, built: true };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function goBuild(output: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['build', '-trimpath', '-o', output, '.'], {
      cwd: SOURCE_DIR,
      env: { ...env, CGO_ENABLED: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', () => resolve(text.trim()));
  });
}
