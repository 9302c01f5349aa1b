// The chaos run: N AppCopies copied by the operator (a real process) against a control plane of
// its own and the console simulator, while the simulator fails a share of the copy calls (5xx
// before and after the effect, timeouts and resets after the effect, resets before it, partial
// copies), the operator is SIGKILLed at random moments and restarted, and the API server is
// restarted once. The invariants are then checked from the simulator's ledger and state and
// from the API server. Used by chaos.test.ts (CI size) and scripts/chaos.ts (large manual runs).
//
// A seed drives everything random: the simulator's fault draws and this run's schedule (batch
// sizes, kill moments, restart delays, the API server restart). Timing still differs between
// runs, so a replay meets the same kinds of trouble at the same rates, not byte-identical calls.

import { fileURLToPath } from 'node:url';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { AppCopy } from '../../../src/api/appcopy.ts';
import { type AppCopySpecInput, appCopies } from '../../support/appcopies.ts';
import { applyManifestFile } from '../../support/control-plane/apply-manifests.ts';
import { type ControlPlane, startControlPlane } from '../../support/control-plane/control-plane.ts';
import { EventuallyTimeoutError, eventually } from '../../support/eventually.ts';
import { type OperatorProcess, startOperatorProcess } from '../../support/operator-process.ts';
import { APPS, COMPONENTS, REGION, TEAMS, USERS } from '../../support/simulator/fixtures/default.ts';
import { type FaultSpec, type Simulator, startSimulator } from '../../support/simulator/index.ts';
import { createPrng, type Prng } from '../../support/simulator/prng.ts';

const CRD = fileURLToPath(new URL('../../../crds/appcopies.openapi.rainbond.io.yaml', import.meta.url));

export interface ChaosOptions {
  appCopies: number;
  kills: number;
  seed: number;
  /** How long the AppCopies may take to settle after the last disturbance. */
  convergeTimeoutMs: number;
  log: (line: string) => void;
  /** Extra operator settings (e.g. CONCURRENCY). */
  operatorEnv?: Record<string, string>;
}

/** The kinds of trouble on the copy call that every run must meet at least once. */
export const COPY_FAULT_KINDS = [
  'error-before-effect',
  'error-after-effect',
  'timeout-after-effect',
  'reset-after-effect',
  'reset-before-effect',
  'partial-effect-unknown-version',
] as const;

/**
 * The faults on the copy call, in the order the simulator tries them; each has its own chance.
 * Together about 25% of copy calls meet one (1 - 0.96^7), comfortably above the 10% required.
 * In front, each kind once with a high chance, so that even a small run meets every kind early.
 */
export const COPY_FAULTS: FaultSpec[] = [
  // Slow copies, so that kills land while copies are in flight.
  { route: 'copy', kind: 'latency', ms: 300, probability: 0.5 },
  { route: 'copy', kind: 'latency', ms: 1500, probability: 0.2 },
  { route: 'copy', kind: 'error-before-effect', status: 503, probability: 0.15, times: 1 },
  { route: 'copy', kind: 'error-after-effect', status: 500, probability: 0.15, times: 1 },
  { route: 'copy', kind: 'timeout-after-effect', probability: 0.15, times: 1 },
  { route: 'copy', kind: 'reset-after-effect', probability: 0.15, times: 1 },
  { route: 'copy', kind: 'reset-before-effect', probability: 0.15, times: 1 },
  { route: 'copy', kind: 'partial-effect-unknown-version', created: 1, probability: 0.15, times: 1 },
  { route: 'copy', kind: 'error-before-effect', status: 503, probability: 0.04 },
  { route: 'copy', kind: 'error-after-effect', status: 500, probability: 0.04 },
  { route: 'copy', kind: 'error-after-effect', status: 502, probability: 0.04 },
  { route: 'copy', kind: 'timeout-after-effect', probability: 0.04 },
  { route: 'copy', kind: 'reset-after-effect', probability: 0.04 },
  { route: 'copy', kind: 'reset-before-effect', probability: 0.04 },
  { route: 'copy', kind: 'partial-effect-unknown-version', created: 1, probability: 0.04 },
];
/** Faults on the reads around the copy (pre-flight, the target listing that verification uses). */
export const READ_FAULTS: FaultSpec[] = [
  { route: 'copyPreflight', kind: 'error-before-effect', status: 502, probability: 0.03 },
  { route: 'listComponents', kind: 'error-before-effect', status: 500, probability: 0.03 },
  { route: 'listComponents', kind: 'reset-before-effect', probability: 0.02 },
];

