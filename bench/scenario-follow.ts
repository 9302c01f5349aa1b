// follow: N previews created at once (each copies preview-site's 3 components: site on an outer
// HTTP port, cache on an outer TCP port, queue with no outer port, into a target app of its own),
// with following on, until every AppCopy's copies run (ComponentsReady True). Each queue copy is
// held starting until every AppCopy's site and cache run and following polled each target app
// HELD_POLLS more times, so following polls copies that already run, as it does when one
// component of a preview takes longer than the others. What following costs per AppCopy: polls of
// the target app's component list, reads of a copy's own view (for its addresses), every other
// console call, and the API server's requests; then, with every AppCopy followed to the end,
// what the operator still asks of the console while it idles (0).
//
// The addresses cost at most one read of each copied component's view, and nothing per poll:
// compare the reads with the copied components and with the polls, and the console calls with
// those of an operator without addresses (--operator-root, docs/performance.md).
import { GROUP, VERSION } from '../src/api/appcopy.ts';
import { operatorRequests, scrapeApiServer, statusWrites } from './apiserver-requests.ts';
import { watchAppCopies } from './appcopy-watch.ts';
import { type BenchContext, operatorIdle, startOperator } from './context.ts';
import { round } from './stats.ts';
import { addTargetApps, createAppCopies, createNamespace, previewSpecFor } from './workload.ts';

/** Components each AppCopy copies (preview-site's). */
export const COPIED_PER_APPCOPY = 3;

export interface FollowResult {
  appcopies: number;
  copiedComponentsPerAppCopy: number;
  /** AppCopies whose copies all ran (ComponentsReady True). */
  followed: number;
  /** AppCopies with status.url set once followed. */
  withUrl: number;
  /** First create -> last ComponentsReady True seen, s. */
  wallSeconds: number;
  /** Polls: component-list calls on the AppCopies' target apps, per AppCopy. */
  pollsPerAppCopy: number;
  /** Reads of a copy's own view (GET .../services/{id}: its addresses), per AppCopy. */
  componentReadsPerAppCopy: number;
  /** The same per copied component (at most 1). */
  componentReadsPerCopiedComponent: number;
  /** Every console call per AppCopy by route. */
  consoleCallsPerAppCopy: Record<string, number>;
  /** Requests on the operator's resources per AppCopy, by `VERB resource`. */
  apiRequestsByKind: Record<string, number>;
  statusWritesPerAppCopy: number;
  /** MODIFIED events the benchmark's watch saw per AppCopy (status and metadata writes). */
  watchModificationsPerAppCopy: number;
  /** Console calls in the idle seconds after every AppCopy was followed to the end (must be 0). */
  consoleCallsOnceFollowed: number;
  idleSeconds: number;
  operatorWarnings: number;
}

const IDLE_SECONDS = 5;
/** Polls of every AppCopy while its site and cache run and its queue is still held. */
const HELD_POLLS = 5;
const HELD_NAME = 'queue-copy';

