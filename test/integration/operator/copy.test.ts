// The copy itself, against the real API server and the simulator over HTTP, with the operator
// running as its own process. Each case names the behaviour a user relies on; the simulator's
// ledger is the proof of how many copies really happened.
import { describe, expect, it } from 'vitest';
import { condition, isPhase } from '../../support/appcopies.ts';
import { createWorld } from '../../support/harness.ts';
import { APPS, COMPONENTS, TEAMS, USERS } from '../../support/simulator/fixtures/default.ts';

describe('an AppCopy is copied exactly once', () => {
  it('copies the named components and lists the created ids in status', async () => {
    const w = await createWorld();
    await w.operator();
    await w.appcopies.create(w.namespace, 'happy', w.spec());
    const done = await w.appcopies.waitFor(w.namespace, 'happy', isPhase('Succeeded'));

    const copies = w.sim.ledger.copiesInto(w.targetAppId);
    expect(copies).toHaveLength(1);
    const created = copies[0]!.createdServiceIds;
    expect(done.status?.services?.map((s) => s.serviceId).sort()).toEqual([...created].sort());
    expect(done.status?.services?.map((s) => s.serviceCname).sort()).toEqual(['api-copy', 'web-copy']);
    expect(done.status?.copiedCount).toBe(2);
    expect(done.status?.observedGeneration).toBe(done.metadata.generation);
    expect(condition(done, 'Ready')).toMatchObject({ status: 'True', reason: 'Copied' });
    expect(condition(done, 'Reconciling')).toBeUndefined();
    expect(condition(done, 'Stalled')).toBeUndefined();
    const hasReason = (reason: string) => (events: { reason?: string }[]) =>
      events.some((e) => e.reason === reason);
    const reasons = (await w.appcopies.events(w.namespace, 'happy', hasReason('Copied'))).map(
      (e) => e.reason,
    );
    expect(reasons).toEqual(expect.arrayContaining(['CopyStarted', 'Copied']));
  });

  it('copies every component of the source app when services is omitted', async () => {
    const w = await createWorld();
    await w.operator();
    const { services: _omitted, ...spec } = w.spec();
    await w.appcopies.create(w.namespace, 'all', spec);
    const done = await w.appcopies.waitFor(w.namespace, 'all', isPhase('Succeeded'));

    const sourceIds = w.sim.state
      .componentsOf(APPS.shopOnline)
      .map((c) => c.service_id)
      .sort();
    const copies = w.sim.ledger.copiesInto(w.targetAppId);
    expect(copies).toHaveLength(1);
    expect([...copies[0]!.sourceServiceIds].sort()).toEqual(sourceIds);
    expect(done.status?.copiedCount).toBe(sourceIds.length);
  });

  it('passes change through: the copy builds the new version and has the renamed variable', async () => {
    const w = await createWorld();
    await w.operator();
    await w.appcopies.create(
      w.namespace,
      'change',
      w.spec({
        services: [
          {
            serviceId: COMPONENTS.web.serviceId,
            change: { buildSource: { version: 'v2' }, envs: { NGINX_PORT: 'PORT' } },
          },
        ],
      }),
    );
    const done = await w.appcopies.waitFor(w.namespace, 'change', isPhase('Succeeded'));
    const copy = w.sim.state.component(done.status!.services![0]!.serviceId)!;
    expect(copy.image).toBe('nginx:v2');
    const envNames = copy.envs.map((e) => e.name);
    expect(envNames).toContain('PORT');
    expect(envNames).not.toContain('NGINX_PORT');
  });

  it('fails pre-flight for an unknown service id, naming it, without calling copy', async () => {
    const w = await createWorld();
    await w.operator();
    const unknown = '0123456789abcdef0123456789abcdef';
    await w.appcopies.create(w.namespace, 'unknown', w.spec({ services: [{ serviceId: unknown }] }));
    const failed = await w.appcopies.waitFor(w.namespace, 'unknown', isPhase('Failed'));

    expect(condition(failed, 'Ready')).toMatchObject({ status: 'False', reason: 'PreflightFailed' });
    expect(condition(failed, 'Stalled')).toMatchObject({ status: 'True', reason: 'PreflightFailed' });
    expect(condition(failed, 'Ready')?.message).toContain(unknown);
    expect(w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('fails pre-flight for a package_build component without calling copy', async () => {
    const w = await createWorld();
    await w.operator();
    await w.appcopies.create(
      w.namespace,
      'package',
      w.spec({
        source: { teamId: TEAMS.shop.tenantName, regionName: 'rainbond', appId: APPS.legacyTools },
        services: [{ serviceId: COMPONENTS.reportUploader.serviceId }],
      }),
    );
    const failed = await w.appcopies.waitFor(w.namespace, 'package', isPhase('Failed'));
    expect(condition(failed, 'Ready')?.message).toContain('report-uploader');
    expect(condition(failed, 'Ready')?.message).toContain('uploaded packages');
    expect(w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it("marks a console rejection (4xx) Failed with the console's message and never retries it", async () => {
    const w = await createWorld();
    await w.operator();
    const { services: _all, ...spec } = w.spec({
      target: { teamName: TEAMS.tiny.tenantName, regionName: 'rainbond', appId: APPS.sandbox },
    });
    await w.appcopies.create(w.namespace, 'quota', spec);
    const failed = await w.appcopies.waitFor(w.namespace, 'quota', isPhase('Failed'));
    expect(condition(failed, 'Ready')).toMatchObject({ status: 'False', reason: 'CopyRejected' });
    expect(condition(failed, 'Ready')?.message).toMatch(/quota/i);

    await new Promise((r) => setTimeout(r, 3000));
    expect(w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST')).toHaveLength(1);
    const warnings = (
      await w.appcopies.events(w.namespace, 'quota', (events) =>
        events.some((e) => e.reason === 'CopyRejected'),
      )
    ).filter((e) => e.type === 'Warning');
    expect(warnings.map((e) => e.reason)).toContain('CopyRejected');
  });

  it('waits while the token is refused (401) and copies once the Secret holds a valid token', async () => {
    const w = await createWorld();
    await w.operator();
    await w.appcopies.putTokenSecret(w.namespace, 'rainbond-token', USERS.carol.token);
    await w.appcopies.create(
      w.namespace,
      'auth',
      w.spec({ credentialsSecretRef: { name: 'rainbond-token' } }),
    );
    const waiting = await w.appcopies.waitFor(
      w.namespace,
      'auth',
      (o) => condition(o, 'Ready')?.reason === 'Unauthorized',
    );
    expect(waiting.status?.phase).toBe('Pending');
    expect(condition(waiting, 'Reconciling')?.status).toBe('True');
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(0);

    await w.appcopies.putTokenSecret(w.namespace, 'rainbond-token', USERS.alice.token);
    await w.appcopies.waitFor(w.namespace, 'auth', isPhase('Succeeded'), 90_000);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });

  it('adopts the copy when the answer timed out after the copy took effect', async () => {
    const w = await createWorld();
    w.sim.faults.add({ route: 'copy', kind: 'timeout-after-effect', times: 1 });
    await w.operator({ RAINBOND_COPY_TIMEOUT: '1s', VERIFY_SETTLE_PERIOD: '2s' });
    await w.appcopies.create(w.namespace, 'timeout', w.spec());
    const done = await w.appcopies.waitFor(w.namespace, 'timeout', isPhase('Succeeded'));

    expect(condition(done, 'Ready')).toMatchObject({ status: 'True', reason: 'Adopted' });
    const copies = w.sim.ledger.copiesInto(w.targetAppId);
    expect(copies).toHaveLength(1);
    expect(done.status?.services?.map((s) => s.serviceId).sort()).toEqual(
      [...copies[0]!.createdServiceIds].sort(),
    );
    expect(w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('adopts the copy when a 5xx came after the copy took effect', async () => {
    const w = await createWorld();
    w.sim.faults.add({ route: 'copy', kind: 'error-after-effect', status: 502, times: 1 });
    await w.operator();
    await w.appcopies.create(w.namespace, 'late-5xx', w.spec());
    const done = await w.appcopies.waitFor(w.namespace, 'late-5xx', isPhase('Succeeded'));
    expect(condition(done, 'Ready')?.reason).toBe('Adopted');
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });

  it('sends the copy again only after verifying that the failed call had no effect', async () => {
    const w = await createWorld();
    w.sim.faults.add({ route: 'copy', kind: 'error-before-effect', status: 503, times: 1 });
    await w.operator();
    await w.appcopies.create(w.namespace, 'early-5xx', w.spec());
    const done = await w.appcopies.waitFor(w.namespace, 'early-5xx', isPhase('Succeeded'));

    expect(condition(done, 'Ready')?.reason).toBe('Copied');
    expect(done.status?.attempt?.number).toBe(2);
    expect(w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST')).toHaveLength(2);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });

  it('reports PartialCopy, listing what exists, when only part of the copy was made', async () => {
    const w = await createWorld();
    w.sim.faults.add({ route: 'copy', kind: 'partial-effect-unknown-version', times: 1 });
    await w.operator();
    await w.appcopies.create(w.namespace, 'partial', w.spec());
    const failed = await w.appcopies.waitFor(w.namespace, 'partial', isPhase('Failed'));

    expect(condition(failed, 'Ready')?.reason).toBe('PartialCopy');
    const made = w.sim.ledger.componentsCreatedIn(w.targetAppId).map((c) => c.serviceId);
    expect(made.length).toBeGreaterThan(0);
    expect(made.length).toBeLessThan(2);
    expect(failed.status?.services?.map((s) => s.serviceId)).toEqual(made);
    expect(w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('has at most CONCURRENCY copy calls in flight, and that many while copies are waiting', async () => {
    const w = await createWorld();
    const latencyMs = 400;
    w.sim.faults.add({ route: 'copy', kind: 'latency', ms: latencyMs });
    await w.operator({ CONCURRENCY: '2' });
    const names = Array.from({ length: 6 }, (_, i) => `parallel-${i}`);
    for (const name of names) {
      const target = { ...w.spec().target, appId: w.newTargetApp() };
      await w.appcopies.create(w.namespace, name, w.spec({ target }));
    }
    for (const name of names) await w.appcopies.waitFor(w.namespace, name, isPhase('Succeeded'));

    const arrivals = w.sim.ledger
      .callsTo('copy')
      .filter((c) => c.method === 'POST')
      .map((c) => c.time)
      .sort((a, b) => a - b);
    expect(arrivals).toHaveLength(names.length);
    // Each copy is answered latencyMs after it arrives: calls that arrived less than latencyMs
    // apart were in flight together.
    const inFlight = arrivals.map((t) => arrivals.filter((u) => u <= t && u > t - latencyMs).length);
    expect(Math.max(...inFlight)).toBe(2);
  });
});
