// The copy endpoint: GET is the pre-flight listing of the source app's components, POST the
// copy (goodrain/rainbond-console:openapi/views/groupapp.py@ae3f1618, GroupAppsCopyView).
import { ok, validationError } from './console-responses.ts';
import { djangoDateTime } from './console-time.ts';
import { copyApp } from './copy-app.ts';
import { readCopyRequest } from './copy-request.ts';
import { readRequestData } from './request-body.ts';
import { noEffect, type RouteContext, type RouteResult } from './route-context.ts';
import type { ComponentRecord } from './state.ts';

/**
 * The pre-flight: a bare array, one entry per component of the app in the path's team and
 * region, newest update first (goodrain/rainbond-console:console/services/service_services.py@ae3f1618,
 * get_group_services_list), each with the fields of AppCopyLSerializer
 * (goodrain/rainbond-console:openapi/serializer/groupapp_serializer.py@ae3f1618) and nothing else:
 * no top-level service_source. `min_memory` is min_memory * min_node as a string. An image
 * component without an image is left out (groupcopy_service.py@ae3f1618,
 * get_group_services_with_build_source). An unknown app, or one of another team, lists nothing.
 * A build source field longer than its serializer allows answers 400 code 20400.
 */
export function handleCopyPreflight(ctx: RouteContext): RouteResult {
  const { state, scope, params } = ctx;
  const app = params.appId === undefined ? undefined : state.app(params.appId);
  const visible = app && app.tenant_id === scope.team.tenant_id && app.region_name === scope.regionName;
  // From v6.2.0 the console leaves out components without an image (releases.ts).
  const leftOut = (c: ComponentRecord) =>
    ctx.release.preflightImageless.leftOut && c.service_source === 'docker_image' && c.image === '';
  const components = visible
    ? state
        .componentsOf(app.ID)
        .filter((c) => !leftOut(c))
        .sort((x, y) => y.update_time - x.update_time)
    : [];
  const rows: Record<string, unknown>[] = [];
  for (const c of components) {
    const source = buildSource(c);
    const errors = tooLong(source);
    if (errors) return noEffect(validationError(errors, ctx.release.errorBodies.detail));
    rows.push({
      build_source: source,
      update_time: djangoDateTime(c.update_time),
      deploy_version: c.deploy_version,
      create_status: c.create_status,
      service_alias: c.service_alias,
      service_cname: c.service_cname,
      version: c.version,
      service_type: c.service_type,
      service_id: c.service_id,
      app_name: app?.group_name ?? null,
      min_memory: String(c.min_memory * c.min_node),
    });
  }
  return noEffect(ok(rows));
}

/**
 * build_source as the serializer for the component's service_source emits it
 * (groupapp_serializer.py@ae3f1618: CompomentBuildSourceSerializer and its docker-image,
 * market and source-code variants), from the bean of service_services.py@ae3f1618
 * (get_build_infos). That bean sets `user_name` to "" and never fills it (the registry user
 * goes to a `user` key the serializer drops), while `password` is the registry password in clear.
 */
function buildSource(c: ComponentRecord): Record<string, unknown> {
  const base = {
    version: c.version,
    language: c.language,
    code_from: c.code_from,
    service_source: c.service_source,
  };
  const password = c.registry_credentials?.password ?? '';
  if (c.service_source === 'docker_image') {
    return { ...base, docker_cmd: c.docker_cmd, image: c.image, password, user_name: '' };
  }
  if (c.service_source === 'source_code') {
    return {
      ...base,
      code_version: c.code_version,
      git_url: c.git_url,
      full_name: null,
      service_id: c.service_id,
      oauth_service_id: c.oauth_service_id,
      user_name: '',
      password,
    };
  }
  return base;
}

/** max_length of each build_source field (groupapp_serializer.py@ae3f1618), in declaration order. */
const MAX_LENGTHS: readonly (readonly [string, number])[] = [
  ['version', 32],
  ['language', 64],
  ['code_from', 32],
  ['service_source', 32],
  ['docker_cmd', 1024],
  ['image', 200],
  ['password', 255],
  ['code_version', 32],
  ['git_url', 2047],
  ['full_name', 64],
  ['service_id', 32],
  ['user_name', 255],
];

/**
 * DRF's max_length errors, in zh-hans as the console answers them (its LANGUAGE_CODE is
 * zh-hans): `请确保这个字段不能超过 32 个字符。`. Blank strings are not checked (see README).
 */
function tooLong(source: Record<string, unknown>): Record<string, string[]> | null {
  const errors: Record<string, string[]> = {};
  for (const [field, max] of MAX_LENGTHS) {
    const value = source[field];
    if (typeof value === 'string' && value.length > max)
      errors[field] = [`请确保这个字段不能超过 ${max} 个字符。`];
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

export function handleCopy(ctx: RouteContext): RouteResult {
  const style = ctx.release.errorBodies.detail;
  const data = readRequestData(ctx.contentType, ctx.rawBody, style);
  if (!data.ok) return noEffect(data.response);
  const request = readCopyRequest(data.data, style);
  if (!request.ok) return noEffect(request.response);
  const outcome = copyApp({
    state: ctx.state,
    release: ctx.release,
    user: ctx.scope.user,
    sourceTeam: ctx.scope.team,
    sourceAppId: ctx.params.appId ?? 0,
    request: request.request,
    callId: ctx.callId,
    newServiceId: ctx.newServiceId,
    ...(ctx.createLimit === undefined ? {} : { createLimit: ctx.createLimit }),
  });
  if (!outcome.effect) return noEffect(outcome.response);
  return { response: outcome.response, tookEffect: true, copy: outcome.effect };
}
