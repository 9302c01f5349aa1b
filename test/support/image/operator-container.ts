// The operator's image run with podman the way a kubelet runs the chart's pod (pod-to-podman.ts
// translates the rendered Deployment): its user, read-only root file system, capabilities,
// no privilege escalation, seccomp, memory and CPU limits, environment, volumes and grace period.
//
// Two things of a pod this machine has not, and what stands in for them:
// - The service network: there is no cluster DNS or kubernetes.default Service here, so the
//   operator cannot find the API server from inside the cluster (in-cluster config). It gets a
//   kubeconfig instead, mounted read-only, that authenticates as the chart's ServiceAccount
//   (a TokenRequest token, like the projected token a pod gets), and runs on the host network,
//   where the test bed's API server and simulator listen on 127.0.0.1.
// - The pod's own network namespace: on the host network, two containers cannot both listen on
//   the chart's 8080 (and 8080 may be taken on this machine), so the health server listens on a
//   free port of 127.0.0.1 (HEALTH_PORT=0, the port is read from the log).
//
// podman runs as root with runc: crun, podman's default, fails on these machines' hybrid
// cgroups; the ulimits are set within this machine's limits (podman's defaults exceed them).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OperatorProcess, superviseOperator } from '../operator-process.ts';
import { type ProcessResult, runProcess } from '../run-process.ts';
import type { Manifest } from '../tools/helm-chart.ts';
import { hardLimit, type PodmanRun, podmanRunFor } from './pod-to-podman.ts';

/** Where the kubeconfig is mounted, in place of /var/run/secrets/kubernetes.io/serviceaccount. */
export const KUBECONFIG_IN_CONTAINER = '/var/run/secrets/appcopy/kubeconfig';

export interface ContainerState {
  /** The container's first process as this machine sees it; 0 once it has exited. */
  pid: number;
  exitCode: number;
  running: boolean;
  /** Its cgroup, relative to each hierarchy's root (v1) or the unified root (v2). */
  cgroupPath: string;
}

export interface OperatorContainer extends OperatorProcess {
  name: string;
  run: PodmanRun;
  /** `podman exec` into the running container (as its user); never throws for a non-zero exit. */
  exec(argv: string[]): Promise<ProcessResult>;
  inspect(): Promise<ContainerState>;
  /** Removes the container and its volumes' host directories. */
  remove(): Promise<void>;
}

/** The RLIMIT_NPROC podman gives conmon, so the most a container here can have. */
const PODMAN_NPROC = 32_768;

const live = new Set<string>();
process.once('exit', () => {
  for (const name of live) spawnSync('podman', ['rm', '--force', '--time', '0', name], { stdio: 'ignore' });
});

let sequence = 0;

export interface StartContainerOptions {
  /** The chart's rendered objects (installChart's `objects`). */
  objects: Manifest[];
  /** The container's environment as the chart renders it (installChart's `env`). */
  env: Record<string, string>;
  /** Host path of a kubeconfig (kubeconfigAs: the chart's ServiceAccount). */
  kubeconfigPath: string;
  /** Contents of the Secrets the pod mounts, by Secret name and key. */
  secrets?: Record<string, Record<string, string>>;
  /** Settings that win over the chart's. */
  overrides?: Record<string, string>;
  /** The image; default: the one the chart names. */
  image?: string;
}

