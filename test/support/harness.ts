// One integration-test world: a fresh namespace on the shared control plane, a Rainbond
// simulator of its own, a target app of its own, and helpers to run the operator as a process
// scoped to that namespace. Everything is torn down when the test ends.

import type { KubeConfig } from '@kubernetes/client-node';
import { inject, onTestFinished } from 'vitest';
import { type AppCopySpecInput, appCopies } from './appcopies.ts';
import { createTestNamespace, testKubeConfig } from './kube.ts';
import { type OperatorProcess, startOperatorProcess } from './operator-process.ts';
import { APPS, COMPONENTS, REGION, TEAMS, USERS } from './simulator/fixtures/default.ts';
import {
  type ConsoleReleaseId,
  type Simulator,
  type SimulatorClock,
  startSimulator,
} from './simulator/index.ts';

let nextTargetAppId = 9000;

export interface World {
  kc: KubeConfig;
  kubeconfigPath: string;
  namespace: string;
  sim: Simulator;
  appcopies: ReturnType<typeof appCopies>;
  /** A fresh, empty target app in team staging. */
  targetAppId: number;
  /** A spec copying web+api of shop-online into this world's target app. */
  spec(overrides?: Partial<AppCopySpecInput>): AppCopySpecInput;
  /** Adds another empty target app in team staging and returns its id. */
  newTargetApp(): number;
  /** Starts the operator process watching only this namespace; stopped when the test ends. */
  operator(env?: Record<string, string>): Promise<OperatorProcess>;
}

export async function createWorld(
  opts: {
    statusTimings?: { buildMs: number; startMs: number };
    clock?: SimulatorClock;
    /** The console release the simulator plays (simulator/releases.ts); default 6.9. */
    release?: ConsoleReleaseId;
  } = {},
): Promise<World> {
  const kc = testKubeConfig();
  const kubeconfigPath = inject('kubeconfigPath');
  const namespace = await createTestNamespace(kc, 'ac');
  const sim = await startSimulator({
    ...(opts.statusTimings ? { statusTimings: opts.statusTimings } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.release ? { release: opts.release } : {}),
  });
  const processes: OperatorProcess[] = [];
  onTestFinished(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await sim.stop();
  });

  function newTargetApp(): number {
    const id = nextTargetAppId++;
    sim.state.addApp({ ID: id, team: TEAMS.staging.tenantName, region: REGION, group_name: `target-${id}` });
    return id;
  }
  const targetAppId = newTargetApp();

  return {
    kc,
    kubeconfigPath,
    namespace,
    sim,
    appcopies: appCopies(kc),
    targetAppId,
    newTargetApp,
    spec(overrides = {}) {
      return {
        source: { teamId: TEAMS.shop.tenantName, regionName: REGION, appId: APPS.shopOnline },
        target: { teamName: TEAMS.staging.tenantName, regionName: REGION, appId: targetAppId },
        services: [{ serviceId: COMPONENTS.web.serviceId }, { serviceId: COMPONENTS.api.serviceId }],
        ...overrides,
      };
    },
    async operator(env = {}) {
      const p = startOperatorProcess({
        kubeconfigPath,
        rainbondUrl: sim.url,
        env: {
          WATCH_NAMESPACES: namespace,
          RAINBOND_TOKEN: USERS.alice.token,
          // Short copy timeout and settle period keep the verification waits of the tests brief.
          RAINBOND_COPY_TIMEOUT: '5s',
          VERIFY_SETTLE_PERIOD: '6s',
          ...env,
        },
      });
      processes.push(p);
      await p.started;
      return p;
    },
  };
}
