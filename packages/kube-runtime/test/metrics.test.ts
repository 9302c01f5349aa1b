import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createRuntimeMetrics } from '../src/metrics.ts';
import { createFakeClock } from '../src/testing.ts';
import { WorkQueue } from '../src/work-queue.ts';
import { captureLogs } from './log-capture.ts';

async function sample(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) =>
    Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l),
  );
  return value?.value;
}

describe('runtime metrics', () => {
  it('registers the controller-runtime and client-go metric names, at zero before anything happens', async () => {
    const registry = new Registry();
    createRuntimeMetrics(registry, 'appcopy');
    const text = await registry.metrics();
    for (const name of [
      'controller_runtime_reconcile_total{controller="appcopy",result="success"} 0',
      'controller_runtime_reconcile_total{controller="appcopy",result="requeue_after"} 0',
      'controller_runtime_reconcile_errors_total{controller="appcopy"} 0',
      '# TYPE controller_runtime_reconcile_time_seconds histogram',
      'controller_runtime_active_workers{controller="appcopy"} 0',
      'workqueue_depth{name="appcopy"} 0',
      'workqueue_adds_total{name="appcopy"} 0',
      'workqueue_retries_total{name="appcopy"} 0',
      '# TYPE workqueue_queue_duration_seconds histogram',
      '# TYPE workqueue_work_duration_seconds histogram',
      '# TYPE workqueue_unfinished_work_seconds gauge',
      '# TYPE workqueue_longest_running_processor_seconds gauge',
      '# TYPE leader_election_master_status gauge',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('counts what a work queue does', async () => {
    const registry = new Registry();
    const metrics = createRuntimeMetrics(registry, 'appcopy');
    const clock = createFakeClock();
    let fail = true;
    let release: () => void = () => {};
    const queue = new WorkQueue({
      name: 'appcopy',
      concurrency: 2,
      clock,
      logger: captureLogs().logger,
      backoff: { baseMs: 10, maxMs: 10, jitter: 0 },
      metrics: metrics.workQueue,
      handler: async (key) => {
        if (key === 'slow') await new Promise<void>((resolve) => (release = resolve));
        if (fail) {
          fail = false;
          throw new Error('first run fails');
        }
        return key === 'later' ? { requeueAfterMs: 1000 } : undefined;
      },
    });
    queue.add('a');
    await clock.advance(10);
    queue.add('later');
    await clock.flush();
    queue.add('slow');
    await clock.advance(3000);

    expect(await sample(registry, 'controller_runtime_reconcile_total', { result: 'error' })).toBe(1);
    expect(await sample(registry, 'controller_runtime_reconcile_total', { result: 'success' })).toBe(1);
    expect(
      await sample(registry, 'controller_runtime_reconcile_total', { result: 'requeue_after' }),
    ).toBeGreaterThanOrEqual(2);
    expect(await sample(registry, 'controller_runtime_reconcile_errors_total', {})).toBe(1);
    expect(await sample(registry, 'workqueue_retries_total', { name: 'appcopy' })).toBe(1);
    expect(await sample(registry, 'workqueue_adds_total', { name: 'appcopy' })).toBeGreaterThanOrEqual(4);
    expect(await sample(registry, 'controller_runtime_active_workers', { controller: 'appcopy' })).toBe(1);
    expect(await sample(registry, 'workqueue_longest_running_processor_seconds', { name: 'appcopy' })).toBe(
      3,
    );
    expect(await sample(registry, 'workqueue_unfinished_work_seconds', { name: 'appcopy' })).toBe(3);
    release();
    await queue.shutDown({ drainTimeoutMs: 1000 });
    expect(await sample(registry, 'workqueue_longest_running_processor_seconds', { name: 'appcopy' })).toBe(
      0,
    );
  });

  it('reports leadership, and lets two controllers share one registry', async () => {
    const registry = new Registry();
    const first = createRuntimeMetrics(registry, 'one');
    const second = createRuntimeMetrics(registry, 'two');
    first.leaderElection.leading(true);
    second.leaderElection.leading(false);
    expect(await sample(registry, 'leader_election_master_status', { name: 'one' })).toBe(1);
    expect(await sample(registry, 'leader_election_master_status', { name: 'two' })).toBe(0);
    second.workQueue.added();
    expect(await sample(registry, 'workqueue_adds_total', { name: 'two' })).toBe(1);
    expect(await sample(registry, 'workqueue_adds_total', { name: 'one' })).toBe(0);
  });
});
