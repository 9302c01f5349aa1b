// burst: N AppCopies created at once (3 components each, each into its own target app), the
// operator already running and idle. Wall time from the first create to the last Succeeded seen
// by the watch, against the floor N x copy latency / C. The same run gives the efficiency
// figures: what the API server counted, what the simulator's ledger recorded, per AppCopy.
//
// Following is off (FOLLOW_TIMEOUT=0s): the status-write target is about the copy itself
// (intent + outcome); following writes later, as the copies build, and is not part of a burst.
import { availableParallelism } from 'node:os';
import { GROUP, VERSION } from '../src/api/appcopy.ts';
import type { LedgerCall } from '../test/support/simulator/index.ts';
import { operatorRequests, scrapeApiServer, statusWrites, total } from './apiserver-requests.ts';
import { type AppCopyWatch, watchAppCopies } from './appcopy-watch.ts';
import { type BenchContext, operatorIdle, startOperator } from './context.ts';
import { cpuMeter } from './process-stats.ts';
import { sumOf } from './prometheus-text.ts';
import { median, percentile, round } from './stats.ts';
import { addTargetApps, createAppCopies, createNamespace } from './workload.ts';

export interface BurstResult {
  appcopies: number;
  concurrency: number;
  succeeded: number;
  failed: number;
  /** How long creating all N took (the operator starts on the first ones meanwhile), s. */
  createSeconds: number;
  /** First create -> last Succeeded seen, s. */
  wallSeconds: number;
  copiesPerSecond: number;
  /** N x copy latency / C, s. */
  floorSeconds: number;
  /** wallSeconds / floorSeconds: the headline figure. */
  ratioToFloor: number;
  /** Median time from the first create to an AppCopy's Succeeded, s (how the backlog drains). */
  medianDoneSeconds: number;
  /** CPU seconds used during the burst, per process. */
  cpuSeconds: Record<string, number>;
  /**
   * The CPU time of every process involved (operator, kube-apiserver, etcd, the benchmark with
   * the simulator) spread over all cores, s: no burst can be faster on this machine, whatever
   * the concurrency. Only when the benchmark started the control plane (it knows the pids).
   */
  cpuBoundSeconds?: number;
  operatorPeakRssMB: number;
  /** The peak usage of the operator's own cgroup (cgroup v1's max_usage_in_bytes), MB; absent without one. */
  operatorCgroupPeakMB?: number;
  /** Log lines at warn or above during the run (a clean burst has none). */
  operatorWarnings: number;
  /**
   * Where an AppCopy's time goes, medians (p90) in ms: created (seen by the watch) -> its target
   * listed (a worker took it: GET, pre-flight, then this call arrived); listed -> copy call
   * arrived (the list's latency and the intent write); copy call -> Succeeded seen (the copy's
   * latency, the outcome write, the watch).
   */
  phasesMs: Record<
    'createdToListed' | 'listedToCopySent' | 'copySentToSucceeded',
    { p50: number; p90: number }
  >;
  efficiency: EfficiencyResult;
}

export interface EfficiencyResult {
  /** Requests on appcopies, appcopies/status, events, secrets by the operator, per AppCopy. */
  apiRequestsPerAppCopy: number;
  /** The same by `VERB resource`, per AppCopy. */
  apiRequestsByKind: Record<string, number>;
  statusWritesPerAppCopy: number;
  /** MODIFIED events the benchmark's watch saw per AppCopy (each is one write). */
  watchModificationsPerAppCopy: number;
  copyCallsPerAppCopy: number;
  /** Target apps that received more or fewer than exactly one copy (must be 0). */
  targetsNotCopiedExactlyOnce: number;
  /** Every console call per AppCopy by route. */
  consoleCallsPerAppCopy: Record<string, number>;
  /** Reconciles per AppCopy by result (controller_runtime_reconcile_total). */
  reconcilesPerAppCopy: Record<string, number>;
  /** Worker time per AppCopy, ms (controller_runtime_reconcile_time_seconds_sum). */
  workerMsPerAppCopy: number;
  /**
   * Worker time over C x wall time: how busy the C workers were. Above 1 when work is left
   * after the last Succeeded (reconciles queued by the copies' own writes).
   */
  workerUtilisation: number;
}

