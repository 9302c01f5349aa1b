// Wires the AppCopy informer to the work queue and the reconciler: events become keys, keys
// become reconciles. Reconcile a key, not an event: the handler re-reads the object, so a
// dropped, doubled or reordered event costs at most one extra read.

import type { Clock, Informer } from '@appcopy/kube-runtime';
import { WorkQueue, type WorkQueueMetrics } from '@appcopy/kube-runtime';
import type { Logger } from 'pino';
import type { AppCopy } from '../api/appcopy.ts';
import { objectKey } from '../api/appcopy.ts';
import { type CachedAppCopy, isOlderVersion, needsReconcile, toCachedAppCopy } from './cached-appcopy.ts';
import { createCopyingIndex } from './copy/copying-index.ts';
import { createTargetGuard, type TargetGuard } from './copy/target-guard.ts';
import { type Outcome, outcomeOf, toQueueResult } from './outcome.ts';

/** Retry delays for reconciles that are waiting on the outside world (console, credentials). */
export const RECONCILE_BACKOFF = { baseMs: 200, maxMs: 300_000, jitter: 0.2 };

/** What the controller gives the reconciler it makes (see `makeReconcile`). */
export interface ControllerParts {
  /** Serialises copies per target app. */
  targets: TargetGuard;
  /** Tells the controller about an object the operator itself just wrote (before the watch does). */
  observeWritten(object: AppCopy): void;
}

export interface AppCopyController extends ControllerParts {
  queue: WorkQueue;
  /**
   * Queues the AppCopies that use the console `key` (named, recorded, or by default when `key`
   * is `defaultKey`) and may have work to do: its rules, readiness or token changed.
   */
  wakeConsoleUsers(key: string, defaultKey: string | undefined): void;
  /** Queues the AppCopies of `namespace` that may have work to do: its labels changed. */
  wakeNamespace(namespace: string): void;
  start(): void;
  /** Stops taking new work, lets in-flight reconciles finish within `drainTimeoutMs`, stops the informer. */
  stop(drainTimeoutMs: number): Promise<void>;
}

