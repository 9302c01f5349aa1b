// After the copy: following the copies until they run (on the simulator's clock), and what
// deleting an AppCopy does to them under each deletionPolicy.
import { describe, expect, it } from 'vitest';
import { condition, isPhase } from '../../support/appcopies.ts';
import { createWorld } from '../../support/harness.ts';
import { COMPONENTS } from '../../support/simulator/fixtures/default.ts';
import { createFakeClock } from '../../support/simulator/index.ts';

const FOLLOW = { FOLLOW_TIMEOUT: '10m', FOLLOW_INTERVAL: '200ms' };

describe('following the copies', () => {
  it('reports ComponentsStarting until the copies run, then ComponentsReady, without copying again', async () => {
    const clock = createFakeClock();
    const w = await createWorld({ clock, statusTimings: { buildMs: 10_000, startMs: 20_000 } });
    await w.operator(FOLLOW);
    await w.appcopies.create(w.namespace, 'follow', w.spec());
    const copied = await w.appcopies.waitFor(w.namespace, 'follow', isPhase('Succeeded'));
    expect(condition(copied, 'Ready')?.status).toBe('True');
    expect(condition(copied, 'ComponentsReady')).toMatchObject({
      status: 'False',
      reason: 'ComponentsStarting',
    });
    expect(condition(copied, 'Reconciling')?.status).toBe('True');

    const building = await w.appcopies.waitFor(w.namespace, 'follow', (o) =>
      (o.status?.services ?? []).every((s) => s.status === 'undeploy'),
    );
    expect(condition(building, 'ComponentsReady')?.reason).toBe('ComponentsStarting');

    await clock.advance(15_000);
    const starting = await w.appcopies.waitFor(w.namespace, 'follow', (o) =>
      (o.status?.services ?? []).every((s) => s.status === 'waiting'),
    );
    expect(condition(starting, 'ComponentsReady')?.reason).toBe('ComponentsStarting');

    await clock.advance(20_000);
    const running = await w.appcopies.waitFor(
      w.namespace,
      'follow',
      (o) => condition(o, 'ComponentsReady')?.status === 'True',
    );
    expect(running.status?.services?.map((s) => s.status)).toEqual(['running', 'running']);
    expect(condition(running, 'Reconciling')).toBeUndefined();
    expect(w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('reports a build failure as ComponentsFailed and Stalled, keeping Ready', async () => {
    const clock = createFakeClock();
    const w = await createWorld({ clock, statusTimings: { buildMs: 1000, startMs: 1000 } });
    await w.operator(FOLLOW);
    await w.appcopies.create(
      w.namespace,
      'broken',
      w.spec({
        services: [
          { serviceId: COMPONENTS.web.serviceId, change: { buildSource: { version: 'fail-build' } } },
        ],
      }),
    );
    await w.appcopies.waitFor(w.namespace, 'broken', isPhase('Succeeded'));
    await clock.advance(5000);
    const failed = await w.appcopies.waitFor(
      w.namespace,
      'broken',
      (o) => condition(o, 'ComponentsReady')?.reason === 'ComponentsFailed',
    );
    expect(condition(failed, 'ComponentsReady')?.message).toContain('web-copy: its build failed');
    expect(failed.status?.services?.map((s) => s.status)).toEqual(['undeploy']);
    expect(condition(failed, 'Stalled')).toMatchObject({ status: 'True', reason: 'ComponentsFailed' });
    expect(condition(failed, 'Ready')?.status).toBe('True');
    const warnings = (
      await w.appcopies.events(w.namespace, 'broken', (events) =>
        events.some((e) => e.reason === 'ComponentsFailed'),
      )
    ).filter((e) => e.type === 'Warning');
    expect(warnings.map((e) => e.reason)).toContain('ComponentsFailed');
  });
});

describe('deleting an AppCopy', () => {
  it('with deletionPolicy Delete deletes the copies in Rainbond, running or not, before the AppCopy goes', async () => {
    const w = await createWorld({ statusTimings: { buildMs: 0, startMs: 0 } });
    await w.operator();
    await w.appcopies.create(w.namespace, 'preview', w.spec({ deletionPolicy: 'Delete' }));
    const done = await w.appcopies.waitFor(w.namespace, 'preview', isPhase('Succeeded'));
    expect(done.metadata.finalizers).toContain('openapi.rainbond.io/delete-copies');
    const ids = done.status!.services!.map((s) => s.serviceId);
    expect(ids.every((id) => w.sim.state.component(id) !== undefined)).toBe(true);

    await w.appcopies.delete(w.namespace, 'preview');
    await w.appcopies.waitForGone(w.namespace, 'preview');
    expect(ids.filter((id) => w.sim.state.component(id) !== undefined)).toEqual([]);
    // Forced deletes of running copies answer 409 after deleting them; no stop is sent.
    expect(w.sim.ledger.callsTo('deleteComponent')).toHaveLength(ids.length);
    expect(w.sim.ledger.callsTo('operations')).toHaveLength(0);
  });

  it('with deletionPolicy Orphan adds no finalizer and leaves the copies', async () => {
    const w = await createWorld();
    await w.operator();
    await w.appcopies.create(w.namespace, 'keep', w.spec());
    const done = await w.appcopies.waitFor(w.namespace, 'keep', isPhase('Succeeded'));
    expect(done.metadata.finalizers ?? []).toEqual([]);
    await w.appcopies.delete(w.namespace, 'keep');
    await w.appcopies.waitForGone(w.namespace, 'keep');
    for (const s of done.status!.services!) expect(w.sim.state.component(s.serviceId)).toBeDefined();
    expect(w.sim.ledger.callsTo('deleteComponent')).toHaveLength(0);
  });

  it('says DeletionBlocked while the console is unreachable, and lets go with the abandon annotation', async () => {
    const w = await createWorld();
    await w.operator();
    await w.appcopies.create(w.namespace, 'stuck', w.spec({ deletionPolicy: 'Delete' }));
    const done = await w.appcopies.waitFor(w.namespace, 'stuck', isPhase('Succeeded'));
    w.sim.faults.add({ route: 'listComponents', kind: 'error-before-effect', status: 503 });
    await w.appcopies.delete(w.namespace, 'stuck');
    const blocked = await w.appcopies.waitFor(
      w.namespace,
      'stuck',
      (o) => condition(o, 'Deleting')?.reason === 'DeletionBlocked',
    );
    expect(condition(blocked, 'Deleting')?.message).toContain('openapi.rainbond.io/abandon-copies');

    const { kubectl } = await import('../../support/kube.ts');
    const annotate = await kubectl(
      ['annotate', 'appcopy', 'stuck', '-n', w.namespace, 'openapi.rainbond.io/abandon-copies=true'],
      { kubeconfig: w.kubeconfigPath },
    );
    expect(annotate.code, annotate.stderr).toBe(0);
    await w.appcopies.waitForGone(w.namespace, 'stuck');
    for (const s of done.status!.services!) expect(w.sim.state.component(s.serviceId)).toBeDefined();
  });
});
