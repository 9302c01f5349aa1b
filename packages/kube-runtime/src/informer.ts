import type { Logger } from 'pino';
import { ABORTED, abortable } from './abortable.ts';
import { type BackoffOptions, backoffDelay } from './backoff.ts';
import { type Clock, sleep, type TimerHandle } from './clock.ts';
import { isResourceExpired } from './kube-api-error.ts';

// A list+watch cache of one resource, kept correct in the face of what really happens to long
// watches: the server ends them, the resourceVersion expires (410), the connection dies
// silently, the API server restarts. Unlike client-node's informer it never stops on an error:
// it relists with backoff until stopped.

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface ListResult {
  items: unknown[];
  /** The collection's resourceVersion: the watch resumes from here. */
  resourceVersion: string;
}

/** How an informer reads its resource; `createKubeListWatch` is the API server implementation. */
export interface ListWatch {
  list(signal: AbortSignal): Promise<ListResult>;
  /**
   * Optional: like `list`, but applies `convert` to each object as soon as it is decoded and
   * returns the results (leaving out `undefined`), so that a large list never holds every raw
   * object at once. The informer uses it when present.
   */
  listConverted?<C>(
    signal: AbortSignal,
    convert: (raw: unknown) => C | undefined,
  ): Promise<{ items: C[]; resourceVersion: string }>;
  /**
   * Streams changes after `resourceVersion` (with bookmarks) into `onEvent`. Resolves when the
   * stream ends normally, rejects on failure (a KubeApiError with statusCode 410 when the
   * resourceVersion is too old), and ends promptly once `signal` aborts.
   */
  watch(
    resourceVersion: string,
    onEvent: (type: WatchEventType, obj: unknown) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

export interface InformerOptions<T> {
  /** Names the informer in logs. */
  name: string;
  listWatch: ListWatch;
  /** The cache key of an object (after `transform`), usually `objectKeyOf`. */
  keyOf: (obj: T) => string;
  /**
   * Turns a raw API object into what the cache keeps; keep only the fields the controller
   * reads, since the cache holds every object. Defaults to keeping the raw object. An object it
   * throws on is logged and left out of the cache.
   */
  transform?: (raw: unknown) => T;
  /** Every `resyncMs` each cached object is re-announced through onUpdate(obj, obj); 0 disables. */
  resyncMs: number;
  /**
   * A watch on which nothing at all (not even a bookmark) arrived for this long is dropped and
   * the cache relisted; 0 disables. The API server sends a bookmark about once a minute on a quiet
   * watch, so 2-3 minutes catches a dead connection without false alarms.
   */
  watchSilenceMs: number;
  /** Delay between attempts after failures (failed list, failed or silent watch). */
  backoff: BackoffOptions;
  clock: Clock;
  logger: Logger;
  /** Source of backoff jitter; defaults to Math.random. */
  random?: () => number;
}

export interface Informer<T> {
  readonly name: string;
  /** Handlers see events after they are registered; register them before `start()`. Returns an unsubscribe function. */
  onAdd(handler: (obj: T) => void): () => void;
  onUpdate(handler: (oldObj: T, newObj: T) => void): () => void;
  onDelete(handler: (obj: T) => void): () => void;
  get(key: string): T | undefined;
  list(): T[];
  /** True once the first list filled the cache; stays true (the cache is then only ever refreshed). */
  hasSynced(): boolean;
  /** Resolves true once synced, or false if `signal` aborts or `stop()` is called first. */
  waitForSync(signal?: AbortSignal): Promise<boolean>;
  /** Starts listing and watching in the background; a no-op while running. */
  start(): void;
  /** Ends the watch, clears every timer and resolves when the background loop is finished. */
  stop(): Promise<void>;
}

interface Entry<T> {
  object: T;
  resourceVersion: string;
}

type WatchEnd = { kind: 'ended'; events: number } | { kind: 'silent' } | { kind: 'stopped' };

export function createInformer<T>(opts: InformerOptions<T>): Informer<T> {
  const { name, listWatch, keyOf, clock, backoff } = opts;
  const transform = opts.transform ?? ((raw: unknown) => raw as T);
  const random = opts.random ?? Math.random;
  const logger = opts.logger.child({ informer: name });

  let cache = new Map<string, Entry<T>>();
  let synced = false;
  let lastResourceVersion = '';
  let running: { controller: AbortController; done: Promise<void> } | undefined;
  let resyncTimer: TimerHandle | undefined;
  const syncWaiters = new Set<(synced: boolean) => void>();

  const addHandlers = new Set<(obj: T) => void>();
  const updateHandlers = new Set<(oldObj: T, newObj: T) => void>();
  const deleteHandlers = new Set<(obj: T) => void>();

  // Handlers belong to the caller: one that throws is logged and must not break the cache.
  const emit = <A extends unknown[]>(
    handlers: Set<(...args: A) => void>,
    event: string,
    ...args: A
  ): void => {
    for (const handler of handlers) {
      try {
        handler(...args);
      } catch (err) {
        logger.error({ err, event }, 'event handler threw');
      }
    }
  };

  const toEntry = (raw: unknown): { key: string; entry: Entry<T> } | undefined => {
    try {
      const object = transform(raw);
      return { key: keyOf(object), entry: { object, resourceVersion: resourceVersionOf(raw) } };
    } catch (err) {
      logger.error({ err }, 'dropping an object that could not be transformed or keyed');
      return undefined;
    }
  };

  /** Makes the cache equal to a fresh list and announces the differences. */
  const replace = (items: { key: string; entry: Entry<T> }[]): void => {
    const previous = cache;
    const next = new Map<string, Entry<T>>();
    for (const { key, entry } of items) next.set(key, entry);
    cache = next;
    for (const [key, entry] of next) {
      const old = previous.get(key);
      if (!old) emit(addHandlers, 'add', entry.object);
      // An unchanged resourceVersion means an unchanged object: only real changes are announced.
      else if (old.resourceVersion !== entry.resourceVersion || entry.resourceVersion === '')
        emit(updateHandlers, 'update', old.object, entry.object);
    }
    for (const [key, old] of previous) {
      if (!next.has(key)) emit(deleteHandlers, 'delete', old.object);
    }
  };

  const applyWatchEvent = (type: WatchEventType, raw: unknown): void => {
    const resourceVersion = resourceVersionOf(raw);
    if (type !== 'BOOKMARK') {
      const converted = toEntry(raw);
      if (converted) {
        const old = cache.get(converted.key);
        if (type === 'DELETED') {
          cache.delete(converted.key);
          emit(deleteHandlers, 'delete', old?.object ?? converted.entry.object);
        } else {
          cache.set(converted.key, converted.entry);
          if (old) emit(updateHandlers, 'update', old.object, converted.entry.object);
          else emit(addHandlers, 'add', converted.entry.object);
        }
      }
    }
    if (resourceVersion !== '') lastResourceVersion = resourceVersion;
  };

  const markSynced = (): void => {
    if (synced) return;
    synced = true;
    for (const resolve of syncWaiters) resolve(true);
    syncWaiters.clear();
  };

  /** One watch from `resourceVersion`, guarded by the silence watchdog. Throws on watch failure. */
  const watchOnce = async (resourceVersion: string, signal: AbortSignal): Promise<WatchEnd> => {
    const watchController = new AbortController();
    const onStop = (): void => watchController.abort();
    signal.addEventListener('abort', onStop, { once: true });
    let events = 0;
    let lastEventAt = clock.now();
    let silent = false;
    let watchdog: TimerHandle | undefined;
    const armWatchdog = (ms: number): void => {
      watchdog = clock.setTimeout(() => {
        const quietFor = clock.now() - lastEventAt;
        if (quietFor >= opts.watchSilenceMs) {
          silent = true;
          watchController.abort();
        } else {
          armWatchdog(opts.watchSilenceMs - quietFor);
        }
      }, ms);
    };
    if (opts.watchSilenceMs > 0) armWatchdog(opts.watchSilenceMs);
    try {
      const onEvent = (type: WatchEventType, obj: unknown): void => {
        if (watchController.signal.aborted) return;
        events++;
        lastEventAt = clock.now();
        applyWatchEvent(type, obj);
      };
      await abortable(
        listWatch.watch(resourceVersion, onEvent, watchController.signal),
        watchController.signal,
      );
    } catch (err) {
      if (!watchController.signal.aborted) throw err;
    } finally {
      if (watchdog) clock.clearTimeout(watchdog);
      signal.removeEventListener('abort', onStop);
      watchController.abort();
    }
    if (signal.aborted) return { kind: 'stopped' };
    if (silent) return { kind: 'silent' };
    return { kind: 'ended', events };
  };

  let failures = 0;

  /**
   * Lists into the cache; false if stopped meanwhile. A function of its own so that the raw list
   * is garbage once it returns, not held by the long-lived frame of `listAndWatch`.
   */
  const relist = async (signal: AbortSignal): Promise<boolean> => {
    const listing = listWatch.listConverted
      ? listWatch.listConverted(signal, toEntry)
      : listWatch.list(signal).then(({ items, resourceVersion }) => ({
          items: items.map(toEntry).filter((item) => item !== undefined),
          resourceVersion,
        }));
    const listed = await abortable(listing, signal);
    if (listed === ABORTED) return false;
    replace(listed.items);
    lastResourceVersion = listed.resourceVersion;
    markSynced();
    logger.debug({ objects: cache.size, resourceVersion: listed.resourceVersion }, 'listed');
    return true;
  };

  /** List, then watch for as long as watches keep ending normally. Returns to ask for a relist; throws on failure. */
  const listAndWatch = async (signal: AbortSignal): Promise<void> => {
    if (!(await relist(signal))) return;

    let emptyWatches = 0;
    while (!signal.aborted) {
      const end = await watchOnce(lastResourceVersion, signal);
      if (end.kind === 'stopped') return;
      if (end.kind === 'silent') {
        logger.warn({ watchSilenceMs: opts.watchSilenceMs }, 'watch went silent; relisting');
        failures++;
        return;
      }
      // A watch that carried events proves the connection works; one that ended empty right away
      // may be a server refusing us, so consecutive empty watches back off.
      if (end.events > 0) {
        failures = 0;
        emptyWatches = 0;
      } else {
        emptyWatches++;
        if (!(await sleep(clock, backoffDelay(emptyWatches, backoff, random), signal))) return;
      }
    }
  };

  const loop = async (signal: AbortSignal): Promise<void> => {
    while (!signal.aborted) {
      try {
        await listAndWatch(signal);
      } catch (err) {
        if (signal.aborted) return;
        failures++;
        if (isResourceExpired(err)) logger.info({ failures }, 'watch resourceVersion expired; relisting');
        else logger.warn({ err, failures }, 'list or watch failed; relisting after backoff');
      }
      if (signal.aborted) return;
      await sleep(clock, backoffDelay(failures, backoff, random), signal);
    }
  };

  const armResync = (): void => {
    if (!(opts.resyncMs > 0)) return;
    resyncTimer = clock.setTimeout(() => {
      if (synced)
        for (const entry of cache.values()) emit(updateHandlers, 'update', entry.object, entry.object);
      armResync();
    }, opts.resyncMs);
  };

  const subscribe = <F>(handlers: Set<F>, handler: F): (() => void) => {
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
    };
  };

  return {
    name,
    onAdd: (handler) => subscribe(addHandlers, handler),
    onUpdate: (handler) => subscribe(updateHandlers, handler),
    onDelete: (handler) => subscribe(deleteHandlers, handler),
    get: (key) => cache.get(key)?.object,
    list: () => Array.from(cache.values(), (entry) => entry.object),
    hasSynced: () => synced,
    waitForSync(signal) {
      if (synced) return Promise.resolve(true);
      if (signal?.aborted) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const settle = (value: boolean): void => {
          syncWaiters.delete(settle);
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        };
        const onAbort = (): void => settle(false);
        syncWaiters.add(settle);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    start() {
      if (running) return;
      const controller = new AbortController();
      failures = 0;
      const done = loop(controller.signal).catch((err: unknown) => {
        logger.error({ err }, 'informer loop crashed');
      });
      running = { controller, done };
      armResync();
    },
    async stop() {
      const current = running;
      if (!current) return;
      running = undefined;
      if (resyncTimer) clock.clearTimeout(resyncTimer);
      resyncTimer = undefined;
      current.controller.abort();
      for (const waiter of [...syncWaiters]) waiter(false);
      await current.done;
    },
  };
}

/** `metadata.resourceVersion` of a raw API object, or '' when it has none. */
function resourceVersionOf(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return '';
  const metadata = (raw as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null) return '';
  const rv = (metadata as { resourceVersion?: unknown }).resourceVersion;
  return typeof rv === 'string' ? rv : '';
}
