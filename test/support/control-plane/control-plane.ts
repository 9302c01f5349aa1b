// The local Kubernetes control plane for tests and people: a real kube-apiserver and etcd, built
// once from the Go module proxy (binary-cache.ts), started on free loopback ports with a
// temporary directory, and gone without a trace when stopped or when their owner dies.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { writeApiServerCredentials } from './admin-credentials.ts';
import {
  type ControlPlaneVersions,
  type EnsureBinariesOptions,
  ensureControlPlaneBinaries,
  resolveVersions,
} from './binary-cache.ts';
import { ControlPlaneError } from './control-plane-error.ts';
import { etcdExited, type RunningEtcd, startEtcd } from './etcd.ts';
import {
  apiServerExited,
  assertApiServerPortFree,
  type RunningApiServer,
  startApiServer,
} from './kube-apiserver.ts';
import { renderKubeconfig, writeKubeconfig } from './kubeconfig.ts';
import { createRunDir, removeAbandonedRunDirs } from './run-dir.ts';

export {
  type ControlPlaneBinaries,
  type ControlPlaneVersions,
  defaultCacheDir,
  defaultVersions,
  type EnsureBinariesOptions,
  ensureControlPlaneBinaries,
} from './binary-cache.ts';
export { ControlPlaneError, type ControlPlaneErrorCode } from './control-plane-error.ts';

