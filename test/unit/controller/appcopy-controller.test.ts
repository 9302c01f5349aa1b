// The controller's choice of which queued keys to reconcile, with the real work queue and an
// in-memory informer: a key is skipped only when the newest state known of it (the cache, or
// the operator's own write the watch has not delivered yet) has nothing left to do.
import { describe, expect, it } from 'vitest';
import type { Informer } from '../../../packages/kube-runtime/src/informer.ts';
import { captureLogs } from '../../../packages/kube-runtime/test/log-capture.ts';
import type { AppCopy } from '../../../src/api/appcopy.ts';
import { createAppCopyController } from '../../../src/controller/appcopy-controller.ts';
import { type CachedAppCopy, toCachedAppCopy } from '../../../src/controller/cached-appcopy.ts';
import { done } from '../../../src/controller/outcome.ts';
import { eventually } from '../../support/eventually.ts';
import { createFakeClock } from '../../support/fake-clock.ts';

function appCopy(
  resourceVersion: string,
  phase: 'Pending' | 'Copying' | 'Succeeded' | 'Failed',
  generation = 1,
  where: { namespace?: string; name?: string; consoleRef?: { kind: string; name: string } } = {},
): AppCopy {
  return {
    apiVersion: 'openapi.rainbond.io/v1alpha1',
    kind: 'AppCopy',
    metadata: {
      namespace: where.namespace ?? 'team',
      name: where.name ?? 'copy',
      uid: 'u1',
      generation,
      resourceVersion,
    },
    spec: {
      source: { teamId: 't', regionName: 'r', appId: 1 },
      target: { teamName: 't', regionName: 'r', appId: 2 },
      deletionPolicy: 'Orphan',
      ...(where.consoleRef ? { consoleRef: where.consoleRef } : {}),
    },
    status: { phase, observedGeneration: 1 },
  } as unknown as AppCopy;
}

/** An informer whose cache and events the test drives. */
function fakeInformer() {
  const cache = new Map<string, CachedAppCopy>();
  const adds: ((c: CachedAppCopy) => void)[] = [];
  const updates: ((o: CachedAppCopy, c: CachedAppCopy) => void)[] = [];
  const informer: Informer<CachedAppCopy> = {
    name: 'fake',
    onAdd: (h) => {
      adds.push(h);
      return () => {};
    },
    onUpdate: (h) => {
      updates.push(h);
      return () => {};
    },
    onDelete: () => () => {},
    get: (key) => cache.get(key),
    list: () => [...cache.values()],
    hasSynced: () => true,
    waitForSync: async () => true,
    start: () => {},
    stop: async () => {},
  };
  return {
    informer,
    /** The watch delivers `object`. */
    deliver(object: AppCopy) {
      const c = toCachedAppCopy(object);
      const key = `${c.namespace}/${c.name}`;
      const previous = cache.get(key);
      cache.set(key, c);
      if (previous) for (const h of updates) h(previous, c);
      else for (const h of adds) h(c);
    },
  };
}

