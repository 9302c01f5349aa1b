import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../packages/kube-runtime/src/clock.ts';
import { createInformer } from '../../../packages/kube-runtime/src/informer.ts';
import { createKubeListWatch } from '../../../packages/kube-runtime/src/kube-list-watch.ts';
import { objectKeyOf } from '../../../packages/kube-runtime/src/object-key.ts';
import { captureLogs } from '../../../packages/kube-runtime/test/log-capture.ts';
import { type ControlPlane, startControlPlane } from '../../support/control-plane/control-plane.ts';
import { eventually } from '../../support/eventually.ts';
import { createTestNamespace } from '../../support/kube.ts';

type Cm = V1ConfigMap & { metadata: { name: string; namespace: string } };

// Restarting the API server would disturb every other test on the shared control plane, so this
// file starts a control plane of its own.
describe('informer across API server restarts', () => {
  let controlPlane: ControlPlane;
  beforeAll(async () => {
    controlPlane = await startControlPlane();
  });
  afterAll(async () => {
    await controlPlane?.stop();
  });

  it.each([
    ['a graceful restart (SIGTERM)', 'SIGTERM'],
    ['a crash (SIGKILL)', 'SIGKILL'],
  ] as const)('keeps its cache correct through %s', async (_name, signal) => {
    const kc = controlPlane.kubeConfig();
    const namespace = await createTestNamespace(kc, 'rt-restart');
    const core = kc.makeApiClient(CoreV1Api);
    for (const name of ['keep', 'change', 'remove']) {
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { v: '1' } } });
    }
    const { logger, lines } = captureLogs();
    const informer = createInformer<Cm>({
      name: 'configmaps',
      listWatch: createKubeListWatch(kc, { group: '', version: 'v1', plural: 'configmaps', namespace }),
      keyOf: objectKeyOf,
      resyncMs: 0,
      watchSilenceMs: 120_000,
      backoff: { baseMs: 200, maxMs: 2000, jitter: 0.2 },
      clock: systemClock,
      logger,
    });
    const deleted: string[] = [];
    informer.onDelete((cm) => deleted.push(cm.metadata.name));
    informer.start();
    try {
      expect(await informer.waitForSync(AbortSignal.timeout(10_000))).toBe(true);
      expect(informer.list()).toHaveLength(3);

      await controlPlane.restartApiServer({ signal });
      await core.patchNamespacedConfigMap({
        namespace,
        name: 'change',
        body: [{ op: 'replace', path: '/data/v', value: '2' }],
      });
      await core.deleteNamespacedConfigMap({ namespace, name: 'remove' });
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'added' } } });

      const key = (name: string) => `${namespace}/${name}`;
      await eventually(
        () =>
          informer.get(key('change'))?.data?.v === '2' &&
          informer.get(key('remove')) === undefined &&
          informer.get(key('added')) !== undefined,
        {
          what: 'the cache to reflect the changes made after the restart',
          timeoutMs: 60_000,
          intervalMs: 50,
        },
      );
      expect(informer.get(key('keep'))?.data).toEqual({ v: '1' });
      expect(deleted).toEqual(['remove']);
      // It noticed the broken watch and recovered by itself, without stopping.
      expect(lines.some((line) => line.msg === 'list or watch failed; relisting after backoff')).toBe(true);
    } finally {
      await informer.stop();
    }
  });
});
