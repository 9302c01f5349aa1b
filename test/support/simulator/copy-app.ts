// The copy itself, after the body was read: goodrain/rainbond-console:openapi/views/groupapp.py@ae3f1618
// (GroupAppsCopyView.post) and goodrain/rainbond-console:console/services/groupcopy_service.py@ae3f1618.
// It is not idempotent: every call that gets past the checks creates a new set of components.
// It is atomic (`copy_group_services` runs under @transaction.atomic): every check runs before
// anything is created, so a failure leaves nothing behind. Each created component starts
// building at once on the simulator clock.
import {
  type ConsoleResponse,
  envelopeError,
  ok,
  pythonKeyErrorText,
  serverError,
} from './console-responses.ts';
import type { CopyRequest, ServiceChange } from './copy-request.ts';
import { copyGatewayRules, type HttpRuleRecord, type TcpRuleRecord } from './gateway.ts';
import type { ReleaseProfile } from './releases.ts';
import {
  aliasForServiceId,
  consoleImageWithVersion,
  toServiceBaseInfo,
  withImageTag,
} from './service-base-info.ts';
import type { ComponentRecord, SimulatorState, TeamRecord, UserRecord } from './state.ts';

export interface CopyContext {
  state: SimulatorState;
  /** The console release played: its Helm filter, package_build refusal and error bodies. */
  release: ReleaseProfile;
  user: UserRecord;
  sourceTeam: TeamRecord;
  sourceAppId: number;
  request: CopyRequest;
  /** The ledger id of this call, stamped on every component it creates. */
  callId: number;
  newServiceId: () => string;
  /**
   * Set by the partial-effect-unknown-version fault: create at most this many components, then
   * fail with 500, keeping them. Not what the console does (its copy is one transaction).
   */
  createLimit?: number;
}

/** What a copy that took effect did. */
export interface CopyEffect {
  callId: number;
  sourceTeamId: string;
  sourceAppId: number;
  targetTeamId: string;
  targetRegionName: string;
  targetAppId: number;
  /** The source components the call asked for (all completed ones for `services: []`). */
  sourceServiceIds: string[];
  /** New service ids, in the order they were created (third-party copies included). */
  createdServiceIds: string[];
  /** The new ids of third-party copies, which the copy's answer leaves out. */
  thirdPartyServiceIds: string[];
  /** True when the call failed part-way (some components were created, not all). */
  partial: boolean;
}

export interface CopyOutcome {
  response: ConsoleResponse;
  effect: CopyEffect | null;
}