export interface StartControlPlaneOptions {
  /** Default v1.37.2 / v3.6.16. */
  versions?: Partial<ControlPlaneVersions>;
  /** Where the built binaries are cached; see ensureControlPlaneBinaries. */
  cacheDir?: string;
  /** Progress lines (build steps, readiness), without trailing newline. Default: silent. */
  log?: (line: string) => void;
  /** Environment used to find the cache and Go. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Extra kube-apiserver flags, after the defaults (the last occurrence of a flag wins). */
  apiServerArgs?: string[];
  /** Extra etcd flags, after the defaults. */
  etcdArgs?: string[];
  /** Listen on this port instead of a free one; PORT_IN_USE if it is taken. */
  apiServerPort?: number;
  /** Per process: how long etcd and kube-apiserver may take to become ready. Default 60 s. */
  readyTimeoutMs?: number;
  /** Parent of the run directory. Default: os.tmpdir(). */
  tmpDir?: string;
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** A kubeconfig (admin token, CA data) for kubectl and client-node; deleted by stop(). */
  readonly kubeconfigPath: string;
  /** Bearer token of `admin` in system:masters, e.g. for scraping metricsUrl. */
  readonly adminToken: string;
  /** PEM bundle to verify `server` with. */
  readonly caData: string;
  /** `${server}/metrics` (needs adminToken; apiserver_request_total etc.). */
  readonly metricsUrl: string;
  /** etcd's client URL (plain HTTP on loopback). */
  readonly etcdUrl: string;
  /** The temporary directory holding everything of this control plane; deleted by stop(). */
  readonly runDir: string;
  readonly versions: ControlPlaneVersions;
  /**
   * Resolves (never rejects) if etcd or kube-apiserver exits on its own, with an error naming
   * which and the end of its log. Stays pending through stop() and restartApiServer().
   */
  readonly failure: Promise<ControlPlaneError>;
  /** Current pids, to prove nothing is left behind. The API server's changes on restart. */
  processIds(): { apiServer: number; etcd: number; watchdogs: number[] };
  /** A fresh client-node KubeConfig for the admin user. */
  kubeConfig(): KubeConfig;
  /**
   * Stops kube-apiserver (SIGTERM, a graceful shutdown; or SIGKILL, a crash) and starts it again
   * on the same port with the same etcd data and certificates; resolves once it is ready again.
   * Existing kubeconfigs stay valid.
   */
  restartApiServer(options?: { signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
  /** Kills both processes and removes runDir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Builds or reuses the binaries, then starts etcd and kube-apiserver and resolves once the API
 * server is ready and the `default` namespace exists. Rejects with a ControlPlaneError, leaving no
 * process and no directory behind.
 */
export async function startControlPlane(options: StartControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const versions = resolveVersions(options.versions);
  const binaryOptions: EnsureBinariesOptions = { versions, log };
  if (options.cacheDir !== undefined) binaryOptions.cacheDir = options.cacheDir;
  if (options.env !== undefined) binaryOptions.env = options.env;
  const binaries = await ensureControlPlaneBinaries(binaryOptions);
  // A taken port is the person's to fix; find out before etcd starts.
  if (options.apiServerPort !== undefined) await assertApiServerPortFree(options.apiServerPort);

  const tmpDir = options.tmpDir ?? tmpdir();
  for (const dir of removeAbandonedRunDirs(tmpDir))
    log(`removed ${dir}, left by a process that no longer runs`);
  const runDir = createRunDir(tmpDir, process.pid);
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;

  let etcd: RunningEtcd | undefined;
  let apiServer: RunningApiServer | undefined;
  try {
    const credentials = writeApiServerCredentials(runDir);
    etcd = await startEtcd({
      binary: binaries.etcd,
      runDir,
      extraArgs: options.etcdArgs ?? [],
      readyTimeoutMs,
      log,
    });
    const etcdProcess = etcd.process;
    const etcdGone = etcdProcess.exited.then((exit) => etcdExited(etcdProcess, exit));
    const apiServerOptions = {
      binary: binaries.apiServer,
      runDir,
      etcdUrl: etcd.url,
      credentials,
      extraArgs: options.apiServerArgs ?? [],
      readyTimeoutMs,
      log,
    };
    apiServer = await startApiServer({
      ...apiServerOptions,
      ...(options.apiServerPort === undefined ? {} : { port: options.apiServerPort }),
      abandon: etcdGone,
    });
    const kubeconfig = {
      server: apiServer.server,
      caData: apiServer.caData,
      token: credentials.adminToken,
      name: 'appcopy-testbed',
    };
    const kubeconfigPath = join(runDir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, kubeconfig);
    log(`control plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${apiServer.server}`);
    return supervise({
      etcd,
      apiServer,
      etcdGone,
      restart: (port, abandon) => startApiServer({ ...apiServerOptions, port, abandon }),
      kubeconfigText: renderKubeconfig(kubeconfig),
      kubeconfigPath,
      adminToken: credentials.adminToken,
      runDir,
      versions,
    });
  } catch (error) {
    await apiServer?.process.stop({ signal: 'SIGKILL' });
    await etcd?.process.stop({ signal: 'SIGKILL' });
    rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
    throw error;
  }
}

function supervise(parts: {
  etcd: RunningEtcd;
  apiServer: RunningApiServer;
  etcdGone: Promise<ControlPlaneError>;
  restart: (port: number, abandon: Promise<Error>) => Promise<RunningApiServer>;
  kubeconfigText: string;
  kubeconfigPath: string;
  adminToken: string;
  runDir: string;
  versions: ControlPlaneVersions;
}): ControlPlane {
  const { etcd, runDir } = parts;
  let apiServer: RunningApiServer | undefined = parts.apiServer;
  let stopping: Promise<void> | undefined;
  let restarting: Promise<void> | undefined;
  let reportFailure: (error: ControlPlaneError) => void = () => {};
  const failure = new Promise<ControlPlaneError>((resolve) => {
    reportFailure = resolve;
  });
  let requestStop: (error: Error) => void = () => {};
  const stopRequested = new Promise<Error>((resolve) => {
    requestStop = resolve;
  });

  parts.etcdGone.then((error) => {
    if (!stopping) reportFailure(error);
  });
  const watch = (running: RunningApiServer) =>
    running.process.exited.then((exit) => {
      if (!stopping && apiServer === running) reportFailure(apiServerExited(running.process, exit));
    });
  watch(apiServer);

  const restartOnce = async (signal: 'SIGTERM' | 'SIGKILL') => {
    const previous = apiServer;
    if (!previous) throw new Error('kube-apiserver is not running: an earlier restart failed');
    apiServer = undefined; // its exit is expected now
    await previous.process.stop({ signal, graceMs: 15_000 });
    const abandon = Promise.race([parts.etcdGone, stopRequested]);
    try {
      const next = await parts.restart(previous.port, abandon);
      if (stopping) {
        await next.process.stop({ signal: 'SIGKILL' });
        return;
      }
      apiServer = next;
      watch(next);
    } catch (error) {
      if (!stopping) {
        reportFailure(
          error instanceof ControlPlaneError
            ? error
            : new ControlPlaneError(
                'API_SERVER_EXITED',
                `kube-apiserver could not be restarted: ${String(error)}`,
              ),
        );
      }
      throw error;
    }
  };

  return {
    server: parts.apiServer.server,
    kubeconfigPath: parts.kubeconfigPath,
    adminToken: parts.adminToken,
    caData: parts.apiServer.caData,
    metricsUrl: `${parts.apiServer.server}/metrics`,
    etcdUrl: etcd.url,
    runDir,
    versions: parts.versions,
    failure,
    processIds: () => ({
      apiServer: apiServer?.process.pid ?? 0,
      etcd: etcd.process.pid,
      watchdogs: [etcd.process.watchdogPid, ...(apiServer ? [apiServer.process.watchdogPid] : [])],
    }),
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromString(parts.kubeconfigText);
      return kc;
    },
    restartApiServer({ signal = 'SIGTERM' } = {}) {
      if (stopping) return Promise.reject(new Error('the control plane is stopped'));
      const run = (restarting ?? Promise.resolve()).catch(() => {}).then(() => restartOnce(signal));
      restarting = run;
      return run;
    },
    stop() {
      stopping ??= (async () => {
        requestStop(new Error('the control plane was stopped during a restart of kube-apiserver'));
        // SIGKILL: the data is thrown away, so a graceful shutdown would only cost seconds.
        await Promise.all([
          apiServer?.process.stop({ signal: 'SIGKILL' }),
          etcd.process.stop({ signal: 'SIGKILL' }),
        ]);
        await restarting?.catch(() => {});
        rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
      })();
      return stopping;
    },
  };
}