export interface ChaosReport {
  seed: number;
  appCopies: number;
  kills: number;
  unexpectedOperatorExits: number;
  apiServerRestart: { signal: 'SIGTERM' | 'SIGKILL'; downMs: number };
  copyCalls: number;
  copyCallsFaulted: number;
  faultsByKind: Record<string, number>;
  /** AppCopies whose copy was sent more than once (each resend only after "nothing was copied"). */
  resent: number;
  succeeded: number;
  adopted: number;
  partialCopies: number;
  duplicates: number;
  lost: number;
  orphanComponents: number;
  stuck: number;
  /** From the first AppCopy created to all settled. */
  totalMs: number;
  /** From the last disturbance (last kill, restart or creation) to all settled. */
  convergeMs: number;
  violations: string[];
}

interface Item {
  name: string;
  targetAppId: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (prng: Prng, min: number, max: number) => Math.floor(min + prng() * (max - min));

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const { log } = opts;
  // The schedule's own stream, independent of the simulator's fault draws.
  const prng = createPrng(opts.seed ^ 0x5eed5eed);
  log(`chaos seed ${opts.seed}: ${opts.appCopies} AppCopies, ${opts.kills} kills, one API server restart`);

  const controlPlane = await startControlPlane({ log: (line) => log(`[control plane] ${line}`) });
  let sim: Simulator | undefined;
  const operators: OperatorProcess[] = [];
  try {
    const kc = controlPlane.kubeConfig();
    await applyManifestFile(kc, CRD);
    const namespace = `chaos-${opts.seed.toString(36)}`;
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });

    sim = await startSimulator({
      faultSeed: opts.seed,
      statusTimings: { buildMs: 1000, startMs: 2000 },
    });
    const items: Item[] = Array.from({ length: opts.appCopies }, (_, i) => {
      const targetAppId = 100_000 + i;
      sim!.state.addApp({
        ID: targetAppId,
        team: TEAMS.staging.tenantName,
        region: REGION,
        group_name: `chaos-${i}`,
      });
      return { name: `chaos-${String(i).padStart(4, '0')}`, targetAppId };
    });
    for (const fault of [...COPY_FAULTS, ...READ_FAULTS]) sim.faults.add(fault);

    const run = await disturb({ opts, prng, kc, controlPlane, sim, namespace, items, operators, log });
    const settled = await waitSettled(kc, namespace, items.length, opts.convergeTimeoutMs, log);
    const settledAt = Date.now();
    // Stop politely: in-flight work ends and nothing more is sent while the ledger is read.
    await operators.at(-1)?.stop();
    return judge({
      opts,
      sim,
      items,
      objects: settled.objects,
      stuck: settled.stuck,
      run,
      totalMs: settledAt - run.startedAt,
      convergeMs: settledAt - run.lastDisturbanceAt,
    });
  } finally {
    await Promise.all(operators.map((p) => p.kill()));
    await sim?.stop();
    await controlPlane.stop();
  }
}

interface RunFacts {
  startedAt: number;
  lastDisturbanceAt: number;
  kills: number;
  unexpectedExits: number;
  apiServerRestart: { signal: 'SIGTERM' | 'SIGKILL'; downMs: number };
}

