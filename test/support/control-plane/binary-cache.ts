import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { findOnPath, isExecutable } from '../executables.ts';
import { ControlPlaneError } from './control-plane-error.ts';

export interface ControlPlaneVersions {
  kubernetes: string;
  etcd: string;
}

export const defaultVersions: ControlPlaneVersions = { kubernetes: 'v1.37.2', etcd: 'v3.6.16' };

export interface ControlPlaneBinaries {
  apiServer: string;
  etcd: string;
  /** True when this call ran the build (the first use of these versions on this machine). */
  built: boolean;
}

export interface EnsureBinariesOptions {
  versions?: Partial<ControlPlaneVersions>;
  /** Default: $APPCOPY_TESTBED_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/appcopy-testbed. */
  cacheDir?: string;
  /** Receives build progress, one line per call, without a trailing newline. */
  log?: (line: string) => void;
  /** Environment for finding the cache and running the build (PATH must reach `go`). */
  env?: NodeJS.ProcessEnv;
  /** The build script; tests substitute one that fails. Contract as build.sh. */
  buildScript?: string;
  /** How often a long build says it is still working. */
  heartbeatMs?: number;
}

const defaultBuildScript = fileURLToPath(new URL('./build.sh', import.meta.url));
const versionPattern = /^v\d+\.\d+\.\d+$/;

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.APPCOPY_TESTBED_CACHE) return env.APPCOPY_TESTBED_CACHE;
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'appcopy-testbed');
}

export function resolveVersions(versions: Partial<ControlPlaneVersions> = {}): ControlPlaneVersions {
  const resolved = { ...defaultVersions, ...versions };
  for (const [name, value] of Object.entries(resolved)) {
    if (!versionPattern.test(value)) {
      throw new ControlPlaneError(
        'INVALID_VERSION',
        `The ${name} version "${value}" is not of the form vMAJOR.MINOR.PATCH (e.g. ${defaultVersions[name as keyof ControlPlaneVersions]}).`,
      );
    }
  }
  return resolved;
}

/** The cache entry of one version pair; build.sh fills it atomically. */
export function cacheEntryDir(cacheDir: string, versions: ControlPlaneVersions): string {
  return join(cacheDir, `k8s-${versions.kubernetes}-etcd-${versions.etcd}`);
}

/**
 * Returns the paths of kube-apiserver and etcd for `versions`, building them first if the cache
 * lacks them. Concurrent callers are safe: build.sh holds a lock per version pair, so a second
 * caller waits for the first build and then reuses it.
 */
export async function ensureControlPlaneBinaries(
  options: EnsureBinariesOptions = {},
): Promise<ControlPlaneBinaries> {
  const versions = resolveVersions(options.versions);
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const outDir = cacheEntryDir(cacheDir, versions);
  const apiServer = join(outDir, 'kube-apiserver');
  const etcd = join(outDir, 'etcd');
  if (isExecutable(apiServer) && isExecutable(etcd)) return { apiServer, etcd, built: false };

  if (!findOnPath('go', env.PATH ?? '')) {
    throw new ControlPlaneError(
      'GO_MISSING',
      `kube-apiserver ${versions.kubernetes} and etcd ${versions.etcd} are not built yet and Go is not on PATH, so they cannot be. ` +
        `Install Go 1.25 or newer (https://go.dev/doc/install) and run again; the first build takes 5-20 minutes and is cached in ${outDir}.`,
    );
  }

  mkdirSync(cacheDir, { recursive: true });
  const logFile = `${outDir}.build.log`;
  const result = await runBuild({
    script: options.buildScript ?? defaultBuildScript,
    args: [versions.kubernetes, versions.etcd, outDir],
    env,
    logFile,
    log,
    heartbeatMs: options.heartbeatMs ?? 30_000,
  });
  if (result.code !== 0 || !isExecutable(apiServer) || !isExecutable(etcd)) {
    const reason = result.lastError ?? `the build script exited with ${result.code ?? result.signal}`;
    throw new ControlPlaneError(
      'BUILD_FAILED',
      `Building kube-apiserver ${versions.kubernetes} and etcd ${versions.etcd} failed: ${reason}. ` +
        `Full output: ${logFile}. Check that the Go module proxy is reachable (go env GOPROXY) and both versions exist, then run again.`,
    );
  }
  return { apiServer, etcd, built: !result.builtElsewhere };
}

interface BuildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The script's own one-line diagnosis ("error: ..."), if it gave one. */
  lastError: string | undefined;
  /** The script found the binaries built by a concurrent caller it waited for. */
  builtElsewhere: boolean;
}

async function runBuild(options: {
  script: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  log: (line: string) => void;
  heartbeatMs: number;
}): Promise<BuildResult> {
  const started = Date.now();
  const output = createWriteStream(options.logFile);
  const child = spawn('bash', [options.script, ...options.args], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lastError: string | undefined;
  let builtElsewhere = false;
  let lines = 0;
  const onLine = (line: string) => {
    lines += 1;
    output.write(`${line}\n`);
    // The script's own lines are the progress; Go's hundreds of "downloading" lines go to the file.
    if (line.startsWith('[control-plane build]')) options.log(line);
    const error = /^\[control-plane build\] error: (.*)$/.exec(line);
    if (error) lastError = error[1];
    if (line.startsWith('[control-plane build] already built by another run')) builtElsewhere = true;
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const heartbeat = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    options.log(
      `[control-plane build] still working: ${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s, ${lines} lines of output in ${options.logFile}`,
    );
  }, options.heartbeatMs);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    return { code, signal, lastError, builtElsewhere };
  } finally {
    clearInterval(heartbeat);
    await new Promise((resolve) => output.end(resolve));
  }
}
