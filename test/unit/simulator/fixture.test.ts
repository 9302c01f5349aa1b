// Fixtures: the bundled default matches its constants module, and a bad fixture fails with a
// message that names the file and each problem with its path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as D from '../../support/simulator/fixtures/default.ts';
import {
  DEFAULT_FIXTURE_PATH,
  FixtureError,
  loadDefaultFixture,
  loadFixture,
  parseFixture,
  startSimulator,
} from '../../support/simulator/index.ts';

describe('the default fixture', () => {
  const fixture = loadDefaultFixture();

  it('loads and validates.', () => {
    expect(fixture.regions).toEqual([D.REGION, D.OTHER_REGION]);
    expect(fixture.enterprise_id).toBe(D.ENTERPRISE_ID);
  });

  it("agrees with the regions' gateways and preview-site's ports in the constants module.", () => {
    for (const [region, gateway] of Object.entries(D.REGION_GATEWAYS)) {
      expect(fixture.region_gateways[region]).toEqual({
        http_domain: gateway.httpDomain,
        tcp_domain: gateway.tcpDomain,
      });
    }
    const ports = (serviceId: string) => fixture.components.find((c) => c.service_id === serviceId)!.ports;
    expect(ports(D.COMPONENTS.site.serviceId)).toEqual([
      { container_port: D.COMPONENTS.site.httpPort, protocol: 'http', is_outer_service: true },
    ]);
    expect(ports(D.COMPONENTS.cache.serviceId)).toEqual([
      { container_port: D.COMPONENTS.cache.tcpPort, protocol: 'tcp', is_outer_service: true },
    ]);
    expect(ports(D.COMPONENTS.queue.serviceId).every((p) => !p.is_outer_service)).toBe(true);
    expect(fixture.components.find((c) => c.service_id === D.COMPONENTS.cache.serviceId)!.tcp_rules).toEqual([
      { end_point: `0.0.0.0:${D.COMPONENTS.cache.gatewayPort}`, container_port: 6379, protocol: 'tcp' },
    ]);
  });

  it('agrees with the users in the constants module.', () => {
    for (const u of Object.values(D.USERS)) {
      expect(fixture.users.find((x) => x.nick_name === u.name)).toMatchObject({
        user_id: u.userId,
        token: u.token,
      });
    }
    expect(fixture.users.find((u) => u.nick_name === 'carol')!.expires_at).toBe('2020-01-01T00:00:00Z');
  });

  it('agrees with the teams, memberships and regions the constants describe.', () => {
    for (const t of Object.values(D.TEAMS)) {
      expect(fixture.teams.find((x) => x.tenant_id === t.tenantId)).toMatchObject({
        tenant_name: t.tenantName,
        tenant_alias: t.alias,
      });
    }
    const members = (name: string) =>
      fixture.teams.filter((t) => t.members.includes(name)).map((t) => t.tenant_name);
    expect(members('alice')).toEqual([
      D.TEAMS.shop.tenantName,
      D.TEAMS.staging.tenantName,
      D.TEAMS.tiny.tenantName,
    ]);
    expect(members('bob')).toEqual([D.TEAMS.shop.tenantName]);
    expect(members('dave')).toEqual([D.TEAMS.shop.tenantName, D.TEAMS.staging.tenantName]);
    const viewers = (name: string) =>
      fixture.teams.filter((t) => (t.viewers ?? []).includes(name)).map((t) => t.tenant_name);
    expect(viewers('dave')).toEqual([D.TEAMS.shop.tenantName, D.TEAMS.staging.tenantName]);
    expect(viewers('alice')).toEqual([]);
    const developers = (name: string) =>
      fixture.teams.filter((t) => (t.developers ?? []).includes(name)).map((t) => t.tenant_name);
    expect(developers('bob')).toEqual([D.TEAMS.shop.tenantName]);
    expect(fixture.teams.find((t) => t.tenant_name === D.TEAMS.staging.tenantName)!.regions).toEqual([
      D.REGION,
    ]);
  });

  it('agrees with the apps and components, and aliases are "gr" + the last 6 of the id.', async () => {
    const sim = await startSimulator({ fixture });
    try {
      for (const id of Object.values(D.APPS)) expect(sim.state.app(id)).toBeDefined();
      for (const c of Object.values(D.COMPONENTS)) {
        const record = sim.state.component(c.serviceId)!;
        expect(record).toMatchObject({
          service_alias: c.alias,
          service_cname: c.cname,
          k8s_component_name: c.k8sName,
          app_id: c.appId,
        });
        expect(c.alias).toBe(`gr${c.serviceId.slice(-6)}`);
        if ('envNames' in c) expect(record.envs.map((e) => e.name)).toEqual(c.envNames);
      }
      expect(sim.state.componentsOf(D.APPS.shopStaging)).toEqual([]);
      expect(sim.state.componentsOf(D.APPS.shopPreview)).toEqual([]);
      expect(sim.state.component(D.COMPONENTS.reportUploader.serviceId)!.service_source).toBe(
        'package_build',
      );
      expect(sim.state.component(D.COMPONENTS.halfMade.serviceId)!.create_status).not.toBe('complete');
      expect(sim.state.component(D.COMPONENTS.cron.serviceId)!.build_fails).toBe(true);
      expect(sim.state.component(D.COMPONENTS.worker.serviceId)!.registry_credentials?.password).toBe(
        D.COMPONENTS.worker.registryPassword,
      );
      expect(sim.state.component(D.COMPONENTS.nightly.serviceId)!.version).toBe(D.COMPONENTS.nightly.version);
      expect(D.COMPONENTS.nightly.version.length).toBeGreaterThan(32);
      expect(sim.state.component(D.COMPONENTS.legacyDb.serviceId)!.service_source).toBe('third_party');
      expect(sim.state.componentsOf(D.APPS.edgeGateway).map((c) => c.service_source)).toEqual([
        'docker_image',
        'third_party',
      ]);
      expect(sim.state.component(D.COMPONENTS.report.serviceId)!.image).toBe(D.COMPONENTS.report.image);
      expect(D.COMPONENTS.report.image).toMatch(/^[^/:]+:\d+\//);
      expect(sim.state.component(D.COMPONENTS.migrate.serviceId)!.extend_method).toBe('job');
      expect(sim.state.app(D.APPS.helmShop)!.helm_service_ids).toEqual([D.COMPONENTS.storefront.serviceId]);
      // Only admin has a variable with an empty note (the envs answer check before v6.9.3).
      const blankNotes = sim.state
        .components()
        .flatMap((c) =>
          c.envs.filter((e) => (e.note ?? '') === '').map((e) => `${c.service_cname}/${e.name}`),
        );
      expect(blankNotes).toEqual([`admin/${D.COMPONENTS.admin.blankNoteEnv}`]);
      for (const app of [
        D.APPS.previewSite,
        D.APPS.nightlyBuilds,
        D.APPS.edgeGateway,
        D.APPS.reports,
        D.APPS.batchJobs,
        D.APPS.helmShop,
        D.APPS.adminPortal,
      ]) {
        expect(sim.state.app(app)!.tenant_id).toBe(D.TEAMS.shop.tenantId);
      }
    } finally {
      await sim.stop();
    }
  });
});

describe('fixture validation', () => {
  const base = () =>
    JSON.parse(JSON.stringify(loadDefaultFixture())) as Record<string, never> & {
      users: Record<string, unknown>[];
      teams: Record<string, unknown>[];
      apps: Record<string, unknown>[];
      components: Record<string, unknown>[];
    };

  const cases: { name: string; edit: (f: ReturnType<typeof base>) => void; problems: string[] }[] = [
    {
      name: 'A token that is not 40 hex characters is named with its path.',
      edit: (f) => {
        f.users[0]!.token = 'abc';
      },
      problems: ['users[0].token: expected 40 lowercase hex characters'],
    },
    {
      name: 'A tenant_id that is not 32 hex characters is named with its path.',
      edit: (f) => {
        f.teams[1]!.tenant_id = 'T7';
      },
      problems: ['teams[1].tenant_id: expected 32 lowercase hex characters'],
    },
    {
      name: 'A member who is not a user is refused.',
      edit: (f) => {
        (f.teams[0]!.members as string[]).push('mallory');
      },
      problems: ['teams[0].members[4]: unknown user "mallory"'],
    },
    {
      name: 'A team opened in a region the enterprise lacks is refused.',
      edit: (f) => {
        (f.teams[2]!.regions as string[]).push('mars');
      },
      problems: ['teams[2].regions[1]: unknown region "mars"'],
    },
    {
      name: 'An app of an unknown team is refused.',
      edit: (f) => {
        f.apps[0]!.team = 'nobody';
      },
      problems: ['apps[0].team: unknown team "nobody"'],
    },
    {
      name: 'An app in a region its team is not opened in is refused.',
      edit: (f) => {
        f.apps[4]!.region = 'rainbond-dr';
      },
      problems: ['apps[4].region: team t7k2m9qa is not opened in region "rainbond-dr"'],
    },
    {
      name: 'A component of an unknown app and a dangling dependency are both reported.',
      edit: (f) => {
        f.components[1]!.app_id = 4242;
        f.components[0]!.depends_on = ['0'.repeat(32)];
      },
      problems: [
        'components[0].depends_on[0]: unknown component 00000000000000000000000000000000',
        'components[1].app_id: unknown app 4242',
      ],
    },
    {
      name: 'A duplicate service_id is refused.',
      edit: (f) => {
        f.components[2]!.service_id = f.components[1]!.service_id as never;
      },
      problems: ['components[2].service_id: duplicate service_id "c8bd13f4bd412ee9192e06d3f8f19a63"'],
    },
    {
      name: 'An unknown key (a typo) is refused rather than ignored.',
      edit: (f) => {
        f.components[0]!.k8s_name = 'web';
      },
      problems: ['components[0]: Unrecognized key: "k8s_name"'],
    },
    {
      name: 'A viewer who is not a member of the team is refused.',
      edit: (f) => {
        (f.teams[2]!.viewers as string[]) = ['bob'];
      },
      problems: ['teams[2].viewers[0]: "bob" is not a member'],
    },
    {
      name: 'A status the region never reports (the old "build_failure") is refused.',
      edit: (f) => {
        f.components[0]!.status = 'build_failure' as never;
      },
      problems: [
        'components[0].status: Invalid option: expected one of "running"|"closed"|"starting"|"waiting"|"stopping"|"abnormal"|"some_abnormal"|"unknow"|"upgrade"|"undeploy"|"succeeded"|"paused"',
      ],
    },
    {
      name: 'A gateway for a region the enterprise lacks, and a TCP rule that is not host:port, are refused.',
      edit: (f) => {
        (f as Record<string, unknown>).region_gateways = {
          mars: { http_domain: 'a.example.com', tcp_domain: '192.0.2.1' },
        };
        f.components[0]!.tcp_rules = [{ end_point: '30000', container_port: 80 }];
      },
      problems: [
        'components[0].tcp_rules[0].end_point: expected host:port',
        'region_gateways.mars: unknown region "mars"',
      ],
    },
    {
      name: 'An unknown live status is refused.',
      edit: (f) => {
        f.components[0]!.status = 'Running';
      },
      problems: [
        'components[0].status: Invalid option: expected one of "running"|"closed"|"starting"|"waiting"|"stopping"|"abnormal"|"some_abnormal"|"unknow"|"upgrade"|"undeploy"|"succeeded"|"paused"',
      ],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const f = base();
      c.edit(f);
      let error: unknown;
      try {
        parseFixture(f, 'my-fixture.json');
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(FixtureError);
      expect((error as FixtureError).problems).toEqual(c.problems);
      expect((error as FixtureError).message).toBe(
        `Invalid simulator fixture (my-fixture.json):\n${c.problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    });
  }

  it('A file that is not JSON is refused with its path and the parse error.', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-fixture-'));
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"regions": [');
    expect(() => loadFixture(path)).toThrow(`Invalid simulator fixture (${path}):\n  - not valid JSON:`);
  });

  it('A missing file is refused with its path.', () => {
    const path = join(tmpdir(), 'no-such-dir-for-sim', 'x.json');
    expect(() => loadFixture(path)).toThrow(
      `Invalid simulator fixture (${path}):\n  - cannot read the file: ENOENT`,
    );
  });

  it('startSimulator refuses a bad inline fixture before listening.', async () => {
    await expect(startSimulator({ fixture: { regions: [], users: [], teams: [] } })).rejects.toThrow(
      'regions: Too small: expected array to have >=1 items',
    );
  });

  it('The default fixture file is the bundled JSON.', () => {
    expect(DEFAULT_FIXTURE_PATH.endsWith('test/support/simulator/fixtures/default.json')).toBe(true);
  });
});