/** Creates the AppCopies in batches, with a kill (and once an API server restart) between batches. */
async function disturb(ctx: {
  opts: ChaosOptions;
  prng: Prng;
  kc: KubeConfig;
  controlPlane: ControlPlane;
  sim: Simulator;
  namespace: string;
  items: Item[];
  operators: OperatorProcess[];
  log: (line: string) => void;
}): Promise<RunFacts> {
  const { opts, prng, kc, controlPlane, sim, namespace, items, operators, log } = ctx;
  const api = appCopies(kc);
  let unexpectedExits = 0;
  let killing = false;

  const startOperator = async (): Promise<void> => {
    const p = startOperatorProcess({
      kubeconfigPath: controlPlane.kubeconfigPath,
      rainbondUrl: sim.url,
      env: {
        WATCH_NAMESPACES: namespace,
        RAINBOND_TOKEN: USERS.alice.token,
        RAINBOND_COPY_TIMEOUT: '2s',
        VERIFY_SETTLE_PERIOD: '3s',
        LOG_LEVEL: 'info',
        ...opts.operatorEnv,
      },
    });
    operators.push(p);
    void p.exited.then(({ code, signal }) => {
      if (killing || signal === 'SIGKILL' || operators.at(-1) !== p) return;
      if (code === 0 && signal === null) return; // stopped by us at the end
      unexpectedExits += 1;
      log(`operator exited on its own (code ${code}, signal ${signal}):\n${p.output().slice(-2000)}`);
    });
    await p.started;
  };

  const spec = (item: Item): AppCopySpecInput => ({
    source: { teamId: TEAMS.shop.tenantName, regionName: REGION, appId: APPS.shopOnline },
    target: { teamName: TEAMS.staging.tenantName, regionName: REGION, appId: item.targetAppId },
    services: [{ serviceId: COMPONENTS.web.serviceId }, { serviceId: COMPONENTS.api.serviceId }],
  });
  /** Creates one AppCopy, retrying through API server trouble (an answer lost after the create is a 409). */
  const create = async (item: Item): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await api.create(namespace, item.name, spec(item));
        return;
      } catch (error) {
        if ((error as { code?: number }).code === 409) return;
        if (attempt >= 60) throw error;
        await sleep(500);
      }
    }
  };
  const createAll = async (batch: Item[]): Promise<void> => {
    const queue = [...batch];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let item = queue.shift(); item; item = queue.shift()) await create(item);
      }),
    );
  };

  const batches = opts.kills + 1;
  const restartAfterBatch = between(prng, 1, Math.max(2, opts.kills));
  const restartSignal: 'SIGTERM' | 'SIGKILL' = prng() < 0.5 ? 'SIGTERM' : 'SIGKILL';
  let apiServerRestart = { signal: restartSignal, downMs: 0 };
  let kills = 0;
  const startedAt = Date.now();
  let lastDisturbanceAt = startedAt;

  await startOperator();
  for (let b = 0; b < batches; b++) {
    const batch = items.slice(
      Math.floor((b * items.length) / batches),
      Math.floor(((b + 1) * items.length) / batches),
    );
    await createAll(batch);
    log(`batch ${b + 1}/${batches}: ${batch.length} AppCopies created`);
    lastDisturbanceAt = Date.now();
    if (b === restartAfterBatch) {
      await sleep(between(prng, 200, 2000));
      const t0 = Date.now();
      await controlPlane.restartApiServer({ signal: restartSignal });
      apiServerRestart = { signal: restartSignal, downMs: Date.now() - t0 };
      log(`API server restarted (${restartSignal}), down ${apiServerRestart.downMs} ms`);
      lastDisturbanceAt = Date.now();
    }
    if (b < opts.kills) {
      // A random moment while this batch is being copied.
      await sleep(between(prng, 0, 2500));
      // Sent within the copy timeout (plus the latency faults) and not answered yet.
      const inFlight = sim.ledger
        .callsTo('copy')
        .filter((c) => c.method === 'POST' && c.status === null && Date.now() - c.time < 4000).length;
      killing = true;
      await operators.at(-1)!.kill();
      killing = false;
      kills += 1;
      log(
        `kill ${kills}/${opts.kills}: operator SIGKILLed with ${inFlight} copy call(s) in flight (${sim.ledger.copies.length} copies so far)`,
      );
      await sleep(between(prng, 0, 1500));
      await startOperator();
      lastDisturbanceAt = Date.now();
    }
  }
  return { startedAt, lastDisturbanceAt, kills, unexpectedExits, apiServerRestart };
}

