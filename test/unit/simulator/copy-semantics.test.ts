// rainbond-openapi.md, "What a copy creates" and the request body rules: new ids, aliases,
// names, k8s_component_name collisions, `services: []`, `change`, and no idempotency.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APPS,
  COMPONENTS,
  REGION,
  SHOP_ONLINE_COMPONENTS,
  TEAMS,
} from '../../support/simulator/fixtures/default.ts';
import { createFakeClock, type Simulator, startSimulator } from '../../support/simulator/index.ts';
import { call, copiedServices, copyBody, paths } from './console-client.ts';

const svc = (id: string, change?: unknown) =>
  change === undefined ? { service_id: id } : { service_id: id, change };

describe('what a copy creates', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ clock: createFakeClock() });
  });
  afterEach(() => sim.stop());

  const copy = (body: Record<string, unknown>, appId: number = APPS.shopOnline) =>
    call(sim, 'POST', paths.copy(appId), { body: copyBody(body) });

  it('Each copy gets a new random 32-hex service_id, distinct from every existing one.', async () => {
    const existing = new Set(sim.state.components().map((c) => c.service_id));
    const services = copiedServices(await copy({}));
    expect(services).toHaveLength(3);
    for (const s of services) {
      expect(s.service_id).toMatch(/^[0-9a-f]{32}$/);
      expect(existing.has(s.service_id)).toBe(false);
    }
    expect(new Set(services.map((s) => s.service_id)).size).toBe(3);
  });

  it('The alias is "gr" followed by the last 6 characters of the new id.', async () => {
    for (const s of copiedServices(await copy({})))
      expect(s.service_alias).toBe(`gr${s.service_id.slice(-6)}`);
  });

  it('The name is the source name with "-copy" appended.', async () => {
    const names = copiedServices(await copy({})).map((s) => s.service_cname);
    expect(names).toEqual(['web-copy', 'api-copy', 'worker-copy']);
  });

  it('The response is HTTP 200 {"services": [...]} with create_status "complete", status "" and no access_infos.', async () => {
    const reply = await copy({ services: [svc(COMPONENTS.web.serviceId)] });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.json as object)).toEqual(['services']);
    const [s] = copiedServices(reply);
    expect(s).toMatchObject({ create_status: 'complete', status: '', access_infos: [] });
    expect(s!.tenant_id).toBe(TEAMS.staging.tenantId);
    expect(s!.service_region).toBe(REGION);
  });

  it('`services: []` copies every completed component of the source app, in order.', async () => {
    const services = copiedServices(await copy({ services: [] }));
    expect(services.map((s) => s.service_cname)).toEqual(
      SHOP_ONLINE_COMPONENTS.map((c) => `${c.cname}-copy`),
    );
    expect(sim.state.componentsOf(APPS.shopStaging).map((c) => c.copied_from?.service_id)).toEqual(
      SHOP_ONLINE_COMPONENTS.map((c) => c.serviceId),
    );
  });

  it('A listed subset copies only those components.', async () => {
    const services = copiedServices(await copy({ services: [svc(COMPONENTS.worker.serviceId)] }));
    expect(services.map((s) => s.service_cname)).toEqual(['worker-copy']);
  });

  it('A service listed twice is copied once.', async () => {
    const services = copiedServices(
      await copy({ services: [svc(COMPONENTS.web.serviceId), svc(COMPONENTS.web.serviceId)] }),
    );
    expect(services).toHaveLength(1);
  });

  it('k8s_component_name stays the source name when the target app does not have it.', async () => {
    const names = copiedServices(await copy({})).map((s) => s.k8s_component_name);
    expect(names).toEqual(['web', 'api', 'worker']);
  });

  it('k8s_component_name becomes "{name}-{alias}" when the target app already has that name.', async () => {
    const [s] = copiedServices(
      await copy({ services: [svc(COMPONENTS.web.serviceId)], target_app_id: APPS.previewBusy }),
    );
    expect(s!.k8s_component_name).toBe(`web-${s!.service_alias}`);
  });

  it('A copy is not idempotent: the same call twice makes two sets, the second with suffixed k8s names.', async () => {
    const first = copiedServices(await copy({}));
    const second = copiedServices(await copy({}));
    expect(sim.state.componentsOf(APPS.shopStaging)).toHaveLength(6);
    expect(second.map((s) => s.k8s_component_name)).toEqual(
      second.map((s, i) => `${first[i]!.k8s_component_name}-${s.service_alias}`),
    );
    expect(sim.ledger.copiesInto(APPS.shopStaging)).toHaveLength(2);
  });

  it('change.build_source.version replaces the image tag of an image component.', async () => {
    const [s] = copiedServices(
      await copy({ services: [svc(COMPONENTS.worker.serviceId, { build_source: { version: 'v2' } })] }),
    );
    expect(s!.image).toBe('registry.example.com/shop/worker:v2');
    expect(s!.version).toBe('v2');
    // The source is untouched.
    expect(sim.state.component(COMPONENTS.worker.serviceId)!.image).toBe(COMPONENTS.worker.image);
  });

  it('change.build_source.version replaces the branch of a source-code component.', async () => {
    const [s] = copiedServices(
      await copy({ services: [svc(COMPONENTS.api.serviceId, { build_source: { version: 'feature-x' } })] }),
    );
    expect(s!.code_version).toBe('feature-x');
    expect(sim.state.component(s!.service_id)!.code_version).toBe('feature-x');
  });

  it('The console keeps only what precedes the first ":" of the image: a registry port is lost, docker_cmd keeps the old image.', async () => {
    const [s] = copiedServices(
      await call(sim, 'POST', paths.copy(APPS.reports), {
        body: copyBody({ services: [svc(COMPONENTS.report.serviceId, { build_source: { version: 'v2' } })] }),
      }),
    );
    expect(s!.image).toBe('registry.example.com:v2');
    expect(s!.version).toBe('v2');
    expect(s!.docker_cmd).toBe(COMPONENTS.report.image);
    // That image does not exist: the copy's build fails.
    expect(sim.state.component(s!.service_id)!.build_fails).toBe(true);
  });

  it('An image without a registry port gets the version as its tag and builds.', async () => {
    const [s] = copiedServices(
      await copy({ services: [svc(COMPONENTS.worker.serviceId, { build_source: { version: '2.4' } })] }),
    );
    expect(s!.image).toBe('registry.example.com/shop/worker:2.4');
    expect(s!.docker_cmd).toBe(COMPONENTS.worker.image);
    expect(sim.state.component(s!.service_id)!.build_fails).toBe(false);
  });

  it('A third-party component is copied under a second fresh id, named <cname>-copy, but left out of the answer.', async () => {
    const ids = [
      '11111111111111111111111111aaaaaa',
      '22222222222222222222222222bbbbbb',
      '33333333333333333333333333cccccc',
    ];
    const fresh = await startSimulator({ newServiceId: () => ids.shift()! });
    try {
      const reply = await call(fresh, 'POST', paths.copy(APPS.edgeGateway), { body: copyBody() });
      expect(reply.status).toBe(200);
      const answered = copiedServices(reply);
      expect(answered.map((c) => c.service_cname)).toEqual(['gateway-copy']);
      expect(answered[0]!.service_id).toBe('11111111111111111111111111aaaaaa');
      const listed = fresh.state.componentsOf(APPS.shopStaging);
      const third = listed.find((c) => c.service_source === 'third_party')!;
      // The id precomputed for it (22...bb) is discarded for a second one.
      expect(third).toMatchObject({
        service_id: '33333333333333333333333333cccccc',
        service_alias: 'grcccccc',
        service_cname: 'legacy-db-copy',
        k8s_component_name: 'legacy-db',
      });
      expect(fresh.state.component('22222222222222222222222222bbbbbb')).toBeUndefined();
      expect(fresh.ledger.copies[0]).toMatchObject({
        createdServiceIds: ['11111111111111111111111111aaaaaa', '33333333333333333333333333cccccc'],
        thirdPartyServiceIds: ['33333333333333333333333333cccccc'],
      });
    } finally {
      await fresh.stop();
    }
  });

  it('The copy is atomic: a failure inside it (an unknown id after good ones) creates nothing.', async () => {
    const reply = await copy({
      services: [svc(COMPONENTS.web.serviceId), svc(COMPONENTS.api.serviceId), svc('f'.repeat(32))],
    });
    expect(reply.status).toBe(500);
    expect(sim.state.componentsOf(APPS.shopStaging)).toEqual([]);
    expect(sim.ledger.copies).toEqual([]);
    expect(sim.ledger.calls.at(-1)!.tookEffect).toBe(false);
  });

  it('The old single-instance kinds are widened in the copy (stateless -> stateless_multiple).', async () => {
    sim.state.updateComponent(COMPONENTS.web.serviceId, { extend_method: 'stateless' });
    const [s] = copiedServices(await copy({ services: [svc(COMPONENTS.web.serviceId)] }));
    expect(s!.extend_method).toBe('stateless_multiple');
  });

  it('build_source.version is ignored for sources other than image and source code.', async () => {
    sim.state.updateComponent(COMPONENTS.worker.serviceId, { service_source: 'market' });
    const [s] = copiedServices(
      await copy({ services: [svc(COMPONENTS.worker.serviceId, { build_source: { version: 'v9' } })] }),
    );
    expect(s!.image).toBe(COMPONENTS.worker.image);
    expect(s!.version).toBe('2.3.1');
  });

  it('change.envs renames environment variables and keeps their values and notes; unknown names are ignored.', async () => {
    const [s] = copiedServices(
      await copy({
        services: [svc(COMPONENTS.web.serviceId, { envs: { API_URL: 'BACKEND_URL', NOPE: 'X' } })],
      }),
    );
    expect(sim.state.component(s!.service_id)!.envs).toEqual([
      { name: 'NGINX_PORT', value: '80', note: 'port nginx listens on' },
      { name: 'BACKEND_URL', value: 'http://api:8080', note: 'where the api answers' },
    ]);
  });

  it('Dependencies between copied components point at the copies.', async () => {
    const services = copiedServices(await copy({}));
    const webCopy = sim.state.component(services[0]!.service_id)!;
    expect(webCopy.depends_on).toEqual([services[1]!.service_id]);
  });

  it('Across teams, a dependency on a component that was not copied is dropped.', async () => {
    const [s] = copiedServices(await copy({ services: [svc(COMPONENTS.web.serviceId)] }));
    expect(sim.state.component(s!.service_id)!.depends_on).toEqual([]);
  });

  it('Within one team, a dependency on a component that was not copied is kept.', async () => {
    const [s] = copiedServices(
      await copy({
        services: [svc(COMPONENTS.web.serviceId)],
        target_team_name: TEAMS.shop.tenantName,
        target_app_id: APPS.shopPreview,
      }),
    );
    expect(sim.state.component(s!.service_id)!.depends_on).toEqual([COMPONENTS.api.serviceId]);
  });

  it('Each copy starts building right away: "" in the answer, "undeploy" once the call returns, with a build-service event.', async () => {
    const [s] = copiedServices(await copy({ services: [svc(COMPONENTS.web.serviceId)] }));
    expect(s!.status).toBe('');
    expect(sim.state.liveStatus(s!.service_id)).toBe('undeploy');
    expect(sim.state.eventsOf(s!.service_id).map((e) => e.opt_type)).toEqual(['build-service']);
  });

  it('Copying an app with no components returns an empty list and records no copy.', async () => {
    const reply = await call(sim, 'POST', paths.copy(APPS.shopPreview), { body: copyBody() });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ services: [] });
    expect(sim.ledger.copies).toEqual([]);
  });
});
