// The container image, built from the Dockerfile as it is, with buildah: what `npm run image`,
// the image tests (test/integration/image/) and `npm run bench -- --operator container` share.
//
// 1. install-tools.sh: buildah, podman, runc and mmdebstrap from Debian's packages, once.
// 2. stand-in-bases.sh: the Dockerfile's two bases, when this machine has no image of those
//    names (no container registry is reachable here); a real, pulled base is used as it is.
// 3. `buildah bud --layers`: every step whose inputs did not change comes from the layer cache,
//    so a second build of the same tree takes a second or two.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { defaultCacheDir } from '../../test/support/control-plane/binary-cache.ts';
import { runProcess } from '../../test/support/run-process.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));

/**
 * npm's version in the Node release the lock file pins (Node 24.20.0's changelog: "deps: upgrade
 * npm to 11.19.0"; 24.21.0 kept it). The build stage's stand-in carries it, as the real
 * node:24-bookworm-slim carries the npm of its Node release.
 */
export const BUNDLED_NPM_VERSION = '11.19.0';

/** The repository the chart pulls (values.yaml image.repository) and the tag: package.json's version. */
export function imageReference(root = ROOT): string {
  const values = parse(readFileSync(join(root, 'deploy/helm/appcopy-operator/values.yaml'), 'utf8')) as {
    image: { repository: string };
  };
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return `${values.image.repository}:${version}`;
}

/** The Node version of the `node` dev dependency in the lock file: the one the tests run on. */
export function lockedNodeVersion(root = ROOT): string {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages['node_modules/node']?.version;
  if (!version) throw new Error('package-lock.json pins no node_modules/node');
  return version;
}

/** Where the image's own files live: beside the control plane's and the tools' cache. */
export function imageCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultCacheDir(env), 'images');
}

type Log = (line: string) => void;

/**
 * Runs one of the bash scripts beside this file; their own lines ("[prefix] ...") are the
 * progress. Throws with the script's "error:" line when it fails.
 */
async function runScript(script: string, args: string[], prefix: string, log: Log): Promise<void> {
  const child = spawn('bash', [join(HERE, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let lastError: string | undefined;
  const tail: string[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    if (line.startsWith(`[${prefix}]`)) log(line);
    const error = new RegExp(`^\\[${prefix}\\] error: (.*)$`).exec(line);
    if (error) lastError = error[1];
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(lastError ?? `${script} exited with ${code}:\n${tail.join('\n')}`);
}

/** buildah, podman, runc and mmdebstrap, installed from Debian's packages if missing. */
export function ensureImageTools(log: Log): Promise<void> {
  return runScript('install-tools.sh', [], 'image tools', log);
}

/** Debian's name of this machine's architecture (the stand-ins are built for it). */
export function debianArch(): string {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  if (!arch) throw new Error(`no stand-in bases for ${process.arch}: only amd64 and arm64`);
  return arch;
}

/** The Dockerfile's bases: present, or built as stand-ins (stand-in-bases.sh). */
export function ensureBaseImages(log: Log, root = ROOT): Promise<void> {
  return runScript(
    'stand-in-bases.sh',
    [lockedNodeVersion(root), BUNDLED_NPM_VERSION, debianArch(), imageCacheDir()],
    'stand-in bases',
    log,
  );
}

/**
 * How the build stage's `npm ci` reaches the registry from this machine: when its npm trusts an
 * extra CA (a TLS-inspecting egress proxy, as here), that bundle and an npmrc naming it are
 * mounted into the build's RUN steps only (buildah's --volume); they never reach a layer and do
 * not change the layer cache's keys. HTTP(S)_PROXY pass through by buildah's default.
 */
async function registryAccess(cacheDir: string): Promise<string[]> {
  let cafile = process.env.NODE_EXTRA_CA_CERTS || process.env.npm_config_cafile || '';
  if (!cafile) {
    const configured = await runProcess('npm', ['config', 'get', 'cafile'], { timeoutMs: 30_000 }).catch(
      () => undefined,
    );
    const value = configured?.code === 0 ? configured.stdout.trim() : '';
    if (value && value !== 'null' && value !== 'undefined') cafile = value;
  }
  if (!cafile) return [];
  const npmrc = join(cacheDir, 'build-npmrc');
  writeFileSync(npmrc, 'cafile=/etc/ssl/certs/build-host-ca.crt\n');
  return [
    '--volume',
    `${cafile}:/etc/ssl/certs/build-host-ca.crt:ro`,
    '--volume',
    `${npmrc}:/root/.npmrc:ro`,
  ];
}

export interface BuiltImage {
  reference: string;
  id: string;
  /** Uncompressed, as `podman images` shows it: what a node stores. */
  sizeBytes: number;
  seconds: number;
  /** Steps after the FROMs: each makes a layer (or an image setting) the cache may hold. */
  steps: number;
  /** Steps taken from the layer cache. */
  cachedSteps: number;
}

/**
 * Builds the image from `root`'s Dockerfile with buildah, tagged `reference`. One build at a time
 * per machine (a lock beside the cache): a second caller waits, then finds every layer cached.
 */
export async function buildImage(
  opts: { root?: string; reference?: string; log?: Log; quiet?: boolean } = {},
): Promise<BuiltImage> {
  const root = opts.root ?? ROOT;
  const reference = opts.reference ?? imageReference(root);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cacheDir = imageCacheDir();
  mkdirSync(cacheDir, { recursive: true });
  await ensureImageTools(log);
  await ensureBaseImages(log, root);
  const args = [
    join(cacheDir, 'build.lock'),
    'buildah',
    'bud',
    '--layers',
    // The bases are in local storage (stand-ins, or pulled before); nothing is pulled.
    '--pull=never',
    // The build stage's npm ci needs the registry; the host's network is the one that reaches it.
    '--network=host',
    ...(await registryAccess(cacheDir)),
    '--file',
    join(root, 'Dockerfile'),
    '--tag',
    reference,
    root,
  ];
  log(`[image] buildah bud --layers -t ${reference} ${root}`);
  const started = performance.now();
  const child = spawn('flock', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let steps = 0;
  let cachedSteps = 0;
  const onLine = (line: string) => {
    output.push(line);
    // A FROM step names a base; every other step is one the layer cache may hold.
    if (/^(\[\d+\/\d+\] )?STEP \d+\/\d+: (?!FROM )/.test(line)) steps += 1;
    if (line.startsWith('--> Using cache ')) cachedSteps += 1;
    if (!opts.quiet) log(`  ${line}`);
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    throw new Error(`buildah bud failed (exit ${code}):\n${output.slice(-40).join('\n')}`);
  }
  const inspected = await runProcess('podman', [
    'image',
    'inspect',
    '--format',
    '{{.Id}} {{.Size}}',
    reference,
  ]);
  const [id, size] = inspected.stdout.trim().split(' ');
  if (inspected.code !== 0 || !id || !size)
    throw new Error(`podman image inspect ${reference}: ${inspected.stderr}`);
  return { reference, id, sizeBytes: Number(size), seconds, steps, cachedSteps };
}

const inFlight = new Map<string, Promise<BuiltImage>>();

/** buildImage() once per process and reference: the image tests share one build. */
export function ensureImage(
  opts: { root?: string; reference?: string; log?: Log } = {},
): Promise<BuiltImage> {
  const key = `${opts.root ?? ROOT}|${opts.reference ?? ''}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = buildImage({ ...opts, quiet: true });
    inFlight.set(key, pending);
    pending.catch(() => inFlight.delete(key));
  }
  return pending;
}
