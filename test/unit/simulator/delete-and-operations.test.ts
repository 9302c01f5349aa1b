// rainbond-openapi.md, endpoint table: DELETE ...?force=1 (200 empty; running -> 409 asking to
// close it first; depended on -> 412), POST .../operations ({"msg":"操作成功"}; stop before
// delete), and component events.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPS, COMPONENTS } from '../../support/simulator/fixtures/default.ts';
import { createManualClock, type Simulator, startSimulator } from '../../support/simulator/index.ts';
import { call, paths } from './console-client.ts';

describe('delete and operations', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ clock: createManualClock() });
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

  it('Deleting a running component is a 409 whose msg_show asks to close it first.', async () => {
    const reply = await del(COMPONENTS.api.serviceId);
    expect(reply.status).toBe(409);
    expect(reply.json).toMatchObject({
      code: 409,
      msg: 'delete error',
      msg_show: '组件可能处于运行状态，请先关闭组件',
    });
    expect(sim.state.component(COMPONENTS.api.serviceId)).toBeDefined();
  });

  it('A component depended on by another is a 412 once it is stopped.', async () => {
    await operate({ action: 'stop', service_ids: [COMPONENTS.api.serviceId] });
    const reply = await del(COMPONENTS.api.serviceId);
    expect(reply.status).toBe(412);
    expect(reply.json).toMatchObject({ code: 412, msg_show: '组件被web依赖，不可删除' });
  });

  it('A non-integer force is a 400 "force value error".', async () => {
    const reply = await del(COMPONENTS.worker.serviceId, '?force=yes');
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ code: 400, msg: 'force value error', msg_show: '参数错误' });
  });

  it('Stop before delete: stopping a running component lets it be deleted.', async () => {
    const stop = await operate({ action: 'stop', service_ids: [COMPONENTS.web.serviceId] });
    expect(stop.status).toBe(200);
    expect(stop.json).toEqual({ msg: '操作成功' });
    expect(sim.state.liveStatus(COMPONENTS.web.serviceId)).toBe('closed');
    expect((await del(COMPONENTS.web.serviceId)).status).toBe(200);
  });

  it('Stop without service_ids stops every component of the app.', async () => {
    await operate({ action: 'stop' });
    const statuses = sim.state.componentsOf(APPS.shopOnline).map((c) => sim.state.liveStatus(c.service_id));
    expect(statuses).toEqual(['closed', 'closed', 'closed']);
  });

  it('Start moves a closed component to running and leaves running ones alone.', async () => {
    await operate({ action: 'start', service_ids: [] });
    const statuses = sim.state.componentsOf(APPS.shopOnline).map((c) => sim.state.liveStatus(c.service_id));
    expect(statuses).toEqual(['running', 'running', 'running']);
  });

  it('Deploy rebuilds: building now, running after the build time.', async () => {
    await operate({ action: 'deploy', service_ids: [COMPONENTS.worker.serviceId] });
    expect(sim.state.liveStatus(COMPONENTS.worker.serviceId)).toBe('building');
    (sim.clock as ReturnType<typeof createManualClock>).advance(sim.state.timings.startMs);
    expect(sim.state.liveStatus(COMPONENTS.worker.serviceId)).toBe('running');
  });

  it('An unknown action is a 400 validation error and changes nothing.', async () => {
    const reply = await operate({ action: 'restart' });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({
      detail: '参数错误',
      err: { action: ['"restart" is not a valid choice.'] },
    });
    expect(sim.ledger.calls.at(-1)!.tookEffect).toBe(false);
  });

  it('A missing action is a 400 validation error.', async () => {
    const reply = await operate({ service_ids: [COMPONENTS.web.serviceId] });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ err: { action: ['This field is required.'] } });
  });

  it('Ids outside the app are ignored by operations.', async () => {
    await operate({ action: 'stop', service_ids: [COMPONENTS.existingWeb.serviceId] });
    expect(sim.state.liveStatus(COMPONENTS.existingWeb.serviceId)).toBe('running');
  });

  it('Events list the operations on a component, newest first, with total and paging.', async () => {
    await operate({ action: 'stop', service_ids: [COMPONENTS.web.serviceId] });
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
    expect(reply.json).toMatchObject({ code: 10401, msg: "invalid literal for int() with base 10: 'first'" });
  });
});
