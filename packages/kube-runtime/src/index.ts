// The public face of the runtime: what an operator built on it may use. Everything else in
// src/ is internal; the package's `exports` field lets nothing else be imported.
export { ABORTED, abortable } from './abortable.ts';
export { type BackoffOptions, backoffDelay } from './backoff.ts';
export {
  type Clock,
  MAX_TIMER_MS,
  sleep,
  systemClock,
  TimeoutError,
  type TimerHandle,
  timeoutSignal,
} from './clock.ts';
export { combineInformers } from './combined-informer.ts';
export {
  type HealthCheck,
  type HealthServer,
  type HealthServerOptions,
  startHealthServer,
} from './health-server.ts';
export {
  createInformer,
  type Informer,
  type InformerOptions,
  type ListResult,
  type ListWatch,
  type WatchEventType,
} from './informer.ts';
export {
  ConflictError,
  httpStatusOf,
  isResourceExpired,
  KubeApiError,
  NotFoundError,
  translateApiError,
} from './kube-api-error.ts';
export { createKubeListWatch, type KubeListWatchOptions, type KubeResource } from './kube-list-watch.ts';
export { withRequestTimeout } from './kube-request-timeout.ts';
export {
  createLeaderElector,
  LeaderElectionConfigError,
  type LeaderElectionMetrics,
  type LeaderElector,
  type LeaderElectorOptions,
} from './leader-election.ts';
export {
  createKubeLeaseClient,
  type LeaseClient,
  type LeaseRecord,
  type LeaseSnapshot,
} from './lease-client.ts';
export { createRuntimeMetrics, type RuntimeMetrics } from './metrics.ts';
export { objectKey, objectKeyOf, splitObjectKey } from './object-key.ts';
export { KUBE_PING_INTERVAL_MS, PooledKubeConfig } from './pooled-kube-config.ts';
export { createSlots, type Slots, SlotsClosedError } from './slots.ts';
export {
  DEFAULT_RETRY_BACKOFF,
  DEFAULT_RETRY_BUCKET,
  type InFlightStats,
  type ReconcileOutcome,
  type ReconcileResult,
  WorkQueue,
  type WorkQueueHandler,
  type WorkQueueMetrics,
  type WorkQueueOptions,
  WorkQueueShutDownError,
} from './work-queue.ts';