async function setUp() {
  const { informer, deliver } = fakeInformer();
  const reconciled: string[] = [];
  const controller = createAppCopyController({
    informer,
    makeReconcile: () => async (key) => {
      reconciled.push(key);
      return done;
    },
    following: false,
    concurrency: 2,
    clock: createFakeClock(),
    logger: captureLogs().logger,
  });
  const settle = async () => {
    await eventually(() => controller.queue.len() === 0 && controller.queue.running() === 0, {
      what: 'the work queue to be idle',
      timeoutMs: 2_000,
      intervalMs: 0,
    });
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { controller, deliver, reconciled, settle };
}

describe('which queued keys the controller reconciles', () => {
  it('reconciles a key whose cached state has work to do', async () => {
    const { controller, deliver, reconciled, settle } = await setUp();
    deliver(appCopy('10', 'Copying'));
    await settle();
    expect(reconciled).toEqual(['team/copy']);
    controller.queue.add('team/copy');
    await settle();
    expect(reconciled).toEqual(['team/copy', 'team/copy']);
  });

  it('skips a key when its own outcome write, not yet delivered by the watch, settled it', async () => {
    const { controller, deliver, reconciled, settle } = await setUp();
    deliver(appCopy('10', 'Copying'));
    await settle();
    controller.observeWritten(appCopy('11', 'Succeeded'));
    controller.queue.add('team/copy');
    await settle();
    expect(reconciled).toEqual(['team/copy']);
  });

  it('reconciles when the cache holds a newer version than the own write (someone changed it since)', async () => {
    const { controller, deliver, reconciled, settle } = await setUp();
    deliver(appCopy('10', 'Copying'));
    await settle();
    controller.observeWritten(appCopy('11', 'Succeeded'));
    deliver(appCopy('12', 'Failed', 2)); // a new generation after a failure: to be copied
    await settle();
    expect(reconciled).toEqual(['team/copy', 'team/copy']);
  });

  it('ignores an own write older than the cache', async () => {
    const { controller, deliver, reconciled, settle } = await setUp();
    deliver(appCopy('12', 'Copying'));
    await settle();
    controller.observeWritten(appCopy('11', 'Succeeded'));
    controller.queue.add('team/copy');
    await settle();
    expect(reconciled).toEqual(['team/copy', 'team/copy']);
  });
});

describe('waking the AppCopies a console or a namespace change concerns', () => {
  it('wakes those naming the console, and those using it by default when it is the default', async () => {
    const { controller, deliver, reconciled, settle } = await setUp();
    const shared = { kind: 'ClusterRainbondConsole', name: 'shared' };
    deliver(appCopy('10', 'Pending', 1, { name: 'named', consoleRef: shared }));
    deliver(appCopy('11', 'Pending', 1, { name: 'default' }));
    deliver(
      appCopy('12', 'Pending', 1, {
        name: 'other',
        consoleRef: { kind: 'ClusterRainbondConsole', name: 'other' },
      }),
    );
    deliver(appCopy('13', 'Succeeded', 1, { name: 'settled', consoleRef: shared }));
    await settle();
    reconciled.length = 0;

    controller.wakeConsoleUsers('ClusterRainbondConsole/shared', undefined);
    await settle();
    expect(reconciled).toEqual(['team/named']);

    reconciled.length = 0;
    controller.wakeConsoleUsers('ClusterRainbondConsole/shared', 'ClusterRainbondConsole/shared');
    await settle();
    expect(reconciled.sort()).toEqual(['team/default', 'team/named']);
  });

  it('wakes the AppCopies of a namespace whose labels changed, and no other', async () => {
    const { controller, deliver, reconciled, settle } = await setUp();
    deliver(appCopy('10', 'Pending', 1, { namespace: 'team-a', name: 'a' }));
    deliver(appCopy('11', 'Pending', 1, { namespace: 'team-b', name: 'b' }));
    await settle();
    reconciled.length = 0;
    controller.wakeNamespace('team-b');
    await settle();
    expect(reconciled).toEqual(['team-b/b']);
  });

  it('follows an AppCopy that moved to another console (a spec change while Pending)', async () => {
    const { controller, deliver, reconciled, settle } = await setUp();
    deliver(appCopy('10', 'Pending', 1, { consoleRef: { kind: 'ClusterRainbondConsole', name: 'first' } }));
    deliver(appCopy('11', 'Pending', 2, { consoleRef: { kind: 'ClusterRainbondConsole', name: 'second' } }));
    await settle();
    reconciled.length = 0;
    controller.wakeConsoleUsers('ClusterRainbondConsole/first', undefined);
    await settle();
    expect(reconciled).toEqual([]);
    controller.wakeConsoleUsers('ClusterRainbondConsole/second', undefined);
    await settle();
    expect(reconciled).toEqual(['team/copy']);
  });
});