async function waitSettled(
  kc: KubeConfig,
  namespace: string,
  expected: number,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<{ objects: AppCopy[]; stuck: AppCopy[] }> {
  const api = appCopies(kc);
  let objects: AppCopy[] = [];
  let lastReport = 0;
  try {
    await eventually(
      async () => {
        // A list that fails (the API server may still be coming back) keeps the last one seen.
        objects = await api.list(namespace).catch(() => objects);
        const unsettled = objects.filter((o) => !isSettled(o));
        if (objects.length === expected && unsettled.length === 0) return true;
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          log(`waiting: ${unsettled.length} of ${objects.length} AppCopies not settled yet`);
        }
        return false;
      },
      { what: `${expected} AppCopies to settle`, timeoutMs, intervalMs: 1000 },
    );
  } catch (error) {
    // Not settled in time: the report counts what is stuck.
    if (!(error instanceof EventuallyTimeoutError)) throw error;
    return { objects, stuck: objects.filter((o) => !isSettled(o)) };
  }
  return { objects, stuck: [] };
}

function isSettled(o: AppCopy): boolean {
  const phase = o.status?.phase;
  return (
    (phase === 'Succeeded' || phase === 'Failed') && o.status?.observedGeneration === o.metadata.generation
  );
}

function readyOf(o: AppCopy) {
  return o.status?.conditions?.find((c) => c.type === 'Ready');
}

