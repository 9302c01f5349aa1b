import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';
import type { LeaderElectionMetrics } from './leader-election.ts';
import type { InFlightStats, WorkQueueMetrics } from './work-queue.ts';

// Prometheus metrics under the names controller-runtime and client-go use, so existing
// dashboards and alerts work unchanged. Several controllers may share one registry: each metric
// is registered once and labelled per controller/queue.

export interface RuntimeMetrics {
  /** Hooks for the controller's WorkQueue (queue name = controller name). */
  workQueue: WorkQueueMetrics;
  /** Hooks for the leader elector (leader_election_master_status{name=controller}). */
  leaderElection: LeaderElectionMetrics;
}

// controller-runtime's reconcile time buckets.
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5,
  1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
// client-go's workqueue buckets: 10 ns to 1000 s, ×10.
const WORKQUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

export function createRuntimeMetrics(registry: Registry, controllerName: string): RuntimeMetrics {
  const controller = { controller: controllerName };
  const queue = { name: controllerName };

  const reconcileTotal = counter(
    registry,
    'controller_runtime_reconcile_total',
    'Total number of reconciliations per controller',
    ['controller', 'result'],
  );
  const reconcileErrors = counter(
    registry,
    'controller_runtime_reconcile_errors_total',
    'Total number of reconciliation errors per controller',
    ['controller'],
  );
  const reconcileTime = histogram(
    registry,
    'controller_runtime_reconcile_time_seconds',
    'Length of time per reconciliation per controller',
    ['controller'],
    RECONCILE_BUCKETS,
  );
  const activeWorkers = gauge(
    registry,
    'controller_runtime_active_workers',
    'Number of currently used workers per controller',
    ['controller'],
  );
  const depth = gauge(registry, 'workqueue_depth', 'Current depth of workqueue', ['name']);
  const adds = counter(registry, 'workqueue_adds_total', 'Total number of adds handled by workqueue', [
    'name',
  ]);
  const retries = counter(
    registry,
    'workqueue_retries_total',
    'Total number of retries handled by workqueue',
    ['name'],
  );
  const queueDuration = histogram(
    registry,
    'workqueue_queue_duration_seconds',
    'How long in seconds an item stays in workqueue before being requested',
    ['name'],
    WORKQUEUE_BUCKETS,
  );
  const workDuration = histogram(
    registry,
    'workqueue_work_duration_seconds',
    'How long in seconds processing an item from workqueue takes',
    ['name'],
    WORKQUEUE_BUCKETS,
  );
  const inFlightProbes = probesOf(registry);
  gauge(
    registry,
    'workqueue_unfinished_work_seconds',
    'How many seconds of work has been done that is in progress and has not been observed by work_duration',
    ['name'],
    function collect(this: Gauge) {
      for (const [name, probe] of inFlightProbes) this.set({ name }, probe().unfinishedWorkSeconds);
    },
  );
  gauge(
    registry,
    'workqueue_longest_running_processor_seconds',
    'How many seconds has the longest running processor for workqueue been running',
    ['name'],
    function collect(this: Gauge) {
      for (const [name, probe] of inFlightProbes) this.set({ name }, probe().longestRunningSeconds);
    },
  );
  const leaderStatus = gauge(
    registry,
    'leader_election_master_status',
    'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
    ['name'],
  );

  // Start every series at zero so dashboards show the controller before anything happens.
  for (const result of ['success', 'error', 'requeue', 'requeue_after'])
    reconcileTotal.inc({ ...controller, result }, 0);
  reconcileErrors.inc(controller, 0);
  adds.inc(queue, 0);
  retries.inc(queue, 0);
  depth.set(queue, 0);
  activeWorkers.set(controller, 0);

  return {
    workQueue: {
      added: () => adds.inc(queue),
      depth: (waiting) => depth.set(queue, waiting),
      retried: () => retries.inc(queue),
      queueDuration: (seconds) => queueDuration.observe(queue, seconds),
      workDuration: (seconds) => workDuration.observe(queue, seconds),
      reconciled(result, seconds) {
        reconcileTotal.inc({ ...controller, result });
        if (result === 'error') reconcileErrors.inc(controller);
        reconcileTime.observe(controller, seconds);
      },
      activeWorkers: (running) => activeWorkers.set(controller, running),
      observeInFlight(probe) {
        inFlightProbes.set(controllerName, probe);
      },
    },
    leaderElection: {
      leading: (isLeader) => leaderStatus.set(queue, isLeader ? 1 : 0),
    },
  };
}

// The in-flight probes of every queue reporting to a registry, read by the two gauges above.
const probesByRegistry = new WeakMap<Registry, Map<string, () => InFlightStats>>();
function probesOf(registry: Registry): Map<string, () => InFlightStats> {
  let probes = probesByRegistry.get(registry);
  if (!probes) {
    probes = new Map();
    probesByRegistry.set(registry, probes);
  }
  return probes;
}

function existing<M extends Metric>(registry: Registry, name: string): M | undefined {
  return registry.getSingleMetric(name) as M | undefined;
}

function counter(registry: Registry, name: string, help: string, labelNames: string[]): Counter {
  return existing<Counter>(registry, name) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

function gauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  collect?: (this: Gauge) => void,
): Gauge {
  return (
    existing<Gauge>(registry, name) ??
    new Gauge({ name, help, labelNames, registers: [registry], ...(collect ? { collect } : {}) })
  );
}

function histogram(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  buckets: number[],
): Histogram {
  return (
    existing<Histogram>(registry, name) ??
    new Histogram({ name, help, labelNames, buckets, registers: [registry] })
  );
}
