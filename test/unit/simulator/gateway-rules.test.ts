// rainbond-openapi.md and the console's gateway code: where a component can be reached
// (access_infos, in the component view only), and the gateway rules a copy gets (a default domain
// per outer HTTP port, a TCP endpoint on a region port per other outer port), with certificates
// turning http into https. Over real HTTP, like every simulator test.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPS, COMPONENTS, REGION_GATEWAYS, TEAMS } from '../../support/simulator/fixtures/default.ts';
import {
  accessInfosOf,
  availableLbPort,
  copyGatewayRules,
  MIN_LB_PORT,
} from '../../support/simulator/gateway.ts';
import { createFakeClock, type Simulator, startSimulator } from '../../support/simulator/index.ts';
import { call, copiedServices, copyBody, paths } from './console-client.ts';

const GATEWAY = REGION_GATEWAYS.rainbond;
const TARGET = 34;

describe('where a component can be reached', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ clock: createFakeClock() });
  });
  afterEach(() => sim.stop());

  const view = async (appId: number, serviceId: string, team: string = TEAMS.shop.tenantName) =>
    ((await call(sim, 'GET', paths.service(appId, serviceId, team))).json as { access_infos: string[] })
      .access_infos;

  it("The component view lists its HTTP rules as URLs and its TCP rules with the region's TCP domain.", async () => {
    expect(await view(APPS.previewSite, COMPONENTS.site.serviceId)).toEqual(['http://site.shop.example.com']);
    expect(await view(APPS.previewSite, COMPONENTS.cache.serviceId)).toEqual([`${GATEWAY.tcpDomain}:30000`]);
    expect(await view(APPS.previewSite, COMPONENTS.queue.serviceId)).toEqual([]);
  });

  it('The component list never carries them: access_infos is [] for every component.', async () => {
    const list = (await call(sim, 'GET', paths.services(APPS.previewSite))).json as {
      service_cname: string;
      access_infos: string[];
    }[];
    expect(list.map((c) => [c.service_cname, c.access_infos])).toEqual([
      ['site', []],
      ['cache', []],
      ['queue', []],
    ]);
  });

  it('A bound certificate turns the URL into https; a rule path is kept; HTTP rules come before TCP rules.', async () => {
    sim.state.updateComponent(COMPONENTS.site.serviceId, {
      http_rules: [
        { domain_name: 'site.shop.example.com', domain_path: '', certificate_id: 3, container_port: 80 },
        { domain_name: 'shop.example.com', domain_path: '/site', certificate_id: 0, container_port: 80 },
      ],
      tcp_rules: [{ end_point: '198.51.100.7:31000', container_port: 80, protocol: 'tcp' }],
    });
    expect(await view(APPS.previewSite, COMPONENTS.site.serviceId)).toEqual([
      'https://site.shop.example.com',
      'http://shop.example.com/site',
      '198.51.100.7:31000',
    ]);
  });
});

describe('the gateway rules of a copy', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ clock: createFakeClock() });
  });
  afterEach(() => sim.stop());

  const copyPreviewSite = async () =>
    copiedServices(
      await call(sim, 'POST', paths.copy(APPS.previewSite), {
        body: copyBody({ target_app_id: TARGET }),
      }),
    );
  const view = async (serviceId: string) =>
    (
      (await call(sim, 'GET', paths.service(TARGET, serviceId, TEAMS.staging.tenantName))).json as {
        access_infos: string[];
      }
    ).access_infos;

  it("An outer HTTP port gets the default domain <alias>-<port>-<tenant_name>.<region http domain>, not the source's domain.", async () => {
    const [site] = await copyPreviewSite();
    expect(await view(site!.service_id)).toEqual([
      `http://${site!.service_alias}-80-${TEAMS.staging.tenantName}.${GATEWAY.httpDomain}`,
    ]);
  });

  it('An outer TCP port gets an endpoint on the lowest free gateway port from 30000; an inner port gets nothing.', async () => {
    const [, cache, queue] = await copyPreviewSite();
    // The source's own rule holds 30000.
    expect(await view(cache!.service_id)).toEqual([`${GATEWAY.tcpDomain}:30001`]);
    expect(await view(queue!.service_id)).toEqual([]);
  });

  it('Each copy gets ports of its own: a second copy takes the next free one.', async () => {
    const first = await copyPreviewSite();
    const second = await copyPreviewSite();
    expect(await view(first[1]!.service_id)).toEqual([`${GATEWAY.tcpDomain}:30001`]);
    expect(await view(second[1]!.service_id)).toEqual([`${GATEWAY.tcpDomain}:30002`]);
    // A port freed by a deleted copy is handed out again.
    sim.state.removeComponent(first[1]!.service_id);
    const third = await copyPreviewSite();
    expect(await view(third[1]!.service_id)).toEqual([`${GATEWAY.tcpDomain}:30001`]);
  });

  it("The copy's answer says nothing of them (access_infos []); the view does once the copy exists.", async () => {
    const reply = await call(sim, 'POST', paths.copy(APPS.previewSite), {
      body: copyBody({ target_app_id: TARGET }),
    });
    for (const s of copiedServices(reply)) expect(s.access_infos).toEqual([]);
  });

  it('A certificate bound to the default domain later turns its URL into https.', async () => {
    const [site] = await copyPreviewSite();
    const rules = sim.state.component(site!.service_id)!.http_rules;
    sim.state.updateComponent(site!.service_id, {
      http_rules: rules.map((r) => ({ ...r, certificate_id: 7 })),
    });
    expect(await view(site!.service_id)).toEqual([
      `https://${site!.service_alias}-80-${TEAMS.staging.tenantName}.${GATEWAY.httpDomain}`,
    ]);
  });
});

describe('gateway pieces', () => {
  it('availableLbPort picks the lowest free port from MIN_LB_PORT, filling gaps', () => {
    expect(availableLbPort(new Set())).toBe(MIN_LB_PORT);
    expect(availableLbPort(new Set([30_000, 30_001, 30_003]))).toBe(30_002);
    expect(availableLbPort(new Set([80, 443]))).toBe(MIN_LB_PORT);
  });

  it('copyGatewayRules skips a TCP port when the region has none left', () => {
    const rules = copyGatewayRules(
      [
        { container_port: 5432, protocol: 'mysql', is_outer_service: true },
        { container_port: 8080, protocol: 'http', is_outer_service: true },
      ],
      {
        alias: 'gr000001',
        tenantName: 'team',
        gateway: { http_domain: 'apps.example.com', tcp_domain: '192.0.2.1' },
      },
      () => undefined,
    );
    expect(accessInfosOf(rules, { http_domain: 'apps.example.com', tcp_domain: '192.0.2.1' })).toEqual([
      'http://gr000001-8080-team.apps.example.com',
    ]);
  });
});