export function copyApp(ctx: CopyContext): CopyOutcome {
  const { state, user, request, release } = ctx;
  const style = release.errorBodies.detail;
  const refuse = (response: ConsoleResponse): CopyOutcome => ({ response, effect: null });

  // 5. Target: a team the caller belongs to, opened in the region; an app of that team
  // (groupcopy_service.py@ae3f1618, check_and_get_team_group; msg_show's 为 is the console's own).
  const targetRegion = typeof request.targetRegionName === 'string' ? request.targetRegionName : '';
  const targetTeam = state.teams().find((t) => t.tenant_name === request.targetTeamName);
  if (!targetTeam || !state.isMember(targetTeam, user) || !targetTeam.regions.includes(targetRegion)) {
    return refuse(
      envelopeError(
        404,
        'no found team or team not join this region',
        '目标团队不存在，或团队为加入该数据中心',
      ),
    );
  }
  const targetApp = state.app(request.targetAppId);
  if (!targetApp) return refuse(envelopeError(404, 'no found group app', '目标应用不存在'));
  if (targetApp.tenant_id !== targetTeam.tenant_id) {
    return refuse(envelopeError(400, 'group app and team relation no found', '目标应用不属于目标团队'));
  }

  // 6. Source app and the components to copy (groupcopy_service.py@ae3f1618, get_modify_group_metadata).
  const sourceApp = state.app(ctx.sourceAppId);
  if (!sourceApp || sourceApp.tenant_id !== ctx.sourceTeam.tenant_id) {
    return refuse(
      serverError('DoesNotExist', 'ServiceGroup matching query does not exist.', style, 'www.models.main'),
    );
  }
  // An app installed from Helm keeps only the components of the region's app-service list
  // (goodrain/rainbond-console:console/services/backup_service.py@fa8f95ae, _get_effective_group_services),
  // from v6.7.0 on; before, every component of the app is copied (releases.ts).
  const helmList = release.helmAppServiceFilter.applies ? sourceApp.helm_service_ids : [];
  const inMetadata = (c: ComponentRecord) =>
    c.create_status === 'complete' && (helmList.length === 0 || helmList.includes(c.service_id));
  const copyable = state.componentsOf(sourceApp.ID).filter(inMetadata);
  const changes = new Map<string, ServiceChange>();
  const requested = request.services.map((s) => s.service_id);
  // validate_services_support_copy (from v6.9.2, releases.ts) runs before the ids are looked up.
  const asked =
    request.services.length === 0 ? copyable : copyable.filter((c) => requested.includes(c.service_id));
  const packageBuilt = release.packageBuildCopy.refused
    ? asked.filter((c) => c.service_source === 'package_build')
    : [];
  if (packageBuilt.length > 0) {
    return refuse(
      envelopeError(
        400,
        'package_build components do not support quick copy',
        `上传软件包创建的组件暂不支持快速复制：${packageBuilt.map((c) => c.service_cname).join('、')}`,
      ),
    );
  }
  let selected: ComponentRecord[];
  if (request.services.length === 0) {
    selected = copyable;
  } else {
    selected = [];
    for (const { service_id, change } of request.services) {
      const source = copyable.find((c) => c.service_id === service_id);
      // change_services_map: old_services_map[service_id] raises KeyError.
      if (!source) return refuse(serverError('KeyError', pythonKeyErrorText(service_id), style));
      if (!changes.has(service_id)) selected.push(source);
      changes.set(service_id, change);
    }
  }

  // 7. Quota of the target team.
  const quota = targetTeam.quota;
  if (quota) {
    const inTeam = state.components().filter((c) => c.tenant_id === targetTeam.tenant_id);
    const memory = (cs: readonly ComponentRecord[]) =>
      cs.reduce((sum, c) => sum + c.min_memory * c.min_node, 0);
    const overComponents =
      quota.max_components !== undefined && inTeam.length + selected.length > quota.max_components;
    const overMemory =
      quota.max_memory_mb !== undefined && memory(inTeam) + memory(selected) > quota.max_memory_mb;
    if (overComponents || overMemory)
      return refuse(envelopeError(400, 'not enough quota', '团队配额不足', 20002));
  }

  // Creating the copies (goodrain/rainbond-console:console/services/groupapp_recovery/groupapps_migrate.py@ae3f1618,
  // save_data). Every check is behind us: from here on the copy commits as a whole.
  // Dependencies on other copied components follow the copies; within one team the rest stay,
  // across teams they are dropped (pop_services_metadata).
  const limit = ctx.createLimit ?? selected.length;
  const mapped = new Map(selected.map((c) => [c.service_id, ctx.newServiceId()] as const));
  // __init_app gives a third-party component a second fresh id (make_uuid(tenant_id)).
  const finalIds = new Map(
    selected.map(
      (c) =>
        [
          c.service_id,
          c.service_source === 'third_party' ? ctx.newServiceId() : mapped.get(c.service_id)!,
        ] as const,
    ),
  );
  // The target app's k8s names as they were before this copy (save_data reads them once).
  const takenK8sNames = new Set(state.componentsOf(targetApp.ID).map((c) => c.k8s_component_name));
  const created: ComponentRecord[] = [];
  const gateway = state.regionGateway(targetRegion);
  for (const source of selected.slice(0, limit)) {
    const serviceId = finalIds.get(source.service_id)!;
    // __save_port: a default domain per outer HTTP port, a TCP rule on a port the region picks
    // for each other outer port (gateway.ts).
    const takenHere = new Set<number>();
    const rules = copyGatewayRules(
      source.ports,
      { alias: aliasForServiceId(serviceId), tenantName: targetTeam.tenant_name, gateway },
      () => {
        const port = state.takeLbPort(targetRegion, takenHere);
        if (port !== undefined) takenHere.add(port);
        return port;
      },
    );
    const copy = makeCopy(source, changes.get(source.service_id), {
      serviceId,
      rules,
      mappedAlias: aliasForServiceId(mapped.get(source.service_id)!),
      targetTeam,
      targetRegion,
      targetAppId: targetApp.ID,
      takenK8sNames,
      sameTeam: targetTeam.tenant_id === ctx.sourceTeam.tenant_id,
      newIds: finalIds,
      creater: user.user_id,
      now: state.now(),
      callId: ctx.callId,
    });
    state.insertComponent(copy);
    // Third-party components are registered with the region, not built
    // (groupapps_migrate.py@ae3f1618: create_third_party_service); the others are deployed
    // by build_services (groupcopy_service.py@ae3f1618: app_manage_service.deploy).
    if (source.service_source !== 'third_party')
      state.startBuild(copy.service_id, { userName: user.nick_name });
    created.push(copy);
  }

  const effect: CopyEffect | null =
    created.length === 0
      ? null
      : {
          callId: ctx.callId,
          sourceTeamId: ctx.sourceTeam.tenant_id,
          sourceAppId: sourceApp.ID,
          targetTeamId: targetTeam.tenant_id,
          targetRegionName: targetRegion,
          targetAppId: targetApp.ID,
          sourceServiceIds: selected.map((c) => c.service_id),
          createdServiceIds: created.map((c) => c.service_id),
          thirdPartyServiceIds: created
            .filter((c) => c.service_source === 'third_party')
            .map((c) => c.service_id),
          partial: created.length < selected.length,
        };

  if (ctx.createLimit !== undefined) {
    // The unknown-console-version fault: a copy that kept what it created before failing.
    return {
      response: serverError(
        'ReadTimeoutError',
        "HTTPConnectionPool(host='rbd-api-api-inner', port=8443): Read timed out. (read timeout=30)",
        style,
        'urllib3.exceptions',
      ),
      effect,
    };
  }
  // build_services returns only the ids of its precomputed map: third-party copies, which got
  // a second id, are left out (groupcopy_service.py@ae3f1618). The answer reports create_status
  // "complete", an empty status and no access infos.
  const answered = created.filter((c) => c.service_source !== 'third_party');
  return { response: ok({ services: answered.map((c) => toServiceBaseInfo(c, '', [])) }), effect };
}

