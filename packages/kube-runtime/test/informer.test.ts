import { describe, expect, it } from 'vitest';
import {
  createInformer,
  type InformerOptions,
  type ListResult,
  type ListWatch,
  type WatchEventType,
} from '../src/informer.ts';
import { KubeApiError } from '../src/kube-api-error.ts';
import { objectKeyOf } from '../src/object-key.ts';
import { createFakeClock } from '../src/testing.ts';
import { captureLogs } from './log-capture.ts';

interface Obj {
  metadata: { namespace: string; name: string; resourceVersion: string };
  data?: string;
}

const obj = (name: string, rv: string, data?: string): Obj => ({
  metadata: { namespace: 'ns', name, resourceVersion: rv },
  ...(data === undefined ? {} : { data }),
});

interface OpenWatch {
  resourceVersion: string;
  signal: AbortSignal;
  send: (type: WatchEventType, o: unknown) => void;
  end: (err?: Error) => void;
}

/** A ListWatch the test drives: queued list answers and watches it can feed and end. */
class ScriptedListWatch implements ListWatch {
  readonly lists: (ListResult | Error)[] = [];
  readonly watches: OpenWatch[] = [];
  listCalls = 0;

  list(): Promise<ListResult> {
    this.listCalls++;
    const next = this.lists.shift();
    if (!next) return Promise.reject(new Error('no list answer scripted'));
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(structuredClone(next));
  }

  watch(
    resourceVersion: string,
    onEvent: (type: WatchEventType, o: unknown) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w: OpenWatch = {
        resourceVersion,
        signal,
        send: (type, o) => onEvent(type, structuredClone(o)),
        end: (err) => (err ? reject(err) : resolve()),
      };
      signal.addEventListener('abort', () => resolve(), { once: true });
      this.watches.push(w);
    });
  }

  get current(): OpenWatch {
    return this.watches.at(-1)!;
  }
}