export async function runFollow(ctx: BenchContext, repeatIndex: number): Promise<FollowResult> {
  const { kube, sim, settings } = ctx;
  const n = settings.followSize;
  const namespace = await createNamespace(kube, 'bench-follow');
  const targets = addTargetApps(sim, n);
  const operator = await startOperator(ctx, namespace, `follow-${repeatIndex}`, '10m', {
    FOLLOW_INTERVAL: settings.followInterval,
  });
  try {
    await operator.ready();
    const watch = await watchAppCopies(kube, namespace, GROUP, VERSION);
    const apiBefore = await scrapeApiServer(kube);
    const watchesEndedBefore = watch.ended();
    const firstCall = sim.ledger.calls.length;

    // Every queue copy is pinned at `waiting` (deployed, not started) as soon as the copy creates it:
    // builds take a second, so none runs before it is released.
    const held = new Set<string>();
    const holder = setInterval(() => {
      for (const target of targets) {
        for (const c of sim.state.componentsOf(target)) {
          if (c.service_cname !== HELD_NAME || held.has(c.service_id)) continue;
          sim.state.setStatus(c.service_id, 'waiting');
          held.add(c.service_id);
        }
      }
    }, 20);
    const timeoutMs = Math.max(180_000, n * 500);
    const started = performance.now();
    let names: string[];
    try {
      names = await createAppCopies(
        kube,
        namespace,
        'preview',
        targets,
        settings.clientParallelism,
        previewSpecFor,
      );
      await othersRunning(sim, targets, timeoutMs);
      await polledAgain(sim, targets, HELD_POLLS, timeoutMs);
    } finally {
      clearInterval(holder);
    }
    for (const id of held) sim.state.setStatus(id, 'running');
    await watch.settled(
      names,
      timeoutMs,
      (o) => o.componentsReadyAt !== undefined || o.failedAt !== undefined,
    );
    const finished = Math.max(...names.map((name) => watch.get(name)?.componentsReadyAt ?? started));
    await operatorIdle(operator);
    const callsFollowed = sim.ledger.calls.length;
    const apiAfter = await scrapeApiServer(kube);

    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    const consoleCallsOnceFollowed = sim.ledger.calls.length - callsFollowed;

    const requests = operatorRequests(apiBefore, apiAfter, {
      'POST appcopies': n,
      'WATCH appcopies': watch.ended() - watchesEndedBefore,
    });
    // Only this scenario's operator calls the simulator meanwhile.
    const calls = sim.ledger.calls.slice(firstCall, callsFollowed);
    const byRoute: Record<string, number> = {};
    for (const call of calls) byRoute[call.route ?? 'unknown'] = (byRoute[call.route ?? 'unknown'] ?? 0) + 1;
    const perAppCopy = (value: number) => round(value / n, 2);
    const result: FollowResult = {
      appcopies: n,
      copiedComponentsPerAppCopy: COPIED_PER_APPCOPY,
      followed: names.filter((name) => watch.get(name)?.componentsReadyAt !== undefined).length,
      withUrl: names.filter((name) => watch.get(name)?.url !== undefined).length,
      wallSeconds: round((finished - started) / 1000, 2),
      pollsPerAppCopy: perAppCopy(byRoute.listComponents ?? 0),
      componentReadsPerAppCopy: perAppCopy(byRoute.getComponent ?? 0),
      componentReadsPerCopiedComponent: round((byRoute.getComponent ?? 0) / (n * COPIED_PER_APPCOPY), 2),
      consoleCallsPerAppCopy: Object.fromEntries(Object.entries(byRoute).map(([k, v]) => [k, perAppCopy(v)])),
      apiRequestsByKind: Object.fromEntries(
        Object.entries(requests)
          .map(([k, v]) => [k, perAppCopy(v)] as const)
          .filter(([, v]) => v > 0),
      ),
      statusWritesPerAppCopy: perAppCopy(statusWrites(requests)),
      watchModificationsPerAppCopy: perAppCopy(watch.modifications(names)),
      consoleCallsOnceFollowed,
      idleSeconds: IDLE_SECONDS,
      operatorWarnings: operator.problems.length,
    };
    await watch.stop();
    return result;
  } finally {
    await operator.stop();
  }
}

/** Waits until every target app holds its copies and all but the held one run. */
async function othersRunning(
  sim: BenchContext['sim'],
  targets: readonly number[],
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const ready = (target: number) => {
    const copies = sim.state.componentsOf(target);
    return (
      copies.length === COPIED_PER_APPCOPY &&
      copies.every((c) => c.service_cname === HELD_NAME || sim.state.liveStatus(c.service_id) === 'running')
    );
  };
  while (!targets.every(ready)) {
    if (performance.now() > deadline) throw new Error('the previews did not start within the timeout');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits until following has listed each target app `more` times since now. */
async function polledAgain(
  sim: BenchContext['sim'],
  targets: readonly number[],
  more: number,
  timeoutMs: number,
): Promise<void> {
  const polls = () => {
    const count = new Map<number, number>();
    for (const call of sim.ledger.callsTo('listComponents')) {
      const id = Number(/\/apps\/(\d+)\/services$/.exec(call.path)?.[1]);
      count.set(id, (count.get(id) ?? 0) + 1);
    }
    return count;
  };
  const before = polls();
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const now = polls();
    if (targets.every((id) => (now.get(id) ?? 0) - (before.get(id) ?? 0) >= more)) return;
    if (performance.now() > deadline) throw new Error(`the previews were not polled ${more} more times`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
