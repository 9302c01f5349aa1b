// PUT .../services/{service_id}/envs, after goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618
// (ComponentEnvsUView) and console/services/app_config/env_service.py@ae3f1618
// (update_or_create_envs): variables are updated by name or added, and the answer lists them all.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPS, COMPONENTS } from '../../support/simulator/fixtures/default.ts';
import { type Simulator, startSimulator } from '../../support/simulator/index.ts';
import { call, paths } from './console-client.ts';

describe('component envs', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.stop());

  const put = (body: unknown, serviceId: string = COMPONENTS.web.serviceId) =>
    call(sim, 'PUT', `${paths.service(APPS.shopOnline, serviceId)}/envs`, { body });

  it('An empty list changes nothing and answers every variable of the component.', async () => {
    const reply = await put({ envs: [] });
    expect(reply.status).toBe(200);
    const names = (reply.json as { envs: { name: string }[] }).envs.map((e) => e.name);
    expect(names).toEqual(COMPONENTS.web.envNames);
    expect(sim.ledger.calls.at(-1)).toMatchObject({ route: 'componentEnvs', tookEffect: false });
  });

  it('A new variable is added with its note and scope inner; a known name is updated in place.', async () => {
    await put({ envs: [{ name: 'MARK', value: 'one', note: 'first' }] });
    const reply = await put({ envs: [{ name: 'MARK', value: ' two ', note: 'second' }] });
    expect(reply.status).toBe(200);
    const envs = (reply.json as { envs: Record<string, unknown>[] }).envs;
    expect(envs.filter((e) => e.name === 'MARK')).toEqual([
      { name: 'MARK', value: 'two', note: 'second', is_change: true, scope: 'inner' },
    ]);
    expect(sim.state.component(COMPONENTS.web.serviceId)?.envs.at(-1)).toMatchObject({
      name: 'MARK',
      value: 'two',
    });
  });

  it('A body without envs, a value too long or a name the serializer refuses is a 400 code 20400, and nothing changes.', async () => {
    const before = structuredClone(sim.state.component(COMPONENTS.web.serviceId)?.envs);
    for (const body of [
      {},
      { envs: [{ name: 'MARK', value: 'x'.repeat(1025) }] },
      { envs: [{ name: '1MARK', value: 'x' }] },
      { envs: [{ name: 'MARK' }] },
    ]) {
      const reply = await put(body);
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({ detail: '参数错误', code: 20400 });
    }
    expect(sim.state.component(COMPONENTS.web.serviceId)?.envs).toEqual(before);
  });

  it('A component of another app is a 404, as for every component route.', async () => {
    const reply = await call(
      sim,
      'PUT',
      `${paths.service(APPS.shopPreview, COMPONENTS.web.serviceId)}/envs`,
      {
        body: { envs: [] },
      },
    );
    expect(reply.status).toBe(404);
  });
});
