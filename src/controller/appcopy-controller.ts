// Wires the AppCopy informer to the work queue and the reconciler: events become keys, keys
// become reconciles. Reconcile a key, not an event: the handler re-reads the object, so a
// dropped, doubled or reordered event costs at most one extra read.
import type { Logger } from 'pino';
import { objectKey } from '../api/appcopy.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Informer } from '../runtime/informer.ts';
import { WorkQueue, type WorkQueueMetrics } from '../runtime/work-queue.ts';
import { type CachedAppCopy, needsReconcile } from './cached-appcopy.ts';
import type { ReconcileResult } from './reconciler.ts';
import { RetryLaterError } from './retry-later.ts';

/** Retry delays for reconciles that are waiting on the outside world (console, credentials). */
export const RECONCILE_BACKOFF = { baseMs: 200, maxMs: 300_000, jitter: 0.2 };

export interface AppCopyController {
  queue: WorkQueue;
  /** Keys of AppCopies the cache shows Copying into `target`, except `exceptKey`. */
  copyingInto(target: string, exceptKey: string): string[];
  start(): void;
  /** Stops taking new work, lets in-flight reconciles finish within `drainTimeoutMs`, stops the informer. */
  stop(drainTimeoutMs: number): Promise<void>;
}

export function createAppCopyController(deps: {
  informer: Informer<CachedAppCopy>;
  /** Built after the controller so that the reconciler can use `copyingInto` and wake keys. */
  reconcile: (key: string, signal: AbortSignal) => Promise<ReconcileResult>;
  concurrency: number;
  clock: Clock;
  logger: Logger;
  gate?: () => boolean;
  metrics?: WorkQueueMetrics;
}): AppCopyController {
  const { informer, logger } = deps;
  const copying = new Map<string, Set<string>>();

  function index(c: CachedAppCopy, present: boolean): void {
    if (!c.target) return;
    const key = objectKey(c);
    let set = copying.get(c.target);
    if (present && c.phase === 'Copying') {
      if (!set) copying.set(c.target, (set = new Set()));
      set.add(key);
    } else if (set) {
      set.delete(key);
      if (set.size === 0) copying.delete(c.target);
    }
  }

  const queue = new WorkQueue({
    name: 'appcopy',
    concurrency: deps.concurrency,
    clock: deps.clock,
    logger,
    backoff: RECONCILE_BACKOFF,
    ...(deps.gate ? { gate: deps.gate } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    handler: async (key, signal) => {
      try {
        return await deps.reconcile(key, signal);
      } catch (error) {
        if (error instanceof RetryLaterError) {
          logger.info({ appcopy: key, why: error.message }, 'waiting; will retry with backoff');
          return { requeueAfterMs: 0 };
        }
        throw error;
      }
    },
  });

  informer.onAdd((c) => {
    index(c, true);
    if (needsReconcile(c)) queue.add(objectKey(c));
  });
  informer.onUpdate((previous, c) => {
    index(previous, false);
    index(c, true);
    if (needsReconcile(c)) queue.add(objectKey(c));
  });
  informer.onDelete((c) => index(c, false));

  return {
    queue,
    copyingInto(target, exceptKey) {
      return [...(copying.get(target) ?? [])].filter((k) => k !== exceptKey);
    },
    start() {
      informer.start();
    },
    async stop(drainTimeoutMs) {
      await queue.shutDown({ drainTimeoutMs });
      await informer.stop();
    },
  };
}
