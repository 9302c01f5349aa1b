// The benchmark builds the measured checkout with that checkout's own `build` script, so an
// older checkout (--operator-root, built with tsc) is measured the way its image ran it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCommand } from '../../../bench/build-operator.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('buildCommand', () => {
  const dirs: string[] = [];
  const checkoutWith = (scripts: Record<string, string> | undefined) => {
    const dir = mkdtempSync(join(tmpdir(), 'appcopy-build-command-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', scripts }));
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("is this checkout's bundler", () => {
    expect(buildCommand(ROOT)).toEqual(['node', 'scripts/build-bundle.ts']);
  });

  it("is an older checkout's compiler, as its package.json says", () => {
    expect(buildCommand(checkoutWith({ build: 'tsc -p tsconfig.build.json' }))).toEqual([
      'tsc',
      '-p',
      'tsconfig.build.json',
    ]);
  });

  it('refuses a checkout without a build script, or one that needs a shell', () => {
    expect(() => buildCommand(checkoutWith(undefined))).toThrow(/no build script/);
    expect(() => buildCommand(checkoutWith({ build: 'tsc && cp a b' }))).toThrow(/no build script/);
  });
});
