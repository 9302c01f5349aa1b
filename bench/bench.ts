// One benchmark run against a control plane that is already up (the CLI starts its own; the
// CI smoke test passes the shared one): the simulator with its fixed latencies, the CRD, then
// the scenarios in order (latency on a quiet machine first, the 10,000-object seeding last).
import { startSimulator } from '../test/support/simulator/index.ts';
import { type Calibration, calibrate } from './calibration.ts';
import type { BenchContext, BenchSettings } from './context.ts';
import { createKubeRest } from './kube-rest.ts';
import type { PodLimits } from './pod-limits.ts';
import { type BenchRuns, type Figure, figuresOf } from './report.ts';
import { runBurst } from './scenario-burst.ts';
import { runFollow } from './scenario-follow.ts';
import { runLatency } from './scenario-latency.ts';
import { runScale, seedScale } from './scenario-scale.ts';
import { ensureCrd } from './workload.ts';

export interface RunBenchOptions {
  /** The checkout whose dist/main.js is measured (built beforehand). */
  operatorRoot: string;
  kubeconfigPath: string;
  settings: BenchSettings;
  profileDir?: string;
  logDir?: string;
  /** Limits to run the operator under (a cgroup, see pod-limits.ts); absent: none. */
  podLimits?: PodLimits;
  /** The image to run with `settings.operator: 'container'`. */
  image?: string;
  controlPlanePids?: () => { apiServer?: number; etcd?: number };
  log?: (line: string) => void;
}

export interface BenchOutcome {
  runs: BenchRuns;
  figures: Figure[];
  calibration: Calibration;
}

export async function runBench(options: RunBenchOptions): Promise<BenchOutcome> {
  const { settings } = options;
  const log = options.log ?? (() => {});
  const kube = await createKubeRest(options.kubeconfigPath, Math.max(settings.clientParallelism, 8));
  // Copies build for 1 s and start for 2 s (on the real clock): what the follow scenario waits
  // for; following is off or the AppCopies are finished in the others.
  const sim = await startSimulator({ statusTimings: { buildMs: 1000, startMs: 2000 } });
  if (settings.copyLatencyMs > 0)
    sim.faults.add({ route: 'copy', kind: 'latency', ms: settings.copyLatencyMs });
  if (settings.listLatencyMs > 0) {
    sim.faults.add({ route: 'copyPreflight', kind: 'latency', ms: settings.listLatencyMs });
    sim.faults.add({ route: 'listComponents', kind: 'latency', ms: settings.listLatencyMs });
  }
  const ctx: BenchContext = {
    operatorRoot: options.operatorRoot,
    kube,
    kubeconfigPath: options.kubeconfigPath,
    sim,
    settings,
    profileDir: options.profileDir,
    logDir: options.logDir,
    podLimits: options.podLimits,
    image: options.image,
    controlPlanePids: options.controlPlanePids ?? (() => ({})),
    log,
  };
  const runs: BenchRuns = { latency: [], burst: [], follow: [], scale: [] };
  let calibration: Calibration;
  try {
    await ensureCrd(kube);
    calibration = await calibrate(kube);
    log(
      `machine now: ${calibration.cpuMs} ms for the CPU workload, ${calibration.apiRoundTripMs} ms per API round trip`,
    );
    const wanted = new Set(settings.scenarios);
    if (wanted.has('latency')) {
      for (let i = 0; i < settings.repeat; i++) {
        log(`latency: run ${i + 1} of ${settings.repeat} (${settings.latencyRuns} copies one at a time)`);
        const result = await runLatency(ctx, i);
        log(`latency: overhead p50 ${result.overheadMs.p50} ms, p99 ${result.overheadMs.p99} ms`);
        runs.latency.push(result);
      }
    }
    if (wanted.has('burst')) {
      for (let i = 0; i < settings.repeat; i++) {
        log(`burst: run ${i + 1} of ${settings.repeat} (${settings.burstSize} AppCopies at once)`);
        const result = await runBurst(ctx, i);
        log(
          `burst: ${result.wallSeconds} s, ${result.ratioToFloor}x the floor; ${result.efficiency.statusWritesPerAppCopy} status writes and ${result.efficiency.copyCallsPerAppCopy} copy calls per AppCopy`,
        );
        runs.burst.push(result);
      }
    }
    if (wanted.has('follow')) {
      for (let i = 0; i < settings.repeat; i++) {
        log(
          `follow: run ${i + 1} of ${settings.repeat} (${settings.followSize} previews followed until they run)`,
        );
        const result = await runFollow(ctx, i);
        log(
          `follow: ${result.followed} followed in ${result.wallSeconds} s; per AppCopy ${result.pollsPerAppCopy} polls, ${result.componentReadsPerAppCopy} component views read; ${result.consoleCallsOnceFollowed} console calls once followed`,
        );
        runs.follow.push(result);
      }
    }
    if (wanted.has('scale')) {
      log(`scale: seeding ${settings.scaleSize} finished AppCopies`);
      const world = await seedScale(ctx);
      runs.scaleSeedSeconds = world.seedSeconds;
      log(`scale: seeded in ${world.seedSeconds} s`);
      for (let i = 0; i < settings.repeat; i++) {
        log(`scale: operator start ${i + 1} of ${settings.repeat}`);
        const result = await runScale(ctx, world, i);
        log(
          `scale: ready in ${result.startToReadyMs} ms, RSS ${result.rssMB} MB, ${result.consoleCalls} console calls, ${result.statusWrites} status writes`,
        );
        runs.scale.push(result);
      }
    }
  } finally {
    await sim.stop();
    kube.close();
  }
  return { runs, figures: figuresOf(runs, settings), calibration };
}
