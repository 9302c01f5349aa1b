// latency: one AppCopy at a time on an idle operator, from the create request to the watch
// seeing it Succeeded. The simulator's injected latency on the way is subtracted: what is left
// is the operator's own overhead, plus the API server round trips it cannot avoid (the create,
// the watch delivering it, the fresh read, two status writes, the watch delivering the result).
import { GROUP, VERSION } from '../src/api/appcopy.ts';
import { watchAppCopies } from './appcopy-watch.ts';
import { type BenchContext, operatorIdle, startOperator } from './context.ts';
import { cpuMeter } from './process-stats.ts';
import { median, percentile, round, unionLength } from './stats.ts';
import { addTargetApps, createAppCopies, createNamespace } from './workload.ts';

export interface LatencyResult {
  runs: number;
  warmupRuns: number;
  /** Create -> Succeeded seen, ms. */
  totalMs: { p50: number; p99: number; max: number };
  /** The simulator's injected latency on the critical path of one copy, ms. */
  simulatorMs: { p50: number };
  /** totalMs minus simulatorMs, per run: the operator's own overhead. */
  overheadMs: { p50: number; p99: number; max: number };
  /** The warm-up runs' overhead (the first copy after start pays for JIT and connections). */
  warmupOverheadMs: number[];
  /**
   * Each measured run: `name` the AppCopy, `startedAt` the create request's epoch ms, so that a
   * run can be lined up with the operator's own traces (GC pauses, its requests).
   */
  samples: { name: string; startedAt: number; totalMs: number; simulatorMs: number; overheadMs: number }[];
  /** Failed AppCopies (should be none). */
  failed: number;
  /** Log lines at warn or above during the run. */
  operatorWarnings: number;
  /** CPU seconds used during the runs, per process, and by everything else on the machine. */
  cpuSeconds: Record<string, number>;
}

export async function runLatency(ctx: BenchContext, repeatIndex: number): Promise<LatencyResult> {
  const { kube, sim, settings } = ctx;
  const namespace = await createNamespace(kube, 'bench-latency');
  const operator = await startOperator(ctx, namespace, `latency-${repeatIndex}`, '0s');
  try {
    await operator.ready();
    const watch = await watchAppCopies(kube, namespace, GROUP, VERSION);
    const latencyOf = (route: string | null) =>
      route === 'copy'
        ? settings.copyLatencyMs
        : route === 'copyPreflight' || route === 'listComponents'
          ? settings.listLatencyMs
          : 0;
    const cpu = cpuMeter({ operator: operator.pid, ...ctx.controlPlanePids(), bench: process.pid });
    const samples: LatencyResult['samples'] = [];
    const warmup: number[] = [];
    let failed = 0;
    const total = settings.latencyWarmup + settings.latencyRuns;
    for (let i = 0; i < total; i++) {
      const [target] = addTargetApps(sim, 1);
      const firstCall = sim.ledger.calls.length;
      const startedAt = Date.now();
      const started = performance.now();
      const [name] = await createAppCopies(kube, namespace, `run-${i}`, [target as number], 1);
      await watch.settled([name as string], 30_000);
      const seen = watch.get(name as string);
      if (seen?.succeededAt === undefined) {
        failed++;
        continue;
      }
      const totalMs = seen.succeededAt - started;
      const intervals = sim.ledger.calls
        .slice(firstCall)
        .map((call) => [call.time, call.time + latencyOf(call.route)] as const);
      const simulatorMs = unionLength(intervals);
      const sample = {
        name: name as string,
        startedAt,
        totalMs: round(totalMs, 2),
        simulatorMs: round(simulatorMs, 2),
        overheadMs: round(totalMs - simulatorMs, 2),
      };
      if (i < settings.latencyWarmup) warmup.push(sample.overheadMs);
      else samples.push(sample);
      // Idle again before the next one: the reconcile the outcome's own watch event triggers,
      // and the Copied event, are finished.
      await operatorIdle(operator);
    }
    await watch.stop();
    const overhead = samples.map((s) => s.overheadMs);
    const totals = samples.map((s) => s.totalMs);
    return {
      runs: samples.length,
      warmupRuns: settings.latencyWarmup,
      totalMs: {
        p50: round(median(totals), 1),
        p99: round(percentile(totals, 99), 1),
        max: round(Math.max(...totals), 1),
      },
      simulatorMs: { p50: round(median(samples.map((s) => s.simulatorMs)), 1) },
      overheadMs: {
        p50: round(median(overhead), 1),
        p99: round(percentile(overhead, 99), 1),
        max: round(Math.max(...overhead), 1),
      },
      warmupOverheadMs: warmup,
      samples,
      failed,
      operatorWarnings: operator.problems.length,
      cpuSeconds: cpu.read(),
    };
  } finally {
    await operator.stop();
  }
}
