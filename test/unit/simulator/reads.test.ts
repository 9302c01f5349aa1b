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
    it('is a bare array of the source app components with exactly the AppCopyLSerializer fields: no top-level service_source.', async () => {
      const reply = await call(sim, 'GET', paths.copy(APPS.shopOnline));
      expect(reply.status).toBe(200);
      const items = reply.json as Record<string, unknown>[];
      expect(Array.isArray(items)).toBe(true);
      expect(items.map((i) => i.service_id)).toEqual([
        COMPONENTS.web.serviceId,
        COMPONENTS.api.serviceId,
        COMPONENTS.worker.serviceId,
      ]);
      for (const item of items) {
        expect(Object.keys(item)).toEqual([
          'build_source',
          'update_time',
          'deploy_version',
          'create_status',
          'service_alias',
          'service_cname',
          'version',
          'service_type',
          'service_id',
          'app_name',
          'min_memory',
        ]);
        expect(item).not.toHaveProperty('service_source');
      }
      expect(items[0]).toMatchObject({
        service_cname: 'web',
        service_alias: COMPONENTS.web.alias,
        create_status: 'complete',
        app_name: 'shop-online',
      });
      expect(items[0]!.build_source).toEqual({
        version: '1.25',
        language: null,
        code_from: 'image_manual',
        service_source: 'docker_image',
        docker_cmd: 'nginx:1.25',
        image: 'nginx:1.25',
        password: '',
        user_name: '',
      });
    });

    it('carries the registry password in clear for a component with registry credentials (user_name stays "").', async () => {
      const items = (await call(sim, 'GET', paths.copy(APPS.shopOnline))).json as {
        service_id: string;
        build_source: Record<string, unknown>;
      }[];
      const worker = items.find((i) => i.service_id === COMPONENTS.worker.serviceId)!;
      expect(worker.build_source).toMatchObject({
        service_source: 'docker_image',
        image: COMPONENTS.worker.image,
        password: COMPONENTS.worker.registryPassword,
        user_name: '',
      });
    });

    it('gives min_memory as a string, and lists the most recently updated component first.', async () => {
      const items = (await call(sim, 'GET', paths.copy(APPS.shopOnline))).json as { min_memory: unknown }[];
      expect(items.map((i) => i.min_memory)).toEqual(['256', '1024', '512']);
      await new Promise((r) => setTimeout(r, 5));
      // updateComponent bumps update_time: worker is now the newest; 512 MB x 2 nodes.
      const updated = sim.state.updateComponent(COMPONENTS.worker.serviceId, { min_memory: 512 });
      updated.min_node = 2;
      const again = (await call(sim, 'GET', paths.copy(APPS.shopOnline))).json as {
        service_id: string;
        min_memory: unknown;
      }[];
      expect(again.map((i) => [i.service_id, i.min_memory])).toEqual([
        [COMPONENTS.worker.serviceId, '1024'],
        [COMPONENTS.web.serviceId, '256'],
        [COMPONENTS.api.serviceId, '1024'],
      ]);
    });

    it('gives a source-code component the source-code build source: component version, branch in code_version.', async () => {
      const items = (await call(sim, 'GET', paths.copy(APPS.shopOnline))).json as { build_source: unknown }[];
      expect(items[1]!.build_source).toEqual({
        version: 'main',
        language: 'Java-maven',
        code_from: 'gitlab_manual',
        service_source: 'source_code',
        code_version: 'main',
        git_url: 'https://git.example.com/shop/api.git',
        full_name: null,
        service_id: COMPONENTS.api.serviceId,
        oauth_service_id: null,
        user_name: '',
        password: '',
      });
    });

    it('gives a third-party component the base build source only.', async () => {
      const items = (await call(sim, 'GET', paths.copy(APPS.edgeGateway))).json as {
        service_id: string;
        build_source: unknown;
      }[];
      expect(items.find((i) => i.service_id === COMPONENTS.legacyDb.serviceId)!.build_source).toEqual({
        version: '',
        language: null,
        code_from: null,
        service_source: 'third_party',
      });
    });

    it('also lists package_build and unfinished components; service_source is inside build_source.', async () => {
      const items = (await call(sim, 'GET', paths.copy(APPS.legacyTools))).json as {
        service_cname: string;
        create_status: string;
        build_source: { service_source: string };
      }[];
      expect(items.map((i) => [i.service_cname, i.build_source.service_source, i.create_status])).toEqual([
        ['report-uploader', 'package_build', 'complete'],
        ['half-made', 'docker_image', 'checking'],
        ['cron', 'docker_image', 'complete'],
      ]);
    });

    it('answers 400 code 20400 with the zh-hans message when a component version is longer than 32.', async () => {
      const reply = await call(sim, 'GET', paths.copy(APPS.nightlyBuilds));
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual({
        detail: '参数错误',
        err: { version: ['请确保这个字段不能超过 32 个字符。'] },
        code: 20400,
        error_type: 'ValidationError',
      });
    });

    const limits: [string, Record<string, unknown>, string, number][] = [
      ['an image longer than 200', { image: `registry.example.com/${'a'.repeat(190)}:1` }, 'image', 200],
      [
        'a code_version longer than 32',
        { service_source: 'source_code', code_version: 'b'.repeat(33) },
        'code_version',
        32,
      ],
    ];
    for (const [what, patch, field, max] of limits) {
      it(`answers 400 naming ${field} for ${what}.`, async () => {
        sim.state.updateComponent(COMPONENTS.worker.serviceId, patch as never);
        const reply = await call(sim, 'GET', paths.copy(APPS.shopOnline));
        expect(reply.status).toBe(400);
        expect(reply.json).toMatchObject({
          code: 20400,
          err: { [field]: [`请确保这个字段不能超过 ${max} 个字符。`] },
        });
      });
    }

    it('lists nothing for an unknown app, or an app of another team (no 404 on this path).', async () => {
      for (const path of [paths.copy(999), paths.copy(APPS.shopStaging)]) {
        const reply = await call(sim, 'GET', path);
        expect(reply.status).toBe(200);
        expect(reply.json).toEqual([]);
      }
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
        [APPS.nightlyBuilds, 'nightly-builds'],
        [APPS.edgeGateway, 'edge-gateway'],
        [APPS.reports, 'reports'],
        [APPS.batchJobs, 'batch-jobs'],
        [APPS.helmShop, 'helm-shop'],
        [APPS.previewSite, 'preview-site'],
        [APPS.adminPortal, 'admin-portal'],
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
      ['An unknown path under /openapi/v1', '/openapi/v1/tenants'],
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