interface CopyTarget {
  serviceId: string;
  /** The copy's own gateway rules (copyGatewayRules). */
  rules: { http_rules: HttpRuleRecord[]; tcp_rules: TcpRuleRecord[] };
  /** The alias of the id precomputed for this component (differs from serviceId's for third-party copies). */
  mappedAlias: string;
  targetTeam: TeamRecord;
  targetRegion: string;
  targetAppId: number;
  takenK8sNames: ReadonlySet<string>;
  sameTeam: boolean;
  newIds: ReadonlyMap<string, string>;
  creater: number;
  now: number;
  callId: number;
}

function makeCopy(
  source: ComponentRecord,
  change: ServiceChange | undefined,
  t: CopyTarget,
): ComponentRecord {
  const alias = aliasForServiceId(t.serviceId);
  let { image, version, code_version, build_fails } = source;
  if (change?.version) {
    // build_source.version replaces the branch, or rewrites the image the console's way
    // (groupcopy_service.py@ae3f1618, change_services_metadata_info); other sources ignore it.
    if (source.service_source === 'docker_image') {
      image = consoleImageWithVersion(source.image, change.version);
      version = change.version;
      // A registry port or a digest makes that a different (or no) image: the build fails.
      if (image !== withImageTag(source.image, change.version)) build_fails = true;
    } else if (source.service_source === 'source_code') {
      code_version = change.version;
    }
  }
  // __init_app widens the old single-instance kinds (groupapps_migrate.py@ae3f1618).
  const extendMethod =
    source.extend_method === 'state'
      ? 'state_multiple'
      : source.extend_method === 'stateless'
        ? 'stateless_multiple'
        : source.extend_method;
  const renames = change?.envs ?? {};
  const dependsOn = source.depends_on.flatMap((dep) => {
    const copied = t.newIds.get(dep);
    if (copied) return [copied];
    return t.sameTeam ? [dep] : [];
  });
  return {
    ...source,
    service_id: t.serviceId,
    tenant_id: t.targetTeam.tenant_id,
    service_alias: alias,
    service_cname: `${source.service_cname}-copy`,
    service_region: t.targetRegion,
    image,
    version,
    code_version,
    extend_method: extendMethod,
    build_fails,
    creater: t.creater,
    create_status: 'complete',
    check_uuid: '',
    check_event_id: '',
    k8s_component_name: t.takenK8sNames.has(source.k8s_component_name)
      ? `${source.k8s_component_name}-${t.mappedAlias}`
      : source.k8s_component_name,
    app_id: t.targetAppId,
    // Each variable row is copied whole, its note included, under its new name if renamed
    // (console:console/services/groupapp_recovery/groupapps_migrate.py@v5.16.0-release, __save_env).
    envs: source.envs.map((e) => ({ ...e, name: renames[e.name] ?? e.name })),
    depends_on: dependsOn,
    ports: source.ports.map((p) => ({ ...p })),
    http_rules: t.rules.http_rules,
    tcp_rules: t.rules.tcp_rules,
    deploy_version: null,
    create_time: t.now,
    update_time: t.now,
    // Until the build starts; a third-party copy reports running once its endpoints are copied.
    status: source.service_source === 'third_party' ? 'running' : 'undeploy',
    run: null,
    deployed: source.service_source === 'third_party',
    copied_from: { service_id: source.service_id, call_id: t.callId },
  };
}
