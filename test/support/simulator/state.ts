// The console's data as the simulator holds it: users, teams, apps, components and component
// events. Routes read and write it; tests use the same object to set up a world and to assert
// on it. Records are returned live (not copies): tests may read them freely, but should change
// them through the methods so that derived values (live status, builds) stay consistent.
import type { SimulatorClock } from './clock.ts';
import {
  DEFAULT_STOP_MS,
  FAILING_BUILD_VERSION,
  type LiveStatus,
  runEndsAt,
  runFinished,
  runStatus,
  type StartingStatus,
  type StatusRun,
  type StatusTimings,
  settledStatusFor,
} from './component-status.ts';
import type {
  FixtureAppInput,
  FixtureComponentInput,
  ParsedFixture,
  SimulatorFixture,
} from './fixture-schema.ts';
import { defaultRegionGateway, fixtureAppSchema, fixtureComponentSchema } from './fixture-schema.ts';
import {
  accessInfosOf,
  availableLbPort,
  endPointPort,
  type HttpRuleRecord,
  type PortRecord,
  type RegionGateway,
  type TcpRuleRecord,
} from './gateway.ts';
import { parseFixture } from './load-fixture.ts';
import { aliasForServiceId, imageTag, type ServiceBaseFields } from './service-base-info.ts';

export interface UserRecord {
  user_id: number;
  nick_name: string;
  token: string;
  /** Epoch ms; null = never expires. */
  expires_at: number | null;
}

export interface TeamRecord {
  tenant_id: string;
  tenant_name: string;
  tenant_alias: string;
  regions: string[];
  members: string[];
  /** Members with the team's viewer role: no start/stop/upgrade/deploy permission (300005-300008). */
  viewers: string[];
  /** Members with the developer role (route permissions, releases.ts); the other members are admins. */
  developers: string[];
  quota: { max_components?: number | undefined; max_memory_mb?: number | undefined } | undefined;
}

export interface AppRecord {
  ID: number;
  tenant_id: string;
  region_name: string;
  group_name: string;
  note: string;
  k8s_app: string;
  /**
   * For apps installed from Helm: the region's app-service list. A copy of a component outside
   * a non-empty list fails with a 500 whose msg is the quoted service_id.
   */
  helm_service_ids: string[];
  create_time: number;
  update_time: number;
}

export interface EnvVar {
  name: string;
  value: string;
  /** The console's `name` column (a note); absent when a fixture gives none (answered as ""). */
  note?: string;
  is_change?: boolean;
  /** `inner` (the component's own) or `outer` (connection info for dependents). */
  scope?: string;
}

export interface ComponentRecord extends ServiceBaseFields {
  app_id: number;
  envs: EnvVar[];
  depends_on: string[];
  build_fails: boolean;
  /** Its ports; a copy gets gateway rules for the outer ones (gateway.ts). */
  ports: PortRecord[];
  /** Its gateway rules: what the component view shows in access_infos (gateway.ts). */
  http_rules: HttpRuleRecord[];
  tcp_rules: TcpRuleRecord[];
  /** Image registry credentials (the console's service_source record); null = none. */
  registry_credentials: { user_name: string; password: string } | null;
  deploy_version: string | null;
  create_time: number;
  update_time: number;
  /** The settled status, used whenever no run is recorded. */
  status: LiveStatus;
  /** The latest timed transition (a build and start, or a stop); its status on the clock is the live status. */
  run: StatusRun | null;
  /** True once a build of it has succeeded: the region reports `undeploy` until then. */
  deployed: boolean;
  /** For copies: the component it was copied from and the ledger id of the copy call. */
  copied_from: { service_id: string; call_id: number } | null;
}

export interface EventRecord {
  /** The record's id (the console's `ID`), 1, 2, 3... */
  id: number;
  event_id: string;
  service_id: string;
  tenant_id: string;
  opt_type: string;
  user_name: string;
  target: 'service';
  create_time: number;
  /** When the operation finishes; until then the event reads as in progress. */
  finishes_at: number;
  outcome: 'success' | 'failure';
  message: string;
}

export interface StateSnapshot {
  now: number;
  users: Omit<UserRecord, 'token'>[];
  teams: TeamRecord[];
  apps: (AppRecord & { service_ids: string[] })[];
  components: (ComponentRecord & { live_status: LiveStatus })[];
}

