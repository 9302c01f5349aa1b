// The bundle `npm run build` makes (scripts/build-bundle.ts), the file the image runs and the
// benchmark measures: it runs on its own, and loading it leaves out what the bundling is for.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, buildBundle, LICENSES_FILE } from '../../../scripts/build-bundle.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('the operator bundle', () => {
  let dir: string;
  let packages: string[];

  beforeAll(async () => {
    // A directory with no node_modules above it, as /app in the image.
    dir = mkdtempSync(join(tmpdir(), 'appcopy-bundle-'));
    ({ packages } = await buildBundle(ROOT, join(dir, 'dist')));
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** `node dist/main.js ARGS` in the bundle's directory, with a probe loaded before it. */
  function run(args: string[], probe = '') {
    const probeFile = join(dir, 'probe.mjs');
    writeFileSync(probeFile, probe);
    return spawnSync(process.execPath, ['--import', probeFile, join('dist', BUNDLE_FILE), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
  }

  it('is pure ASCII, so Node keeps its source at one byte a character', () => {
    const bytes = readFileSync(join(dir, 'dist', BUNDLE_FILE));
    expect(bytes.length).toBeGreaterThan(100_000);
    expect(bytes.findIndex((byte) => byte > 0x7f)).toBe(-1);
  });

  it('runs without node_modules: --help prints the settings and exits 0', () => {
    const result = run(['--help']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('RAINBOND_URL');
  });

  it("carries every bundled package's licence", () => {
    const licences = readFileSync(join(dir, 'dist', LICENSES_FILE), 'utf8');
    expect(packages).toEqual(expect.arrayContaining([expect.stringMatching(/^@kubernetes\/client-node@/)]));
    for (const pkg of packages) expect(licences).toContain(`\n${pkg} (`);
  });

  it("loads neither Node's fetch nor ICU list formatting when the operator's modules load", () => {
    // Counts what loading the whole operator (every module runs for --help) creates.
    const result = run(
      ['--help'],
      `let listFormats = 0;
       const ListFormat = Intl.ListFormat;
       Intl.ListFormat = new Proxy(ListFormat, { construct(t, a, n) { listFormats++; return Reflect.construct(t, a, n); } });
       process.on('exit', () => process.stderr.write(JSON.stringify({
         listFormats,
         fetch: process.moduleLoadList.includes('NativeModule internal/deps/undici/undici'),
       })));`,
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stderr)).toEqual({ listFormats: 0, fetch: false });
  });
});
