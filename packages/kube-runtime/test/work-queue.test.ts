import { describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from '../src/testing.ts';
import {
  type InFlightStats,
  type ReconcileOutcome,
  type ReconcileResult,
  WorkQueue,
  type WorkQueueMetrics,
  type WorkQueueOptions,
} from '../src/work-queue.ts';
import { captureLogs } from './log-capture.ts';

interface Call {
  key: string;
  signal: AbortSignal;
  resolve: (outcome?: ReconcileOutcome) => void;
  reject: (err: Error) => void;
  settled: boolean;
}

/** A handler whose runs finish only when the test says so. */
function controlledHandler() {
  const calls: Call[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const handler = (key: string, signal: AbortSignal): Promise<ReconcileOutcome> =>
    new Promise<ReconcileOutcome>((resolve, reject) => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      const call: Call = {
        key,
        signal,
        settled: false,
        resolve: (outcome) => {
          call.settled = true;
          concurrent--;
          resolve(outcome);
        },
        reject: (err) => {
          call.settled = true;
          concurrent--;
          reject(err);
        },
      };
      calls.push(call);
    });
  return {
    handler,
    calls,
    keys: () => calls.map((c) => c.key),
    open: () => calls.filter((c) => !c.settled),
    maxConcurrent: () => maxConcurrent,
  };
}

function makeQueue(overrides: Partial<WorkQueueOptions> & { clock?: FakeClock } = {}) {
  const clock = overrides.clock ?? createFakeClock();
  const { logger, lines } = captureLogs();
  const h = controlledHandler();
  const queue = new WorkQueue({
    name: 'test',
    handler: h.handler,
    concurrency: 1,
    clock,
    logger,
    backoff: { baseMs: 100, maxMs: 1000, jitter: 0 },
    bucket: { qps: 1000, burst: 1000 },
    random: () => 0,
    ...overrides,
  });
  return { queue, clock, h, lines };
}

describe('WorkQueue', () => {
  it('runs a key added many times while it waits only once', async () => {
    const { queue, clock, h } = makeQueue();
    queue.add('blocker');
    queue.add('a');
    queue.add('a');
    queue.add('a');
    expect(queue.len()).toBe(1);
    h.calls[0]!.resolve();
    await clock.flush();
    expect(h.keys()).toEqual(['blocker', 'a']);
    h.calls[1]!.resolve();
    await clock.flush();
    expect(h.keys()).toEqual(['blocker', 'a']);
    expect(queue.len()).toBe(0);
  });

  it('never runs one key twice at once; adds during a run make it run once more afterwards', async () => {
    const { queue, clock, h } = makeQueue({ concurrency: 4 });
    queue.add('a');
    queue.add('a'); // while running: marks dirty
    queue.add('a');
    queue.add('b');
    await clock.flush();
    expect(h.keys()).toEqual(['a', 'b']);
    expect(queue.len()).toBe(0);
    h.calls[0]!.resolve();
    await clock.flush();
    expect(h.keys()).toEqual(['a', 'b', 'a']);
    h.calls[2]!.resolve();
    await clock.flush();
    expect(h.keys()).toEqual(['a', 'b', 'a']);
    expect(h.maxConcurrent()).toBe(2);
  });

  it('never runs more handlers at once than its concurrency', async () => {
    const { queue, clock, h } = makeQueue({ concurrency: 3 });
    for (let i = 0; i < 10; i++) queue.add(`k${i}`);
    await clock.flush();
    expect(h.open()).toHaveLength(3);
    expect(queue.len()).toBe(7);
    expect(queue.running()).toBe(3);
    while (h.open().length > 0) {
      h.open()[0]!.resolve();
      await clock.flush();
      expect(h.open().length).toBeLessThanOrEqual(3);
    }
    expect(h.calls).toHaveLength(10);
    expect(h.maxConcurrent()).toBe(3);
    expect(h.keys()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`));
  });

  it('retries a failing key with exponentially growing delays, and a success resets them', async () => {
    const { queue, clock, h, lines } = makeQueue();
    queue.add('a');
    const runsAfter = async (ms: number) => {
      await clock.advance(ms);
      return h.calls.length;
    };
    h.calls[0]!.reject(new Error('boom'));
    await clock.flush();
    expect(queue.numRequeues('a')).toBe(1);
    expect(await runsAfter(99)).toBe(1);
    expect(await runsAfter(1)).toBe(2);
    h.calls[1]!.reject(new Error('boom'));
    await clock.flush();
    expect(queue.numRequeues('a')).toBe(2);
    expect(await runsAfter(199)).toBe(2);
    expect(await runsAfter(1)).toBe(3);
    h.calls[2]!.reject(new Error('boom'));
    await clock.flush();
    expect(await runsAfter(399)).toBe(3);
    expect(await runsAfter(1)).toBe(4);
    h.calls[3]!.resolve();
    await clock.flush();
    expect(queue.numRequeues('a')).toBe(0);
    expect(lines.filter((l) => l.msg === 'reconcile failed; retrying with backoff')).toHaveLength(3);
    expect(lines[0]).toMatchObject({ key: 'a', queue: 'test', err: { message: 'boom' } });
  });

  it('caps the per-key delay at maxMs', async () => {
    const { queue, clock, h } = makeQueue();
    queue.add('a');
    const delays: number[] = [];
    for (let failure = 0; failure < 6; failure++) {
      const before = clock.now();
      h.calls.at(-1)!.reject(new Error('boom'));
      const runs = h.calls.length;
      while (h.calls.length === runs) await clock.advance(50);
      delays.push(clock.now() - before);
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(queue.numRequeues('a')).toBe(6);
  });

  it('limits retries of many keys by the overall token bucket', async () => {
    const { queue, clock, h } = makeQueue({
      concurrency: 10,
      backoff: { baseMs: 1, maxMs: 1, jitter: 0 },
      bucket: { qps: 1, burst: 1 },
    });
    queue.add('a');
    queue.add('b');
    await clock.flush();
    h.calls[0]!.reject(new Error('a failed'));
    h.calls[1]!.reject(new Error('b failed'));
    await clock.advance(10);
    expect(h.keys()).toEqual(['a', 'b', 'a']);
    await clock.advance(980);
    expect(h.calls).toHaveLength(3);
    await clock.advance(10);
    expect(h.keys()).toEqual(['a', 'b', 'a', 'b']);
  });

  it('runs a key again after requeueAfterMs and resets its failures', async () => {
    const { queue, clock, h } = makeQueue();
    queue.addRateLimited('a');
    await clock.advance(100);
    expect(queue.numRequeues('a')).toBe(1);
    h.calls[0]!.resolve({ requeueAfterMs: 5000 });
    await clock.flush();
    expect(queue.numRequeues('a')).toBe(0);
    await clock.advance(4999);
    expect(h.calls).toHaveLength(1);
    await clock.advance(1);
    expect(h.calls).toHaveLength(2);
  });

  it('treats requeueAfterMs 0 as a rate-limited requeue so it cannot spin', async () => {
    const { queue, clock, h } = makeQueue();
    queue.add('a');
    h.calls[0]!.resolve({ requeueAfterMs: 0 });
    await clock.flush();
    expect(queue.numRequeues('a')).toBe(1);
    expect(h.calls).toHaveLength(1);
    await clock.advance(100);
    expect(h.calls).toHaveLength(2);
  });

  it('keeps the earliest time when a key is added after different delays', async () => {
    const { queue, clock, h } = makeQueue();
    queue.addAfter('a', 500);
    queue.addAfter('a', 200);
    queue.addAfter('a', 900);
    await clock.advance(200);
    expect(h.calls).toHaveLength(1);
    h.calls[0]!.resolve();
    await clock.advance(1000);
    expect(h.calls).toHaveLength(1);
  });

  it('starts nothing while the gate is closed and resumes when it opens', async () => {
    let open = false;
    const { queue, clock, h } = makeQueue({ gate: () => open, gatePollMs: 250 });
    queue.add('a');
    queue.add('b');
    await clock.advance(1000);
    expect(h.calls).toHaveLength(0);
    expect(queue.len()).toBe(2);
    open = true;
    await clock.advance(250);
    expect(h.keys()).toEqual(['a']);
    open = false;
    h.calls[0]!.resolve();
    await clock.advance(1000);
    expect(h.keys()).toEqual(['a']);
    expect(queue.len()).toBe(1);
    open = true;
    await clock.advance(250);
    expect(h.keys()).toEqual(['a', 'b']);
  });

  it('treats a gate that throws as closed', async () => {
    const { queue, clock, h, lines } = makeQueue({
      gate: () => {
        throw new Error('unsure');
      },
    });
    queue.add('a');
    await clock.advance(2000);
    expect(h.calls).toHaveLength(0);
    expect(lines.some((l) => l.msg === 'gate check threw; treating the gate as closed')).toBe(true);
    await queue.shutDown({ drainTimeoutMs: 0 });
  });

  it('shuts down after the runs in progress finish, ignoring later adds and leaving no timers', async () => {
    const { queue, clock, h } = makeQueue({ concurrency: 2 });
    queue.add('a');
    queue.add('b');
    queue.add('c');
    queue.addAfter('d', 10_000);
    await clock.flush();
    let resolved = false;
    const done = queue.shutDown({ drainTimeoutMs: 5000 }).then(() => {
      resolved = true;
    });
    queue.add('e');
    await clock.advance(1000);
    expect(resolved).toBe(false);
    h.calls[0]!.resolve();
    await clock.flush();
    expect(resolved).toBe(false);
    h.calls[1]!.reject(new Error('late failure'));
    await done;
    expect(h.keys()).toEqual(['a', 'b']);
    expect(h.calls.every((c) => !c.signal.aborted)).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
    expect(queue.len()).toBe(0);
  });

  it('aborts the runs still in progress when the drain timeout passes', async () => {
    const { queue, clock, h, lines } = makeQueue();
    queue.add('stuck');
    await clock.flush();
    let resolved = false;
    const done = queue.shutDown({ drainTimeoutMs: 3000 }).then(() => {
      resolved = true;
    });
    await clock.advance(2999);
    expect(resolved).toBe(false);
    await clock.advance(1);
    await done;
    expect(h.calls[0]!.signal.aborted).toBe(true);
    expect(lines.some((l) => l.msg === 'drain timeout passed; aborting runs in progress')).toBe(true);
    h.calls[0]!.reject(new Error('aborted'));
    await clock.flush();
    expect(clock.pendingTimers()).toBe(0);
    expect(lines.some((l) => l.msg === 'reconcile failed; retrying with backoff')).toBe(false);
  });

  it('reports its work through the metric hooks', async () => {
    const events: string[] = [];
    let probe: (() => InFlightStats) | undefined;
    const metrics: WorkQueueMetrics = {
      added: () => events.push('added'),
      depth: (n) => events.push(`depth=${n}`),
      retried: () => events.push('retried'),
      queueDuration: (s) => events.push(`queued=${s}`),
      workDuration: (s) => events.push(`worked=${s}`),
      reconciled: (result: ReconcileResult, s) => events.push(`reconciled=${result}/${s}`),
      activeWorkers: (n) => events.push(`active=${n}`),
      observeInFlight: (p) => {
        probe = p;
      },
    };
    const clock = createFakeClock();
    const { queue, h } = makeQueue({ clock, metrics });
    queue.add('a');
    await clock.advance(1500);
    expect(probe!()).toEqual({ unfinishedWorkSeconds: 1.5, longestRunningSeconds: 1.5 });
    h.calls[0]!.reject(new Error('x'));
    await clock.flush();
    expect(events).toEqual([
      'added',
      'depth=1',
      'depth=0',
      'queued=0',
      'active=1',
      'retried',
      'worked=1.5',
      'reconciled=error/1.5',
      'active=0',
    ]);
    expect(probe!()).toEqual({ unfinishedWorkSeconds: 0, longestRunningSeconds: 0 });
  });

  it('rejects a concurrency below 1', () => {
    expect(() => makeQueue({ concurrency: 0 })).toThrow(RangeError);
  });
});
