// The operator against a console that behaves like the real one (the simulator follows
// goodrain/rainbond-console and goodrain/rainbond; see test/support/simulator/README.md):
// statuses as the region reports them, failed builds seen only in events, forced deletes that
// answer after the effect, transient and recurring failures of the copy, the pre-flight's real
// body, third-party copies left out of the copy's answer, and image versions the console mangles.
// The package_build pre-flight check is in copy.test.ts.
import { describe, expect, it } from 'vitest';
import { condition, isPhase } from '../../support/appcopies.ts';
import { createWorld } from '../../support/harness.ts';
import { APPS, COMPONENTS, REGION, TEAMS, USERS } from '../../support/simulator/fixtures/default.ts';
import { createFakeClock } from '../../support/simulator/index.ts';

const FOLLOW = { FOLLOW_TIMEOUT: '30m', FOLLOW_INTERVAL: '200ms' };

function fromSource(appId: number) {
  return { teamId: TEAMS.shop.tenantName, regionName: REGION, appId };
}

describe('following the copies in the region vocabulary', () => {
  it('ends ComponentsFailed within two polls of a failed build, which the status shows only as undeploy', async () => {
    const clock = createFakeClock();
    const w = await createWorld({ clock, statusTimings: { buildMs: 1000, startMs: 1000 } });
    await w.operator(FOLLOW);
    await w.appcopies.create(
      w.namespace,
      'cron',
      w.spec({ source: fromSource(APPS.legacyTools), services: [{ serviceId: COMPONENTS.cron.serviceId }] }),
    );
    await w.appcopies.waitFor(w.namespace, 'cron', (o) => o.status?.services?.[0]?.status === 'undeploy');

    const pollsBefore = w.sim.ledger.callsTo('listComponents').length;
    await clock.advance(5000); // the build has ended, in failure; the status stays undeploy
    const failed = await w.appcopies.waitFor(
      w.namespace,
      'cron',
      (o) => condition(o, 'ComponentsReady')?.reason === 'ComponentsFailed',
    );
    const polls = w.sim.ledger.callsTo('listComponents').length - pollsBefore;
    expect(polls).toBeGreaterThanOrEqual(1);
    expect(polls).toBeLessThanOrEqual(2);
    expect(failed.status?.services?.map((s) => s.status)).toEqual(['undeploy']);
    expect(condition(failed, 'ComponentsReady')?.message).toContain('cron-copy: its build failed');
    expect(condition(failed, 'Stalled')).toMatchObject({ status: 'True', reason: 'ComponentsFailed' });
    expect(condition(failed, 'Ready')?.status).toBe('True');
    expect(w.sim.ledger.callsTo('events').length).toBeGreaterThanOrEqual(1);
  });

  it('takes a job component that succeeded for healthy', async () => {
    const w = await createWorld({ statusTimings: { buildMs: 200, startMs: 200 } });
    await w.operator(FOLLOW);
    await w.appcopies.create(
      w.namespace,
      'job',
      w.spec({ source: fromSource(APPS.batchJobs), services: [{ serviceId: COMPONENTS.migrate.serviceId }] }),
    );
    const done = await w.appcopies.waitFor(
      w.namespace,
      'job',
      (o) => condition(o, 'ComponentsReady')?.status === 'True',
    );
    expect(done.status?.services?.map((s) => s.status)).toEqual(['succeeded']);
    expect(condition(done, 'ComponentsReady')?.message).toContain('1 job(s) succeeded');
    expect(condition(done, 'Reconciling')).toBeUndefined();
  });
});

describe('deleting the copies as the console does', () => {
  it('deletes running copies with a token whose user may not stop them, and says nothing false', async () => {
    const w = await createWorld({ statusTimings: { buildMs: 0, startMs: 0 } });
    await w.operator({ RAINBOND_TOKEN: USERS.dave.token });
    await w.appcopies.create(w.namespace, 'preview', w.spec({ deletionPolicy: 'Delete' }));
    const done = await w.appcopies.waitFor(w.namespace, 'preview', isPhase('Succeeded'));
    const ids = done.status!.services!.map((s) => s.serviceId);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(w.sim.state.liveStatus(id)).toBe('running');

    await w.appcopies.delete(w.namespace, 'preview');
    await w.appcopies.waitForGone(w.namespace, 'preview');
    expect(ids.filter((id) => w.sim.state.component(id) !== undefined)).toEqual([]);
    // No stop was needed (dave would get 403), and each forced delete answered 409 after the effect.
    expect(w.sim.ledger.callsTo('operations')).toHaveLength(0);
    expect(w.sim.ledger.callsTo('deleteComponent').map((c) => c.status)).toEqual([409, 409]);

    const events = await w.appcopies.events(w.namespace, 'preview', (list) =>
      list.some((e) => e.reason === 'CopiesDeleted'),
    );
    const said = events.map((e) => `${e.reason}: ${e.message}`).join('\n');
    expect(said).toContain('CopiesDeleted: deleted 2 copied component(s) from Rainbond');
    expect(said).not.toMatch(/stopping|token|DeletionBlocked/i);
  });

  it('records and deletes a third-party copy, which the copy answer leaves out', async () => {
    const w = await createWorld({ statusTimings: { buildMs: 0, startMs: 0 } });
    await w.operator();
    await w.appcopies.create(
      w.namespace,
      'edge',
      w.spec({ source: fromSource(APPS.edgeGateway), services: [], deletionPolicy: 'Delete' }),
    );
    const done = await w.appcopies.waitFor(w.namespace, 'edge', isPhase('Succeeded'));
    const [effect] = w.sim.ledger.copiesInto(w.targetAppId);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
    const created = effect!.createdServiceIds;
    expect(created).toHaveLength(2);
    expect(done.status?.services?.map((s) => s.serviceId).sort()).toEqual([...created].sort());
    expect(done.status?.services?.map((s) => s.serviceCname).sort()).toEqual([
      'gateway-copy',
      'legacy-db-copy',
    ]);
    expect(done.status?.copiedCount).toBe(2);

    await w.appcopies.delete(w.namespace, 'edge');
    await w.appcopies.waitForGone(w.namespace, 'edge');
    expect(created.filter((id) => w.sim.state.component(id) !== undefined)).toEqual([]);
  });
});