export function startOperatorContainer(opts: StartContainerOptions): OperatorContainer {
  const deployment = opts.objects.find((o) => o.kind === 'Deployment');
  if (!deployment) throw new Error('the rendered chart has no Deployment');
  const pod = deployment.spec.template.spec;
  const fsGroup = pod.securityContext?.fsGroup as number | undefined;
  const name = `appcopy-operator-${process.pid}-${++sequence}`;
  const hostDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const volumes: Record<string, string> = {};
  for (const volume of pod.volumes ?? []) {
    const dir = join(hostDir, volume.name);
    mkdirSync(dir);
    if (volume.emptyDir) {
      // The kubelet makes an emptyDir world-writable; its sizeLimit is an eviction threshold.
      chmodSync(dir, 0o777);
    } else if (volume.secret || volume.configMap) {
      const source = volume.secret ?? volume.configMap;
      const data = volume.secret ? opts.secrets?.[source.secretName] : undefined;
      if (volume.configMap)
        throw new Error(`configMap volume ${volume.name}: give the test its contents first`);
      if (!data)
        throw new Error(`the pod mounts Secret ${source.secretName}; give its contents in opts.secrets`);
      const mode = (source.defaultMode as number | undefined) ?? 0o644;
      const items =
        (source.items as { key: string; path: string }[] | undefined) ??
        Object.keys(data).map((key) => ({ key, path: key }));
      for (const item of items) {
        const file = join(dir, item.path);
        writeFileSync(file, data[item.key] ?? '');
        chmodSync(file, mode);
        // Volumes belong to the pod's fsGroup, so its user reads a 0440 file through the group.
        if (fsGroup !== undefined) chownSync(file, 0, fsGroup);
      }
      chmodSync(dir, 0o755);
    } else {
      throw new Error(`volume ${volume.name}: only emptyDir and secret volumes are translated`);
    }
    volumes[volume.name] = dir;
  }
  // The kubeconfig, readable by the pod's group only, as a projected token would be.
  const kubeconfig = join(hostDir, 'kubeconfig');
  writeFileSync(kubeconfig, readFileSync(opts.kubeconfigPath));
  chmodSync(kubeconfig, 0o440);
  if (fsGroup !== undefined) chownSync(kubeconfig, 0, fsGroup);
  chmodSync(hostDir, 0o755);

  const limits = readFileSync('/proc/self/limits', 'utf8');
  const run = podmanRunFor({
    deployment,
    name,
    env: {
      ...opts.env,
      KUBECONFIG: KUBECONFIG_IN_CONTAINER,
      HEALTH_ADDRESS: '127.0.0.1',
      HEALTH_PORT: '0',
      ...opts.overrides,
    },
    volumes,
    extraMounts: [{ hostPath: kubeconfig, containerPath: KUBECONFIG_IN_CONTAINER, readOnly: true }],
    // podman starts conmon, the container's parent, with RLIMIT_NPROC 32768 (its default) and
    // this process's RLIMIT_NOFILE; a container may not ask for more than its parent has.
    ulimits: {
      nofile: hardLimit(limits, 'Max open files'),
      nproc: Math.min(hardLimit(limits, 'Max processes'), PODMAN_NPROC),
    },
  });
  const image = opts.image ?? run.image;
  const child: ChildProcess = spawn(
    'podman',
    [
      'run',
      '--runtime',
      'runc',
      '--network',
      'host',
      // Signals go to the container only through podman stop and podman kill.
      '--sig-proxy=false',
      ...run.args,
      image,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  live.add(name);
  const podman = (args: string[], timeoutMs = 120_000) => runProcess('podman', args, { timeoutMs });
  const operator = superviseOperator(child, async (signal) => {
    // podman stop: SIGTERM, then SIGKILL once the grace period (the chart's
    // terminationGracePeriodSeconds, given as --stop-timeout) has passed, as the kubelet does.
    const result =
      signal === 'SIGTERM'
        ? await podman(['stop', name], (run.stopTimeoutSeconds + 30) * 1000)
        : await podman(['kill', '--signal', 'KILL', name]);
    if (result.code !== 0 && !/no such container|not running|state improper/i.test(result.stderr))
      throw new Error(`podman ${signal === 'SIGTERM' ? 'stop' : 'kill'} ${name}: ${result.stderr}`);
  });
  return {
    ...operator,
    name,
    run,
    exec: (argv) => podman(['exec', name, ...argv], 60_000),
    async inspect() {
      const result = await podman([
        'inspect',
        '--format',
        '{{.State.Pid}} {{.State.ExitCode}} {{.State.Running}} {{.State.CgroupPath}}',
        name,
      ]);
      if (result.code !== 0) throw new Error(`podman inspect ${name}: ${result.stderr}`);
      const [pid, exitCode, running, cgroupPath] = result.stdout.trim().split(' ');
      return {
        pid: Number(pid),
        exitCode: Number(exitCode),
        running: running === 'true',
        cgroupPath: cgroupPath ?? '',
      };
    },
    async remove() {
      await podman(['rm', '--force', '--time', '0', name]);
      await operator.exited;
      live.delete(name);
      rmSync(hostDir, { recursive: true, force: true });
    },
  };
}
