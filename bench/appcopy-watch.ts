// Watches the AppCopies of one namespace from the benchmark's side: when each one was first
// seen Succeeded (or Failed), and how many times each was modified. A watch instead of polling,
// so that observing costs the API server one request however many AppCopies there are, and
// the API server's request counts stay the operator's.
import type { KubeRest } from './kube-rest.ts';

interface Observed {
  phase: string | undefined;
  /** performance.now() when first seen (the ADDED event; the list for ones that existed). */
  addedAt: number;
  /** performance.now() when first seen in phase Copying (the intent written). */
  copyingAt?: number;
  /** performance.now() when first seen in phase Succeeded. */
  succeededAt?: number;
  failedAt?: number;
  failure?: string;
  /** performance.now() when first seen with ComponentsReady True (the copies run). */
  componentsReadyAt?: number;
  /** status.url as last seen. */
  url?: string;
  /** MODIFIED events: each is one write (status or metadata) by someone. */
  modifications: number;
}

interface WatchedObject {
  metadata: { name: string; resourceVersion: string };
  status?: {
    phase?: string;
    url?: string;
    conditions?: { type: string; status?: string; message?: string }[];
  };
}

export interface AppCopyWatch {
  get(name: string): Readonly<Observed> | undefined;
  /**
   * Resolves once every name is Succeeded or Failed (as seen by the watch), or, with `until`,
   * once `until` holds for every name.
   */
  settled(
    names: readonly string[],
    timeoutMs: number,
    until?: (o: Readonly<Observed>) => boolean,
  ): Promise<void>;
  /** Sum of MODIFIED events over these names. */
  modifications(names: readonly string[]): number;
  /** Every ADDED, MODIFIED and DELETED event since the watch started (not counting the list). */
  events(): number;
  /**
   * How many of this watch's requests have ended (the API server ends a watch whose reader
   * falls behind; this one then resumes). The API server counts a WATCH when it ends, so these
   * are the benchmark's own in `apiserver_request_total`, not the operator's.
   */
  ended(): number;
  stop(): Promise<void>;
}

/**
 * `fromNow`: start from the collection's current state without reading the objects (one item
 * is listed, for the resourceVersion), for counting writes among thousands of AppCopies.
 */
export async function watchAppCopies(
  kube: KubeRest,
  namespace: string,
  group: string,
  version: string,
  opts: { fromNow?: boolean } = {},
): Promise<AppCopyWatch> {
  const path = `/apis/${group}/${version}/namespaces/${namespace}/appcopies`;
  const list = await kube.request<{ metadata: { resourceVersion: string }; items: WatchedObject[] }>(
    'GET',
    opts.fromNow ? `${path}?limit=1` : path,
  );
  if (list.status !== 200) throw new Error(`listing AppCopies in ${namespace}: HTTP ${list.status}`);
  const objects = new Map<string, Observed>();
  let resourceVersion = list.body.metadata.resourceVersion;
  const waiters = new Set<() => void>();

  const observe = (type: string, raw: WatchedObject, now: number) => {
    const name = raw.metadata.name;
    let o = objects.get(name);
    if (!o) {
      o = { phase: undefined, addedAt: now, modifications: 0 };
      objects.set(name, o);
    }
    if (type === 'MODIFIED') o.modifications++;
    o.phase = raw.status?.phase;
    if (o.phase === 'Copying' && o.copyingAt === undefined) o.copyingAt = now;
    if (o.phase === 'Succeeded' && o.succeededAt === undefined) o.succeededAt = now;
    if (o.phase === 'Failed' && o.failedAt === undefined) {
      o.failedAt = now;
      o.failure = raw.status?.conditions?.find((c) => c.type === 'Ready')?.message;
    }
    const ready = raw.status?.conditions?.find((c) => c.type === 'ComponentsReady');
    if (ready?.status === 'True' && o.componentsReadyAt === undefined) o.componentsReadyAt = now;
    o.url = raw.status?.url;
  };
  if (!opts.fromNow) for (const item of list.body.items) observe('ADDED', item, performance.now());
  let events = 0;
  let ended = 0;

  const abort = new AbortController();
  let failure: unknown;
  const loop = (async () => {
    while (!abort.signal.aborted) {
      await kube.watch(
        `${path}?watch=1&allowWatchBookmarks=true&timeoutSeconds=3600&resourceVersion=${resourceVersion}`,
        (type, object) => {
          const raw = object as WatchedObject;
          if (type === 'ERROR') throw new Error(`watch error: ${JSON.stringify(object)}`);
          resourceVersion = raw.metadata.resourceVersion;
          if (type !== 'BOOKMARK') {
            events++;
            observe(type, raw, performance.now());
          }
          for (const wake of waiters) wake();
        },
        abort.signal,
      );
      ended++;
    }
  })().catch((error: unknown) => {
    failure = error;
    for (const wake of waiters) wake();
  });

  const outcome = (o: Readonly<Observed>) => o.succeededAt !== undefined || o.failedAt !== undefined;

  return {
    get: (name) => objects.get(name),
    async settled(names, timeoutMs, until = outcome) {
      const done = (o: Observed | undefined) => o !== undefined && until(o);
      const deadline = performance.now() + timeoutMs;
      let next = 0;
      for (;;) {
        while (next < names.length && done(objects.get(names[next] as string))) next++;
        if (next >= names.length) return;
        if (failure) throw failure;
        const left = deadline - performance.now();
        if (left <= 0) {
          const missing = names.filter((n) => !done(objects.get(n)));
          throw new Error(
            `${missing.length} of ${names.length} AppCopies did not get there within ${timeoutMs} ms (e.g. ${missing.slice(0, 3).join(', ')}: ${objects.get(missing[0] as string)?.phase ?? 'no phase'})`,
          );
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, Math.min(left, 1000));
          waiters.add(wake);
        });
      }
    },
    events: () => events,
    ended: () => ended,
    modifications(names) {
      return names.reduce((sum, n) => sum + (objects.get(n)?.modifications ?? 0), 0);
    },
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