/** The fields a test may change on a component (status goes through setStatus). */
export type ComponentPatch = Partial<
  Pick<
    ComponentRecord,
    | 'service_cname'
    | 'k8s_component_name'
    | 'image'
    | 'version'
    | 'code_version'
    | 'create_status'
    | 'service_source'
    | 'envs'
    | 'depends_on'
    | 'build_fails'
    | 'ports'
    | 'http_rules'
    | 'tcp_rules'
    | 'min_memory'
    | 'extend_method'
    | 'registry_credentials'
  >
>;

export class SimulatorError extends Error {
  readonly code = 'SIMULATOR_STATE';
}

export class SimulatorState {
  readonly #clock: SimulatorClock;
  readonly #timings: StatusTimings;
  readonly #startingStatus: StartingStatus;
  #fixture: ParsedFixture;
  enterpriseId = '';
  regions: string[] = [];
  #gateways = new Map<string, RegionGateway>();
  #users: UserRecord[] = [];
  #teams: TeamRecord[] = [];
  #apps = new Map<number, AppRecord>();
  #components = new Map<string, ComponentRecord>();
  #events: EventRecord[] = [];
  #eventSeq = 0;
  #seedingAt: number | null = null;

  constructor(
    fixture: SimulatorFixture,
    clock: SimulatorClock,
    timings: StatusTimings,
    opts: { startingStatus?: StartingStatus } = {},
  ) {
    this.#clock = clock;
    this.#timings = timings;
    this.#startingStatus = opts.startingStatus ?? 'waiting';
    this.#fixture = parseFixture(fixture);
    this.reset();
  }

  get timings(): StatusTimings {
    return this.#timings;
  }

  /** `waiting` (regions since 6.5, the default) or `starting` (before). */
  get startingStatus(): StartingStatus {
    return this.#startingStatus;
  }

  now(): number {
    return this.#clock.now();
  }

