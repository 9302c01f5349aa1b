// rainbond-openapi.md, the copy's GET pre-flight, "Endpoints around the copy" (apps list and
// detail, components list and get) and "No trailing slashes on these routes".
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APPS, COMPONENTS, ENTERPRISE_ID, REGION, TEAMS } from '../../support/simulator/fixtures/default.ts';
import { type Simulator, startSimulator } from '../../support/simulator/index.ts';
import { SERVICE_BASE_FIELDS } from '../../support/simulator/service-base-info.ts';
import { call, envelope, paths } from './console-client.ts';

describe('reads', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.stop());
  beforeEach(() => sim.state.reset());

  describe('the GET pre-flight on the copy path', () => {
    it('is a bare array of the source app components with service_id, names, create_status, service_source, build_source.', async () => {
      const reply = await call(sim, 'GET', paths.copy(APPS.shopOnline));
      expect(reply.status).toBe(200);
      const items = reply.json as Record<string, unknown>[];
      expect(Array.isArray(items)).toBe(true);
      expect(items.map((i) => i.service_id)).toEqual([
        COMPONENTS.web.serviceId,
        COMPONENTS.api.serviceId,
        COMPONENTS.worker.serviceId,
      ]);
      expect(items[0]).toMatchObject({
        service_cname: 'web',
        service_alias: COMPONENTS.web.alias,
        create_status: 'complete',
        service_source: 'docker_image',
        app_name: 'shop-online',
        build_source: { version: '1.25', service_source: 'docker_image', image: 'nginx:1.25' },
      });
    });

    it('gives min_memory as a string.', async () => {
      const items = (await call(sim, 'GET', paths.copy(APPS.shopOnline))).json as { min_memory: unknown }[];
      expect(items.map((i) => i.min_memory)).toEqual(['256', '1024', '512']);
    });

    it('gives a source-code component its branch as build_source.version.', async () => {
      const items = (await call(sim, 'GET', paths.copy(APPS.shopOnline))).json as { build_source: unknown }[];
      expect(items[1]!.build_source).toMatchObject({
        version: 'main',
        code_version: 'main',
        git_url: 'https://git.example.com/shop/api.git',
        service_source: 'source_code',
      });
    });

    it('also lists package_build and unfinished components, so a client can see why they cannot be copied.', async () => {
      const items = (await call(sim, 'GET', paths.copy(APPS.legacyTools))).json as Record<string, unknown>[];
      expect(items.map((i) => [i.service_cname, i.service_source, i.create_status])).toEqual([
        ['report-uploader', 'package_build', 'complete'],
        ['half-made', 'docker_image', 'checking'],
        ['cron', 'docker_image', 'complete'],
      ]);
    });

    it('lists nothing for an unknown app (no 404 on this path).', async () => {
      const reply = await call(sim, 'GET', paths.copy(999));
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual([]);
    });
  });

  describe('apps', () => {
    it('The apps list is a bare array with the id in `ID` and the name in `group_name`, for the team and region only.', async () => {
      const reply = await call(sim, 'GET', paths.apps());
      expect(reply.status).toBe(200);
      const apps = reply.json as { ID: number; group_name: string; tenant_id: string; region_name: string }[];
      expect(apps.map((a) => [a.ID, a.group_name])).toEqual([
        [APPS.shopOnline, 'shop-online'],
        [APPS.legacyTools, 'legacy-tools'],
        [APPS.shopPreview, 'shop-preview'],
      ]);
      for (const a of apps) expect([a.tenant_id, a.region_name]).toEqual([TEAMS.shop.tenantId, REGION]);
    });

    it('The app detail has app_id, service_count and status "part_running" when some components run.', async () => {
      const reply = await call(sim, 'GET', paths.app(APPS.shopOnline));
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({
        ID: APPS.shopOnline,
        app_id: APPS.shopOnline,
        group_name: 'shop-online',
        service_count: 3,
        running_service_count: 2,
        status: 'part_running',
        team_name: TEAMS.shop.tenantName,
        enterprise_id: ENTERPRISE_ID,
      });
    });

    it('The app status is "running" when all components run and "closed" when none do.', async () => {
      sim.state.setStatus(COMPONENTS.worker.serviceId, 'running');
      expect((await call(sim, 'GET', paths.app(APPS.shopOnline))).json).toMatchObject({ status: 'running' });
      for (const c of [COMPONENTS.web, COMPONENTS.api, COMPONENTS.worker])
        sim.state.setStatus(c.serviceId, 'closed');
      expect((await call(sim, 'GET', paths.app(APPS.shopOnline))).json).toMatchObject({ status: 'closed' });
      expect(
        (await call(sim, 'GET', paths.app(APPS.shopStaging, TEAMS.staging.tenantName))).json,
      ).toMatchObject({
        status: 'closed',
        service_count: 0,
      });
    });

    it('An unknown app is a 404 "no found app".', async () => {
      const reply = await call(sim, 'GET', paths.app(999));
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual(envelope(404, 'no found app', '应用不存在'));
    });

    it('Another team\'s app is a 404 "no found app" under this team.', async () => {
      const reply = await call(sim, 'GET', paths.app(APPS.shopStaging));
      expect(reply.status).toBe(404);
    });
  });

  describe('components', () => {
    it('The components list is a bare array of ServiceBaseInfo with the live status.', async () => {
      const reply = await call(sim, 'GET', paths.services(APPS.shopOnline));
      expect(reply.status).toBe(200);
      const list = reply.json as Record<string, unknown>[];
      expect(list.map((c) => [c.service_cname, c.status])).toEqual([
        ['web', 'running'],
        ['api', 'running'],
        ['worker', 'closed'],
      ]);
      expect(Object.keys(list[0]!)).toEqual(['status', 'access_infos', ...SERVICE_BASE_FIELDS]);
    });

    it('A component whose cluster did not answer has status null in the list.', async () => {
      sim.state.setStatus(COMPONENTS.worker.serviceId, null);
      const list = (await call(sim, 'GET', paths.services(APPS.shopOnline))).json as { status: unknown }[];
      expect(list[2]!.status).toBeNull();
    });

    it('Getting one component gives its live status and access_infos.', async () => {
      const reply = await call(sim, 'GET', paths.service(APPS.shopOnline, COMPONENTS.web.serviceId));
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({
        service_id: COMPONENTS.web.serviceId,
        status: 'running',
        access_infos: ['http://web.shop.example.com'],
        k8s_component_name: 'web',
      });
    });

    it('A component can also be addressed by its alias.', async () => {
      const reply = await call(sim, 'GET', paths.service(APPS.shopOnline, COMPONENTS.web.alias));
      expect(reply.json).toMatchObject({ service_id: COMPONENTS.web.serviceId });
    });

    it('A component of another app is a 404 "component not belong to this app".', async () => {
      const reply = await call(sim, 'GET', paths.service(APPS.shopPreview, COMPONENTS.web.serviceId));
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual(envelope(404, 'component not belong to this app', '组件不属于指定应用'));
    });

    it('An unknown component is a 404 "no found component".', async () => {
      const reply = await call(sim, 'GET', paths.service(APPS.shopOnline, 'f'.repeat(32)));
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual(envelope(404, 'no found component', '组件不存在'));
    });
  });

  describe('URLs', () => {
    const notFound: [string, string][] = [
      ['A trailing slash', `${paths.apps()}/`],
      ['A non-numeric app id', paths.app('shop-online')],
      ['An unknown path under /openapi/v1', '/openapi/v1/teams'],
      ['The site root', '/'],
    ];
    for (const [what, path] of notFound) {
      it(`${what} gets Django's HTML 404 page.`, async () => {
        const reply = await call(sim, 'GET', path);
        expect(reply.status).toBe(404);
        expect(reply.headers.get('content-type')).toBe('text/html');
        expect(reply.text).toContain('<h1>Not Found</h1>');
        expect(sim.ledger.calls.at(-1)).toMatchObject({ route: null, status: 404 });
      });
    }

    it('A method a route does not answer is a framework-style 405 after the view checks.', async () => {
      const reply = await call(sim, 'PUT', paths.app(APPS.shopOnline), { body: {} });
      expect(reply.status).toBe(405);
      expect(reply.json).toMatchObject({ detail: 'Method "PUT" not allowed.', code: 405 });
      expect((await call(sim, 'PUT', paths.app(999), { body: {} })).status).toBe(404);
    });
  });
});