describe('the console answering the copy', () => {
  it('retries back-pressure (409) and not-enough-resources (412/10406) and copies once', async () => {
    const w = await createWorld();
    await w.operator();
    w.sim.faults.add({ route: 'copy', kind: 'back-pressure', times: 1 });
    w.sim.faults.add({ route: 'copy', kind: 'insufficient-resources', times: 1 });
    await w.appcopies.create(w.namespace, 'busy', w.spec());
    const done = await w.appcopies.waitFor(w.namespace, 'busy', isPhase('Succeeded'));
    const posts = w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST');
    expect(posts.map((c) => c.status)).toEqual([409, 412, 200]);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
    expect(done.status?.services).toHaveLength(2);
    expect(done.status?.attempt?.number).toBe(3);
  });

  it('ends CopyFailed with the console msg after three rolled-back 500s, and sends no more', async () => {
    const w = await createWorld();
    await w.operator();
    await w.appcopies.create(
      w.namespace,
      'helm',
      w.spec({
        source: fromSource(APPS.helmShop),
        services: [
          { serviceId: COMPONENTS.storefront.serviceId },
          { serviceId: COMPONENTS.chartHook.serviceId },
        ],
      }),
    );
    const failed = await w.appcopies.waitFor(w.namespace, 'helm', isPhase('Failed'));
    expect(condition(failed, 'Ready')).toMatchObject({ status: 'False', reason: 'CopyFailed' });
    expect(condition(failed, 'Ready')?.message).toContain(`'${COMPONENTS.chartHook.serviceId}'`);
    expect(condition(failed, 'Ready')?.message).not.toContain('Traceback');
    expect(condition(failed, 'Stalled')?.status).toBe('True');
    expect(failed.status?.attempt?.rolledBackCalls).toBe(3);

    await new Promise((resolve) => setTimeout(resolve, 3000));
    const posts = w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST');
    expect(posts.map((c) => c.status)).toEqual([500, 500, 500]);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(0);
  });
});

describe('the pre-flight as the console answers it', () => {
  it('says the console could not describe the source app, naming the field, when the pre-flight is a 400', async () => {
    const w = await createWorld();
    await w.operator();
    await w.appcopies.create(
      w.namespace,
      'nightly',
      w.spec({ source: fromSource(APPS.nightlyBuilds), services: [] }),
    );
    const failed = await w.appcopies.waitFor(w.namespace, 'nightly', isPhase('Failed'));
    const ready = condition(failed, 'Ready');
    expect(ready?.reason).toBe('PreflightFailed');
    expect(ready?.message).toContain('version: 请确保这个字段不能超过 32 个字符。');
    expect(ready?.message).toContain('the console cannot describe source app');
    expect(ready?.message).toContain('not a wrong spec.source');
    expect(w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('refuses a version change on an image with a registry port before copying', async () => {
    const w = await createWorld();
    await w.operator();
    await w.appcopies.create(
      w.namespace,
      'report',
      w.spec({
        source: fromSource(APPS.reports),
        services: [{ serviceId: COMPONENTS.report.serviceId, change: { buildSource: { version: 'v2' } } }],
      }),
    );
    const failed = await w.appcopies.waitFor(w.namespace, 'report', isPhase('Failed'));
    expect(condition(failed, 'Ready')?.reason).toBe('PreflightFailed');
    expect(condition(failed, 'Ready')?.message).toContain('would get registry.example.com:v2');
    expect(w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('never lets the registry password the pre-flight carries reach a log line, even at debug level', async () => {
    const w = await createWorld();
    const operator = await w.operator({ LOG_LEVEL: 'debug' });
    await w.appcopies.create(w.namespace, 'all', w.spec({ services: [] }));
    const done = await w.appcopies.waitFor(w.namespace, 'all', isPhase('Succeeded'));
    expect(done.status?.services).toHaveLength(3);
    const preflights = w.sim.ledger.callsTo('copyPreflight');
    expect(preflights.length).toBeGreaterThanOrEqual(1);
    expect(operator.logs.some((l) => l.level <= 20)).toBe(true); // debug lines were written
    const password = COMPONENTS.worker.registryPassword;
    expect(operator.output()).not.toContain(password);
    expect(JSON.stringify(done)).not.toContain(password);
    const events = await w.appcopies.events(w.namespace, 'all', (list) =>
      list.some((e) => e.reason === 'Copied'),
    );
    expect(JSON.stringify(events)).not.toContain(password);
  });
});
