// The Argo CD health-script runner's build (test/support/gopher-lua/argocd-lua.ts): a cached
// binary is reused without Go, and a missing one without Go fails with what to do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { argoCdLuaEntryDir, ensureArgoCdLua } from '../../support/gopher-lua/argocd-lua.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

it('refuses to build without Go on PATH, naming Go and the cache entry', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'appcopy-argocd-lua-'));
  dirs.push(cacheDir);
  const attempt = ensureArgoCdLua({ cacheDir, env: { PATH: '' } });
  await expect(attempt).rejects.toThrow(/Go is not on PATH/);
  await expect(attempt).rejects.toThrow(argoCdLuaEntryDir(cacheDir));
});

it('reuses the cached build without running Go', async () => {
  const first = await ensureArgoCdLua();
  const again = await ensureArgoCdLua({ env: { ...process.env, PATH: '' } });
  expect(again).toEqual({ path: first.path, built: false });
});
