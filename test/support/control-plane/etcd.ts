import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../eventually.ts';
import { ControlPlaneError } from './control-plane-error.ts';
import { mentionsAddressInUse, pickFreePort } from './free-port.ts';
import { type GuardedProcess, spawnGuarded } from './guarded-process.ts';
import { probe } from './http-probe.ts';

export interface RunningEtcd {
  process: GuardedProcess;
  /** Client URL, e.g. http://127.0.0.1:2379. */
  url: string;
}

export interface StartEtcdOptions {
  binary: string;
  /** The run directory: etcd keeps its data in etcd-data/ and logs to etcd.log there. */
  runDir: string;
  extraArgs?: string[];
  readyTimeoutMs?: number;
  log: (line: string) => void;
}

/**
 * Starts a single-member etcd on two free loopback ports and resolves once /health says so.
 * A lost race for a port is retried once with new ports. On failure nothing is left running.
 */
export async function startEtcd(options: StartEtcdOptions): Promise<RunningEtcd> {
  const dataDir = join(options.runDir, 'etcd-data');
  for (let attempt = 1; ; attempt++) {
    const clientPort = await pickFreePort();
    let peerPort = await pickFreePort();
    while (peerPort === clientPort) peerPort = await pickFreePort();
    const url = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    rmSync(dataDir, { recursive: true, force: true }); // a failed attempt may have initialised it
    const etcd = await spawnGuarded({
      command: options.binary,
      args: [
        '--name=default',
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${url}`,
        `--advertise-client-urls=${url}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=default=${peerUrl}`,
        // Throw-away data: durability buys nothing here and fsync dominates write latency.
        '--unsafe-no-fsync',
        '--log-level=warn',
        ...(options.extraArgs ?? []),
      ],
      logFile: join(options.runDir, 'etcd.log'),
      cleanupOnOrphan: [options.runDir],
    });
    try {
      await eventually(
        async () => {
          const answer = await probe(`${url}/health`);
          return answer.status === 200 && /"health":\s*"true"/.test(answer.body);
        },
        {
          what: 'etcd to report healthy',
          timeoutMs: options.readyTimeoutMs ?? 30_000,
          abandon: etcd.exited.then((exit) => etcdExited(etcd, exit)),
          onTimeout: () =>
            new ControlPlaneError(
              'NOT_READY',
              `etcd did not report healthy at ${url}/health within ${(options.readyTimeoutMs ?? 30_000) / 1000} s. ` +
                `The machine may be overloaded; last lines of its log:\n${etcd.logTail()}`,
            ),
        },
      );
      options.log(`etcd ready at ${url}`);
      return { process: etcd, url };
    } catch (error) {
      await etcd.stop({ signal: 'SIGKILL' });
      if (!mentionsAddressInUse(etcd.logTail(50))) throw error;
      if (attempt === 1) {
        options.log(`etcd lost a race for port ${clientPort} or ${peerPort}; retrying with other ports`);
        continue;
      }
      throw new ControlPlaneError(
        'PORT_IN_USE',
        `etcd could not bind its loopback ports twice in a row (address already in use): another process keeps taking free ports. ` +
          `Run again; if it persists, find what is opening ports on 127.0.0.1 (ss -ltnp). Last lines of its log:\n${etcd.logTail(5)}`,
      );
    }
  }
}

export function etcdExited(
  process: GuardedProcess,
  exit: { code: number | null; signal: string | null },
): ControlPlaneError {
  return new ControlPlaneError(
    'ETCD_EXITED',
    `etcd exited (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}). Last lines of its log:\n${process.logTail()}\n` +
      'Look for the cause above (a full disk, a bad flag, a broken binary: delete its cache directory to rebuild it) and start again.',
  );
}
