// rainbond-openapi.md: "each copy is built and deployed automatically after the call returns",
// and the live status values (creating, building, running, build_failure). The simulator moves
// a copy through them on its clock, after statusTimings.buildMs then startMs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPS, COMPONENTS, TEAMS } from '../../support/simulator/fixtures/default.ts';
import {
  createManualClock,
  FAILING_BUILD_VERSION,
  type ManualClock,
  type Simulator,
  startSimulator,
} from '../../support/simulator/index.ts';
import { call, copiedServices, copyBody, paths } from './console-client.ts';

const timings = { buildMs: 1000, startMs: 4000 };

describe('live status on a manual clock', () => {
  let sim: Simulator;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = createManualClock();
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
    { name: 'A fresh copy is "creating".', advance: 0, expected: 'creating' },
    {
      name: 'It is still "creating" 1 ms before buildMs.',
      advance: timings.buildMs - 1,
      expected: 'creating',
    },
    { name: 'It is "building" at buildMs.', advance: 1, expected: 'building' },
    {
      name: 'It is still "building" 1 ms before the build ends.',
      advance: timings.startMs - 1,
      expected: 'building',
    },
    { name: 'It is "running" once buildMs + startMs have passed.', advance: 1, expected: 'running' },
    { name: 'It stays "running" afterwards.', advance: 60_000, expected: 'running' },
  ];

  it('A copy moves creating -> building -> running, exactly at the configured times, as the list shows.', async () => {
    const id = await copyOne(COMPONENTS.web.serviceId, APPS.shopOnline);
    for (const step of steps) {
      clock.advance(step.advance);
      expect(await listedStatus(id), step.name).toBe(step.expected);
    }
  });

  it('A copy of a component whose builds fail ends in "build_failure".', async () => {
    const id = await copyOne(COMPONENTS.cron.serviceId, APPS.legacyTools);
    clock.advance(timings.buildMs);
    expect(await listedStatus(id)).toBe('building');
    clock.advance(timings.startMs);
    expect(await listedStatus(id)).toBe('build_failure');
  });

  it(`A copy whose version is changed to "${FAILING_BUILD_VERSION}" ends in "build_failure".`, async () => {
    const id = await copyOne(COMPONENTS.web.serviceId, APPS.shopOnline, {
      build_source: { version: FAILING_BUILD_VERSION },
    });
    clock.advance(timings.buildMs + timings.startMs);
    expect(await listedStatus(id)).toBe('build_failure');
  });

  it('A test can make a source fail to build through the state, before copying it.', async () => {
    sim.state.updateComponent(COMPONENTS.api.serviceId, { build_fails: true });
    const id = await copyOne(COMPONENTS.api.serviceId, APPS.shopOnline);
    clock.advance(timings.buildMs + timings.startMs);
    expect(sim.state.liveStatus(id)).toBe('build_failure');
  });

  it('The app detail follows: closed while building, running once its copies run.', async () => {
    await copyOne(COMPONENTS.web.serviceId, APPS.shopOnline);
    const detail = () => call(sim, 'GET', paths.app(APPS.shopStaging, TEAMS.staging.tenantName));
    expect((await detail()).json).toMatchObject({ status: 'closed', running_service_count: 0 });
    clock.advance(timings.buildMs + timings.startMs);
    expect((await detail()).json).toMatchObject({ status: 'running', running_service_count: 1 });
  });

  it('The build event is in progress until the build ends, then complete with its outcome.', async () => {
    const id = await copyOne(COMPONENTS.cron.serviceId, APPS.legacyTools);
    const events = async () =>
      (
        (await call(sim, 'GET', paths.events(APPS.shopStaging, id, TEAMS.staging.tenantName))).json as {
          events: Record<string, unknown>[];
        }
      ).events;
    expect(await events()).toMatchObject([{ opt_type: 'build-service', status: '', final_status: '' }]);
    clock.advance(timings.buildMs + timings.startMs);
    expect(await events()).toMatchObject([
      { opt_type: 'build-service', status: 'failure', final_status: 'complete' },
    ]);
  });

  it('Setting a status through the state pins it and ends the build in progress.', async () => {
    const id = await copyOne(COMPONENTS.web.serviceId, APPS.shopOnline);
    sim.state.setStatus(id, 'abnormal');
    clock.advance(timings.buildMs + timings.startMs);
    expect(await listedStatus(id)).toBe('abnormal');
  });

  it('Stop moves a running copy to "closed", and then it can be deleted.', async () => {
    const id = await copyOne(COMPONENTS.web.serviceId, APPS.shopOnline);
    clock.advance(timings.buildMs + timings.startMs);
    const path = `${paths.service(APPS.shopStaging, id, TEAMS.staging.tenantName)}?force=1`;
    expect((await call(sim, 'DELETE', path)).status).toBe(409);
    await call(sim, 'POST', paths.operations(APPS.shopStaging, TEAMS.staging.tenantName), {
      body: { action: 'stop', service_ids: [id] },
    });
    expect(await listedStatus(id)).toBe('closed');
    expect((await call(sim, 'DELETE', path)).status).toBe(200);
  });

  it('A copy still building can be deleted (it has no running instance yet).', async () => {
    const id = await copyOne(COMPONENTS.web.serviceId, APPS.shopOnline);
    const path = `${paths.service(APPS.shopStaging, id, TEAMS.staging.tenantName)}?force=1`;
    expect((await call(sim, 'DELETE', path)).status).toBe(200);
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
