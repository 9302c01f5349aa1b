// The container image, built without a Docker engine: the build context is what .dockerignore
// lets in, the Dockerfile's build stage runs as plain commands (its RUN lines are
// scripts/build-image-context.sh), and the runtime stage's /app is checked for what it must
// and must not hold. Then the program in it, the bundle that `npm run bench` measures, runs the
// way the image's CMD runs it, with no node_modules anywhere above it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../support/eventually.ts';
import { makeContext, readDockerfile, runStage, type Stage } from './dockerfile.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean; link?: boolean }>;
};

/**
 * A clean environment: Node 24 (this test's own) first on PATH, npm's cache preferred, and only
 * the machine's way out to the registry (its proxy and CA bundle, when it has them) for a
 * package the cache does not hold.
 */
function buildEnv(): NodeJS.ProcessEnv {
  const network = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name, value]) =>
        value !== undefined && /^(NODE_EXTRA_CA_CERTS|(HTTPS?|NO)_PROXY|(https?|no)_proxy)$/.test(name),
    ),
  );
  return {
    ...network,
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: process.env.HOME,
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe('the Dockerfile', () => {
  const [build, runtime, ...more] = readDockerfile(join(REPO, 'Dockerfile')) as [Stage, Stage, ...Stage[]];

  it('has a Node 24 build stage and a distroless Node 24 runtime stage', () => {
    expect(more).toEqual([]);
    expect(build.name).toBe('build');
    expect(build.from).toMatch(/^node:24-/);
    expect(runtime.from).toMatch(/^gcr\.io\/distroless\/nodejs24-debian\d+(:nonroot)?$/);
  });

  it('builds only through scripts/build-image-context.sh', () => {
    const runs = build.instructions
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args.replace(/--mount=\S+\s+/g, ''));
    expect(runs).toEqual([
      'sh scripts/build-image-context.sh install',
      'sh scripts/build-image-context.sh assemble /app',
    ]);
  });

  it('runs as a numeric non-root user, holds only the build stage /app and starts dist/main.js', () => {
    const only = (keyword: string) =>
      runtime.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
    const user = only('USER');
    expect(user).toHaveLength(1);
    expect(user[0]).toMatch(/^\d+(:\d+)?$/);
    expect(user[0]).not.toMatch(/^0(:|$)/);
    expect(only('COPY')).toEqual(['--from=build /app /app']);
    expect(only('RUN')).toEqual([]);
    expect(only('WORKDIR')).toEqual(['/app']);
    expect(only('CMD')).toEqual(['["dist/main.js"]']);
  });
});

describe('the image built as plain commands', () => {
  let work: string;
  let app: string;
  let ran: string[];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'appcopy-image-'));
    const context = join(work, 'context');
    app = join(work, 'image', 'app');
    const [build] = readDockerfile(join(REPO, 'Dockerfile')) as [Stage];
    makeContext(REPO, readFileSync(join(REPO, '.dockerignore'), 'utf8'), context);
    try {
      ran = runStage(build, { context, workdir: join(work, 'src'), paths: { '/app': app }, env: buildEnv() });
    } catch (error) {
      const e = error as { stderr?: Buffer; stdout?: Buffer; message: string };
      throw new Error(`${e.message}\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`);
    }
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ran the build stage: npm ci, then the build into /app', () => {
    expect(ran).toEqual([
      'sh scripts/build-image-context.sh install',
      `sh scripts/build-image-context.sh assemble ${app}`,
    ]);
  });

  it('holds package.json and the bundle with its licences, nothing else: no node_modules', () => {
    expect(readdirSync(app).sort()).toEqual(['dist', 'package.json']);
    expect(readdirSync(join(app, 'dist')).sort()).toEqual(['THIRD-PARTY-LICENSES.txt', 'main.js']);
    // "type": "module": Node reads dist/main.js as the ES module esbuild wrote.
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).type).toBe('module');
  });

  it('holds no TypeScript source, type declaration or source map anywhere', () => {
    expect(filesUnder(app).filter((f) => /\.(ts|mts|cts|map)$/.test(f))).toEqual([]);
  });

  it('loads nothing but Node built-ins: every dependency is inside the bundle', () => {
    const bundle = readFileSync(join(app, 'dist', 'main.js'), 'utf8');
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

  it('names every production dependency, with its licence, in THIRD-PARTY-LICENSES.txt', () => {
    const licences = readFileSync(join(app, 'dist', 'THIRD-PARTY-LICENSES.txt'), 'utf8');
    // Workspace packages (the lock file's `link`) are this repository's own code, not third-party.
    const ownWorkspaces = (name: string) => lock.packages[`node_modules/${name}`]?.link === true;
    for (const name of Object.keys(pkg.dependencies).filter((n) => !ownWorkspaces(n)))
      expect(licences, name).toMatch(new RegExp(`^${name.replace(/[/.]/g, '\\$&')}@\\d`, 'm'));
    // Development-only packages (the lock file's `dev` flag) never reach the image.
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev === true)
      .map(([path]) => path.slice('node_modules/'.length));
    expect(devOnly).toEqual(expect.arrayContaining(['vitest', 'typescript', 'esbuild']));
    expect(
      devOnly.filter((name) => new RegExp(`^${name.replace(/[/.]/g, '\\$&')}@\\d`, 'm').test(licences)),
    ).toEqual([]);
  });

  /** `node dist/main.js ...` as the image's CMD runs it: in /app, nothing else on the environment. */
  function runImage(args: string[], env: Record<string, string> = {}) {
    return spawnSync(process.execPath, ['dist/main.js', ...args], {
      cwd: app,
      env: { NODE_ENV: 'production', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
  }

  it('prints the settings with --help and exits 0', () => {
    const result = runImage(['--help']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('RAINBOND_URL');
  });

  it('without RAINBOND_URL, exits 2 with a message naming it', () => {
    const result = runImage([]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('RAINBOND_URL');
  });

  it('runs against the test control plane: becomes ready, then stops cleanly on SIGTERM', async () => {
    const child: ChildProcess = spawn(process.execPath, ['dist/main.js'], {
      cwd: app,
      env: {
        NODE_ENV: 'production',
        KUBECONFIG: inject('kubeconfigPath'),
        RAINBOND_URL: 'http://127.0.0.1:9',
        WATCH_NAMESPACES: 'image-smoke-test',
        HEALTH_ADDRESS: '127.0.0.1',
        HEALTH_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const port = await eventually(
        () => {
          for (const line of output.split('\n')) {
            if (!line.startsWith('{')) continue;
            const entry = JSON.parse(line) as { msg?: string; healthPort?: number };
            if (entry.msg === 'operator started') return entry.healthPort;
          }
          return undefined;
        },
        {
          what: () => `the operator to start:\n${output}`,
          timeoutMs: 30_000,
          intervalMs: 100,
        },
      );
      await eventually(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
          return res?.status === 200 ? true : undefined;
        },
        {
          what: () => `/readyz to answer 200:\n${output}`,
          timeoutMs: 30_000,
          intervalMs: 100,
        },
      );
      child.kill('SIGTERM');
      expect(await exited, output).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