export async function runBurst(ctx: BenchContext, repeatIndex: number): Promise<BurstResult> {
  const { kube, sim, settings } = ctx;
  const n = settings.burstSize;
  const namespace = await createNamespace(kube, 'bench-burst');
  const targets = addTargetApps(sim, n);
  const operator = await startOperator(ctx, namespace, `burst-${repeatIndex}`, '0s');
  try {
    await operator.ready();
    const watch = await watchAppCopies(kube, namespace, GROUP, VERSION);
    // One copy first, not measured: "already running" means its watch delivers and its
    // connections are open (the very first watch on a new CRD can take ~2 s to deliver).
    const [warmTarget] = addTargetApps(sim, 1);
    const warm = await createAppCopies(kube, namespace, 'warm-up', [warmTarget as number], 1);
    await watch.settled(warm, 60_000);
    await operatorIdle(operator);
    const apiBefore = await scrapeApiServer(kube);
    const watchesEndedBefore = watch.ended();
    const opBefore = await operator.metrics();
    const firstCall = sim.ledger.calls.length;
    const cpu = cpuMeter({ operator: operator.pid, ...ctx.controlPlanePids(), bench: process.pid });

    const started = performance.now();
    const names = await createAppCopies(kube, namespace, 'burst', targets, settings.clientParallelism);
    const created = performance.now();
    await watch.settled(names, Math.max(120_000, n * 200));
    const doneAt = names.map((name) => {
      const o = watch.get(name);
      return o?.succeededAt ?? o?.failedAt ?? created;
    });
    const finished = Math.max(...doneAt);
    const cpuSeconds = cpu.read();
    await operatorIdle(operator);

    const apiAfter = await scrapeApiServer(kube);
    const opAfter = await operator.metrics();
    const requests = operatorRequests(apiBefore, apiAfter, {
      'POST appcopies': n,
      'WATCH appcopies': watch.ended() - watchesEndedBefore,
    });
    const calls = sim.ledger.calls.slice(firstCall);
    const byRoute: Record<string, number> = {};
    for (const call of calls) byRoute[call.route ?? 'unknown'] = (byRoute[call.route ?? 'unknown'] ?? 0) + 1;
    const notOnce = targets.filter((id) => sim.ledger.copiesInto(id).length !== 1).length;
    const reconciles: Record<string, number> = {};
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) {
      const count =
        sumOf(opAfter, 'controller_runtime_reconcile_total', { result }) -
        sumOf(opBefore, 'controller_runtime_reconcile_total', { result });
      if (count > 0) reconciles[result] = round(count / n, 2);
    }
    const phasesMs = phasesOf(
      names,
      targets,
      watch,
      calls,
      Date.now() - performance.now(),
      (id) => sim.ledger.copiesInto(id)[0]?.callId,
    );
    const workerSeconds =
      sumOf(opAfter, 'controller_runtime_reconcile_time_seconds_sum') -
      sumOf(opBefore, 'controller_runtime_reconcile_time_seconds_sum');
    const succeeded = names.filter((name) => watch.get(name)?.succeededAt !== undefined).length;
    const floorSeconds = (n * settings.copyLatencyMs) / settings.concurrency / 1000;
    const wallSeconds = (finished - started) / 1000;
    const perAppCopy = (value: number) => round(value / n, 2);
    const result: BurstResult = {
      appcopies: n,
      concurrency: settings.concurrency,
      succeeded,
      failed: n - succeeded,
      createSeconds: round((created - started) / 1000, 2),
      wallSeconds: round(wallSeconds, 2),
      copiesPerSecond: round(n / wallSeconds, 1),
      floorSeconds: round(floorSeconds, 2),
      ratioToFloor: round(wallSeconds / floorSeconds, 2),
      medianDoneSeconds: round(median(doneAt.map((t) => (t - started) / 1000)), 2),
      cpuSeconds,
      ...(cpuSeconds.apiServer !== undefined
        ? {
            cpuBoundSeconds: round(
              Object.entries(cpuSeconds)
                .filter(([name]) => name !== 'others')
                .reduce((sum, [, seconds]) => sum + seconds, 0) / availableParallelism(),
              2,
            ),
          }
        : {}),
      operatorPeakRssMB: round(operator.memory().peakRssBytes / 2 ** 20, 1),
      ...cgroupPeak(operator.cgroupMemory()?.peakBytes),
      operatorWarnings: operator.problems.length,
      phasesMs,
      efficiency: {
        apiRequestsPerAppCopy: perAppCopy(total(requests)),
        apiRequestsByKind: Object.fromEntries(
          Object.entries(requests)
            .map(([k, v]) => [k, perAppCopy(v)] as const)
            .filter(([, v]) => v > 0),
        ),
        statusWritesPerAppCopy: perAppCopy(statusWrites(requests)),
        watchModificationsPerAppCopy: perAppCopy(watch.modifications(names)),
        copyCallsPerAppCopy: perAppCopy(byRoute.copy ?? 0),
        targetsNotCopiedExactlyOnce: notOnce,
        consoleCallsPerAppCopy: Object.fromEntries(
          Object.entries(byRoute).map(([k, v]) => [k, perAppCopy(v)]),
        ),
        reconcilesPerAppCopy: reconciles,
        workerMsPerAppCopy: round((1000 * workerSeconds) / n, 1),
        workerUtilisation: round(workerSeconds / (settings.concurrency * wallSeconds), 2),
      },
    };
    await watch.stop();
    return result;
  } finally {
    await operator.stop();
  }
}

