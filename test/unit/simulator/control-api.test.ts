// The control API under /__sim/, for a simulator driven from another process (benchmarks,
// demos): the same ledger, faults, clock and state a test reaches through the object.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPS, COMPONENTS } from '../../support/simulator/fixtures/default.ts';
import { createFakeClock, type Simulator, startSimulator } from '../../support/simulator/index.ts';
import { call, copyBody, paths } from './console-client.ts';

async function control(sim: Simulator, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}/__sim/${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: each test reads the control API's JSON its own way.
  return { status: res.status, json: (await res.json()) as any };
}

describe('control API', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({
      clock: createFakeClock(),
      statusTimings: { buildMs: 100, startMs: 100 },
    });
  });
  afterEach(() => sim.stop());

  it('GET ledger returns the calls and copies; DELETE ledger clears them.', async () => {
    await call(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody() });
    const ledger = await control(sim, 'GET', 'ledger');
    expect(ledger.status).toBe(200);
    expect(ledger.json).toMatchObject({
      calls: [{ route: 'copy', tookEffect: true }],
      copies: [{ targetAppId: 34 }],
    });
    expect((ledger.json.components as unknown[]).length).toBe(3);
    expect((await control(sim, 'DELETE', 'ledger')).status).toBe(200);
    expect(sim.ledger.calls).toEqual([]);
  });

  it('Control calls are not console calls: they do not appear in the ledger.', async () => {
    await control(sim, 'GET', 'state');
    expect(sim.ledger.calls).toEqual([]);
  });

  it('POST faults adds one or several faults that the next console calls meet.', async () => {
    const added = await control(sim, 'POST', 'faults', [
      { route: 'copy', kind: 'error-after-effect', status: 502, times: 1 },
      { route: 'listApps', kind: 'error-before-effect', status: 503 },
    ]);
    expect(added).toEqual({ status: 200, json: { ids: ['fault-1', 'fault-2'] } });
    expect((await call(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody() })).status).toBe(502);
    expect(sim.ledger.copies).toHaveLength(1);
    expect((await control(sim, 'GET', 'faults')).json).toMatchObject([{ id: 'fault-2', hits: 0 }]);
  });

  it('DELETE faults/{id} removes one fault and DELETE faults removes all.', async () => {
    await control(sim, 'POST', 'faults', { route: 'listApps', kind: 'error-before-effect' });
    await control(sim, 'POST', 'faults', { route: 'getApp', kind: 'error-before-effect' });
    expect((await control(sim, 'DELETE', 'faults/fault-1')).status).toBe(200);
    expect((await control(sim, 'DELETE', 'faults/fault-1')).status).toBe(404);
    expect(sim.faults.list().map((f) => f.id)).toEqual(['fault-2']);
    await control(sim, 'DELETE', 'faults');
    expect(sim.faults.list()).toEqual([]);
  });

  it('An invalid fault is a 400 naming the problem.', async () => {
    const reply = await control(sim, 'POST', 'faults', {
      route: 'listApps',
      kind: 'partial-effect-unknown-version',
    });
    expect(reply.status).toBe(400);
    expect(reply.json.error).toContain('partial-effect-unknown-version only applies to the copy route');
  });

  it('POST clock/advance moves a manual clock, and copies move through their statuses.', async () => {
    await call(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody() });
    const [copy] = sim.state.componentsOf(APPS.shopStaging);
    const before = sim.clock.now();
    expect(await control(sim, 'POST', 'clock/advance', { ms: 200 })).toEqual({
      status: 200,
      json: { now: before + 200 },
    });
    expect(sim.state.liveStatus(copy!.service_id)).toBe('running');
    expect((await control(sim, 'GET', 'clock')).json).toEqual({ now: before + 200, manual: true });
  });

  it('POST clock/advance on a real clock is a 409.', async () => {
    const real = await startSimulator();
    try {
      const reply = await control(real, 'POST', 'clock/advance', { ms: 1 });
      expect(reply.status).toBe(409);
      expect(reply.json.error).toContain('real clock');
    } finally {
      await real.stop();
    }
  });

  it('GET state shows apps with their components and the live status, but no tokens.', async () => {
    const state = (await control(sim, 'GET', 'state')).json as {
      apps: { ID: number; service_ids: string[] }[];
      components: { service_id: string; live_status: string }[];
    };
    expect(state.apps.find((a) => a.ID === APPS.shopOnline)!.service_ids).toEqual([
      COMPONENTS.web.serviceId,
      COMPONENTS.api.serviceId,
      COMPONENTS.worker.serviceId,
    ]);
    expect(state.components.find((c) => c.service_id === COMPONENTS.worker.serviceId)!.live_status).toBe(
      'closed',
    );
    expect(JSON.stringify(state)).not.toMatch(/[0-9a-f]{40}/);
  });

  it('POST state/components/{id} sets a status the console then reports.', async () => {
    const reply = await control(sim, 'POST', `state/components/${COMPONENTS.web.serviceId}`, {
      status: 'abnormal',
    });
    expect(reply.json).toMatchObject({ service_id: COMPONENTS.web.serviceId, live_status: 'abnormal' });
    const got = await call(sim, 'GET', paths.service(APPS.shopOnline, COMPONENTS.web.serviceId));
    expect(got.json).toMatchObject({ status: 'abnormal' });
  });

  it('POST state/components/{id} can change fields, such as making its builds fail.', async () => {
    await control(sim, 'POST', `state/components/${COMPONENTS.api.serviceId}`, { build_fails: true });
    expect(sim.state.component(COMPONENTS.api.serviceId)!.build_fails).toBe(true);
    const bad = await control(sim, 'POST', `state/components/${COMPONENTS.api.serviceId}`, {
      status: 'fine',
    });
    expect(bad.status).toBe(400);
  });

  it('POST state/components adds a component; DELETE removes it; reset restores the fixture.', async () => {
    const id = 'ab'.repeat(16);
    const added = await control(sim, 'POST', 'state/components', {
      service_id: id,
      app_id: APPS.shopStaging,
      service_cname: 'pre-existing',
      service_source: 'docker_image',
      image: 'nginx:1',
      status: 'closed',
    });
    expect(added.json).toMatchObject({
      service_id: id,
      service_alias: `gr${id.slice(-6)}`,
      live_status: 'closed',
    });
    expect(sim.state.componentsOf(APPS.shopStaging)).toHaveLength(1);
    expect((await control(sim, 'DELETE', `state/components/${id}`)).status).toBe(200);
    expect(sim.state.component(id)).toBeUndefined();
    sim.state.setStatus(COMPONENTS.web.serviceId, 'closed');
    await control(sim, 'POST', 'state/reset');
    expect(sim.state.liveStatus(COMPONENTS.web.serviceId)).toBe('running');
  });

  it('An unknown control route is a JSON 404.', async () => {
    const reply = await control(sim, 'GET', 'nothing');
    expect(reply).toEqual({ status: 404, json: { error: 'no control route GET /__sim/nothing' } });
  });
});
