// What every scenario is given: the API server (the benchmark's own client), the simulator,
// the settings, and the pids of kube-apiserver and etcd when the benchmark started them.

import { USERS } from '../test/support/simulator/fixtures/default.ts';
import type { Simulator } from '../test/support/simulator/index.ts';
import { startContainerUnderTest } from './container-under-test.ts';
import { expectStatus, type KubeRest } from './kube-rest.ts';
import { type OperatorUnderTest, startOperatorUnderTest } from './operator-under-test.ts';
import type { PodLimits } from './pod-limits.ts';

export type ScenarioName = 'latency' | 'burst' | 'follow' | 'scale';
export const SCENARIOS: readonly ScenarioName[] = ['latency', 'burst', 'follow', 'scale'];

export interface BenchSettings {
  scenarios: ScenarioName[];
  /** AppCopies created at once in the burst scenario. */
  burstSize: number;
  /** Measured runs of the latency scenario (after `latencyWarmup` unmeasured ones). */
  latencyRuns: number;
  latencyWarmup: number;
  /** AppCopies created at once in the follow scenario, and followed until their copies run. */
  followSize: number;
  /** The operator's FOLLOW_INTERVAL in the follow scenario (the first interval between polls). */
  followInterval: string;
  /** Finished AppCopies present when the operator starts in the scale scenario. */
  scaleSize: number;
  /** How long the scale scenario leaves the operator alone after ready before reading memory, s. */
  settleSeconds: number;
  /** The operator's CONCURRENCY (C). */
  concurrency: number;
  /** Injected latency of every copy call (simulator `latency` fault on route `copy`). */
  copyLatencyMs: number;
  /** Injected latency of every list call (routes `copyPreflight` and `listComponents`). */
  listLatencyMs: number;
  /** Each scenario runs this many times; the report shows medians. */
  repeat: number;
  /** Requests the benchmark itself keeps in flight when creating or seeding AppCopies. */
  clientParallelism: number;
  /**
   * NODE_OPTIONS for the operator process ('' = none); undefined: the Deployment's with
   * `podLimits: 'deploy'`, none otherwise (run.ts resolves it before the scenarios).
   */
  operatorNodeOptions: string | undefined;
  /** 'deploy': run the operator in a cgroup with deploy/base's resources.limits, as in its pod; 'none': no limits. */
  podLimits: 'deploy' | 'none';
  /** 'process': `node dist/main.js`; 'container': the image, with podman, as deploy/base's pod. */
  operator: 'process' | 'container';
  /**
   * 'operator': AppCopies copy through the operator's own console (RAINBOND_URL); 'cluster':
   * through a ClusterRainbondConsole that is their default console (DEFAULT_CONSOLE), so every
   * copy goes through its rules, its connection and its token Secret.
   */
  console: 'operator' | 'cluster';
}

export interface BenchContext {
  /** The checkout whose built operator is measured. */
  operatorRoot: string;
  kube: KubeRest;
  kubeconfigPath: string;
  sim: Simulator;
  settings: BenchSettings;
  /** Where operator CPU profiles and heap snapshots go; absent: not profiled. */
  profileDir: string | undefined;
  /** Where the operators' debug logs go; absent: logs at info, not kept. */
  logDir: string | undefined;
  /** The limits the operator runs under (a cgroup); absent: none. */
  podLimits: PodLimits | undefined;
  /** The image run with `operator: 'container'`. */
  image: string | undefined;
  /** pids of the control plane processes, when known (for their CPU time). */
  controlPlanePids(): { apiServer?: number; etcd?: number };
  log(line: string): void;
}

/** The token the operator uses: alice is a member of every team of the default fixture. */
export const OPERATOR_TOKEN = USERS.alice.token;

/** The Secret and ClusterRainbondConsole of --console cluster, for the AppCopies of `namespace`. */
async function useClusterConsole(
  ctx: BenchContext,
  namespace: string,
): Promise<{ name: string; remove(): Promise<void> }> {
  const name = `bench-${namespace}`;
  const secret = await ctx.kube.request('POST', `/api/v1/namespaces/${namespace}/secrets`, {
    metadata: { name: 'console-token' },
    stringData: { token: OPERATOR_TOKEN },
  });
  expectStatus(secret, [201], 'creating the console token Secret');
  const path = '/apis/openapi.rainbond.io/v1alpha1/clusterrainbondconsoles';
  const made = await ctx.kube.request('POST', path, {
    apiVersion: 'openapi.rainbond.io/v1alpha1',
    kind: 'ClusterRainbondConsole',
    metadata: { name },
    spec: {
      url: ctx.sim.url,
      credentialsSecretRef: { namespace, name: 'console-token' },
      allow: [{ namespaces: { names: [namespace] }, sourceTeams: ['*'], targetTeams: ['*'] }],
    },
  });
  expectStatus(made, [201], 'creating the ClusterRainbondConsole');
  return {
    name,
    async remove() {
      await ctx.kube.request('DELETE', `${path}/${name}`);
    },
  };
}

export async function startOperator(
  ctx: BenchContext,
  namespace: string,
  label: string,
  followTimeout: string,
  env: Record<string, string> = {},
): Promise<OperatorUnderTest> {
  const cluster = ctx.settings.console === 'cluster' ? await useClusterConsole(ctx, namespace) : undefined;
  const operator = await startOperatorIn(ctx, namespace, label, followTimeout, {
    ...env,
    ...(cluster ? { DEFAULT_CONSOLE: `ClusterRainbondConsole/${cluster.name}` } : {}),
  });
  if (!cluster) return operator;
  return {
    ...operator,
    async stop() {
      await operator.stop();
      await cluster.remove();
    },
  };
}

function startOperatorIn(
  ctx: BenchContext,
  namespace: string,
  label: string,
  followTimeout: string,
  env: Record<string, string>,
): Promise<OperatorUnderTest> {
  const options = {
    root: ctx.operatorRoot,
    kubeconfigPath: ctx.kubeconfigPath,
    rainbondUrl: ctx.sim.url,
    token: OPERATOR_TOKEN,
    namespace,
    concurrency: ctx.settings.concurrency,
    followTimeout,
    label,
    env: {
      ...env,
      ...(ctx.settings.operatorNodeOptions ? { NODE_OPTIONS: ctx.settings.operatorNodeOptions } : {}),
    },
    ...(ctx.profileDir ? { profileDir: ctx.profileDir } : {}),
    ...(ctx.logDir ? { logDir: ctx.logDir } : {}),
    ...(ctx.podLimits ? { podLimits: ctx.podLimits } : {}),
  };
  if (ctx.settings.operator === 'container') {
    if (!ctx.image) throw new Error('--operator container: no image was built');
    return startContainerUnderTest({ ...options, image: ctx.image });
  }
  return startOperatorUnderTest(options);
}

/** Waits until the operator's work queue is empty and no worker runs, twice in a row. */
export async function operatorIdle(operator: OperatorUnderTest, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let quiet = 0;
  while (performance.now() < deadline) {
    const samples = await operator.metrics();
    const value = (name: string) => samples.find((s) => s.name === name)?.value ?? 0;
    if (value('workqueue_depth') === 0 && value('controller_runtime_active_workers') === 0) quiet++;
    else quiet = 0;
    if (quiet >= 2) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the operator did not go idle within ${timeoutMs} ms`);
}
