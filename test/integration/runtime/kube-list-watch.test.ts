import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { WatchEventType } from '../../../packages/kube-runtime/src/informer.ts';
import { KubeApiError } from '../../../packages/kube-runtime/src/kube-api-error.ts';
import { createKubeListWatch } from '../../../packages/kube-runtime/src/kube-list-watch.ts';
import { eventually } from '../../support/eventually.ts';
import { createTestNamespace, testKubeConfig } from '../../support/kube.ts';

// The adapter against the real API server: REST paths, auth from the kubeconfig, pagination,
// the watch stream and its errors.
describe('kube list-watch', () => {
  it('lists every page and watches changes after the list resourceVersion', async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'rt-lw');
    const core = kc.makeApiClient(CoreV1Api);
    for (let i = 0; i < 5; i++) {
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: `cm-${i}` }, data: { i: String(i) } },
      });
    }
    const lw = createKubeListWatch(kc, {
      group: '',
      version: 'v1',
      plural: 'configmaps',
      namespace,
      pageSize: 2,
    });
    const listed = await lw.list(AbortSignal.timeout(10_000));
    const names = listed.items.map((item) => (item as { metadata: { name: string } }).metadata.name).sort();
    expect(names).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4']);
    expect(listed.resourceVersion).toMatch(/^\d+$/);
    // List items get the type meta that watch events carry.
    expect(listed.items[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });

    const events: string[] = [];
    const controller = new AbortController();
    const watching = lw.watch(
      listed.resourceVersion,
      (type: WatchEventType, obj) => {
        if (type !== 'BOOKMARK')
          events.push(`${type} ${(obj as { metadata: { name: string } }).metadata.name}`);
      },
      controller.signal,
    );
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'new' } } });
    await core.deleteNamespacedConfigMap({ namespace, name: 'cm-0' });
    await eventually(() => events.length === 2, {
      what: 'both events',
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    expect(events).toEqual(['ADDED new', 'DELETED cm-0']);
    controller.abort();
    await expect(watching).resolves.toBeUndefined();
  });

  it('filters by label selector', async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'rt-lw');
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'yes', labels: { pick: 'me' } } },
    });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'no' } } });
    const lw = createKubeListWatch(kc, {
      group: '',
      version: 'v1',
      plural: 'configmaps',
      namespace,
      labelSelector: 'pick=me',
    });
    const listed = await lw.list(AbortSignal.timeout(10_000));
    expect(listed.items.map((item) => (item as { metadata: { name: string } }).metadata.name)).toEqual([
      'yes',
    ]);
  });

  it('turns API errors into KubeApiError with the HTTP status', async () => {
    const kc = testKubeConfig();
    const lw = createKubeListWatch(kc, { group: 'nothing.example.com', version: 'v1', plural: 'things' });
    const listError = await lw.list(AbortSignal.timeout(10_000)).catch((err: unknown) => err);
    expect(listError).toBeInstanceOf(KubeApiError);
    expect(listError).toMatchObject({ code: 'KUBE_API_ERROR', statusCode: 404 });
    const watchError = await lw
      .watch('0', () => {}, AbortSignal.timeout(10_000))
      .catch((err: unknown) => err);
    expect(watchError).toMatchObject({ statusCode: 404 });
  });

  it('reads a kind the API server does not serve as empty when asked to, says so, and looks again', async () => {
    const kc = testKubeConfig();
    const seen: boolean[] = [];
    const lw = createKubeListWatch(kc, {
      group: 'nowhere.example.com',
      version: 'v1',
      plural: 'widgets',
      whenAbsent: 'empty',
      onAbsent: (absent) => seen.push(absent),
      absentRecheckMs: 50,
    });
    const listed = await lw.list(AbortSignal.timeout(10_000));
    expect(listed.items).toEqual([]);
    expect(seen).toEqual([true]);
    // The watch of nothing ends as an expired one does, so the informer lists again.
    const error = await lw
      .watch(listed.resourceVersion, () => {}, AbortSignal.timeout(10_000))
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).statusCode).toBe(410);

    const strict = createKubeListWatch(kc, {
      group: 'nowhere.example.com',
      version: 'v1',
      plural: 'widgets',
    });
    await expect(strict.list(AbortSignal.timeout(10_000))).rejects.toMatchObject({ statusCode: 404 });
  });
});
