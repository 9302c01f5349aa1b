// What the image built by `npm run image` holds, read from outside it (its configuration and
// its exported file system): the bundle and its licences, nothing of the build (no tests,
// development dependencies, TypeScript sources, source maps or node_modules), code the process
// cannot change, and a size within the budget below.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltImage, ensureImage, ROOT } from '../../../scripts/image/build.ts';
import { type ImageContents, readImage, runOnce, under } from '../../support/image/image-files.ts';

/**
 * The size budget, uncompressed (what a node stores; a registry holds about a third of it):
 * - the whole image at most 170 MB. The distroless Node.js 24 base is about 152 MB, 127 MB of it
 *   Node's own binary, which nothing here can shrink; the rest is glibc, libstdc++, OpenSSL,
 *   time zones and CA certificates.
 * - what this project adds, /app, at most 8 MB. The bundle is about 4.4 MB with its licences;
 *   twice that leaves room to grow, while the regressions that matter break it at once: a copy
 *   of node_modules (over 60 MB with the dev dependencies, 25 MB without), a source map (as
 *   large as the bundle again) or a second base layer.
 */
const IMAGE_BUDGET_BYTES = 170e6;
const APP_BUDGET_BYTES = 8e6;

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  license: string;
  dependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean; link?: boolean }>;
};

let built: BuiltImage;
let image: ImageContents;
beforeAll(async () => {
  built = await ensureImage();
  image = readImage(built.reference);
}, 15 * 60_000);
afterAll(() => image?.dispose());

describe('the image', () => {
  it('runs dist/main.js with the base’s node, as 65532, in production mode', () => {
    expect(image.config.Entrypoint).toEqual(['/nodejs/bin/node']);
    expect(image.config.Cmd).toEqual(['dist/main.js']);
    expect(image.config.User).toBe('65532:65532');
    expect(image.config.WorkingDir).toBe('/app');
    expect(image.config.Env).toContain('NODE_ENV=production');
    expect(Object.keys(image.config.ExposedPorts ?? {})).toEqual(['8080/tcp']);
    expect(image.config.Labels?.['org.opencontainers.image.licenses']).toBe(pkg.license);
  });

  it('holds in /app only package.json, the bundle and its licences, owned by root and read-only to the process', () => {
    expect(under(image, '/app', ['file', 'symlink', 'hardlink', 'other'])).toEqual([
      'dist/THIRD-PARTY-LICENSES.txt',
      'dist/main.js',
      'package.json',
    ]);
    for (const path of ['/app', '/app/dist', '/app/package.json', '/app/dist/main.js']) {
      const file = image.files.get(path)!;
      expect({ path, uid: file.uid, writableByOthers: (file.mode & 0o022) !== 0 }).toEqual({
        path,
        uid: 0,
        writableByOthers: false,
      });
    }
    // "type": "module": Node reads dist/main.js as the ES module esbuild wrote.
    expect(JSON.parse(image.read('/app/package.json')).type).toBe('module');
  });

  it('holds no tests, TypeScript sources, source maps, node_modules or lock file anywhere', () => {
    // Files and links: an empty directory (base-files' /usr/src) holds nothing.
    const paths = [...image.files.values()].filter((f) => f.type !== 'dir').map((f) => f.path);
    expect(paths.filter((p) => /\.(ts|mts|cts|map)$/.test(p))).toEqual([]);
    expect(paths.filter((p) => /(^|\/)(node_modules|test|tests|__tests__|src)(\/|$)/.test(p))).toEqual([]);
    expect(
      paths.filter((p) => /(package-lock\.json|tsconfig\.json|vitest\.config\.ts|\.npmrc)$/.test(p)),
    ).toEqual([]);
  });

  it('loads nothing but Node built-ins: every dependency is inside the bundle', () => {
    const bundle = image.read('/app/dist/main.js');
    // One static import, the banner's (scripts/build-bundle.ts); everything else is require().
    expect(bundle.match(/\bimport\s*\{[^}]*\}\s*from\s*['"][^'"]+['"]/g)).toEqual([
      "import { createRequire as __createRequire } from 'node:module'",
    ]);
    // builtinModules names the prefix-only ones (node:sqlite) with their prefix, the others without.
    const builtins = new Set(builtinModules);
    const builtin = (name: string) => builtins.has(name) || builtins.has(name.replace(/^node:/, ''));
    const required = new Set([...bundle.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1] as string));
    expect([...required].filter(builtin).length).toBeGreaterThan(10);
    // ws and debug try these optional packages and do without them.
    expect([...required].filter((name) => !builtin(name)).sort()).toEqual([
      'bufferutil',
      'supports-color',
      'utf-8-validate',
    ]);
  });

  it('names every production dependency with its licence in THIRD-PARTY-LICENSES.txt, and no development one', () => {
    const licences = image.read('/app/dist/THIRD-PARTY-LICENSES.txt');
    const named = (name: string) => new RegExp(`^${name.replace(/[/.]/g, '\\$&')}@\\d`, 'm').test(licences);
    // Workspace packages (the lock file's `link`) are this repository's own code, not third-party.
    const ownWorkspaces = (name: string) => lock.packages[`node_modules/${name}`]?.link === true;
    for (const name of Object.keys(pkg.dependencies).filter((n) => !ownWorkspaces(n)))
      expect(named(name), name).toBe(true);
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev === true)
      .map(([path]) => path.slice('node_modules/'.length));
    expect(devOnly).toEqual(expect.arrayContaining(['vitest', 'typescript', 'esbuild']));
    expect(devOnly.filter(named)).toEqual([]);
    // Node's own licence comes with the base.
    expect(image.files.get('/nodejs/LICENSE')?.type).toBe('file');
  });

  it('prints its settings with --help and exits 0; with DEFAULT_CONSOLE=env but no RAINBOND_URL exits 2 naming it', () => {
    const help = runOnce(built.reference, ['dist/main.js', '--help'], { readOnly: true });
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('RAINBOND_URL');
    const missing = runOnce(built.reference, [], { readOnly: true, env: { DEFAULT_CONSOLE: 'env' } });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('RAINBOND_URL');
  });

  it(`stays within its size budget: ${IMAGE_BUDGET_BYTES / 1e6} MB in all, ${APP_BUDGET_BYTES / 1e6} MB of its own`, () => {
    const app = [...image.files.values()]
      .filter((f) => f.path.startsWith('/app/') && f.type === 'file')
      .reduce((sum, f) => sum + f.size, 0);
    expect(app).toBeGreaterThan(1e6);
    expect(app).toBeLessThanOrEqual(APP_BUDGET_BYTES);
    expect(built.sizeBytes).toBe(image.sizeBytes);
    expect(image.sizeBytes).toBeLessThanOrEqual(IMAGE_BUDGET_BYTES);
  });
});
