// The fixture: the console's database as the simulator starts with it. Field names follow the
// console's own spelling (tenant_id, tenant_name, group_name, ID, service_*), so a fixture reads
// like the API's answers. Unknown keys are rejected, so a typo fails loudly instead of seeding
// a silently different world. Cross-references (members, teams, apps, regions) are checked too.
import { z } from 'zod';
import { COMPONENT_STATUSES } from './component-status.ts';

const hex32 = z.string().regex(/^[0-9a-f]{32}$/, 'expected 32 lowercase hex characters');
const hex40 = z.string().regex(/^[0-9a-f]{40}$/, 'expected 40 lowercase hex characters');
const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'expected lowercase letters, digits and dashes');
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

export const fixtureUserSchema = z.strictObject({
  user_id: positiveInt,
  nick_name: z.string().min(1),
  /** The access token, sent raw in `Authorization`. */
  token: hex40,
  /** ISO 8601; a token past this instant (on the simulator clock) gets 401. */
  expires_at: z.iso.datetime({ offset: true }).nullable().default(null),
});

export const fixtureTeamSchema = z.strictObject({
  tenant_id: hex32,
  /** The short name used in URLs and as `target_team_name`, like `o19p6wen`. */
  tenant_name: name,
  /** The display name; never accepted where a tenant_name is expected. */
  tenant_alias: z.string().min(1),
  /** Regions the team is opened in. */
  regions: z.array(z.string().min(1)),
  /** nick_names of the users who are members. */
  members: z.array(z.string().min(1)),
  /**
   * nick_names of members with the viewer role: they may copy and delete, but a component
   * operation (start, stop, upgrade, deploy) answers 403 code 10402.
   */
  viewers: z.array(z.string().min(1)).default([]),
  /**
   * nick_names of members with the developer role. Roles only matter to a release that checks
   * route permissions (releases.ts, 5.16): a developer may not delete a component (400004), a
   * viewer may not copy (300014) nor delete; the other members are admins.
   */
  developers: z.array(z.string().min(1)).default([]),
  /** When set, a copy that would exceed it is refused with 400 code 20002. */
  quota: z
    .strictObject({
      max_components: nonNegativeInt.optional(),
      max_memory_mb: nonNegativeInt.optional(),
    })
    .optional(),
});

export const fixtureAppSchema = z.strictObject({
  ID: positiveInt,
  /** The owning team's tenant_name or tenant_id. */
  team: z.string().min(1),
  region: z.string().min(1),
  group_name: z.string().min(1),
  note: z.string().default(''),
  k8s_app: z.string().optional(),
  /**
   * An app installed from Helm: the region's app-service list (service_ids). A copy of one of
   * its components that is not in a non-empty list answers 500 with msg `'<service_id>'`.
   */
  helm_service_ids: z.array(hex32).default([]),
});

/**
 * An environment variable. `note` is the console's note on it (its `name` column); the console's
 * own UI saves an empty one by default, which the envs endpoint's answer check refuses before
 * v6.9.3 (releases.ts).
 */
export const fixtureEnvSchema = z.strictObject({
  name: z.string().min(1),
  value: z.string(),
  note: z.string().optional(),
});

const portNumber = z.number().int().min(1).max(65_535);

/** A port of a component (the console's TenantServicesPort); only outer ports get gateway rules. */
export const fixturePortSchema = z.strictObject({
  container_port: portNumber,
  /** `http`, `tcp`, `udp`, `mysql`, `grpc`, ... */
  protocol: z.string().min(1).default('http'),
  is_outer_service: z.boolean().default(false),
});

/** An HTTP gateway rule of a component (the console's service_domain row). */
export const fixtureHttpRuleSchema = z.strictObject({
  domain_name: z.string().min(1),
  /** Appended to the URL as it is, e.g. `/api`. */
  domain_path: z.string().default(''),
  /** 0 = no certificate (the URL is http); another id = a bound certificate (https). */
  certificate_id: z.number().int().nonnegative().default(0),
  container_port: portNumber.default(80),
});

/** A TCP gateway rule of a component (the console's service_tcp_domain row). */
export const fixtureTcpRuleSchema = z.strictObject({
  /** `0.0.0.0:<port>` (shown with the region's TCP domain) or `<ip>:<port>`. */
  end_point: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port'),
  container_port: portNumber,
  protocol: z.string().min(1).default('tcp'),
});