export function createAppCopyController(deps: {
  informer: Informer<CachedAppCopy>;
  /**
   * Builds the reconcile from the controller's parts, once, before anything runs: the
   * reconciler needs the target lock, and its status writes must reach the copy index. `signal`
   * aborts when the queue shuts down and its drain deadline has passed.
   */
  makeReconcile: (parts: ControllerParts) => (key: string, signal: AbortSignal) => Promise<Outcome>;
  /** Whether finished copies are followed until they run (FOLLOW_TIMEOUT > 0). */
  following: boolean;
  concurrency: number;
  clock: Clock;
  logger: Logger;
  gate?: () => boolean;
  metrics?: WorkQueueMetrics;
  /** What the cache keeps of an object the operator wrote (as the informer's transform does). */
  toCached?: (object: AppCopy) => CachedAppCopy;
}): AppCopyController {
  const toCached = deps.toCached ?? toCachedAppCopy;
  const { informer, logger } = deps;
  // The operator's own writes that the informer has not delivered yet. A reconcile that ends
  // with the outcome write is often followed at once by the run queued by its own intent's
  // watch event; the cache may not show the outcome yet, this does. Entries go as soon as the
  // informer shows the same or a newer version, so this holds only writes in transit.
  const ownWrites = new Map<string, CachedAppCopy>();
  /** The newest state known of `key`: the informer's, or this operator's own later write. */
  const newestKnown = (key: string): CachedAppCopy | undefined => {
    const cached = informer.get(key);
    const written = ownWrites.get(key);
    return written && (!cached || isOlderVersion(cached.resourceVersion, written.resourceVersion))
      ? written
      : cached;
  };

  const queue = new WorkQueue({
    name: 'appcopy',
    concurrency: deps.concurrency,
    clock: deps.clock,
    logger,
    backoff: RECONCILE_BACKOFF,
    ...(deps.gate ? { gate: deps.gate } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    handler: async (key, signal) => {
      // A key queued by an event may have settled since: typically the watch event of this
      // operator's own intent write, which arrives while that same reconcile runs on to the
      // outcome. When the newest known state (the cache, or the outcome this operator just
      // wrote) is settled, the reconcile would only re-read it to find nothing to do. Any later
      // change re-queues the key after updating the cache, so nothing is missed.
      const known = newestKnown(key);
      if (known && !needsReconcile(known, deps.following)) return undefined;
      const outcome = await outcomeOf(() => reconcile(key, signal));
      if (outcome.kind === 'retry') {
        const fields = { appcopy: key, why: outcome.why };
        if (outcome.quiet) logger.debug(fields, 'reading again');
        else logger.info(fields, 'waiting; will retry with backoff');
      }
      return toQueueResult(outcome);
    },
  });
  const targets = createTargetGuard({
    copyingInto: (target, exceptKey) => index.copyingInto(target, exceptKey),
    wake: (keys) => {
      for (const key of keys) queue.add(key);
    },
  });
  const index = createCopyingIndex((target) => targets.targetFreed(target));
  // Who uses which console, and who lives in which namespace: a console or namespace change
  // wakes its AppCopies without scanning the whole cache (10,000 AppCopies and hundreds of
  // consoles would make every start a scan per console).
  const byConsole = new KeyIndex();
  const byNamespace = new KeyIndex();
  const indexed = (c: CachedAppCopy) => {
    const key = objectKey(c);
    byConsole.set(key, c.console ?? DEFAULT_CONSOLE_USERS);
    byNamespace.set(key, c.namespace);
  };

  /** The informer caught up with an own write: it is no longer in transit. */
  const caughtUp = (c: CachedAppCopy) => {
    const key = objectKey(c);
    const written = ownWrites.get(key);
    if (written && !isOlderVersion(c.resourceVersion, written.resourceVersion)) ownWrites.delete(key);
  };
  informer.onAdd((c) => {
    caughtUp(c);
    index.observe(c);
    indexed(c);
    if (needsReconcile(c, deps.following)) queue.add(objectKey(c));
  });
  informer.onUpdate((_previous, c) => {
    caughtUp(c);
    index.observe(c);
    indexed(c);
    if (needsReconcile(c, deps.following)) queue.add(objectKey(c));
  });
  informer.onDelete((c) => {
    index.forget(c);
    byConsole.delete(objectKey(c));
    byNamespace.delete(objectKey(c));
    ownWrites.delete(objectKey(c));
  });

  function observeWritten(object: AppCopy): void {
    const written = toCached(object);
    index.observe(written);
    const key = objectKey(written);
    const cached = informer.get(key);
    if (!cached || isOlderVersion(cached.resourceVersion, written.resourceVersion))
      ownWrites.set(key, written);
  }
  function wake(keys: Iterable<string>): void {
    for (const key of keys) {
      const known = newestKnown(key);
      if (known && needsReconcile(known, deps.following)) queue.add(key);
    }
  }

  // Made once the parts exist, before the informer starts: the queue's handler runs only then.
  const reconcile = deps.makeReconcile({ targets, observeWritten });

  return {
    queue,
    targets,
    observeWritten,
    wakeConsoleUsers(key, defaultKey) {
      wake(byConsole.keysOf(key));
      if (key === defaultKey) wake(byConsole.keysOf(DEFAULT_CONSOLE_USERS));
    },
    wakeNamespace(namespace) {
      wake(byNamespace.keysOf(namespace));
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

/** The index value of AppCopies that name no console (they use the default one). */
const DEFAULT_CONSOLE_USERS = '';

/** Object keys grouped by one value each (a console key, a namespace). */
class KeyIndex {
  readonly #valueOf = new Map<string, string>();
  readonly #keysOf = new Map<string, Set<string>>();

  set(key: string, value: string): void {
    const previous = this.#valueOf.get(key);
    if (previous === value) return;
    if (previous !== undefined) this.delete(key);
    this.#valueOf.set(key, value);
    let keys = this.#keysOf.get(value);
    if (!keys) {
      keys = new Set();
      this.#keysOf.set(value, keys);
    }
    keys.add(key);
  }

  delete(key: string): void {
    const value = this.#valueOf.get(key);
    if (value === undefined) return;
    this.#valueOf.delete(key);
    const keys = this.#keysOf.get(value);
    keys?.delete(key);
    if (keys?.size === 0) this.#keysOf.delete(value);
  }

  keysOf(value: string): readonly string[] {
    return [...(this.#keysOf.get(value) ?? [])];
  }
}
