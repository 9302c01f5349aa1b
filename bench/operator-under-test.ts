// The built operator (`node dist/main.js`, the bundle the image runs: build-operator.ts) as its
// own process, the way it runs in a pod:
// settings through the environment, JSON logs on stdout. The benchmark reads its readiness,
// its /metrics and its resident memory from the outside, and can run it under the V8 CPU
// profiler and take heap snapshots (SIGUSR2) for the profiling notes.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { createPodCgroup, type PodLimits, spawnInCgroup } from './pod-limits.ts';
import { type CgroupMemory, cgroupMemoryOf, type Memory, memoryOf } from './process-stats.ts';
import { parsePrometheusText, type Sample } from './prometheus-text.ts';

export const BUILT_MAIN = 'dist/main.js';

export interface OperatorUnderTestOptions {
  /** The checkout whose dist/main.js runs. */
  root: string;
  kubeconfigPath: string;
  rainbondUrl: string;
  token: string;
  namespace: string;
  concurrency: number;
  /** FOLLOW_TIMEOUT; '0s' turns following off. */
  followTimeout: string;
  /** Further settings (environment variables). */
  env?: Record<string, string>;
  /** Where CPU profiles and heap snapshots go; absent: not profiled. */
  profileDir?: string;
  /** A name for the profile and log files of this run. */
  label: string;
  /** Where the operator's log (stdout and stderr, LOG_LEVEL debug) goes; absent: kept only in memory. */
  logDir?: string;
  /** Run it in a cgroup with these limits, as in its pod (pod-limits.ts); absent: no limits. */
  podLimits?: PodLimits;
}

export interface OperatorUnderTest {
  pid: number;
  /** performance.now() when the process was spawned. */
  spawnedAt: number;
  /** Resolves with performance.now() of the first /readyz that answered 200. */
  ready(timeoutMs?: number): Promise<number>;
  metrics(): Promise<Sample[]>;
  memory(): Memory;
  /** The memory of its own cgroup (the pod's limits, or the container's); undefined without one. */
  cgroupMemory(): CgroupMemory | undefined;
  /** Asks the process for a heap snapshot (written into profileDir); resolves once it is written. */
  heapSnapshot(): Promise<void>;
  /** Log lines at warn or above, parsed. */
  problems: Record<string, unknown>[];
  /** SIGTERM and wait (the CPU profile is written on this exit). */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startOperatorUnderTest(opts: OperatorUnderTestOptions): Promise<OperatorUnderTest> {
  const healthPort = await freePort();
  const nodeArgs = opts.profileDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${opts.profileDir}`,
        `--cpu-prof-name=${opts.label}.cpuprofile`,
        '--heapsnapshot-signal=SIGUSR2',
        `--diagnostic-dir=${opts.profileDir}`,
      ]
    : [];
  const cgroup = opts.podLimits
    ? createPodCgroup(opts.podLimits, `appcopy-bench-${process.pid}-${opts.label}`)
    : undefined;
  const argv = [process.execPath, ...nodeArgs, BUILT_MAIN];
  const launch = cgroup
    ? spawnInCgroup(cgroup, argv)
    : { command: argv[0] as string, args: argv.slice(1), env: {} };
  const spawnedAt = performance.now();
  const child = spawn(launch.command, launch.args, {
    cwd: opts.root,
    env: {
      ...launch.env,
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      KUBECONFIG: opts.kubeconfigPath,
      RAINBOND_URL: opts.rainbondUrl,
      RAINBOND_TOKEN: opts.token,
      WATCH_NAMESPACES: opts.namespace,
      CONCURRENCY: String(opts.concurrency),
      FOLLOW_TIMEOUT: opts.followTimeout,
      HEALTH_ADDRESS: '127.0.0.1',
      HEALTH_PORT: String(healthPort),
      LOG_LEVEL: opts.logDir ? 'debug' : 'info',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  if (cgroup) child.once('exit', () => cgroup.remove());
  if (opts.logDir) {
    const file = createWriteStream(`${opts.logDir}/${opts.label}.log`);
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  const exited = once(child, 'exit');
  const problems: Record<string, unknown>[] = [];
  let tail = '';
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      // pino: 40 warn, 50 error, 60 fatal. Cheap pre-check so info lines are not parsed.
      if (!/"level":(4|5|6)0/.test(line)) continue;
      try {
        problems.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
    tail = (tail + chunk).slice(-4000);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4000);
  });
  const base = `http://127.0.0.1:${healthPort}`;
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the operator');

  return {
    pid,
    spawnedAt,
    problems,
    async ready(timeoutMs = 60_000) {
      const deadline = spawnedAt + timeoutMs;
      while (performance.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`the operator exited before it was ready:\n${tail}`);
        }
        let answered = false;
        try {
          const response = await fetch(`${base}/readyz`);
          await response.arrayBuffer();
          answered = response.status === 200;
        } catch {
          // not listening yet
        }
        if (answered) {
          const at = performance.now();
          // Proof that the limits applied: the process is a member of the cgroup.
          if (cgroup && !readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(cgroup.name)) {
            throw new Error(`the operator is not in cgroup ${cgroup.name}`);
          }
          return at;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`the operator was not ready within ${timeoutMs} ms:\n${tail}`);
    },
    async metrics() {
      const response = await fetch(`${base}/metrics`);
      return parsePrometheusText(await response.text());
    },
    memory: () => memoryOf(pid),
    cgroupMemory: () => (cgroup ? cgroupMemoryOf(cgroup.name) : undefined),
    async heapSnapshot() {
      const dir = opts.profileDir;
      if (!dir) return;
      const snapshots = () => readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot'));
      const before = new Set(snapshots());
      child.kill('SIGUSR2');
      // The process writes it synchronously; wait until the new file exists and stops growing.
      for (let i = 0; i < 600; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const added = snapshots().find((f) => !before.has(f));
        if (!added) continue;
        const size = statSync(`${dir}/${added}`).size;
        await new Promise((resolve) => setTimeout(resolve, 500));
        if (size > 0 && statSync(`${dir}/${added}`).size === size) return;
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
      running.delete(child);
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