/** A region's gateway: the suffix of default domains and the host of TCP endpoints. */
export const fixtureRegionGatewaySchema = z.strictObject({
  http_domain: z.string().min(1),
  tcp_domain: z.string().min(1),
});

/** Any ServiceBaseInfo field may be given; the ones left out get the console's usual defaults. */
export const fixtureComponentSchema = z.strictObject({
  service_id: hex32,
  app_id: positiveInt,
  service_cname: z.string().min(1),
  /** `docker_image`, `source_code`, `package_build`, `market`, `third_party`, ... */
  service_source: z.string().min(1),
  /** Only `complete` components can be copied. */
  create_status: z.string().min(1).default('complete'),
  service_alias: z.string().min(1).optional(),
  k8s_component_name: z.string().min(1).optional(),
  image: z.string().default(''),
  /** Defaults to the image tag for image components. */
  version: z.string().optional(),
  code_version: z.string().nullable().default(null),
  git_url: z.string().nullable().default(null),
  code_from: z.string().nullable().optional(),
  service_key: z.string().default('application'),
  desc: z.string().nullable().default(null),
  category: z.string().default('application'),
  update_version: nonNegativeInt.default(1),
  cmd: z.string().nullable().default(null),
  min_node: nonNegativeInt.default(1),
  min_cpu: nonNegativeInt.default(250),
  container_gpu: nonNegativeInt.default(0),
  min_memory: nonNegativeInt.default(512),
  extend_method: z.string().default('stateless_multiple'),
  git_project_id: nonNegativeInt.default(0),
  service_type: z.string().nullable().default('application'),
  creater: nonNegativeInt.default(1),
  language: z.string().nullable().default(null),
  is_service: z.boolean().default(false),
  service_origin: z.string().default('assistant'),
  tenant_service_group_id: nonNegativeInt.default(0),
  open_webhooks: z.boolean().default(false),
  check_uuid: z.string().nullable().default(''),
  check_event_id: z.string().nullable().default(''),
  docker_cmd: z.string().nullable().default(null),
  server_type: z.string().default('git'),
  is_upgrate: z.boolean().default(false),
  build_upgrade: z.boolean().default(true),
  oauth_service_id: nonNegativeInt.nullable().default(null),
  deploy_version: z.string().nullable().default(null),
  // Simulator-only fields (not part of ServiceBaseInfo):
  /** Environment variables; the API never shows them, the copy's `change.envs` renames them. */
  envs: z.array(fixtureEnvSchema).default([]),
  /** Image registry credentials; the pre-flight shows the password in clear in build_source. */
  registry_credentials: z
    .strictObject({ user_name: z.string(), password: z.string() })
    .nullable()
    .default(null),
  /** Live status as the region reports it; null = the region did not answer. */
  status: z.enum(COMPONENT_STATUSES).nullable().default('running'),
  /** service_ids this component depends on; a depended-on component cannot be deleted (412). */
  depends_on: z.array(hex32).default([]),
  /** Builds of this component's source fail: its copies stay `undeploy`, with a failed build event. */
  build_fails: z.boolean().default(false),
  /** Its ports; a copy gets a gateway rule for each outer one. */
  ports: z.array(fixturePortSchema).default([]),
  /** Its own gateway rules, which the component view shows in access_infos (copies get new ones). */
  http_rules: z.array(fixtureHttpRuleSchema).default([]),
  tcp_rules: z.array(fixtureTcpRuleSchema).default([]),
});