function setup(overrides: Partial<InformerOptions<Obj>> = {}) {
  const clock = createFakeClock();
  const { logger, lines } = captureLogs();
  const lw = new ScriptedListWatch();
  const informer = createInformer<Obj>({
    name: 'objs',
    listWatch: lw,
    keyOf: objectKeyOf,
    resyncMs: 0,
    watchSilenceMs: 0,
    backoff: { baseMs: 1000, maxMs: 30_000, jitter: 0 },
    clock,
    logger,
    random: () => 0,
    ...overrides,
  });
  const events: string[] = [];
  informer.onAdd((o) => events.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`));
  informer.onUpdate((o, n) =>
    events.push(`update ${n.metadata.name}@${o.metadata.resourceVersion}->${n.metadata.resourceVersion}`),
  );
  informer.onDelete((o) => events.push(`delete ${o.metadata.name}`));
  return { clock, lw, informer, events, lines };
}

describe('informer', () => {
  it('lists, syncs, then watches from the list resourceVersion and keeps the cache current', async () => {
    const { clock, lw, informer, events } = setup();
    lw.lists.push({ items: [obj('a', '1'), obj('b', '2')], resourceVersion: '10' });
    expect(informer.hasSynced()).toBe(false);
    const synced = informer.waitForSync();
    informer.start();
    expect(await synced).toBe(true);
    await clock.flush();
    expect(informer.hasSynced()).toBe(true);
    expect(lw.current.resourceVersion).toBe('10');
    expect(events).toEqual(['add a@1', 'add b@2']);

    lw.current.send('ADDED', obj('c', '11'));
    lw.current.send('MODIFIED', obj('a', '12', 'new'));
    lw.current.send('DELETED', obj('b', '13'));
    expect(events.slice(2)).toEqual(['add c@11', 'update a@1->12', 'delete b']);
    expect(informer.get('ns/a')?.data).toBe('new');
    expect(informer.get('ns/b')).toBeUndefined();
    expect(
      informer
        .list()
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['a', 'c']);
    await informer.stop();
  });

  it('resumes an ended watch from the last resourceVersion seen, bookmarks included, without relisting', async () => {
    const { clock, lw, informer } = setup();
    lw.lists.push({ items: [], resourceVersion: '10' });
    informer.start();
    await clock.flush();
    lw.current.send('ADDED', obj('a', '15'));
    lw.current.send('BOOKMARK', { metadata: { resourceVersion: '20' } });
    lw.current.end();
    await clock.flush();
    expect(lw.watches).toHaveLength(2);
    expect(lw.current.resourceVersion).toBe('20');
    expect(lw.listCalls).toBe(1);
    await informer.stop();
  });

  it('backs off when watches keep ending without delivering anything', async () => {
    const { clock, lw, informer } = setup();
    lw.lists.push({ items: [], resourceVersion: '10' });
    informer.start();
    await clock.flush();
    lw.current.end();
    await clock.flush();
    expect(lw.watches).toHaveLength(1);
    await clock.advance(1000);
    expect(lw.watches).toHaveLength(2);
    lw.current.end();
    await clock.advance(1999);
    expect(lw.watches).toHaveLength(2);
    await clock.advance(1);
    expect(lw.watches).toHaveLength(3);
    await informer.stop();
  });

  it('relists after a watch error and announces exactly what changed meanwhile', async () => {
    const { clock, lw, informer, events, lines } = setup();
    lw.lists.push({ items: [obj('a', '1'), obj('b', '2'), obj('c', '3')], resourceVersion: '10' });
    informer.start();
    await clock.flush();
    events.length = 0;
    lw.lists.push({ items: [obj('a', '1'), obj('b', '25'), obj('d', '26')], resourceVersion: '30' });
    lw.current.end(new Error('connection reset'));
    await clock.flush();
    expect(lw.listCalls).toBe(1);
    await clock.advance(1000);
    expect(lw.listCalls).toBe(2);
    expect(events.sort()).toEqual(['add d@26', 'delete c', 'update b@2->25']);
    expect(lw.current.resourceVersion).toBe('30');
    expect(lines.some((l) => l.msg === 'list or watch failed; relisting after backoff')).toBe(true);
    await informer.stop();
  });

  it('relists when the watch resourceVersion has expired (410)', async () => {
    const { clock, lw, informer, lines } = setup();
    lw.lists.push({ items: [], resourceVersion: '10' });
    lw.lists.push({ items: [obj('a', '40')], resourceVersion: '50' });
    informer.start();
    await clock.flush();
    lw.current.end(new KubeApiError(410, 'too old resource version', 'Expired'));
    await clock.advance(1000);
    expect(lw.listCalls).toBe(2);
    expect(informer.get('ns/a')).toBeDefined();
    expect(lw.current.resourceVersion).toBe('50');
    expect(lines.some((l) => l.msg === 'watch resourceVersion expired; relisting')).toBe(true);
    await informer.stop();
  });

  it('never gives up on a failing list: retries with growing backoff until it succeeds', async () => {
    const { clock, lw, informer } = setup();
    for (let i = 0; i < 5; i++) lw.lists.push(new Error(`unavailable ${i}`));
    lw.lists.push({ items: [obj('a', '1')], resourceVersion: '10' });
    informer.start();
    await clock.flush();
    const listTimes: number[] = [];
    const start = clock.now();
    while (!informer.hasSynced()) {
      const before = lw.listCalls;
      await clock.advance(500);
      if (lw.listCalls > before) listTimes.push(clock.now() - start);
    }
    expect(listTimes).toEqual([1000, 3000, 7000, 15_000, 31_000]);
    expect(informer.get('ns/a')).toBeDefined();
    await informer.stop();
  });

  it('drops a watch on which nothing arrived for watchSilenceMs and relists', async () => {
    const { clock, lw, informer, lines } = setup({ watchSilenceMs: 60_000 });
    lw.lists.push({ items: [], resourceVersion: '10' });
    lw.lists.push({ items: [obj('missed', '70')], resourceVersion: '80' });
    informer.start();
    await clock.flush();
    const silentWatch = lw.current;
    await clock.advance(30_000);
    silentWatch.send('BOOKMARK', { metadata: { resourceVersion: '11' } });
    await clock.advance(59_999);
    expect(silentWatch.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(silentWatch.signal.aborted).toBe(true);
    expect(lines.some((l) => l.msg === 'watch went silent; relisting')).toBe(true);
    await clock.advance(1000);
    expect(lw.listCalls).toBe(2);
    expect(informer.get('ns/missed')).toBeDefined();
    expect(lw.current.resourceVersion).toBe('80');
    await informer.stop();
  });

  it('keeps a quiet watch that receives bookmarks', async () => {
    const { clock, lw, informer } = setup({ watchSilenceMs: 60_000 });
    lw.lists.push({ items: [], resourceVersion: '10' });
    informer.start();
    await clock.flush();
    for (let i = 0; i < 10; i++) {
      await clock.advance(50_000);
      lw.current.send('BOOKMARK', { metadata: { resourceVersion: String(11 + i) } });
    }
    expect(lw.watches).toHaveLength(1);
    expect(lw.listCalls).toBe(1);
    await informer.stop();
  });

  it('re-announces every cached object as an update every resyncMs', async () => {
    const { clock, lw, informer, events } = setup({ resyncMs: 10_000 });
    lw.lists.push({ items: [obj('a', '1'), obj('b', '2')], resourceVersion: '10' });
    informer.start();
    await clock.flush();
    events.length = 0;
    await clock.advance(9999);
    expect(events).toEqual([]);
    await clock.advance(1);
    expect(events).toEqual(['update a@1->1', 'update b@2->2']);
    await clock.advance(10_000);
    expect(events).toHaveLength(4);
    await informer.stop();
  });

  it('caches what transform returns and leaves out objects it rejects', async () => {
    const { clock, lw, informer, lines } = setup({
      transform: (raw) => {
        const o = raw as Obj;
        if (o.metadata.name === 'bad') throw new Error('unparseable');
        return { metadata: o.metadata };
      },
    });
    lw.lists.push({ items: [obj('a', '1', 'a lot of data'), obj('bad', '2')], resourceVersion: '10' });
    informer.start();
    await clock.flush();
    expect(informer.get('ns/a')).toEqual({ metadata: obj('a', '1').metadata });
    expect(informer.get('ns/bad')).toBeUndefined();
    expect(lines.some((l) => l.msg === 'dropping an object that could not be transformed or keyed')).toBe(
      true,
    );
    await informer.stop();
  });

  it('keeps working when an event handler throws', async () => {
    const { clock, lw, informer, events } = setup();
    informer.onAdd(() => {
      throw new Error('handler bug');
    });
    lw.lists.push({ items: [obj('a', '1')], resourceVersion: '10' });
    informer.start();
    await clock.flush();
    lw.current.send('ADDED', obj('b', '11'));
    expect(events).toEqual(['add a@1', 'add b@11']);
    expect(informer.get('ns/b')).toBeDefined();
    await informer.stop();
  });

  it('stops: ends the watch, clears every timer, and answers waitForSync with false', async () => {
    const { clock, lw, informer } = setup({ resyncMs: 10_000, watchSilenceMs: 60_000 });
    lw.lists.push(new Error('down'));
    informer.start();
    await clock.flush();
    const waiting = informer.waitForSync();
    await informer.stop();
    expect(await waiting).toBe(false);
    expect(clock.pendingTimers()).toBe(0);

    lw.lists.push({ items: [], resourceVersion: '10' });
    informer.start();
    await clock.advance(1000);
    expect(informer.hasSynced()).toBe(true);
    const watch = lw.current;
    await informer.stop();
    expect(watch.signal.aborted).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('lists through listConverted when the ListWatch offers it, converting each object as it arrives', async () => {
    const { clock, lw } = setup();
    const converted: unknown[] = [];
    const withConversion: ListWatch = {
      list: () => Promise.reject(new Error('list must not be used')),
      listConverted: async <C>(_signal: AbortSignal, convert: (raw: unknown) => C | undefined) => {
        const items: C[] = [];
        for (const raw of [obj('a', '1', 'big'), obj('b', '2', 'big')]) {
          const c = convert(raw);
          converted.push(c);
          if (c !== undefined) items.push(c);
        }
        return { items, resourceVersion: '10' };
      },
      watch: lw.watch.bind(lw),
    };
    const converting = createInformer<Obj>({
      name: 'converted',
      listWatch: withConversion,
      keyOf: objectKeyOf,
      transform: (raw) => ({ metadata: (raw as Obj).metadata }),
      resyncMs: 0,
      watchSilenceMs: 0,
      backoff: { baseMs: 1000, maxMs: 30_000, jitter: 0 },
      clock,
      logger: captureLogs().logger,
    });
    converting.start();
    await clock.flush();
    expect(converting.hasSynced()).toBe(true);
    expect(converted).toHaveLength(2);
    expect(converting.get('ns/a')).toEqual({ metadata: obj('a', '1').metadata });
    expect(lw.current.resourceVersion).toBe('10');
    await converting.stop();
  });

  it('unsubscribed handlers receive nothing more', async () => {
    const { clock, lw, informer } = setup();
    const seen: string[] = [];
    const unsubscribe = informer.onAdd((o) => seen.push(o.metadata.name));
    lw.lists.push({ items: [obj('a', '1')], resourceVersion: '10' });
    informer.start();
    await clock.flush();
    unsubscribe();
    lw.current.send('ADDED', obj('b', '11'));
    expect(seen).toEqual(['a']);
    await informer.stop();
  });
});