  /** Back to the fixture the simulator started with (or a new one). */
  reset(fixture?: SimulatorFixture): void {
    if (fixture) this.#fixture = parseFixture(fixture);
    const f = this.#fixture;
    const now = this.now();
    this.enterpriseId = f.enterprise_id;
    this.regions = [...f.regions];
    this.#gateways = new Map(
      f.regions.map((r) => [r, { ...(f.region_gateways[r] ?? defaultRegionGateway(r)) }] as const),
    );
    this.#users = f.users.map((u) => ({
      user_id: u.user_id,
      nick_name: u.nick_name,
      token: u.token,
      expires_at: u.expires_at === null ? null : Date.parse(u.expires_at),
    }));
    this.#teams = f.teams.map((t) => ({
      tenant_id: t.tenant_id,
      tenant_name: t.tenant_name,
      tenant_alias: t.tenant_alias,
      regions: [...t.regions],
      members: [...t.members],
      viewers: [...t.viewers],
      developers: [...t.developers],
      quota: t.quota ? { ...t.quota } : undefined,
    }));
    this.#apps.clear();
    this.#components.clear();
    this.#events = [];
    for (const app of f.apps) this.#insertApp(app, now);
    // The fixture's components share one creation time, so listings ordered by update_time
    // (the pre-flight) keep the fixture's order whatever the clock does meanwhile.
    this.#seedingAt = now;
    try {
      for (const c of f.components) this.addComponent(c);
    } finally {
      this.#seedingAt = null;
    }
  }

  // ---- users and teams -------------------------------------------------------------------

  /** The user owning this exact token, expired or not. */
  userByToken(token: string): UserRecord | undefined {
    return this.#users.find((u) => u.token === token);
  }

  users(): readonly UserRecord[] {
    return this.#users;
  }

  /**
   * Gives the user `nickName` a new access token (a rotation: the old one stops working at once),
   * or none (`null`: revoked; every call with the old token is then a 401 "No such user").
   */
  setUserToken(nickName: string, token: string | null): void {
    const user = this.#users.find((u) => u.nick_name === nickName);
    if (!user) throw new Error(`no user ${nickName}`);
    // A revoked token matches no header: the console deletes the user's access token row.
    user.token = token ?? '';
  }

  teams(): readonly TeamRecord[] {
    return this.#teams;
  }

  /** Looks a team up by tenant_id first, then by tenant_name, like the console. */
  team(idOrName: string): TeamRecord | undefined {
    return (
      this.#teams.find((t) => t.tenant_id === idOrName) ?? this.#teams.find((t) => t.tenant_name === idOrName)
    );
  }

  isMember(team: TeamRecord, user: UserRecord): boolean {
    return team.members.includes(user.nick_name);
  }

  /**
   * Whether the user holds the team permission for a component operation: 300005 start,
   * 300006 stop, 300007 upgrade, 300008 deploy (goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618,
   * APPOperationsView). Members with the viewer role hold none of them.
   */
  mayOperate(team: TeamRecord, user: UserRecord): boolean {
    return this.isMember(team, user) && !team.viewers.includes(user.nick_name);
  }

  // ---- apps ------------------------------------------------------------------------------

  apps(): AppRecord[] {
    return [...this.#apps.values()];
  }

  app(appId: number): AppRecord | undefined {
    return this.#apps.get(appId);
  }

  appsOf(tenantId: string, region: string): AppRecord[] {
    return this.apps().filter((a) => a.tenant_id === tenantId && a.region_name === region);
  }

  addApp(input: FixtureAppInput): AppRecord {
    const parsed = fixtureAppSchema.parse(input);
    if (this.#apps.has(parsed.ID)) throw new SimulatorError(`app ${parsed.ID} already exists`);
    return this.#insertApp(parsed, this.now());
  }

  #insertApp(app: ReturnType<typeof fixtureAppSchema.parse>, now: number): AppRecord {
    const team = this.team(app.team);
    if (!team) throw new SimulatorError(`unknown team ${app.team}`);
    const record: AppRecord = {
      ID: app.ID,
      tenant_id: team.tenant_id,
      region_name: app.region,
      group_name: app.group_name,
      note: app.note,
      k8s_app: app.k8s_app ?? app.group_name,
      helm_service_ids: [...app.helm_service_ids],
      create_time: now,
      update_time: now,
    };
    this.#apps.set(record.ID, record);
    return record;
  }

  // ---- components ------------------------------------------------------------------------

  components(): ComponentRecord[] {
    return [...this.#components.values()];
  }

  component(serviceId: string): ComponentRecord | undefined {
    return this.#components.get(serviceId);
  }

  /** Components of an app, in the order they were created. */
  componentsOf(appId: number): ComponentRecord[] {
    return this.components().filter((c) => c.app_id === appId);
  }

  /** Adds a component as a fixture entry describes it; its team and region come from its app. */
  addComponent(input: FixtureComponentInput): ComponentRecord {
    const c = fixtureComponentSchema.parse(input);
    const app = this.#apps.get(c.app_id);
    if (!app) throw new SimulatorError(`unknown app ${c.app_id}`);
    if (this.#components.has(c.service_id))
      throw new SimulatorError(`component ${c.service_id} already exists`);
    const alias = c.service_alias ?? aliasForServiceId(c.service_id);
    const now = this.#seedingAt ?? this.now();
    const record: ComponentRecord = {
      service_id: c.service_id,
      tenant_id: app.tenant_id,
      service_key: c.service_key,
      service_alias: alias,
      service_cname: c.service_cname,
      service_region: app.region_name,
      desc: c.desc,
      category: c.category,
      version:
        c.version ?? (c.service_source === 'docker_image' ? imageTag(c.image) : (c.code_version ?? '')),
      update_version: c.update_version,
      image: c.image,
      cmd: c.cmd,
      min_node: c.min_node,
      min_cpu: c.min_cpu,
      container_gpu: c.container_gpu,
      min_memory: c.min_memory,
      extend_method: c.extend_method,
      code_from: c.code_from ?? (c.service_source === 'docker_image' ? 'image_manual' : null),
      git_url: c.git_url,
      git_project_id: c.git_project_id,
      code_version: c.code_version,
      service_type: c.service_type,
      creater: c.creater,
      language: c.language,
      total_memory: c.min_memory * c.min_node,
      is_service: c.is_service,
      service_origin: c.service_origin,
      tenant_service_group_id: c.tenant_service_group_id,
      open_webhooks: c.open_webhooks,
      service_source: c.service_source,
      create_status: c.create_status,
      check_uuid: c.check_uuid,
      check_event_id: c.check_event_id,
      // The console stores the image reference in docker_cmd for image components.
      docker_cmd: c.docker_cmd ?? (c.service_source === 'docker_image' ? c.image : null),
      server_type: c.server_type,
      is_upgrate: c.is_upgrate,
      build_upgrade: c.build_upgrade,
      oauth_service_id: c.oauth_service_id,
      k8s_component_name: c.k8s_component_name ?? alias,
      app_id: c.app_id,
      envs: c.envs.map((e) => ({ ...e })),
      depends_on: [...c.depends_on],
      build_fails: c.build_fails,
      ports: c.ports.map((p) => ({ ...p })),
      http_rules: c.http_rules.map((r) => ({ ...r })),
      tcp_rules: c.tcp_rules.map((r) => ({ ...r })),
      registry_credentials: c.registry_credentials ? { ...c.registry_credentials } : null,
      deploy_version: c.deploy_version,
      create_time: now,
      update_time: now,
      status: c.status,
      run: null,
      deployed: c.status !== 'undeploy',
      copied_from: null,
    };
    this.#components.set(record.service_id, record);
    return record;
  }

  /** Inserts a fully formed record (used by the copy). */
  insertComponent(record: ComponentRecord): void {
    if (this.#components.has(record.service_id))
      throw new SimulatorError(`component ${record.service_id} exists`);
    this.#components.set(record.service_id, record);
  }

  /**
   * Deletes a component the way the console really deletes one: its events go, and so do other
   * components' dependencies on it (goodrain/rainbond-console:console/services/app_actions/app_manage.py@ae3f1618,
   * really_delete_service).
   */
  removeComponent(serviceId: string): boolean {
    if (!this.#components.delete(serviceId)) return false;
    for (const c of this.#components.values()) {
      if (c.depends_on.includes(serviceId)) c.depends_on = c.depends_on.filter((d) => d !== serviceId);
    }
    this.#events = this.#events.filter((e) => e.service_id !== serviceId);
    return true;
  }

  updateComponent(serviceId: string, patch: ComponentPatch): ComponentRecord {
    const c = this.#mustComponent(serviceId);
    Object.assign(c, patch);
    c.update_time = this.now();
    return c;
  }

  /** Pins a component's live status (ending any run in progress); null = the region silent. */
  setStatus(serviceId: string, status: LiveStatus): ComponentRecord {
    const c = this.#mustComponent(serviceId);
    c.run = null;
    c.status = status;
    if (status !== 'undeploy' && status !== null) c.deployed = true;
    return c;
  }

  /** The status the console would report now. */
  liveStatus(serviceId: string): LiveStatus {
    const c = this.#mustComponent(serviceId);
    return c.run ? runStatus(c.run, this.now()) : c.status;
  }

  /** Components that list this one in depends_on. */
  dependents(serviceId: string): ComponentRecord[] {
    return this.components().filter((c) => c.depends_on.includes(serviceId));
  }

  /** True when the component's builds fail: `build_fails`, or its version is `fail-build`. */
  buildFails(c: ComponentRecord): boolean {
    const version = c.service_source === 'source_code' ? (c.code_version ?? c.version) : c.version;
    return c.build_fails || version === FAILING_BUILD_VERSION;
  }

  /**
   * Starts a build and deploy on the clock, recording a `build-service` event.
   * A component with no successful build reports `undeploy` while its build runs
   * (goodrain/rainbond:worker/appm/store/store.go@385642ba, GetAppServiceStatus, and
   * goodrain/rainbond:db/mysql/dao/version.go@385642ba, GetVersionByServiceID: only versions
   * whose final_status is `success` count); a redeploy keeps the status it had. A failed
   * build leaves that status for ever; a good one goes `waiting` (`starting` before region 6.5)
   * for startMs, then `running`, or `succeeded` for a job.
   */
  startBuild(serviceId: string, opts: { userName: string }): StatusRun {
    this.settle(serviceId);
    const c = this.#mustComponent(serviceId);
    const fails = this.buildFails(c);
    const building: LiveStatus = c.deployed ? c.status : 'undeploy';
    const run: StatusRun = fails
      ? {
          startedAt: this.now(),
          phases: [{ status: building, ms: this.#timings.buildMs }],
          settled: building,
        }
      : {
          startedAt: this.now(),
          phases: [
            { status: building, ms: this.#timings.buildMs },
            { status: this.#startingStatus, ms: this.#timings.startMs },
          ],
          settled: settledStatusFor(c.extend_method),
        };
    c.run = run;
    c.deploy_version = String(run.startedAt);
    this.recordEvent(c, 'build-service', opts.userName, {
      finishesAt: run.startedAt + this.#timings.buildMs,
      outcome: fails ? 'failure' : 'success',
      message: fails ? 'build failed' : '',
    });
    if (!fails && this.#timings.buildMs === 0) c.deployed = true;
    return run;
  }

  /**
   * Stops a component asynchronously: `stopping` for stopMs on the clock, then `closed`
   * (goodrain/rainbond:worker/appm/types/v1/status.go@385642ba, STOPPING while pods remain).
   * A component never deployed stays `undeploy`; a closed one stays closed.
   */
  startStop(serviceId: string, opts: { userName: string }): void {
    this.settle(serviceId);
    const c = this.#mustComponent(serviceId);
    const live = this.liveStatus(serviceId);
    if (live === 'undeploy' && !c.deployed) {
      c.run = null;
      c.status = 'undeploy';
    } else if (live !== 'closed') {
      c.run = {
        startedAt: this.now(),
        phases: [{ status: 'stopping', ms: this.#timings.stopMs ?? DEFAULT_STOP_MS }],
        settled: 'closed',
      };
    }
    this.recordEvent(c, 'stop-service', opts.userName, {
      finishesAt: c.run ? runEndsAt(c.run) : this.now(),
    });
  }

  /** Settles a finished run into the stored status, so later operations start from it. */
  settle(serviceId: string): ComponentRecord {
    const c = this.#mustComponent(serviceId);
    if (c.run) {
      const now = this.now();
      // A build whose phase past the build itself has been reached succeeded.
      if (c.run.phases.length > 1 && now >= c.run.startedAt + (c.run.phases[0]?.ms ?? 0)) c.deployed = true;
      if (runFinished(c.run, now)) {
        c.status = c.run.settled;
        c.run = null;
      }
    }
    return c;
  }

  // ---- gateway ---------------------------------------------------------------------------

  /** The region's gateway domains. */
  regionGateway(region: string): RegionGateway {
    return this.#gateways.get(region) ?? defaultRegionGateway(region);
  }

  /** What the component view answers in access_infos (gateway.ts). */
  accessInfos(serviceId: string): string[] {
    const c = this.#mustComponent(serviceId);
    return accessInfosOf(c, this.regionGateway(c.service_region));
  }

  /** A free port of the region's gateway for a new TCP rule (gateway.ts); undefined when none is left. */
  takeLbPort(region: string, alsoTaken: ReadonlySet<number> = new Set()): number | undefined {
    const used = new Set(alsoTaken);
    for (const c of this.#components.values()) {
      if (c.service_region !== region) continue;
      for (const rule of c.tcp_rules) {
        const port = endPointPort(rule.end_point);
        if (port !== undefined) used.add(port);
      }
    }
    return availableLbPort(used);
  }

  // ---- events ----------------------------------------------------------------------------

  recordEvent(
    c: ComponentRecord,
    optType: string,
    userName: string,
    opts: { finishesAt?: number; outcome?: 'success' | 'failure'; message?: string } = {},
  ): EventRecord {
    this.#eventSeq += 1;
    const now = this.now();
    const event: EventRecord = {
      id: this.#eventSeq,
      event_id: `${this.#eventSeq.toString(16).padStart(8, '0')}${c.service_id.slice(0, 24)}`,
      service_id: c.service_id,
      tenant_id: c.tenant_id,
      opt_type: optType,
      user_name: userName,
      target: 'service',
      create_time: now,
      finishes_at: opts.finishesAt ?? now,
      outcome: opts.outcome ?? 'success',
      message: opts.message ?? '',
    };
    this.#events.push(event);
    return event;
  }

  /** Newest first, like the console. */
  eventsOf(serviceId: string): EventRecord[] {
    return this.#events.filter((e) => e.service_id === serviceId).reverse();
  }

  // ---- snapshot --------------------------------------------------------------------------

  /** A JSON-able view of everything, with live statuses; tokens are left out. */
  snapshot(): StateSnapshot {
    return {
      now: this.now(),
      users: this.#users.map(({ token: _token, ...rest }) => rest),
      teams: this.#teams,
      apps: this.apps().map((a) => ({ ...a, service_ids: this.componentsOf(a.ID).map((c) => c.service_id) })),
      components: this.components().map(({ registry_credentials: _secret, ...c }) => ({
        ...c,
        registry_credentials: null,
        live_status: this.liveStatus(c.service_id),
      })),
    };
  }

  #mustComponent(serviceId: string): ComponentRecord {
    const c = this.#components.get(serviceId);
    if (!c) throw new SimulatorError(`unknown component ${serviceId}`);
    return c;
  }
}