export const fixtureSchema = z
  .strictObject({
    enterprise_id: hex32.default('e0c1b7a2d3f44c5b8a9e6f7d1c2b3a40'),
    /** Every region (cluster) the enterprise has. */
    regions: z.array(z.string().min(1)).min(1),
    /** Each region's gateway domains; a region left out gets defaultRegionGateway(region). */
    region_gateways: z.record(z.string(), fixtureRegionGatewaySchema).default({}),
    users: z.array(fixtureUserSchema),
    teams: z.array(fixtureTeamSchema),
    apps: z.array(fixtureAppSchema).default([]),
    components: z.array(fixtureComponentSchema).default([]),
  })
  .superRefine((fixture, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const duplicates = <T>(
      items: readonly T[],
      key: (item: T) => string | number,
      where: string,
      field: string,
    ) => {
      const seen = new Set<string | number>();
      items.forEach((item, i) => {
        const k = key(item);
        if (seen.has(k)) issue([where, i, field], `duplicate ${field} ${JSON.stringify(k)}`);
        seen.add(k);
      });
    };
    duplicates(fixture.users, (u) => u.token, 'users', 'token');
    duplicates(fixture.users, (u) => u.nick_name, 'users', 'nick_name');
    duplicates(fixture.teams, (t) => t.tenant_id, 'teams', 'tenant_id');
    duplicates(fixture.teams, (t) => t.tenant_name, 'teams', 'tenant_name');
    duplicates(fixture.apps, (a) => a.ID, 'apps', 'ID');
    duplicates(fixture.components, (c) => c.service_id, 'components', 'service_id');

    const regions = new Set(fixture.regions);
    for (const region of Object.keys(fixture.region_gateways)) {
      if (!regions.has(region))
        issue(['region_gateways', region], `unknown region ${JSON.stringify(region)}`);
    }
    const userNames = new Set(fixture.users.map((u) => u.nick_name));
    fixture.teams.forEach((team, i) => {
      team.regions.forEach((r, j) => {
        if (!regions.has(r)) issue(['teams', i, 'regions', j], `unknown region ${JSON.stringify(r)}`);
      });
      team.members.forEach((m, j) => {
        if (!userNames.has(m)) issue(['teams', i, 'members', j], `unknown user ${JSON.stringify(m)}`);
      });
      team.viewers.forEach((v, j) => {
        if (!team.members.includes(v))
          issue(['teams', i, 'viewers', j], `${JSON.stringify(v)} is not a member`);
      });
      team.developers.forEach((d, j) => {
        if (!team.members.includes(d))
          issue(['teams', i, 'developers', j], `${JSON.stringify(d)} is not a member`);
        if (team.viewers.includes(d))
          issue(['teams', i, 'developers', j], `${JSON.stringify(d)} is a viewer already`);
      });
    });
    fixture.apps.forEach((app, i) => {
      const team = fixture.teams.find((t) => t.tenant_name === app.team || t.tenant_id === app.team);
      if (!team) issue(['apps', i, 'team'], `unknown team ${JSON.stringify(app.team)}`);
      else if (!team.regions.includes(app.region)) {
        issue(
          ['apps', i, 'region'],
          `team ${team.tenant_name} is not opened in region ${JSON.stringify(app.region)}`,
        );
      }
    });
    const appIds = new Set(fixture.apps.map((a) => a.ID));
    const serviceIds = new Set(fixture.components.map((c) => c.service_id));
    fixture.components.forEach((c, i) => {
      if (!appIds.has(c.app_id)) issue(['components', i, 'app_id'], `unknown app ${c.app_id}`);
      c.depends_on.forEach((d, j) => {
        if (!serviceIds.has(d)) issue(['components', i, 'depends_on', j], `unknown component ${d}`);
      });
    });
  });

/** A fixture as written (defaults may be left out). */
export type SimulatorFixture = z.input<typeof fixtureSchema>;
/** A fixture after validation, every default filled in. */
export type ParsedFixture = z.output<typeof fixtureSchema>;
export type FixtureComponent = z.output<typeof fixtureComponentSchema>;
export type FixtureComponentInput = z.input<typeof fixtureComponentSchema>;
export type FixtureApp = z.output<typeof fixtureAppSchema>;
export type FixtureAppInput = z.input<typeof fixtureAppSchema>;
export type FixtureTeam = z.output<typeof fixtureTeamSchema>;
export type FixtureUser = z.output<typeof fixtureUserSchema>;

/** The gateway of a region the fixture gives none: `apps.<region>.example.com` and `gateway.<region>.example.com`. */
export function defaultRegionGateway(region: string): z.output<typeof fixtureRegionGatewaySchema> {
  return { http_domain: `apps.${region}.example.com`, tcp_domain: `gateway.${region}.example.com` };
}