/** Checks every invariant from the ledger, the simulator's state and the stored AppCopies. */
function judge(ctx: {
  opts: ChaosOptions;
  sim: Simulator;
  items: Item[];
  objects: AppCopy[];
  stuck: AppCopy[];
  run: RunFacts;
  totalMs: number;
  convergeMs: number;
}): ChaosReport {
  const { sim, items, objects, run } = ctx;
  const violations: string[] = [];
  const byName = new Map(objects.map((o) => [o.metadata.name, o]));
  let duplicates = 0;
  let lost = 0;
  let orphanComponents = 0;
  let partialCopies = 0;
  let succeeded = 0;
  let adopted = 0;
  let resent = 0;

  for (const item of items) {
    const o = byName.get(item.name);
    const copies = sim.ledger.copiesInto(item.targetAppId);
    const ready = o ? readyOf(o) : undefined;
    if (copies.length > 1) {
      duplicates += copies.length - 1;
      violations.push(
        `${item.name}: copied ${copies.length} times (calls ${copies.map((c) => c.callId).join(', ')})`,
      );
    }
    if (copies.length === 0) {
      lost += 1;
      violations.push(
        `${item.name}: never copied (phase ${o?.status?.phase}, ${ready?.reason}: ${ready?.message})`,
      );
    }
    if (!o) {
      violations.push(`${item.name}: missing from the API server`);
      continue;
    }
    if ((o.status?.attempt?.number ?? 0) > 1) resent += 1;
    const wasPartial = copies.some((c) => c.partial);
    if (wasPartial) partialCopies += 1;
    if (o.status?.phase === 'Succeeded') {
      succeeded += 1;
      if (ready?.reason === 'Adopted') adopted += 1;
      if (ready?.status !== 'True') violations.push(`${item.name}: Succeeded but Ready is ${ready?.status}`);
      if (wasPartial) violations.push(`${item.name}: Succeeded although the console made a partial copy`);
    } else if (o.status?.phase === 'Failed') {
      if (ready?.reason !== 'PartialCopy' || !wasPartial) {
        violations.push(
          `${item.name}: Failed with ${ready?.reason} (${ready?.message}); the console made ${wasPartial ? 'a partial' : 'no partial'} copy`,
        );
      }
    }
    // Every component in the target app is named by the status, and the status names nothing else.
    const inTarget = sim.state
      .componentsOf(item.targetAppId)
      .map((c) => c.service_id)
      .sort();
    const named = (o.status?.services ?? []).map((s) => s.serviceId).sort();
    const orphans = inTarget.filter((id) => !named.includes(id));
    orphanComponents += orphans.length;
    if (orphans.length > 0 || named.some((id) => !inTarget.includes(id))) {
      violations.push(
        `${item.name}: target app holds [${inTarget.join(', ')}] but status names [${named.join(', ')}]`,
      );
    }
  }
  const targets = new Set(items.map((i) => i.targetAppId));
  for (const copy of sim.ledger.copies) {
    if (!targets.has(copy.targetAppId))
      violations.push(`a copy into app ${copy.targetAppId}, which no AppCopy names`);
  }
  for (const o of ctx.stuck) {
    const ready = readyOf(o);
    violations.push(
      `${o.metadata.name}: stuck in ${o.status?.phase ?? 'no phase'} (${ready?.reason}: ${ready?.message})`,
    );
  }
  if (run.unexpectedExits > 0)
    violations.push(`the operator exited on its own ${run.unexpectedExits} time(s)`);

  const copyCalls = sim.ledger.callsTo('copy').filter((c) => c.method === 'POST');
  const faultsByKind: Record<string, number> = {};
  for (const call of copyCalls) {
    if (call.fault && call.fault !== 'latency')
      faultsByKind[call.fault] = (faultsByKind[call.fault] ?? 0) + 1;
  }
  const copyCallsFaulted = Object.values(faultsByKind).reduce((a, b) => a + b, 0);
  return {
    seed: ctx.opts.seed,
    appCopies: items.length,
    kills: run.kills,
    unexpectedOperatorExits: run.unexpectedExits,
    apiServerRestart: run.apiServerRestart,
    copyCalls: copyCalls.length,
    copyCallsFaulted,
    faultsByKind,
    resent,
    succeeded,
    adopted,
    partialCopies,
    duplicates,
    lost,
    orphanComponents,
    stuck: ctx.stuck.length,
    totalMs: ctx.totalMs,
    convergeMs: ctx.convergeMs,
    violations,
  };
}

/** The report as the lines printed after a run (and pasted into docs/reliability.md). */
export function formatReport(r: ChaosReport): string {
  const pct = r.copyCalls === 0 ? 0 : (100 * r.copyCallsFaulted) / r.copyCalls;
  const kinds = Object.entries(r.faultsByKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `seed ${r.seed}: ${r.appCopies} AppCopies, ${r.kills} SIGKILLs, API server restart (${r.apiServerRestart.signal}, down ${r.apiServerRestart.downMs} ms)`,
    `copy calls attempted: ${r.copyCalls}; faulted: ${r.copyCallsFaulted} (${pct.toFixed(1)}%): ${kinds}`,
    `outcome: ${r.succeeded} Succeeded (${r.adopted} adopted after an unknown outcome), ${r.partialCopies} Failed/PartialCopy, ${r.resent} sent again after "nothing was copied"`,
    `duplicates: ${r.duplicates}; lost: ${r.lost}; orphan components: ${r.orphanComponents}; stuck: ${r.stuck}; unexpected operator exits: ${r.unexpectedOperatorExits}`,
    `time: ${(r.totalMs / 1000).toFixed(1)} s in all; converged ${(r.convergeMs / 1000).toFixed(1)} s after the last disturbance`,
    r.violations.length === 0
      ? 'invariants: all hold'
      : `VIOLATIONS (${r.violations.length}):\n  ${r.violations.join('\n  ')}`,
  ].join('\n');
}
