import { describe, expect, it } from 'vitest';
import { combineInformers } from '../src/combined-informer.ts';
import { createInformer, type ListWatch } from '../src/informer.ts';
import { objectKeyOf } from '../src/object-key.ts';
import { createFakeClock } from '../src/testing.ts';
import { captureLogs } from './log-capture.ts';

type Obj = { metadata: { namespace: string; name: string; resourceVersion: string } };

/** Lists fixed objects for one namespace and watches forever. */
function staticListWatch(namespace: string, names: string[], ready: Promise<void>): ListWatch {
  return {
    async list() {
      await ready;
      return {
        items: names.map((name) => ({ metadata: { namespace, name, resourceVersion: '1' } })),
        resourceVersion: '1',
      };
    },
    watch: (_rv, _onEvent, signal) =>
      new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
  };
}

describe('combineInformers', () => {
  it('merges per-namespace informers and is synced only when all are', async () => {
    const clock = createFakeClock();
    const { logger } = captureLogs();
    let releaseB: () => void = () => {};
    const make = (ns: string, names: string[], ready: Promise<void>) =>
      createInformer<Obj>({
        name: ns,
        listWatch: staticListWatch(ns, names, ready),
        keyOf: objectKeyOf,
        resyncMs: 0,
        watchSilenceMs: 0,
        backoff: { baseMs: 10, maxMs: 10, jitter: 0 },
        clock,
        logger,
      });
    const combined = combineInformers('all', [
      make('a', ['x'], Promise.resolve()),
      make('b', ['y', 'z'], new Promise<void>((resolve) => (releaseB = resolve))),
    ]);
    const added: string[] = [];
    combined.onAdd((o) => added.push(objectKeyOf(o)));
    combined.start();
    await clock.flush();
    expect(combined.hasSynced()).toBe(false);
    const synced = combined.waitForSync();
    releaseB();
    expect(await synced).toBe(true);
    expect(added.sort()).toEqual(['a/x', 'b/y', 'b/z']);
    expect(combined.get('b/z')).toBeDefined();
    expect(combined.list()).toHaveLength(3);
    await combined.stop();
    expect(clock.pendingTimers()).toBe(0);
  });
});
