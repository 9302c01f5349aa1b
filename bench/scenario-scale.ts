// scale: N AppCopies already copied and followed to the end, then the operator starts (as after
// a restart or an upgrade). Start -> ready (/readyz: the cache is filled), resident memory once
// settled, and what the start cost: Rainbond calls and status writes must both be 0. Seeded
// once; with --repeat the operator is restarted against the same N.
//
// The operator runs with its default FOLLOW_TIMEOUT here: finished AppCopies must stay
// untouched even when following is on.
import { GROUP, VERSION } from '../src/api/appcopy.ts';
import { operatorRequests, scrapeApiServer, statusWrites } from './apiserver-requests.ts';
import { watchAppCopies } from './appcopy-watch.ts';
import { type BenchContext, startOperator } from './context.ts';
import { sumOf } from './prometheus-text.ts';
import { round } from './stats.ts';
import { createNamespace, seedFinishedAppCopies } from './workload.ts';

export interface ScaleResult {
  appcopies: number;
  /** Operator process spawned -> first /readyz 200, ms. */
  startToReadyMs: number;
  /** VmRSS once settled (settleSeconds after ready), MB. */
  rssMB: number;
  /** VmRSS 5 s after ready, MB (before V8's idle-time memory reducer has run). */
  rssAfter5sMB: number;
  /** VmRSS every second from ready to settled, MB. */
  rssTimelineMB: number[];
  /** VmHWM: the highest RSS during start, MB. */
  peakRssMB: number;
  /**
   * The operator's own cgroup once settled (the pod's limits, or the container's), MB: its
   * usage, and the working set (usage less inactive file pages), what `kubectl top` shows.
   * Absent without a cgroup (--pod-limits none).
   */
  cgroupUsageMB?: number;
  cgroupWorkingSetMB?: number;
  /** Its anonymous memory (heap, stacks), MB: the part no other process's reads can move. */
  cgroupAnonMB?: number;
  /** V8 heap in use once settled (nodejs_heap_size_used_bytes), MB. */
  heapUsedMB: number;
  /** V8 heap reserved once settled (nodejs_heap_size_total_bytes), MB. */
  heapTotalMB: number;
  /** Memory of ArrayBuffers/Buffers outside the V8 heap (nodejs_external_memory_bytes), MB. */
  externalMB: number;
  /** Calls the simulator's ledger recorded from spawn to settled. */
  consoleCalls: number;
  /** The same as the operator counts them (rainbond_requests_total). */
  reportedConsoleCalls: number;
  /** GET /console/config/info at start (once per console; not counted in consoleCalls). */
  releaseReads: number;
  statusWrites: number;
  /** Writes to AppCopies of the namespace seen by a watch from start to settled (exact, unlike
   * the API server's counters, which a shared control plane mixes with other clients'). */
  writesSeen: number;
  /** Every request of the operator on the API server from start to settled. */
  apiRequests: Record<string, number>;
  reconciles: number;
  /** Log lines at warn or above from spawn to settled. */
  operatorWarnings: number;
  /** CPU seconds of the operator from spawn to settled (process_cpu_seconds_total). */
  operatorCpuSeconds: number;
}

export interface ScaleWorld {
  namespace: string;
  seedSeconds: number;
}

export async function seedScale(ctx: BenchContext): Promise<ScaleWorld> {
  const { kube, settings } = ctx;
  const namespace = await createNamespace(kube, 'bench-scale');
  const started = performance.now();
  await seedFinishedAppCopies(kube, namespace, settings.scaleSize, settings.clientParallelism, (done) =>
    ctx.log(`seeded ${done} of ${settings.scaleSize} finished AppCopies`),
  );
  return { namespace, seedSeconds: round((performance.now() - started) / 1000, 1) };
}

export async function runScale(
  ctx: BenchContext,
  world: ScaleWorld,
  repeatIndex: number,
): Promise<ScaleResult> {
  const { kube, sim, settings } = ctx;
  const watch = await watchAppCopies(kube, world.namespace, GROUP, VERSION, { fromNow: true });
  const apiBefore = await scrapeApiServer(kube);
  const watchesEndedBefore = watch.ended();
  const firstCall = sim.ledger.calls.length;
  const operator = await startOperator(ctx, world.namespace, `scale-${repeatIndex}`, '30m');
  try {
    const ready = await operator.ready();
    const timeline: number[] = [];
    for (let s = 1; s <= settings.settleSeconds; s++) {
      await new Promise((resolve) => setTimeout(resolve, ready + s * 1000 - performance.now()));
      timeline.push(round(operator.memory().rssBytes / 2 ** 20, 1));
    }
    const memory = operator.memory();
    const cgroup = operator.cgroupMemory();
    const metrics = await operator.metrics();
    if (ctx.profileDir) await operator.heapSnapshot();
    const apiAfter = await scrapeApiServer(kube);
    const requests = operatorRequests(apiBefore, apiAfter, {
      'WATCH appcopies': watch.ended() - watchesEndedBefore,
    });
    // The ledger is the judge; the operator's own counter must agree. The console's release,
    // read once per console at start without a token, is the operator's own business, not a
    // call made for an AppCopy: it is counted apart.
    const since = sim.ledger.calls.slice(firstCall);
    const consoleCalls = since.filter((c) => c.route !== 'consoleConfig').length;
    const releaseReads = since.length - consoleCalls;
    const reportedConsoleCalls =
      sumOf(metrics, 'rainbond_requests_total') -
      sumOf(metrics, 'rainbond_requests_total', { route: 'consoleRelease' });
    return {
      appcopies: settings.scaleSize,
      startToReadyMs: round(ready - operator.spawnedAt, 0),
      rssMB: round(memory.rssBytes / 2 ** 20, 1),
      rssAfter5sMB: timeline[4] ?? Number.NaN,
      rssTimelineMB: timeline,
      peakRssMB: round(memory.peakRssBytes / 2 ** 20, 1),
      ...(cgroup
        ? {
            cgroupUsageMB: round(cgroup.usageBytes / 2 ** 20, 1),
            cgroupWorkingSetMB: round(cgroup.workingSetBytes / 2 ** 20, 1),
            cgroupAnonMB: round(cgroup.anonBytes / 2 ** 20, 1),
          }
        : {}),
      heapUsedMB: round(sumOf(metrics, 'nodejs_heap_size_used_bytes') / 2 ** 20, 1),
      heapTotalMB: round(sumOf(metrics, 'nodejs_heap_size_total_bytes') / 2 ** 20, 1),
      externalMB: round(sumOf(metrics, 'nodejs_external_memory_bytes') / 2 ** 20, 1),
      consoleCalls,
      releaseReads,
      reportedConsoleCalls,
      statusWrites: statusWrites(requests),
      writesSeen: watch.events(),
      operatorWarnings: operator.problems.length,
      apiRequests: requests,
      reconciles: sumOf(metrics, 'controller_runtime_reconcile_total'),
      operatorCpuSeconds: round(sumOf(metrics, 'process_cpu_seconds_total'), 2),
    };
  } finally {
    await operator.stop();
    await watch.stop();
  }
}
