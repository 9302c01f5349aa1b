// rainbond-openapi.md, endpoint table, after console:openapi/views/apps/apps.py and
// console:console/services/app_actions/app_manage.py: DELETE (200 empty; running -> 409 asking
// to close it first; depended on -> 412; with force=1 deleted all the same), POST .../operations
// ({"msg":"操作成功"}; asynchronous stop; 403 code 10402 without the team permission), and
// component events.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPS, COMPONENTS, TEAMS, USERS } from '../../support/simulator/fixtures/default.ts';
import {
  createFakeClock,
  type FakeClock,
  type Simulator,
  startSimulator,
} from '../../support/simulator/index.ts';
import { call, paths } from './console-client.ts';

describe('delete and operations', () => {
  let sim: Simulator;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = createFakeClock();
    sim = await startSimulator({ clock, statusTimings: { buildMs: 100, startMs: 200, stopMs: 300 } });
  });
  afterEach(() => sim.stop());

  const del = (serviceId: string, query = '?force=1') =>
    call(sim, 'DELETE', `${paths.service(APPS.shopOnline, serviceId)}${query}`);
  const operate = (body: unknown) => call(sim, 'POST', paths.operations(APPS.shopOnline), { body });

  it('Deleting a closed component answers 200 with an empty body and removes it.', async () => {
    const reply = await del(COMPONENTS.worker.serviceId);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('');
    expect(sim.state.component(COMPONENTS.worker.serviceId)).toBeUndefined();
    expect(sim.ledger.calls.at(-1)).toMatchObject({
      route: 'deleteComponent',
      status: 200,
      tookEffect: true,
    });
  });

  const running409 = { code: 409, msg: 'delete error', msg_show: '组件可能处于运行状态,请先关闭组件' };

  it('Without force (or force=0) a running component is a 409 whose msg_show asks to close it first, and stays.', async () => {
    for (const query of ['', '?force=0']) {
      const reply = await del(COMPONENTS.api.serviceId, query);
      expect(reply.status).toBe(409);
      expect(reply.json).toMatchObject(running409);
      expect(sim.state.component(COMPONENTS.api.serviceId)).toBeDefined();
      expect(sim.ledger.calls.at(-1)!.tookEffect).toBe(false);
    }
  });

  it('With force=1 a running component is deleted all the same, and the answer is still the 409.', async () => {
    const reply = await del(COMPONENTS.api.serviceId, '?force=1');
    expect(reply.status).toBe(409);
    expect(reply.json).toMatchObject(running409);
    expect(sim.state.component(COMPONENTS.api.serviceId)).toBeUndefined();
    expect(sim.ledger.calls.at(-1)).toMatchObject({ status: 409, tookEffect: true });
    // web depended on api: that dependency went with it.
    expect(sim.state.component(COMPONENTS.web.serviceId)!.depends_on).toEqual([]);
  });

  it('A second delete of a deleted component is a 404 "no found component".', async () => {
    await del(COMPONENTS.api.serviceId, '?force=1');
    const reply = await del(COMPONENTS.api.serviceId, '?force=1');
    expect(reply.status).toBe(404);
    expect(reply.json).toMatchObject({ msg: 'no found component' });
  });

  it('A closed component depended on by another is a 412 without force, and stays.', async () => {
    sim.state.setStatus(COMPONENTS.api.serviceId, 'closed');
    const reply = await del(COMPONENTS.api.serviceId, '?force=0');
    expect(reply.status).toBe(412);
    expect(reply.json).toMatchObject({ code: 412, msg_show: '组件被web依赖，不可删除' });
    expect(sim.state.component(COMPONENTS.api.serviceId)).toBeDefined();
  });

  it('With force=1 a depended-on component is deleted, its dependents lose the dependency, and the answer is the 412.', async () => {
    sim.state.setStatus(COMPONENTS.api.serviceId, 'closed');
    const reply = await del(COMPONENTS.api.serviceId, '?force=1');
    expect(reply.status).toBe(412);
    expect(sim.state.component(COMPONENTS.api.serviceId)).toBeUndefined();
    expect(sim.state.component(COMPONENTS.web.serviceId)!.depends_on).toEqual([]);
  });

  const notBlocking = [
    'waiting',
    'upgrade',
    'unknow',
    'closed',
    'undeploy',
    'succeeded',
    'paused',
    null,
  ] as const;
  for (const status of notBlocking) {
    it(`A component that is ${JSON.stringify(status)} is deleted without force (not in the console's running list).`, async () => {
      sim.state.setStatus(COMPONENTS.worker.serviceId, status);
      expect((await del(COMPONENTS.worker.serviceId, '?force=0')).status).toBe(200);
      expect(sim.state.component(COMPONENTS.worker.serviceId)).toBeUndefined();
    });
  }

  it('A running third-party component is not checked for running: deleted without force.', async () => {
    const del3 = await call(
      sim,
      'DELETE',
      `${paths.service(APPS.edgeGateway, COMPONENTS.legacyDb.serviceId)}?force=0`,
    );
    expect(del3.status).toBe(200);
  });

  for (const force of ['yes', '1.0', '']) {
    it(`A non-integer force ${JSON.stringify(force)} is a 400 "force value error" and deletes nothing.`, async () => {
      const reply = await del(COMPONENTS.worker.serviceId, `?force=${force}`);
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({ code: 400, msg: 'force value error', msg_show: '参数错误' });
      expect(sim.state.component(COMPONENTS.worker.serviceId)).toBeDefined();
    });
  }

  it('Stop is asynchronous: "stopping" for stopMs, then "closed"; then the delete needs no force.', async () => {
    const stop = await operate({ action: 'stop', service_ids: [COMPONENTS.web.serviceId] });
    expect(stop.status).toBe(200);
    expect(stop.json).toEqual({ msg: '操作成功' });
    expect(sim.state.liveStatus(COMPONENTS.web.serviceId)).toBe('stopping');
    expect((await del(COMPONENTS.web.serviceId, '?force=0')).status).toBe(409);
    await clock.advance(300);
    expect(sim.state.liveStatus(COMPONENTS.web.serviceId)).toBe('closed');
    expect((await del(COMPONENTS.web.serviceId, '?force=0')).status).toBe(200);
  });

  it('Stop without service_ids stops every component of the app.', async () => {
    await operate({ action: 'stop' });
    await clock.advance(300);
    const statuses = sim.state.componentsOf(APPS.shopOnline).map((c) => sim.state.liveStatus(c.service_id));
    expect(statuses).toEqual(['closed', 'closed', 'closed']);
  });

  it('A viewer (dave) gets 403 code 10402 on every operation, and nothing changes.', async () => {
    for (const action of ['stop', 'start', 'deploy', 'upgrade']) {
      const reply = await call(sim, 'POST', paths.operations(APPS.shopOnline), {
        token: USERS.dave.token,
        body: { action, service_ids: [COMPONENTS.web.serviceId] },
      });
      expect(reply.status).toBe(403);
      expect(reply.json).toMatchObject({ code: 10402, msg: 'no permissions ', msg_show: '没有操作权限' });
      expect(sim.ledger.calls.at(-1)!.tookEffect).toBe(false);
    }
    expect(sim.state.liveStatus(COMPONENTS.web.serviceId)).toBe('running');
  });

  it('The same viewer token may delete (force=1 on a running component) and copy.', async () => {
    const reply = await call(
      sim,
      'DELETE',
      `${paths.service(APPS.shopOnline, COMPONENTS.web.serviceId)}?force=1`,
      {
        token: USERS.dave.token,
      },
    );
    expect(reply.status).toBe(409);
    expect(sim.state.component(COMPONENTS.web.serviceId)).toBeUndefined();
    const copy = await call(sim, 'POST', paths.copy(APPS.shopOnline), {
      token: USERS.dave.token,
      body: {
        services: [{ service_id: COMPONENTS.worker.serviceId }],
        target_team_name: TEAMS.staging.tenantName,
        target_region_name: 'rainbond',
        target_app_id: APPS.shopStaging,
      },
    });
    expect(copy.status).toBe(200);
  });

  it('Start moves a closed component to running and leaves running ones alone.', async () => {
    await operate({ action: 'start', service_ids: [] });
    const statuses = sim.state.componentsOf(APPS.shopOnline).map((c) => sim.state.liveStatus(c.service_id));
    expect(statuses).toEqual(['running', 'running', 'running']);
  });

  it('Deploy rebuilds a deployed component: its status stays during the build, then waiting, then running.', async () => {
    await operate({ action: 'deploy', service_ids: [COMPONENTS.worker.serviceId] });
    expect(sim.state.liveStatus(COMPONENTS.worker.serviceId)).toBe('closed');
    await clock.advance(100);
    expect(sim.state.liveStatus(COMPONENTS.worker.serviceId)).toBe('waiting');
    await clock.advance(200);
    expect(sim.state.liveStatus(COMPONENTS.worker.serviceId)).toBe('running');
  });

  it('An unknown action is a 400 validation error and changes nothing.', async () => {
    const reply = await operate({ action: 'restart' });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({
      detail: '参数错误',
      err: { action: ['“restart” 不是合法选项。'] },
    });
    expect(sim.ledger.calls.at(-1)!.tookEffect).toBe(false);
  });

  it('A missing action is a 400 validation error.', async () => {
    const reply = await operate({ service_ids: [COMPONENTS.web.serviceId] });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ err: { action: ['该字段是必填项。'] } });
  });

  it('Operation ids are not checked against the app: a component of another app is stopped too.', async () => {
    await operate({ action: 'stop', service_ids: [COMPONENTS.existingWeb.serviceId] });
    expect(sim.state.liveStatus(COMPONENTS.existingWeb.serviceId)).toBe('stopping');
    await clock.advance(300);
    expect(sim.state.liveStatus(COMPONENTS.existingWeb.serviceId)).toBe('closed');
  });

  it('Events list the operations on a component, newest first, with total and paging.', async () => {
    await operate({ action: 'stop', service_ids: [COMPONENTS.web.serviceId] });
    await clock.advance(300);
    await operate({ action: 'start', service_ids: [COMPONENTS.web.serviceId] });
    const reply = await call(
      sim,
      'GET',
      `${paths.events(APPS.shopOnline, COMPONENTS.web.serviceId)}?page=1&page_size=1`,
    );
    expect(reply.status).toBe(200);
    const body = reply.json as {
      events: Record<string, unknown>[];
      total: number;
      page: number;
      page_size: number;
    };
    expect(body.total).toBe(2);
    expect([body.page, body.page_size]).toEqual([1, 1]);
    expect(body.events).toHaveLength(1);
    expect(body.events[0]).toMatchObject({
      opt_type: 'start-service',
      status: 'success',
      final_status: 'complete',
      user_name: 'alice',
      service_id: COMPONENTS.web.serviceId,
    });
    expect(body.events[0]!.event_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('A non-integer page is the console 500 from int().', async () => {
    const reply = await call(
      sim,
      'GET',
      `${paths.events(APPS.shopOnline, COMPONENTS.web.serviceId)}?page=first`,
    );
    expect(reply.status).toBe(500);
    expect(reply.json).toMatchObject({
      code: 10401,
      msg: "invalid literal for int() with base 10: 'first'",
      error_type: 'ValueError',
    });
    const body = reply.json as { msg_show: string; error_trace: string };
    expect(body.msg_show).toMatch(/^Traceback \(most recent call last\):\n/);
    expect(body.msg_show).toContain("ValueError: invalid literal for int() with base 10: 'first'");
    expect(body.error_trace).toBe(body.msg_show);
  });
});
