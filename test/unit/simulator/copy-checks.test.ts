// rainbond-openapi.md, "What the console checks, in this order, and what it answers":
// each case breaks one check (and often a later one too, to prove the order) and expects the
// console's exact answer, with nothing created.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  APPS,
  COMPONENTS,
  OTHER_REGION,
  REGION,
  TEAMS,
  USERS,
} from '../../support/simulator/fixtures/default.ts';
import { type Simulator, startSimulator } from '../../support/simulator/index.ts';
import { call, copyBody, envelope, paths } from './console-client.ts';

interface Case {
  name: string;
  /** The sentence of rainbond-openapi.md the case checks. */
  fact: string;
  path?: string;
  token?: string | null;
  body?: unknown;
  rawBody?: string;
  status: number;
  /** Exact body, or a subset when `subset` is set. */
  expected: unknown;
  subset?: boolean;
}

const svc = (id: string, change?: unknown) =>
  change === undefined ? { service_id: id } : { service_id: id, change };
const keyError = (field: string, serializer = 'AppCopyCSerializer') =>
  `Got KeyError when attempting to get a value for field \`${field}\` on serializer \`${serializer}\`.\n` +
  'The serializer field might be named incorrectly and not match any attribute or key on the `dict` instance.\n' +
  `Original exception text was: '${field}'.`;
const { target_team_name: _t, ...withoutTeam } = copyBody();
const { target_region_name: _r, ...withoutRegion } = copyBody();
const { target_app_id: _a, ...withoutAppId } = copyBody();
const { services: _s, ...withoutServices } = copyBody();

