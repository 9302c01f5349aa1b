// The copy endpoint: GET is the pre-flight listing of the source app's components, POST the
// copy (rainbond-openapi.md, "The copy").
import { ok } from './console-responses.ts';
import { djangoDateTime } from './console-time.ts';
import { copyApp } from './copy-app.ts';
import { readCopyRequest } from './copy-request.ts';
import { readRequestData } from './request-body.ts';
import { noEffect, type RouteContext, type RouteResult } from './route-context.ts';
import type { ComponentRecord } from './state.ts';

/**
 * A bare array of the app's components with their build source; `min_memory` is a string here.
 * Every component is listed, with create_status and service_source, so a client can tell the
 * copyable ones (complete, not package_build) from the rest. An unknown app lists nothing.
 */
export function handleCopyPreflight(ctx: RouteContext): RouteResult {
  const { state, scope, params } = ctx;
  const app = params.appId === undefined ? undefined : state.app(params.appId);
  const visible = app && app.tenant_id === scope.team.tenant_id && app.region_name === scope.regionName;
  const components = visible ? state.componentsOf(app.ID) : [];
  return noEffect(
    ok(
      components.map((c) => ({
        build_source: buildSource(c),
        update_time: djangoDateTime(c.update_time),
        deploy_version: c.deploy_version,
        create_status: c.create_status,
        service_alias: c.service_alias,
        service_cname: c.service_cname,
        version: c.version,
        service_type: c.service_type,
        service_id: c.service_id,
        app_name: app?.group_name ?? null,
        min_memory: String(c.min_memory),
        service_source: c.service_source,
      })),
    ),
  );
}

function buildSource(c: ComponentRecord): Record<string, unknown> {
  const base = {
    version: c.version,
    language: c.language,
    code_from: c.code_from,
    service_source: c.service_source,
  };
  if (c.service_source === 'docker_image') {
    return { ...base, docker_cmd: c.docker_cmd, image: c.image, password: null, user_name: null };
  }
  if (c.service_source === 'source_code') {
    return {
      ...base,
      version: c.code_version ?? c.version,
      code_version: c.code_version,
      git_url: c.git_url,
      full_name: null,
      service_id: c.service_id,
      oauth_service_id: c.oauth_service_id,
      user_name: null,
      password: null,
    };
  }
  return base;
}

export function handleCopy(ctx: RouteContext): RouteResult {
  const data = readRequestData(ctx.contentType, ctx.rawBody);
  if (!data.ok) return noEffect(data.response);
  const request = readCopyRequest(data.data);
  if (!request.ok) return noEffect(request.response);
  const outcome = copyApp({
    state: ctx.state,
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
