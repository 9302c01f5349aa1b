// A stale read (an informer cache or a slow replica that has not seen the latest status) must
// never lead to a second copy: the intent is written with the resourceVersion that was read,
// so the API server answers 409 and the copy is not sent. The reconciler runs in-process here
// with real dependencies; only `get` is wrapped to hand out an old snapshot.
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createSlots } from '../../../packages/kube-runtime/src/slots.ts';
import type { AppCopy } from '../../../src/api/appcopy.ts';
import { createTargetGuard } from '../../../src/controller/copy/target-guard.ts';
import { createCredentialsResolver } from '../../../src/controller/credentials.ts';
import { conflict, outcomeOf } from '../../../src/controller/outcome.ts';
import { createReconciler } from '../../../src/controller/reconciler.ts';
import { createAppCopyStore } from '../../../src/k8s/appcopy-store.ts';
import { createEventRecorder } from '../../../src/k8s/event-recorder.ts';
import { createSecretReader } from '../../../src/k8s/secret-reader.ts';
import { createRainbondClient } from '../../../src/rainbond/client.ts';
import { consoleAccessVia } from '../../fakes/console-access.ts';
import { createWorld } from '../../support/harness.ts';
import { USERS } from '../../support/simulator/fixtures/default.ts';

describe('a stale read', () => {
  it('cannot cause a second copy: the intent write conflicts and nothing is sent', async () => {
    const w = await createWorld();
    const logger = pino({ level: 'silent' });
    const realStore = createAppCopyStore(w.kc.makeApiClient(CustomObjectsApi));
    const core = w.kc.makeApiClient(CoreV1Api);
    const rainbond = createRainbondClient({
      baseUrl: w.sim.url,
      copyTimeoutMs: 5000,
      requestTimeoutMs: 5000,
    });
    let stale: AppCopy | undefined;
    const store = { ...realStore, get: async (ns: string, n: string) => stale ?? realStore.get(ns, n) };
    const reconcile = createReconciler({
      store,
      // The operator's own console, with its default token: how the console is settled is not
      // what this test is about (test/integration/consoles/ is).
      consoles: consoleAccessVia(
        rainbond,
        createCredentialsResolver({
          secrets: createSecretReader(core),
          defaultToken: USERS.alice.token,
          refuseDefaultToken: false,
        }),
        { settleMs: 60_000, copySlots: createSlots('copy calls', 4) },
      ),
      events: createEventRecorder(core, { component: 'test', host: 'test', now: () => new Date(), logger }),
      targets: createTargetGuard({ copyingInto: () => [], wake: () => {} }),
      settings: { targetBusyRecheckMs: 1000, consoleUncheckedRecheckMs: 1000 },
      now: () => new Date(),
      newAttemptId: () => crypto.randomUUID(),
      logger,
    });
    try {
      await w.appcopies.create(w.namespace, 'stale', w.spec());
      const snapshot = await realStore.get(w.namespace, 'stale');
      expect(snapshot?.status).toBeUndefined();

      await reconcile(`${w.namespace}/stale`);
      expect((await realStore.get(w.namespace, 'stale'))?.status?.phase).toBe('Succeeded');
      expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);

      // The status moved on behind this reader's back; it still sees the object as never copied.
      stale = snapshot;
      const result = await outcomeOf(() => reconcile(`${w.namespace}/stale`));
      expect(result).toEqual(conflict);
      expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
      expect(w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST')).toHaveLength(1);
      expect((await realStore.get(w.namespace, 'stale'))?.status?.phase).toBe('Succeeded');
    } finally {
      rainbond.close();
    }
  });
});
