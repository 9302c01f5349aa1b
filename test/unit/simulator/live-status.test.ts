// rainbond-openapi.md: "each copy is built and deployed automatically after the call returns",
// and "Live component status": the region's vocabulary. A copy is `undeploy` while its first
// build runs (for ever if it fails), then `waiting` for startMs, then `running` (`succeeded`
// for a job). A stop is `stopping` for stopMs, then `closed`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPS, COMPONENTS, TEAMS } from '../../support/simulator/fixtures/default.ts';
import {
  createFakeClock,
  FAILING_BUILD_VERSION,
  type FakeClock,
  type Simulator,
  startSimulator,
} from '../../support/simulator/index.ts';
import { call, copiedServices, copyBody, paths } from './console-client.ts';

const timings = { buildMs: 1000, startMs: 4000, stopMs: 500 };

describe('live status on a manual clock', () => {
  let sim: Simulator;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = createFakeClock();
    sim = await startSimulator({ clock, statusTimings: timings });
  });
  afterEach(() => sim.stop());

  const copyOne = async (serviceId: string, appId: number, change?: unknown) => {
    const reply = await call(sim, 'POST', paths.copy(appId), {
      body: copyBody({
        services: [change === undefined ? { service_id: serviceId } : { service_id: serviceId, change }],
      }),
    });
    expect(reply.status).toBe(200);
    return copiedServices(reply)[0]!.service_id;
  };
  const listedStatus = async (serviceId: string) => {
    const list = (await call(sim, 'GET', paths.services(APPS.shopStaging, TEAMS.staging.tenantName)))
      .json as {
      service_id: string;
      status: string;
    }[];
    return list.find((c) => c.service_id === serviceId)?.status;
  };

  const steps: { name: string; advance: number; expected: string }[] = [
    { name: 'A fresh copy is "undeploy" (no successful build yet).', advance: 0, expected: 'undeploy' },
    {
      name: 'It is still "undeploy" 1 ms before buildMs.',
      advance: timings.buildMs - 1,
      expected: 'undeploy',
    },
    { name: 'It is "waiting" once built.', advance: 1, expected: 'waiting' },
    {
      name: 'It is still "waiting" 1 ms before it is up.',
      advance: timings.startMs - 1,
      expected: 'waiting',
    },
    { name: 'It is "running" once buildMs + startMs have passed.', advance: 1, expected: 'running' },
    { name: 'It stays "running" afterwards.', advance: 60_000, expected: 'running' },
  ];

  it('A copy moves undeploy -> waiting -> running, exactly at the configured times, as the list shows.', async () => {
    const id = await copyOne(COMPONENTS.web.serviceId, APPS.shopOnline);
    for (const step of steps) {
      await clock.advance(step.advance);
      expect(await listedStatus(id), step.name).toBe(step.expected);
    }
  });

  it('A copy of a component whose builds fail stays "undeploy" for ever.', async () => {
    const id = await copyOne(COMPONENTS.cron.serviceId, APPS.legacyTools);
    await clock.advance(timings.buildMs);
    expect(await listedStatus(id)).toBe('undeploy');
    await clock.advance(timings.startMs + 3_600_000);
    expect(await listedStatus(id)).toBe('undeploy');
  });

  it(`A copy whose version is changed to "${FAILING_BUILD_VERSION}" stays "undeploy".`, async () => {
    const id = await copyOne(COMPONENTS.web.serviceId, APPS.shopOnline, {
      build_source: { version: FAILING_BUILD_VERSION },
    });
    await clock.advance(timings.buildMs + timings.startMs);
    expect(await listedStatus(id)).toBe('undeploy');
  });

  it('A test can make a source fail to build through the state, before copying it.', async () => {
    sim.state.updateComponent(COMPONENTS.api.serviceId, { build_fails: true });
    const id = await copyOne(COMPONENTS.api.serviceId, APPS.shopOnline);
    await clock.advance(timings.buildMs + timings.startMs);
    expect(sim.state.liveStatus(id)).toBe('undeploy');
  });

  it('A copy of a job component settles at "succeeded", not "running".', async () => {
    const reply = await call(sim, 'POST', paths.copy(APPS.batchJobs), { body: copyBody() });
    const id = copiedServices(reply)[0]!.service_id;
    await clock.advance(timings.buildMs);
    expect(await listedStatus(id)).toBe('waiting');
    await clock.advance(timings.startMs);
    expect(await listedStatus(id)).toBe('succeeded');
  });

  it('A copy whose image the version change mangled (registry port) never builds: "undeploy", failed build event.', async () => {
    const reply = await call(sim, 'POST', paths.copy(APPS.reports), {
      body: copyBody({
        services: [{ service_id: COMPONENTS.report.serviceId, change: { build_source: { version: 'v2' } } }],
      }),
    });
    const id = copiedServices(reply)[0]!.service_id;
    await clock.advance(timings.buildMs + timings.startMs);
    expect(await listedStatus(id)).toBe('undeploy');
    const events = (await call(sim, 'GET', paths.events(APPS.shopStaging, id, TEAMS.staging.tenantName)))
      .json as {
      events: Record<string, unknown>[];
    };
    expect(events.events).toMatchObject([
      { opt_type: 'build-service', status: 'failure', final_status: 'complete' },
    ]);
  });

  it('The app detail follows: closed while building, running once its copies run.', async () => {
    await copyOne(COMPONENTS.web.serviceId, APPS.shopOnline);
    const detail = () => call(sim, 'GET', paths.app(APPS.shopStaging, TEAMS.staging.tenantName));
    expect((await detail()).json).toMatchObject({ status: 'closed', running_service_count: 0 });
    await clock.advance(timings.buildMs + timings.startMs);
    expect((await detail()).json).toMatchObject({ status: 'running', running_service_count: 1 });
  });

  it('A failed build event is in progress ("" / "") until the build ends, then failure / complete.', async () => {
    const id = await copyOne(COMPONENTS.cron.serviceId, APPS.legacyTools);
    const events = async () =>
      (
        (await call(sim, 'GET', paths.events(APPS.shopStaging, id, TEAMS.staging.tenantName))).json as {
          events: Record<string, unknown>[];
        }
      ).events;
    expect(await events()).toMatchObject([{ opt_type: 'build-service', status: '', final_status: '' }]);
    await clock.advance(timings.buildMs - 1);
    expect(await events()).toMatchObject([{ opt_type: 'build-service', status: '', final_status: '' }]);
    await clock.advance(1);
    expect(await events()).toMatchObject([
      { opt_type: 'build-service', status: 'failure', final_status: 'complete' },
    ]);
  });

  it('Setting a status through the state pins it and ends the build in progress.', async () => {
    const id = await copyOne(COMPONENTS.web.serviceId, APPS.shopOnline);
    sim.state.setStatus(id, 'abnormal');
    await clock.advance(timings.buildMs + timings.startMs);
    expect(await listedStatus(id)).toBe('abnormal');
  });

  it('Stop is asynchronous: "stopping" for stopMs, then "closed", and then it can be deleted without force.', async () => {
    const id = await copyOne(COMPONENTS.web.serviceId, APPS.shopOnline);
    await clock.advance(timings.buildMs + timings.startMs);
    const path = paths.service(APPS.shopStaging, id, TEAMS.staging.tenantName);
    expect((await call(sim, 'DELETE', `${path}?force=0`)).status).toBe(409);
    const stop = await call(sim, 'POST', paths.operations(APPS.shopStaging, TEAMS.staging.tenantName), {
      body: { action: 'stop', service_ids: [id] },
    });
    expect(stop.json).toEqual({ msg: '操作成功' });
    expect(await listedStatus(id)).toBe('stopping');
    expect((await call(sim, 'DELETE', `${path}?force=0`)).status).toBe(409);
    await clock.advance(timings.stopMs - 1);
    expect(await listedStatus(id)).toBe('stopping');
    await clock.advance(1);
    expect(await listedStatus(id)).toBe('closed');
    expect((await call(sim, 'DELETE', `${path}?force=0`)).status).toBe(200);
  });

  it('On a pre-6.5 region (startingStatus "starting") a copy is "starting" between build and running.', async () => {
    const old = await startSimulator({ clock, statusTimings: timings, startingStatus: 'starting' });
    try {
      const reply = await call(old, 'POST', paths.copy(APPS.shopOnline), {
        body: copyBody({ services: [{ service_id: COMPONENTS.web.serviceId }] }),
      });
      const id = copiedServices(reply)[0]!.service_id;
      await clock.advance(timings.buildMs);
      expect(old.state.liveStatus(id)).toBe('starting');
      await clock.advance(timings.startMs);
      expect(old.state.liveStatus(id)).toBe('running');
    } finally {
      await old.stop();
    }
  });

  it('A copy still building ("undeploy") or "waiting" can be deleted without force.', async () => {
    const building = await copyOne(COMPONENTS.web.serviceId, APPS.shopOnline);
    const path = (id: string) => `${paths.service(APPS.shopStaging, id, TEAMS.staging.tenantName)}?force=0`;
    expect((await call(sim, 'DELETE', path(building))).status).toBe(200);
    const waiting = await copyOne(COMPONENTS.web.serviceId, APPS.shopOnline);
    await clock.advance(timings.buildMs);
    expect(sim.state.liveStatus(waiting)).toBe('waiting');
    expect((await call(sim, 'DELETE', path(waiting))).status).toBe(200);
  });
});

describe('live status on the real clock', () => {
  it('With zero timings a copy is running as soon as the call returns.', async () => {
    const sim = await startSimulator({ statusTimings: { buildMs: 0, startMs: 0 } });
    try {
      const reply = await call(sim, 'POST', paths.copy(APPS.shopOnline), { body: copyBody() });
      for (const s of copiedServices(reply)) expect(sim.state.liveStatus(s.service_id)).toBe('running');
    } finally {
      await sim.stop();
    }
  });
});