const cases: Case[] = [
  {
    name: 'A bad token is reported first, even when the team and the body are wrong too.',
    fact: '1. token -> 401',
    path: paths.copy(999, 'no-such-team'),
    token: 'nope',
    body: {},
    status: 401,
    expected: { detail: 'No such user', code: 401 },
    subset: true,
  },
  {
    name: 'An unknown source team is a 404 "no found team", before the region is looked at.',
    fact: '2. source team -> 404 {"code":404,"msg":"no found team","msg_show":"团队不存在"}',
    path: paths.copy(APPS.shopOnline, 'no-such-team', 'no-such-region'),
    body: {},
    status: 404,
    expected: envelope(404, 'no found team', '团队不存在'),
  },
  {
    name: "The source team's display name is not a team id, so it is a 404.",
    fact: "`team_id` (path) may be the source team's `tenant_id` or its `tenant_name`",
    path: paths.copy(APPS.shopOnline, TEAMS.shop.alias),
    body: copyBody(),
    status: 404,
    expected: envelope(404, 'no found team', '团队不存在'),
  },
  {
    name: 'An unknown region is a 404 with business code 3000, before the body is read.',
    fact: '3. region -> 404 with business code 3000 ("the region is not found")',
    path: paths.copy(APPS.shopOnline, TEAMS.shop.tenantName, 'no-such-region'),
    body: {},
    status: 404,
    expected: envelope(3000, 'the region is not found', '集群不存在'),
  },
  {
    name: 'A source team not opened in the region is a 409 with business code 2001.',
    fact: '3. a team not opened in that region -> 409 code 2001',
    path: paths.copy(APPS.shopStaging, TEAMS.staging.tenantName, OTHER_REGION),
    body: {},
    status: 409,
    expected: envelope(2001, 'the team is not initialized in the region', '团队未在该集群中初始化'),
  },
  {
    name: 'A body without `services` is a 500, not a 400.',
    fact: '4. A missing `services` ... gives HTTP 500, not 400',
    body: withoutServices,
    status: 500,
    expected: { code: 10401, msg: keyError('services'), error_type: 'KeyError' },
    subset: true,
  },
  {
    name: 'A body without `target_team_name` is a 500.',
    fact: '4. A missing ... `target_team_name` ... gives HTTP 500',
    body: withoutTeam,
    status: 500,
    expected: { code: 10401, msg: keyError('target_team_name') },
    subset: true,
  },
  {
    name: 'A body without `target_region_name` is a 500.',
    fact: '4. A missing ... `target_region_name` ... gives HTTP 500',
    body: withoutRegion,
    status: 500,
    expected: { code: 10401, msg: keyError('target_region_name') },
    subset: true,
  },
  {
    name: 'A body without `target_app_id` is a 500.',
    fact: '4. A missing ... `target_app_id` ... gives HTTP 500',
    body: withoutAppId,
    status: 500,
    expected: { code: 10401, msg: keyError('target_app_id') },
    subset: true,
  },
  {
    name: 'A non-numeric `target_app_id` is a 500.',
    fact: '4. ... or a non-numeric `target_app_id`, gives HTTP 500',
    body: copyBody({ target_app_id: 'shop-staging' }),
    status: 500,
    expected: {
      code: 10401,
      msg: 'invalid literal for int() with base 10: "shop-staging"',
      error_type: 'ValueError',
    },
    subset: true,
  },
  {
    name: 'An empty body is a 500 like any other missing field.',
    fact: '4. there is effectively no validation',
    rawBody: '',
    status: 500,
    expected: { code: 10401, msg: keyError('services') },
    subset: true,
  },
  {
    name: 'A service entry without `service_id` is a 500.',
    fact: '4. there is effectively no validation',
    body: copyBody({ services: [{ change: {} }] }),
    status: 500,
    expected: { code: 10401, msg: keyError('service_id', 'AppCopyModifySerializer') },
    subset: true,
  },
  {
    name: '`build_source` without `version` is a 400 validation error.',
    fact: '`build_source` without `version` is a 400',
    body: copyBody({ services: [svc(COMPONENTS.web.serviceId, { build_source: {} })] }),
    status: 400,
    expected: { detail: '参数错误', err: { version: ['该字段是必填项。'] }, code: 20400 },
    subset: true,
  },
  {
    name: '`build_source` without `version` wins over a later missing field, as services are read first.',
    fact: '`build_source` without `version` is a 400; 4. body fields',
    body: { services: [svc(COMPONENTS.web.serviceId, { build_source: { image: 'x' } })] },
    status: 400,
    expected: { err: { version: ['该字段是必填项。'] } },
    subset: true,
  },
  {
    name: 'An unknown target team is a 404 "no found team or team not join this region".',
    fact: '5. target: team must exist ... else 404 "no found team or team not join this region"',
    body: copyBody({ target_team_name: 'zzzzzzzz' }),
    status: 404,
    expected: envelope(
      404,
      'no found team or team not join this region',
      '目标团队不存在，或团队为加入该数据中心',
    ),
  },
  {
    name: "The target team's display name is refused: only its tenant_name works.",
    fact: "`target_team_name` is the team's `tenant_name` (like `o19p6wen`), not its display name",
    body: copyBody({ target_team_name: TEAMS.staging.alias }),
    status: 404,
    expected: envelope(
      404,
      'no found team or team not join this region',
      '目标团队不存在，或团队为加入该数据中心',
    ),
  },
  {
    name: 'A caller who is not a member of the target team gets the same 404.',
    fact: '5. the caller must be a member ... else 404',
    token: USERS.bob.token,
    body: copyBody(),
    status: 404,
    expected: envelope(
      404,
      'no found team or team not join this region',
      '目标团队不存在，或团队为加入该数据中心',
    ),
  },
  {
    name: 'A target team not opened in the target region gets the same 404.',
    fact: '5. the team must be opened in the target region, else 404',
    body: copyBody({ target_region_name: OTHER_REGION }),
    status: 404,
    expected: envelope(
      404,
      'no found team or team not join this region',
      '目标团队不存在，或团队为加入该数据中心',
    ),
  },
  {
    name: 'An unknown target app is a 404 "no found group app", before the source app is checked.',
    fact: '5. unknown target app -> 404 "no found group app" (msg_show "目标应用不存在")',
    path: paths.copy(999),
    body: copyBody({ target_app_id: 998 }),
    status: 404,
    expected: envelope(404, 'no found group app', '目标应用不存在'),
  },
  {
    name: 'A target app of another team is a 400 "group app and team relation no found".',
    fact: '5. target app of another team -> 400 "group app and team relation no found"',
    body: copyBody({ target_app_id: APPS.shopPreview }),
    status: 400,
    expected: envelope(400, 'group app and team relation no found', '目标应用不属于目标团队'),
  },
  {
    name: 'An unknown source app is a 500.',
    fact: '6. an unknown source app -> 500',
    path: paths.copy(999),
    body: copyBody(),
    status: 500,
    expected: { code: 10401, msg: 'ServiceGroup matching query does not exist.' },
    subset: true,
  },
  {
    name: 'An app of another team in the source path is a 500 like an unknown app.',
    fact: '6. an unknown source app -> 500',
    path: paths.copy(APPS.shopStaging),
    body: copyBody(),
    status: 500,
    expected: { code: 10401 },
    subset: true,
  },
  {
    name: 'An unknown service id is a 500 whose message is the quoted id.',
    fact: '6. a `service_id` that is not a completed component of the source app -> 500 (the message is the quoted id)',
    body: copyBody({ services: [svc(COMPONENTS.web.serviceId), svc('0123456789abcdef0123456789abcdef')] }),
    status: 500,
    expected: { code: 10401, msg: "'0123456789abcdef0123456789abcdef'", error_type: 'KeyError' },
    subset: true,
  },
  {
    name: 'A component that is not complete is a 500 with its quoted id.',
    fact: '6. a `service_id` that is not a completed component of the source app -> 500',
    path: paths.copy(APPS.legacyTools),
    body: copyBody({ services: [svc(COMPONENTS.halfMade.serviceId)] }),
    status: 500,
    expected: { code: 10401, msg: `'${COMPONENTS.halfMade.serviceId}'` },
    subset: true,
  },
  {
    name: 'A component of another app is a 500 with its quoted id.',
    fact: '6. a `service_id` that is not a completed component of the source app -> 500',
    body: copyBody({ services: [svc(COMPONENTS.cron.serviceId)] }),
    status: 500,
    expected: { code: 10401, msg: `'${COMPONENTS.cron.serviceId}'` },
    subset: true,
  },
  {
    name: 'A package_build component is refused with 400.',
    fact: '6. `service_source == "package_build"` -> 400 "package_build components do not support quick copy"',
    path: paths.copy(APPS.legacyTools),
    body: copyBody({ services: [svc(COMPONENTS.cron.serviceId), svc(COMPONENTS.reportUploader.serviceId)] }),
    status: 400,
    expected: envelope(
      400,
      'package_build components do not support quick copy',
      '上传软件包创建的组件暂不支持快速复制：report-uploader',
    ),
  },
  {
    name: '`services: []` of an app holding a package_build component refuses the whole copy.',
    fact: '`services: []` copies every component; package_build -> 400',
    path: paths.copy(APPS.legacyTools),
    body: copyBody(),
    status: 400,
    expected: envelope(
      400,
      'package_build components do not support quick copy',
      '上传软件包创建的组件暂不支持快速复制：report-uploader',
    ),
  },
  {
    name: 'A copy beyond the target team quota is a 400 with business code 20002.',
    fact: '7. quota -> 400 code 20002 "not enough quota"',
    body: copyBody({ target_team_name: TEAMS.tiny.tenantName, target_app_id: APPS.sandbox }),
    status: 400,
    expected: envelope(20002, 'not enough quota', '团队配额不足'),
  },
  {
    name: 'A body that is not JSON is a framework-style 400 parse error.',
    fact: 'Framework errors (401, 403, validation) use {"detail": "...", "code": ...}',
    rawBody: '{"services": [',
    status: 400,
    expected: { code: 400, error_type: 'ParseError' },
    subset: true,
  },
];

