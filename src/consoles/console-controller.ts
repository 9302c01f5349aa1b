// Wires the console informers to the console check: a console that appears, changes its spec or
// goes is checked at once, and every CONSOLE_CHECK_INTERVAL after (the check asks for it). A
// spec change or a namespace's new labels may change what the consoles' rules allow, so the
// AppCopies concerned are woken at once; so are those of a console whose readiness or token
// changed (the check reports it through onChange).
import { type Clock, type Informer, WorkQueue, type WorkQueueMetrics } from '@appcopy/kube-runtime';
import type { Logger } from 'pino';
import type { ConsoleObject } from '../api/console.ts';
import { type CachedNamespace, consoleObjectKey } from './catalogue.ts';
import type { CheckOutcome } from './console-check.ts';

export interface ConsoleController {
  queue: WorkQueue;
  /** Checks `key` again now (e.g. the console refused a token that may have been rotated). */
  recheck(key: string): void;
  start(): void;
  stop(drainTimeoutMs: number): Promise<void>;
}

export function createConsoleController(deps: {
  consoles: Informer<ConsoleObject>;
  clusterConsoles: Informer<ConsoleObject> | undefined;
  namespaces: Informer<CachedNamespace> | undefined;
  check: (key: string, log: Logger) => Promise<CheckOutcome>;
  /** The console `key`'s rules may allow other copies now: wake the AppCopies that use it. */
  onRulesChanged: (key: string) => void;
  /** A namespace's labels changed: wake its AppCopies (a rule's selector may admit it now). */
  onNamespaceChanged: (namespace: string) => void;
  /** Until the longest interval between two checks of a console that is not ready. */
  maxBackoffMs: number;
  clock: Clock;
  logger: Logger;
  gate?: () => boolean;
  metrics?: WorkQueueMetrics;
}): ConsoleController {
  const queue = new WorkQueue({
    name: 'console',
    concurrency: 4,
    clock: deps.clock,
    logger: deps.logger,
    backoff: { baseMs: 1000, maxMs: deps.maxBackoffMs, jitter: 0.2 },
    ...(deps.gate ? { gate: deps.gate } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    handler: async (key) => deps.check(key, deps.logger.child({ console: key })),
  });

  for (const informer of [deps.consoles, deps.clusterConsoles]) {
    if (!informer) continue;
    informer.onAdd((o) => {
      const key = consoleObjectKey(o);
      queue.add(key);
      // The first list's adds wake nobody: every AppCopy is queued by its own informer at start.
      if (informer.hasSynced()) deps.onRulesChanged(key);
    });
    informer.onUpdate((before, after) => {
      // Status writes (the check's own) and resyncs keep the generation: the check's own
      // schedule covers them.
      if (before.metadata.generation === after.metadata.generation) return;
      const key = consoleObjectKey(after);
      queue.add(key);
      deps.onRulesChanged(key);
    });
    informer.onDelete((o) => {
      const key = consoleObjectKey(o);
      queue.add(key);
      deps.onRulesChanged(key);
    });
  }
  deps.namespaces?.onUpdate((before, after) => {
    if (JSON.stringify(before.labels) !== JSON.stringify(after.labels)) deps.onNamespaceChanged(after.name);
  });
  const namespaces = deps.namespaces;
  namespaces?.onAdd((n) => {
    if (namespaces.hasSynced()) deps.onNamespaceChanged(n.name);
  });

  const informers = [deps.consoles, deps.clusterConsoles, deps.namespaces].filter(
    (i): i is Informer<ConsoleObject> | Informer<CachedNamespace> => i !== undefined,
  );
  return {
    queue,
    recheck: (key) => queue.add(key),
    start() {
      for (const informer of informers) informer.start();
    },
    async stop(drainTimeoutMs) {
      await queue.shutDown({ drainTimeoutMs });
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
}