/** See BurstResult.phasesMs. Ledger times are epoch ms; `epochOffset` turns them into performance.now(). */
function phasesOf(
  names: readonly string[],
  targets: readonly number[],
  watch: AppCopyWatch,
  calls: readonly LedgerCall[],
  epochOffset: number,
  copyCallOf: (targetAppId: number) => number | undefined,
): BurstResult['phasesMs'] {
  const listedAt = new Map<number, number>();
  const callTime = new Map<number, number>();
  for (const call of calls) {
    callTime.set(call.id, call.time - epochOffset);
    const target = /\/apps\/(\d+)\/services(\?|$)/.exec(call.path);
    if (call.route === 'listComponents' && target) {
      const id = Number(target[1]);
      if (!listedAt.has(id)) listedAt.set(id, call.time - epochOffset);
    }
  }
  const phases = {
    createdToListed: [] as number[],
    listedToCopySent: [] as number[],
    copySentToSucceeded: [] as number[],
  };
  names.forEach((name, i) => {
    const seen = watch.get(name);
    const target = targets[i] as number;
    const listed = listedAt.get(target);
    const copyCall = copyCallOf(target);
    const copySent = copyCall === undefined ? undefined : callTime.get(copyCall);
    if (!seen || listed === undefined || copySent === undefined || seen.succeededAt === undefined) return;
    phases.createdToListed.push(listed - seen.addedAt);
    phases.listedToCopySent.push(copySent - listed);
    phases.copySentToSucceeded.push(seen.succeededAt - copySent);
  });
  const summary = (values: number[]) => ({
    p50: round(median(values), 1),
    p90: round(percentile(values, 90), 1),
  });
  return {
    createdToListed: summary(phases.createdToListed),
    listedToCopySent: summary(phases.listedToCopySent),
    copySentToSucceeded: summary(phases.copySentToSucceeded),
  };
}

function cgroupPeak(bytes: number | undefined): { operatorCgroupPeakMB?: number } {
  return bytes === undefined || Number.isNaN(bytes)
    ? {}
    : { operatorCgroupPeakMB: round(bytes / 2 ** 20, 1) };
}
