import { CoreV1Api, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../packages/kube-runtime/src/clock.ts';
import {
  createInformer,
  type Informer,
  type ListWatch,
} from '../../../packages/kube-runtime/src/informer.ts';
import { createKubeListWatch } from '../../../packages/kube-runtime/src/kube-list-watch.ts';
import { objectKeyOf } from '../../../packages/kube-runtime/src/object-key.ts';
import { captureLogs } from '../../../packages/kube-runtime/test/log-capture.ts';
import { eventually } from '../../support/eventually.ts';
import { createTestNamespace, testKubeConfig } from '../../support/kube.ts';
import { type FreezableProxy, startFreezableProxy } from './freezable-proxy.ts';

type Cm = V1ConfigMap & { metadata: { name: string; namespace: string } };

/** Counts lists: a relist is how the informer recovers, and the tests check it happened. */
function countingLists(inner: ListWatch): ListWatch & { lists: number } {
  const counted = {
    lists: 0,
    list: (signal: AbortSignal) => {
      counted.lists++;
      return inner.list(signal);
    },
    watch: inner.watch.bind(inner),
  };
  return counted;
}

describe('informer against the API server', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function startInformer(
    kc: KubeConfig,
    namespace: string,
    options: { watchSilenceMs?: number; requestTimeoutMs?: number } = {},
  ) {
    const { logger, lines } = captureLogs();
    const listWatch = countingLists(
      createKubeListWatch(kc, {
        group: '',
        version: 'v1',
        plural: 'configmaps',
        namespace,
        ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      }),
    );
    const informer: Informer<Cm> = createInformer<Cm>({
      name: 'configmaps',
      listWatch,
      keyOf: objectKeyOf,
      resyncMs: 0,
      watchSilenceMs: options.watchSilenceMs ?? 0,
      backoff: { baseMs: 200, maxMs: 2000, jitter: 0.2 },
      clock: systemClock,
      logger,
    });
    const events: string[] = [];
    informer.onAdd((cm) => events.push(`add ${cm.metadata.name}`));
    informer.onUpdate((old, cm) => {
      if (old.metadata.resourceVersion !== cm.metadata.resourceVersion)
        events.push(`update ${cm.metadata.name}`);
    });
    informer.onDelete((cm) => events.push(`delete ${cm.metadata.name}`));
    informer.start();
    cleanups.push(() => informer.stop());
    return { informer, events, lines, listWatch };
  }

  it('sees the objects that exist, then every create, update and delete', async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'rt-inf');
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'before' }, data: { v: '1' } },
    });

    const { informer, events } = startInformer(kc, namespace);
    expect(await informer.waitForSync(AbortSignal.timeout(10_000))).toBe(true);
    expect(informer.get(`${namespace}/before`)?.data).toEqual({ v: '1' });

    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'created' } } });
    await core.patchNamespacedConfigMap({
      namespace,
      name: 'before',
      body: [{ op: 'replace', path: '/data/v', value: '2' }],
    });
    await core.deleteNamespacedConfigMap({ namespace, name: 'created' });
    await eventually(() => events.length === 4, {
      what: 'the informer to see all three changes',
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    expect(events).toEqual(['add before', 'add created', 'update before', 'delete created']);
    expect(informer.get(`${namespace}/before`)?.data).toEqual({ v: '2' });
    expect(informer.get(`${namespace}/created`)).toBeUndefined();
  });

  it('relists when its watch goes silent (a dead connection that never closes), and catches up', async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'rt-inf');
    const core = kc.makeApiClient(CoreV1Api);
    const server = new URL(kc.getCurrentCluster()!.server);
    const proxy: FreezableProxy = await startFreezableProxy({
      host: server.hostname,
      port: Number(server.port),
    });
    cleanups.push(() => proxy.close());
    const proxied = testKubeConfig();
    const cluster = proxied.getCurrentCluster()!;
    proxied.clusters = proxied.clusters.map((c) =>
      c.name === cluster.name ? { ...c, server: `https://${server.hostname}:${proxy.port}` } : c,
    );

    // Keep the watch busy the way a live cluster does, so silence can only mean a dead connection.
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'ticker' }, data: { n: '0' } },
    });
    let ticking = true;
    const ticker = (async () => {
      for (let n = 1; ticking; n++) {
        await core
          .patchNamespacedConfigMap({
            namespace,
            name: 'ticker',
            body: [{ op: 'replace', path: '/data/n', value: String(n) }],
          })
          .catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    cleanups.push(async () => {
      ticking = false;
      await ticker;
    });

    const { informer, lines, listWatch } = startInformer(proxied, namespace, {
      watchSilenceMs: 3000,
      requestTimeoutMs: 5000,
    });
    expect(await informer.waitForSync(AbortSignal.timeout(10_000))).toBe(true);
    // A healthy, busy watch is left alone.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(listWatch.lists).toBe(1);

    expect(proxy.freezeOpenConnections()).toBeGreaterThan(0);
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'after-freeze' } } });
    await eventually(() => informer.get(`${namespace}/after-freeze`) !== undefined, {
      what: 'the informer to recover and see the new object',
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    expect(lines.some((line) => line.msg === 'watch went silent; relisting')).toBe(true);
    expect(listWatch.lists).toBeGreaterThanOrEqual(2);
  });
});
