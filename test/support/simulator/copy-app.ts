// The copy itself, after the body was read (rainbond-openapi.md, copy checks 5-7 and "What a
// copy creates"). It is not idempotent: every call that gets past the checks creates a new set
// of components. Each created component starts building at once on the simulator clock.
import {
  type ConsoleResponse,
  envelopeError,
  ok,
  pythonKeyErrorText,
  serverError,
} from './console-responses.ts';
import type { CopyRequest, ServiceChange } from './copy-request.ts';
import { aliasForServiceId, toServiceBaseInfo, withImageTag } from './service-base-info.ts';
import type { ComponentRecord, SimulatorState, TeamRecord, UserRecord } from './state.ts';

export interface CopyContext {
  state: SimulatorState;
  user: UserRecord;
  sourceTeam: TeamRecord;
  sourceAppId: number;
  request: CopyRequest;
  /** The ledger id of this call, stamped on every component it creates. */
  callId: number;
  newServiceId: () => string;
  /** Set by the partial-effect fault: create at most this many components, then fail with 500. */
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
  /** New service ids, in the order they were created. */
  createdServiceIds: string[];
  /** True when the call failed part-way (some components were created, not all). */
  partial: boolean;
}

export interface CopyOutcome {
  response: ConsoleResponse;
  effect: CopyEffect | null;
}

export function copyApp(ctx: CopyContext): CopyOutcome {
  const { state, user, request } = ctx;
  const refuse = (response: ConsoleResponse): CopyOutcome => ({ response, effect: null });

  // 5. Target: a team the caller belongs to, opened in the region; an app of that team.
  const targetRegion = typeof request.targetRegionName === 'string' ? request.targetRegionName : '';
  const targetTeam = state.teams().find((t) => t.tenant_name === request.targetTeamName);
  if (!targetTeam || !state.isMember(targetTeam, user) || !targetTeam.regions.includes(targetRegion)) {
    return refuse(
      envelopeError(
        404,
        'no found team or team not join this region',
        '目标团队不存在，或团队未加入该数据中心',
      ),
    );
  }
  const targetApp = state.app(request.targetAppId);
  if (!targetApp) return refuse(envelopeError(404, 'no found group app', '目标应用不存在'));
  if (targetApp.tenant_id !== targetTeam.tenant_id) {
    return refuse(envelopeError(400, 'group app and team relation no found', '目标应用不属于目标团队'));
  }

  // 6. Source app and the components to copy.
  const sourceApp = state.app(ctx.sourceAppId);
  if (!sourceApp || sourceApp.tenant_id !== ctx.sourceTeam.tenant_id) {
    return refuse(serverError('DoesNotExist', 'ServiceGroup matching query does not exist.'));
  }
  const copyable = state.componentsOf(sourceApp.ID).filter((c) => c.create_status === 'complete');
  const changes = new Map<string, ServiceChange>();
  let selected: ComponentRecord[];
  if (request.services.length === 0) {
    selected = copyable;
  } else {
    selected = [];
    for (const { service_id, change } of request.services) {
      const source = copyable.find((c) => c.service_id === service_id);
      if (!source) return refuse(serverError('KeyError', pythonKeyErrorText(service_id)));
      if (!changes.has(service_id)) selected.push(source);
      changes.set(service_id, change);
    }
  }
  if (selected.some((c) => c.service_source === 'package_build')) {
    return refuse(
      envelopeError(
        400,
        'package_build components do not support quick copy',
        '本地软件包构建的组件暂不支持快速复制',
      ),
    );
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

  // Creating the copies. Dependencies on other copied components follow the copies; within
  // one team the rest stay, across teams they are dropped (the console's metadata rewrite).
  const limit = ctx.createLimit ?? selected.length;
  const newIds = new Map(selected.map((c) => [c.service_id, ctx.newServiceId()] as const));
  const created: ComponentRecord[] = [];
  for (const source of selected.slice(0, limit)) {
    const serviceId = newIds.get(source.service_id)!;
    const copy = makeCopy(source, changes.get(source.service_id), {
      serviceId,
      targetTeam,
      targetRegion,
      targetAppId: targetApp.ID,
      takenK8sNames: new Set(state.componentsOf(targetApp.ID).map((c) => c.k8s_component_name)),
      sameTeam: targetTeam.tenant_id === ctx.sourceTeam.tenant_id,
      newIds,
      creater: user.user_id,
      now: state.now(),
      callId: ctx.callId,
    });
    state.insertComponent(copy);
    state.startBuild(serviceId, { withCreating: true, userName: user.nick_name });
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
          partial: created.length < selected.length,
        };

  if (ctx.createLimit !== undefined) {
    // A region call timed out part-way; the console database kept what was registered.
    return {
      response: serverError(
        'ReadTimeout',
        "HTTPConnectionPool(host='rbd-api-api-inner', port=8443): Read timed out. (read timeout=30)",
      ),
      effect,
    };
  }
  // The copy response reports create_status "complete", an empty status and no access infos.
  return { response: ok({ services: created.map((c) => toServiceBaseInfo(c, '', [])) }), effect };
}

interface CopyTarget {
  serviceId: string;
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
  let { image, version, code_version } = source;
  if (change?.version) {
    // build_source.version replaces the image tag or the branch; other sources ignore it.
    if (source.service_source === 'docker_image') {
      image = withImageTag(image, change.version);
      version = change.version;
    } else if (source.service_source === 'source_code') {
      code_version = change.version;
    }
  }
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
    creater: t.creater,
    create_status: 'complete',
    check_uuid: '',
    check_event_id: '',
    k8s_component_name: t.takenK8sNames.has(source.k8s_component_name)
      ? `${source.k8s_component_name}-${alias}`
      : source.k8s_component_name,
    app_id: t.targetAppId,
    envs: source.envs.map((e) => ({ name: renames[e.name] ?? e.name, value: e.value })),
    depends_on: dependsOn,
    access_infos: [],
    deploy_version: null,
    create_time: t.now,
    update_time: t.now,
    status: 'creating',
    build: null,
    copied_from: { service_id: source.service_id, call_id: t.callId },
  };
}
