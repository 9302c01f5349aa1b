// Exactly once even when the status is lost: a restore without status, an AppCopy deleted with
// Orphan and applied again, the same manifest applied to a new cluster pointed at the same
// console. Each must adopt the copies made earlier (AdoptedExisting) instead of copying again;
// a new name copies deliberately; a crash between the copy and its markers still copies once.
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it, onTestFinished } from 'vitest';
import { appCopies, condition, isPhase } from '../../support/appcopies.ts';
import { startControlPlane } from '../../support/control-plane/control-plane.ts';
import { createWorld } from '../../support/harness.ts';
import { applyManifestFile, kubectl } from '../../support/kube.ts';
import { startOperatorProcess } from '../../support/operator-process.ts';
import { USERS } from '../../support/simulator/fixtures/default.ts';

const RECORD_ANNOTATION = 'openapi.rainbond.io/copy-record';
const MARKER = 'APPCOPY_RECORD';
const posts = (calls: { method: string }[]) => calls.filter((c) => c.method === 'POST');

describe('a copy whose status was lost is adopted, not copied again', () => {
  it('after the status is removed (a restore without status), from the annotation and the markers', async () => {
    const w = await createWorld();
    await w.operator();
    await w.appcopies.create(w.namespace, 'restored', w.spec());
    const first = await w.appcopies.waitFor(w.namespace, 'restored', isPhase('Succeeded'));
    const ids = first.status!.services!.map((s) => s.serviceId).sort();
    const annotated = await w.appcopies.waitFor(
      w.namespace,
      'restored',
      (o) => o.metadata.annotations?.[RECORD_ANNOTATION] !== undefined,
    );
    expect(JSON.parse(annotated.metadata.annotations![RECORD_ANNOTATION]!)).toMatchObject({
      namespace: w.namespace,
      name: 'restored',
      serviceIds: expect.arrayContaining(ids),
    });
    for (const id of ids) {
      expect(w.sim.state.component(id)?.envs.find((e) => e.name === MARKER)?.value).toContain(
        `${w.namespace}/restored`,
      );
    }

    const cleared = await kubectl(
      [
        'patch',
        'appcopy',
        'restored',
        '-n',
        w.namespace,
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":null}',
      ],
      { kubeconfig: w.kubeconfigPath },
    );
    expect(cleared.code, cleared.stderr).toBe(0);
    const adopted = await w.appcopies.waitFor(
      w.namespace,
      'restored',
      (o) => condition(o, 'Ready')?.reason === 'AdoptedExisting',
    );
    expect(adopted.status?.phase).toBe('Succeeded');
    expect(adopted.status?.services?.map((s) => s.serviceId).sort()).toEqual(ids);
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(1);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
    const events = await w.appcopies.events(w.namespace, 'restored', (list) =>
      list.some((e) => e.reason === 'AdoptedExisting'),
    );
    expect(events.find((e) => e.reason === 'AdoptedExisting')?.type).toBe('Normal');
  });

  it('after the AppCopy is deleted with Orphan and the same manifest applied again, from the markers alone', async () => {
    const w = await createWorld();
    await w.operator();
    await w.appcopies.create(w.namespace, 'again', w.spec());
    const first = await w.appcopies.waitFor(w.namespace, 'again', isPhase('Succeeded'));
    const ids = first.status!.services!.map((s) => s.serviceId).sort();
    await w.appcopies.delete(w.namespace, 'again');
    await w.appcopies.waitForGone(w.namespace, 'again');

    await w.appcopies.create(w.namespace, 'again', w.spec());
    const adopted = await w.appcopies.waitFor(w.namespace, 'again', isPhase('Succeeded'));
    expect(condition(adopted, 'Ready')?.reason).toBe('AdoptedExisting');
    expect(adopted.status?.services?.map((s) => s.serviceId).sort()).toEqual(ids);
    expect(adopted.status?.attempt?.number).toBe(0);
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(1);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });

  it('after the same manifest is applied to a new cluster pointed at the same console', async () => {
    const w = await createWorld();
    await w.operator();
    await w.appcopies.create(w.namespace, 'rebuilt', w.spec());
    const first = await w.appcopies.waitFor(w.namespace, 'rebuilt', isPhase('Succeeded'));
    const ids = first.status!.services!.map((s) => s.serviceId).sort();

    // A second control plane: new etcd, new UIDs; only the manifest (as in Git) and the console are shared.
    const second = await startControlPlane();
    onTestFinished(() => second.stop());
    const kc2 = second.kubeConfig();
    await applyManifestFile(
      kc2,
      join(import.meta.dirname, '../../../crds/appcopies.openapi.rainbond.io.yaml'),
    );
    await kc2.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: w.namespace } } });
    const operator2 = startOperatorProcess({
      kubeconfigPath: second.kubeconfigPath,
      rainbondUrl: w.sim.url,
      env: { WATCH_NAMESPACES: w.namespace, RAINBOND_TOKEN: USERS.alice.token },
    });
    onTestFinished(() => operator2.kill());
    await operator2.started;
    const appcopies2 = appCopies(kc2);
    await appcopies2.create(w.namespace, 'rebuilt', w.spec());
    const adopted = await appcopies2.waitFor(w.namespace, 'rebuilt', isPhase('Succeeded'));
    expect(adopted.metadata.uid).not.toBe(first.metadata.uid);
    expect(condition(adopted, 'Ready')?.reason).toBe('AdoptedExisting');
    expect(adopted.status?.services?.map((s) => s.serviceId).sort()).toEqual(ids);
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(1);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });
});

describe('copying again on purpose, and crashes around the markers', () => {
  it('a second AppCopy under a new name with the same spec copies again', async () => {
    const w = await createWorld();
    await w.operator();
    await w.appcopies.create(w.namespace, 'first', w.spec());
    await w.appcopies.waitFor(w.namespace, 'first', isPhase('Succeeded'));
    await w.appcopies.create(w.namespace, 'second', w.spec());
    const second = await w.appcopies.waitFor(w.namespace, 'second', isPhase('Succeeded'));
    expect(condition(second, 'Ready')?.reason).toBe('Copied');
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(2);
  });

  it('killed between the copy and its markers: adopted once from the intent, then marked, so a later loss of status is survived too', async () => {
    const w = await createWorld();
    const first = await w.operator({ APPCOPY_FAILPOINTS: 'after-copy' });
    await w.appcopies.create(w.namespace, 'crash', w.spec());
    await first.exited;
    const [copy] = w.sim.ledger.copiesInto(w.targetAppId);
    expect(copy).toBeDefined();
    for (const id of copy!.createdServiceIds) {
      expect(w.sim.state.component(id)?.envs.some((e) => e.name === MARKER)).toBe(false);
    }

    await w.operator();
    const done = await w.appcopies.waitFor(w.namespace, 'crash', isPhase('Succeeded'));
    expect(condition(done, 'Ready')?.reason).toBe('Adopted');
    for (const id of copy!.createdServiceIds) {
      expect(w.sim.state.component(id)?.envs.some((e) => e.name === MARKER)).toBe(true);
    }

    await w.appcopies.delete(w.namespace, 'crash');
    await w.appcopies.waitForGone(w.namespace, 'crash');
    await w.appcopies.create(w.namespace, 'crash', w.spec());
    const adopted = await w.appcopies.waitFor(w.namespace, 'crash', isPhase('Succeeded'));
    expect(condition(adopted, 'Ready')?.reason).toBe('AdoptedExisting');
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(1);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });
});
