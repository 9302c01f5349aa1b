// The ledger: every call and every copy that took effect, so a test can prove "copied exactly
// once". rainbond-openapi.md: "it is not idempotent: no request id, no dedup, no lock; two
// calls make two sets" -- the ledger is how a test tells one set from two.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPS, COMPONENTS, SHOP_ONLINE_COMPONENTS, USERS } from '../../support/simulator/fixtures/default.ts';
import {
  createFakeClock,
  type Simulator,
  startSimulator,
  tokenFingerprint,
} from '../../support/simulator/index.ts';
import { call, copyBody, paths, rawCall } from './console-client.ts';

describe('ledger', () => {
  let sim: Simulator;
  const start = Date.UTC(2025, 5, 1);
  beforeEach(async () => {
    sim = await startSimulator({ clock: createFakeClock(start) });
  });
  afterEach(() => sim.stop());

  it('records every call in order with method, route, path, status, effect and clock time.', async () => {
    await call(sim, 'GET', `${paths.copy(APPS.shopOnline)}?x=1`);
    await call(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody() });
    await call(sim, 'GET', '/nowhere', { token: null });
    expect(sim.ledger.calls).toEqual([
      {
        id: 1,
        method: 'GET',
        route: 'copyPreflight',
        path: `${paths.copy(APPS.shopOnline)}?x=1`,
        tokenFingerprint: tokenFingerprint(USERS.alice.token),
        status: 200,
        tookEffect: false,
        fault: null,
        time: start,
      },
      {
        id: 2,
        method: 'POST',
        route: 'copy',
        path: paths.copy(APPS.shopOnline),
        tokenFingerprint: tokenFingerprint(USERS.alice.token),
        status: 200,
        tookEffect: true,
        fault: null,
        time: start,
      },
      {
        id: 3,
        method: 'GET',
        route: null,
        path: '/nowhere',
        tokenFingerprint: null,
        status: 404,
        tookEffect: false,
        fault: null,
        time: start,
      },
    ]);
  });

  it('never holds a raw token, only a 12-hex fingerprint that tells tokens apart.', async () => {
    await call(sim, 'GET', paths.apps(), { token: USERS.alice.token });
    await call(sim, 'GET', paths.apps(), { token: USERS.bob.token });
    const [a, b] = sim.ledger.calls;
    expect(a!.tokenFingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(a!.tokenFingerprint).not.toBe(b!.tokenFingerprint);
    const text = JSON.stringify(sim.ledger);
    for (const u of Object.values(USERS)) expect(text).not.toContain(u.token);
  });

  it('records a copy that took effect with source, target, requested ids and created ids.', async () => {
    const reply = await call(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody() });
    const created = (reply.json as { services: { service_id: string }[] }).services.map((s) => s.service_id);
    expect(sim.ledger.copies).toEqual([
      {
        callId: 1,
        sourceTeamId: sim.state.team('o19p6wen')!.tenant_id,
        sourceAppId: APPS.shopOnline,
        targetTeamId: sim.state.team('t7k2m9qa')!.tenant_id,
        targetRegionName: 'rainbond',
        targetAppId: APPS.shopStaging,
        sourceServiceIds: SHOP_ONLINE_COMPONENTS.map((c) => c.serviceId),
        createdServiceIds: created,
        thirdPartyServiceIds: [],
        partial: false,
        time: start,
      },
    ]);
    expect(sim.ledger.components).toEqual(
      created.map((serviceId, i) => ({
        serviceId,
        sourceServiceId: SHOP_ONLINE_COMPONENTS[i]!.serviceId,
        targetAppId: APPS.shopStaging,
        callId: 1,
      })),
    );
  });

  it('lets a test prove "exactly once": a lost answer followed by a check of the target, not a second copy.', async () => {
    sim.faults.add({ route: 'copy', kind: 'reset-after-effect', times: 1 });
    const outcome = await rawCall(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody() });
    expect(outcome.kind).toBe('error');
    // A careful client verifies from the target app's list instead of copying again.
    const list = (await call(sim, 'GET', paths.services(APPS.shopStaging, 't7k2m9qa'))).json as {
      service_cname: string;
    }[];
    expect(list.map((c) => c.service_cname)).toEqual(['web-copy', 'api-copy', 'worker-copy']);
    expect(sim.ledger.copiesInto(APPS.shopStaging)).toHaveLength(1);
    expect(sim.ledger.callsTo('copy')).toHaveLength(1);
  });

  it('shows a careless retry as a second copy into the same app.', async () => {
    sim.faults.add({ route: 'copy', kind: 'error-after-effect', status: 502, times: 1 });
    await call(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody() });
    await call(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody() });
    expect(sim.ledger.copiesInto(APPS.shopStaging).map((c) => c.callId)).toEqual([1, 2]);
    expect(sim.ledger.componentsCreatedIn(APPS.shopStaging)).toHaveLength(6);
    expect(sim.ledger.callsTo('copy').map((c) => [c.status, c.fault])).toEqual([
      [502, 'error-after-effect'],
      [200, null],
    ]);
  });

  it('does not count refused copies, and filters by source and target app.', async () => {
    await call(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody({ target_app_id: 999 }) });
    await call(sim, 'POST', paths.copy(APPS.shopOnline), {
      body: copyBody({
        services: [{ service_id: COMPONENTS.web.serviceId }],
        target_app_id: APPS.previewBusy,
      }),
    });
    expect(sim.ledger.copies).toHaveLength(1);
    expect(sim.ledger.copiesInto(APPS.shopStaging)).toEqual([]);
    expect(sim.ledger.copiesInto(APPS.previewBusy)).toHaveLength(1);
    expect(sim.ledger.copiesFrom(APPS.shopOnline)).toHaveLength(1);
    expect(sim.ledger.copiesFrom(APPS.legacyTools)).toEqual([]);
  });

  it('stamps each copied component with the call that made it.', async () => {
    await call(sim, 'GET', paths.apps());
    const reply = await call(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody() });
    const [first] = (reply.json as { services: { service_id: string }[] }).services;
    expect(sim.state.component(first!.service_id)!.copied_from).toEqual({
      service_id: COMPONENTS.web.serviceId,
      call_id: 2,
    });
  });

  it('clear() forgets calls, copies and components but leaves the state alone.', async () => {
    await call(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody() });
    sim.ledger.clear();
    expect(sim.ledger.toJSON()).toEqual({ calls: [], copies: [], components: [] });
    expect(sim.state.componentsOf(APPS.shopStaging)).toHaveLength(3);
  });
});
