// The console releases the simulator plays (releases.ts; docs/compatibility.md): every
// difference from the newest line, over real HTTP, on every profile it applies to, and the
// default staying 6.9. One table per difference: the profile ids where the older behaviour
// shows, the rest behave as 6.9.
import { afterEach, describe, expect, it } from 'vitest';
import { APPS, COMPONENTS, OTHER_REGION, TEAMS, USERS } from '../../support/simulator/fixtures/default.ts';
import {
  CONSOLE_RELEASE_IDS,
  type ConsoleReleaseId,
  createFakeClock,
  type FakeClock,
  RELEASE_PROFILES,
  releaseProfile,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../../support/simulator/index.ts';
import { call, copiedServices, copyBody, envelope, paths } from './console-client.ts';

const timings = { buildMs: 1000, startMs: 4000 };

let running: Simulator[] = [];
afterEach(async () => {
  await Promise.all(running.map((s) => s.stop()));
  running = [];
});

async function start(
  release: ConsoleReleaseId | undefined,
  opts: Omit<SimulatorOptions, 'release'> = {},
): Promise<{ sim: Simulator; clock: FakeClock }> {
  const clock = createFakeClock();
  const sim = await startSimulator({
    clock,
    statusTimings: timings,
    ...opts,
    ...(release ? { release } : {}),
  });
  running.push(sim);
  return { sim, clock };
}

/** Each profile with whether the difference under test applies to it. */
function eachRelease(olderOnes: readonly ConsoleReleaseId[]) {
  return CONSOLE_RELEASE_IDS.map((id) => ({ id, older: olderOnes.includes(id) }));
}

const NO_PERMISSIONS = envelope(10402, 'no permissions ', '没有操作权限');

const envsPath = (appId: number, serviceId: string, team: string = TEAMS.shop.tenantName) =>
  `${paths.service(appId, serviceId, team)}/envs`;

describe('the release setting', () => {
  it('defaults to 6.9 (v6.9.3 and later), and says so in the state dump.', async () => {
    const sim = await startSimulator();
    running.push(sim);
    expect(sim.release).toBe(RELEASE_PROFILES['6.9']);
    const dump = (await fetch(`${sim.url}/__sim/state`).then((r) => r.json())) as { release: unknown };
    expect(dump.release).toEqual({
      id: '6.9',
      models: 'v6.9.3',
      releaseDesc: 'v6.9.3-release-26cf5f1-2026-07-01-23',
    });
  });

  it('refuses an unknown release, naming the ones there are.', async () => {
    await expect(startSimulator({ release: '6.2' as ConsoleReleaseId })).rejects.toThrow(
      'unknown console release "6.2": expected one of 5.16, 6.0, 6.1, 6.5, 6.9',
    );
    expect(() => releaseProfile('v6.9')).toThrow(RangeError);
  });

  it('cites an upstream file at a tag for every behaviour of every profile.', () => {
    for (const profile of Object.values(RELEASE_PROFILES)) {
      for (const [key, behaviour] of Object.entries(profile)) {
        if (typeof behaviour !== 'object') continue;
        for (const source of (behaviour as { source: string }).source.split('; ')) {
          expect(source, `${profile.id} ${key}`).toMatch(/^(console|region):[\w./-]+@v\d+\.\d+\.\d+-release/);
        }
      }
    }
  });
});

describe('GET /console/config/info tells the release', () => {
  for (const id of CONSOLE_RELEASE_IDS) {
    it(`${id}: without a token, 200 with version = RELEASE_DESC; recorded in the ledger.`, async () => {
      const { sim } = await start(id);
      const reply = await call(sim, 'GET', '/console/config/info', { token: null });
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({
        code: 200,
        msg: 'query success',
        msg_show: 'Logo获取成功',
        data: {
          bean: {
            version: { enable: true, value: RELEASE_PROFILES[id].configInfo.releaseDesc },
            title: { enable: true, value: RELEASE_PROFILES[id].configInfo.title },
            enterprise_id: sim.state.enterpriseId,
          },
          list: [],
          initialize_info: null,
        },
      });
      expect(RELEASE_PROFILES[id].configInfo.releaseDesc).toMatch(
        new RegExp(`^${RELEASE_PROFILES[id].models}-release-[0-9a-f]{7}-\\d{4}-\\d{2}-\\d{2}-\\d{2}$`),
      );
      expect(sim.ledger.callsTo('consoleConfig')).toMatchObject([
        {
          method: 'GET',
          path: '/console/config/info',
          status: 200,
          tookEffect: false,
          tokenFingerprint: null,
        },
      ]);
    });
  }

  it('answers an empty version for a console built without RELEASE_DESC.', async () => {
    const { sim } = await start('6.5', { releaseDesc: '' });
    const reply = await call(sim, 'GET', '/console/config/info');
    expect((reply.json as { data: { bean: { version: unknown } } }).data.bean.version).toEqual({
      enable: true,
      value: '',
    });
  });
});

describe('team permissions per route (5.16 only)', () => {
  for (const { id, older } of eachRelease(['5.16'])) {
    it(`${id}: a viewer ${older ? 'may not' : 'may'} copy (300014), a developer ${older ? 'may not' : 'may'} delete (400004); refused before any check of the call.`, async () => {
      const { sim } = await start(id);
      // dave is a viewer in shop and staging: the pre-flight (200001) passes, the copy does not.
      const preflight = await call(sim, 'GET', paths.copy(APPS.shopOnline), { token: USERS.dave.token });
      expect(preflight.status).toBe(200);
      const copy = await call(sim, 'POST', paths.copy(APPS.shopOnline), {
        token: USERS.dave.token,
        body: copyBody(),
      });
      const broken = await call(sim, 'POST', paths.copy(APPS.shopOnline), {
        token: USERS.dave.token,
        rawBody: '{not json',
      });
      // bob is a developer in shop: the worker (closed) is deleted unless 400004 is checked.
      const del = await call(sim, 'DELETE', paths.service(APPS.shopOnline, COMPONENTS.worker.serviceId), {
        token: USERS.bob.token,
      });
      if (older) {
        for (const reply of [copy, broken, del]) {
          expect(reply.status).toBe(403);
          expect(reply.json).toEqual(NO_PERMISSIONS);
        }
        expect(sim.ledger.copies).toEqual([]);
        expect(sim.state.component(COMPONENTS.worker.serviceId)).toBeDefined();
      } else {
        expect(copy.status).toBe(200);
        expect(broken.status).toBe(400);
        expect(del.status).toBe(200);
        expect(sim.state.component(COMPONENTS.worker.serviceId)).toBeUndefined();
      }
    });

    it(`${id}: reads need 300001/400001 in the URL's team, which a non-member ${older ? 'lacks' : 'need not hold'}; the envs route needs none.`, async () => {
      const { sim } = await start(id);
      const staging = TEAMS.staging.tenantName;
      // bob is not a member of staging.
      const list = await call(sim, 'GET', paths.services(APPS.shopStaging, staging), {
        token: USERS.bob.token,
      });
      const preflight = await call(sim, 'GET', paths.copy(APPS.shopStaging, staging), {
        token: USERS.bob.token,
      });
      expect(list.status).toBe(older ? 403 : 200);
      expect(preflight.status).toBe(older ? 403 : 200);
      if (older) expect(list.json).toEqual(NO_PERMISSIONS);
      // Viewers hold 300001 and 400001, and the envs route checks nothing.
      const app = APPS.shopOnline;
      const web = COMPONENTS.web.serviceId;
      const dave = { token: USERS.dave.token };
      expect((await call(sim, 'GET', paths.services(app), dave)).status).toBe(200);
      expect((await call(sim, 'GET', paths.service(app, web), dave)).status).toBe(200);
      expect((await call(sim, 'GET', paths.events(app, web), dave)).status).toBe(200);
      expect((await call(sim, 'PUT', envsPath(app, web), { ...dave, body: { envs: [] } })).status).toBe(200);
    });
  }
});

describe('event fields (CamelCase on 5.16)', () => {
  for (const { id, older } of eachRelease(['5.16'])) {
    it(`${id}: a failed build reads as ${older ? 'OptType/Status' : 'opt_type/status'} "build-service"/"failure".`, async () => {
      const { sim, clock } = await start(id);
      sim.state.startBuild(COMPONENTS.cron.serviceId, { userName: 'alice' });
      await clock.advance(timings.buildMs);
      const reply = await call(sim, 'GET', paths.events(APPS.legacyTools, COMPONENTS.cron.serviceId));
      expect(reply.status).toBe(200);
      const body = reply.json as {
        events: Record<string, unknown>[];
        total: number;
        page: number;
        page_size: number;
      };
      expect(Object.keys(body)).toEqual(['events', 'total', 'page', 'page_size']);
      const [event] = body.events;
      if (older) {
        expect(Object.keys(event!).sort()).toEqual(
          [
            'EventID',
            'OptType',
            'Status',
            'FinalStatus',
            'Message',
            'RequestBody',
            'UserName',
            'StartTime',
            'EndTime',
            'Target',
            'TargetID',
            'ServiceID',
            'TenantID',
            'SynType',
            'ID',
            'create_time',
          ].sort(),
        );
        expect(event).toMatchObject({
          OptType: 'build-service',
          Status: 'failure',
          FinalStatus: 'complete',
          ID: '1',
        });
      } else {
        expect(event).toMatchObject({
          opt_type: 'build-service',
          status: 'failure',
          final_status: 'complete',
        });
        expect(event).not.toHaveProperty('OptType');
      }
    });
  }
});

describe('`starting`, not `waiting` (5.16, 6.0, 6.1)', () => {
  for (const { id, older } of eachRelease(['5.16', '6.0', '6.1'])) {
    it(`${id}: a component whose build succeeded reports "${older ? 'starting' : 'waiting'}" until its pods are ready.`, async () => {
      const { sim, clock } = await start(id);
      sim.state.startBuild(COMPONENTS.web.serviceId, { userName: 'alice' });
      await clock.advance(timings.buildMs);
      const list = (await call(sim, 'GET', paths.services(APPS.shopOnline))).json as {
        service_id: string;
        status: string;
      }[];
      expect(list.find((c) => c.service_id === COMPONENTS.web.serviceId)?.status).toBe(
        older ? 'starting' : 'waiting',
      );
    });
  }

  it('an explicit startingStatus wins over the profile.', async () => {
    const { sim } = await start('5.16', { startingStatus: 'waiting' });
    expect(sim.state.startingStatus).toBe('waiting');
  });
});

describe('error bodies (without detail on 5.16 and 6.0)', () => {
  const styles = {
    '5.16': 'plain',
    '6.0': 'plain',
    '6.1': 'traced',
    '6.5': 'traced',
    '6.9': 'traced-except-validation',
  } as const;
  for (const id of CONSOLE_RELEASE_IDS) {
    const style = styles[id];
    it(`${id}: a 500, a 401 and a validation answer are "${style}".`, async () => {
      const { sim } = await start(id);
      expect(sim.release.errorBodies.detail).toBe(style);
      const crash = await call(
        sim,
        'GET',
        `${paths.events(APPS.shopOnline, COMPONENTS.web.serviceId)}?page=x`,
      );
      const noToken = await call(sim, 'GET', paths.apps(), { token: null });
      const invalid = await call(sim, 'POST', paths.operations(APPS.shopOnline), { body: {} });
      sim.faults.add({ route: 'listApps', kind: 'error-before-effect', times: 1 });
      const fault = await call(sim, 'GET', paths.apps());
      expect([crash.status, noToken.status, invalid.status, fault.status]).toEqual([500, 401, 400, 500]);
      if (style === 'plain') {
        expect(crash.json).toEqual({ code: 10401, msg: '', msg_show: '服务端异常' });
        expect(fault.json).toEqual({ code: 10401, msg: '', msg_show: '服务端异常' });
        expect(noToken.json).toEqual({
          detail: 'No token',
          code: 401,
          msg: 'No token',
          msg_show: 'No token',
        });
        expect(invalid.json).toEqual({
          detail: '参数错误',
          err: { action: ['该字段是必填项。'] },
          code: 20400,
        });
      } else {
        expect(crash.json).toMatchObject({
          code: 10401,
          msg: "invalid literal for int() with base 10: 'x'",
          error_type: 'ValueError',
        });
        expect((crash.json as { msg_show: string }).msg_show).toMatch(/^Traceback/);
        expect(fault.json).toMatchObject({ code: 10401, error_type: 'Exception' });
        expect(noToken.json).toMatchObject({ detail: 'No token', error_type: 'AuthenticationFailed' });
        expect(noToken.json).toHaveProperty('error_trace');
        expect(invalid.json).toMatchObject({
          detail: '参数错误',
          code: 20400,
          error_type: 'ValidationError',
        });
        if (style === 'traced') expect(invalid.json).toHaveProperty('error_trace');
        else expect(invalid.json).not.toHaveProperty('error_trace');
      }
    });
  }
});

describe('the envs answer check', () => {
  const blankNote = { envs: [{}, { note: ['该字段不能为空。'] }] };

  for (const { id, older } of eachRelease(['5.16', '6.0', '6.1', '6.5'])) {
    it(`${id}: the default fixture's variables pass the check.`, async () => {
      const { sim } = await start(id);
      for (const c of [COMPONENTS.web, COMPONENTS.api, COMPONENTS.worker]) {
        const reply = await call(sim, 'PUT', envsPath(c.appId, c.serviceId), { body: { envs: [] } });
        expect(reply.status, c.cname).toBe(200);
      }
    });

    it(`${id}: a variable with an empty note ${older ? 'makes the read and the (written) marker a 400' : 'passes'}.`, async () => {
      const { sim } = await start(id);
      const { appId, serviceId } = COMPONENTS.admin;
      const read = await call(sim, 'PUT', envsPath(appId, serviceId), { body: { envs: [] } });
      const marker = { name: 'APPCOPY_RECORD', value: 'v1 ns/name digest attempt', note: 'AppCopy operator' };
      const write = await call(sim, 'PUT', envsPath(appId, serviceId), { body: { envs: [marker] } });
      // The write took effect either way.
      expect(sim.state.component(serviceId)!.envs.at(-1)).toMatchObject(marker);
      expect(sim.ledger.calls.at(-1)).toMatchObject({ route: 'componentEnvs', tookEffect: true });
      if (older) {
        expect(read.status).toBe(400);
        expect(read.json).toMatchObject({ detail: '参数错误', err: blankNote, code: 20400 });
        expect(write.status).toBe(400);
        expect(write.json).toMatchObject({ err: { envs: [{}, { note: ['该字段不能为空。'] }, {}] } });
      } else {
        expect(read.status).toBe(200);
        expect(write.status).toBe(200);
      }
    });

    it(`${id}: a copy keeps the empty note, so its answer ${older ? 'fails' : 'passes'} too.`, async () => {
      const { sim } = await start(id);
      const reply = await call(sim, 'POST', paths.copy(APPS.adminPortal), {
        body: copyBody({ services: [{ service_id: COMPONENTS.admin.serviceId }] }),
      });
      expect(reply.status).toBe(200);
      const [copy] = copiedServices(reply);
      const read = await call(
        sim,
        'PUT',
        envsPath(APPS.shopStaging, copy!.service_id, TEAMS.staging.tenantName),
        {
          body: { envs: [] },
        },
      );
      expect(read.status).toBe(older ? 400 : 200);
    });

    it(`${id}: a request entry without note is ${older ? 'a KeyError 500, nothing written' : 'written with note ""'}; a blank note is ${older ? 'refused' : 'written'}.`, async () => {
      const { sim } = await start(id);
      const web = COMPONENTS.web;
      const before = structuredClone(sim.state.component(web.serviceId)!.envs);
      const noNote = await call(sim, 'PUT', envsPath(web.appId, web.serviceId), {
        body: { envs: [{ name: 'MARK', value: 'one' }] },
      });
      if (older) {
        expect(noNote.status).toBe(500);
        expect(noNote.json).toMatchObject({ code: 10401 });
        expect(sim.state.component(web.serviceId)!.envs).toEqual(before);
        expect(sim.ledger.calls.at(-1)).toMatchObject({ tookEffect: false });
      } else {
        expect(noNote.status).toBe(200);
        expect((noNote.json as { envs: unknown[] }).envs.at(-1)).toEqual({
          note: '',
          name: 'MARK',
          value: 'one',
          is_change: true,
          scope: 'inner',
        });
      }
      const blank = await call(sim, 'PUT', envsPath(web.appId, web.serviceId), {
        body: { envs: [{ name: 'MARK2', value: 'two', note: '' }] },
      });
      expect(blank.status).toBe(older ? 400 : 200);
      if (older) expect(blank.json).toMatchObject({ err: { envs: [{ note: ['该字段不能为空。'] }] } });
    });
  }

  for (const id of CONSOLE_RELEASE_IDS) {
    it(`${id}: an empty value, a note over 100, a value over 1024 or a name with a dot fail the answer after the write.`, async () => {
      const { sim } = await start(id);
      const web = COMPONENTS.web;
      sim.state.updateComponent(web.serviceId, {
        envs: [
          { name: 'GOOD', value: 'x', note: 'fine' },
          { name: 'EMPTY', value: '', note: 'n' },
          { name: 'LONG_NOTE', value: 'x', note: 'n'.repeat(101) },
          { name: 'LONG_VALUE', value: 'v'.repeat(1025), note: 'n' },
          { name: 'spring.profiles.active', value: 'dev', note: 'n' },
        ],
      });
      const reply = await call(sim, 'PUT', envsPath(web.appId, web.serviceId), {
        body: { envs: [{ name: 'MARK', value: 'one', note: 'n' }] },
      });
      expect(reply.status).toBe(400);
      expect((reply.json as { err: unknown }).err).toEqual({
        envs: [
          {},
          { value: ['该字段不能为空。'] },
          { note: ['请确保这个字段不能超过 100 个字符。'] },
          { value: ['请确保这个字段不能超过 1024 个字符。'] },
          { name: ["变量名不合法， 请输入以字母开头且为数字、大小写字母、'_'、'-'的组合"] },
          {},
        ],
      });
      expect(
        sim.state
          .component(web.serviceId)!
          .envs.map((e) => e.name)
          .at(-1),
      ).toBe('MARK');
    });
  }
});

describe('409 code 2001 for a team not initialized in the region (6.9 only)', () => {
  for (const { id, older } of eachRelease(['5.16', '6.0', '6.1', '6.5'])) {
    it(`${id}: the pre-flight ${older ? 'lists nothing' : 'is a 409'}, an app route ${older ? 'finds no app' : 'is a 409'}.`, async () => {
      const { sim } = await start(id);
      const staging = TEAMS.staging.tenantName;
      const preflight = await call(sim, 'GET', paths.copy(APPS.shopStaging, staging, OTHER_REGION));
      const list = await call(sim, 'GET', paths.services(APPS.shopStaging, staging, OTHER_REGION));
      if (older) {
        expect([preflight.status, preflight.json]).toEqual([200, []]);
        expect([list.status, list.json]).toEqual([404, envelope(404, 'no found app', '应用不存在')]);
      } else {
        expect([preflight.status, list.status]).toEqual([409, 409]);
        expect(list.json).toMatchObject({ code: 2001 });
      }
    });
  }
});

describe('copies that the newest line refuses or filters', () => {
  for (const { id, older } of eachRelease(['5.16', '6.0', '6.1', '6.5'])) {
    it(`${id}: a Helm app's component outside the app-service list is ${older ? 'copied' : "a 500 '<id>'"}.`, async () => {
      const { sim } = await start(id);
      const reply = await call(sim, 'POST', paths.copy(APPS.helmShop), {
        body: copyBody({ services: [{ service_id: COMPONENTS.chartHook.serviceId }] }),
      });
      expect(reply.status).toBe(older ? 200 : 500);
      expect(sim.ledger.copies).toHaveLength(older ? 1 : 0);
      const all = await call(sim, 'POST', paths.copy(APPS.helmShop), { body: copyBody() });
      expect(
        copiedServices(all)
          .map((s) => s.service_cname)
          .sort(),
      ).toEqual(older ? ['chart-hook-copy', 'storefront-copy'] : ['storefront-copy']);
    });

    it(`${id}: a package_build component is ${older ? 'copied' : 'refused with 400'}.`, async () => {
      const { sim } = await start(id);
      const reply = await call(sim, 'POST', paths.copy(APPS.legacyTools), {
        body: copyBody({ services: [{ service_id: COMPONENTS.reportUploader.serviceId }] }),
      });
      if (older) {
        expect(copiedServices(reply).map((s) => s.service_cname)).toEqual(['report-uploader-copy']);
      } else {
        expect(reply.status).toBe(400);
        expect(reply.json).toMatchObject({ msg: 'package_build components do not support quick copy' });
      }
    });
  }

  for (const { id, older } of eachRelease(['5.16', '6.0', '6.1'])) {
    it(`${id}: the pre-flight ${older ? 'lists' : 'leaves out'} an image component without an image.`, async () => {
      const { sim } = await start(id);
      sim.state.updateComponent(COMPONENTS.worker.serviceId, { image: '' });
      const rows = (await call(sim, 'GET', paths.copy(APPS.shopOnline))).json as { service_id: string }[];
      expect(rows.some((r) => r.service_id === COMPONENTS.worker.serviceId)).toBe(older);
    });
  }
});