describe('copy checks, in the console order', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.stop());
  beforeEach(() => {
    sim.state.reset();
    sim.ledger.clear();
  });

  for (const c of cases) {
    it(c.name, async () => {
      const before = sim.state.components().map((x) => x.service_id);
      const reply = await call(sim, 'POST', c.path ?? paths.copy(APPS.shopOnline), {
        ...(c.token === undefined ? {} : { token: c.token }),
        ...(c.rawBody === undefined ? { body: c.body } : { rawBody: c.rawBody }),
      });
      expect(reply.status, c.fact).toBe(c.status);
      if (c.subset) expect(reply.json, c.fact).toMatchObject(c.expected as object);
      else expect(reply.json, c.fact).toEqual(c.expected);
      // A refused copy creates nothing, and the ledger says so.
      expect(sim.state.components().map((x) => x.service_id)).toEqual(before);
      expect(sim.ledger.copies).toEqual([]);
      expect(sim.ledger.calls).toMatchObject([{ route: 'copy', status: c.status, tookEffect: false }]);
    });
  }

  it('The 500s come as the JSON body of the generic handler (console 6.1.1+), traceback in msg_show, not an HTML page.', async () => {
    const reply = await call(sim, 'POST', paths.copy(APPS.shopOnline), {
      body: copyBody({ target_app_id: 'x' }),
    });
    expect(reply.headers.get('content-type')).toBe('application/json');
    expect(Object.keys(reply.json as object)).toEqual([
      'code',
      'msg',
      'msg_show',
      'error_type',
      'error_trace',
      'error_details',
    ]);
    const body = reply.json as Record<string, unknown>;
    expect(body).toMatchObject({
      code: 10401,
      msg: 'invalid literal for int() with base 10: "x"',
      error_type: 'ValueError',
    });
    expect(body.msg_show).toMatch(
      /^Traceback \(most recent call last\):\n[\s\S]*\nValueError: invalid literal/,
    );
    expect(body.error_trace).toBe(body.msg_show);
  });

  it('A package_build component is refused before an unknown id is looked up (validate_services_support_copy runs first).', async () => {
    const reply = await call(sim, 'POST', paths.copy(APPS.legacyTools), {
      body: copyBody({ services: [svc('0'.repeat(32)), svc(COMPONENTS.reportUploader.serviceId)] }),
    });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ msg: 'package_build components do not support quick copy' });
  });

  it('Helm app: a component outside the region app-service list is a 500 with msg its quoted id, every time, creating nothing.', async () => {
    for (let i = 0; i < 2; i++) {
      const reply = await call(sim, 'POST', paths.copy(APPS.helmShop), {
        body: copyBody({
          services: [svc(COMPONENTS.storefront.serviceId), svc(COMPONENTS.chartHook.serviceId)],
        }),
      });
      expect(reply.status).toBe(500);
      expect(reply.json).toMatchObject({
        code: 10401,
        msg: `'${COMPONENTS.chartHook.serviceId}'`,
        error_type: 'KeyError',
      });
    }
    expect(sim.state.componentsOf(APPS.shopStaging)).toEqual([]);
    expect(sim.ledger.copies).toEqual([]);
  });

  it('Helm app: `services: []` copies only the components of the app-service list.', async () => {
    const reply = await call(sim, 'POST', paths.copy(APPS.helmShop), { body: copyBody() });
    expect(reply.status).toBe(200);
    expect(sim.state.componentsOf(APPS.shopStaging).map((c) => c.service_cname)).toEqual(['storefront-copy']);
  });

  it('A numeric string `target_app_id` is accepted, as the console coerces it.', async () => {
    const reply = await call(sim, 'POST', paths.copy(APPS.shopOnline), {
      body: copyBody({ target_app_id: '34' }),
    });
    expect(reply.status).toBe(200);
    expect(sim.ledger.copiesInto(APPS.shopStaging)).toHaveLength(1);
  });

  it('A copy exactly at the quota is allowed.', async () => {
    const reply = await call(sim, 'POST', paths.copy(APPS.shopOnline), {
      body: copyBody({
        services: [svc(COMPONENTS.web.serviceId), svc(COMPONENTS.api.serviceId)],
        target_team_name: TEAMS.tiny.tenantName,
        target_app_id: APPS.sandbox,
      }),
    });
    expect(reply.status).toBe(200);
    expect(sim.state.componentsOf(APPS.sandbox)).toHaveLength(2);
  });

  it('The source team may be given by tenant_id as well as tenant_name.', async () => {
    const reply = await call(sim, 'POST', paths.copy(APPS.shopOnline, TEAMS.shop.tenantId, REGION), {
      body: copyBody({ services: [svc(COMPONENTS.web.serviceId)] }),
    });
    expect(reply.status).toBe(200);
  });
});
