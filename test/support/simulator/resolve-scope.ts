// The checks the console's view classes run before any method handler
// (goodrain/rainbond-console:openapi/views/base.py@ae3f1618 TeamAPIView / TeamAppAPIView /
// TeamAppServiceAPIView, token from openapi/auth/authentication.py@ae3f1618), in the console's
// order (rainbond-openapi.md, copy checks 1-3, and the endpoint table): token (401), team by
// tenant_id then tenant_name (404), region (404 code 3000) and the team opened in it (409 code
// 2001), then for app views the app (404 "no found app"), for component views the component
// (404 "no found component" / "component not belong to this app").
import { authenticationFailed, type ConsoleResponse, envelopeError } from './console-responses.ts';
import type { RouteParams, ViewScope } from './routes.ts';
import type { AppRecord, ComponentRecord, SimulatorState, TeamRecord, UserRecord } from './state.ts';

export interface Scope {
  user: UserRecord;
  team: TeamRecord;
  regionName: string;
  app: AppRecord | undefined;
  component: ComponentRecord | undefined;
}

export type ScopeResult = { ok: true; scope: Scope } | { ok: false; response: ConsoleResponse };

/** Resolves the raw `Authorization` header to a user; a `Bearer ` prefix makes the lookup fail. */
export function authenticate(
  state: SimulatorState,
  authorization: string | undefined,
): { ok: true; user: UserRecord } | { ok: false; response: ConsoleResponse } {
  if (!authorization) return { ok: false, response: authenticationFailed('No token') };
  const user = state.userByToken(authorization);
  if (!user || (user.expires_at !== null && user.expires_at <= state.now())) {
    return { ok: false, response: authenticationFailed('No such user') };
  }
  return { ok: true, user };
}

export function resolveScope(
  state: SimulatorState,
  scope: ViewScope,
  params: RouteParams,
  authorization: string | undefined,
): ScopeResult {
  const auth = authenticate(state, authorization);
  if (!auth.ok) return auth;

  const team = state.team(params.teamId);
  if (!team) return { ok: false, response: envelopeError(404, 'no found team', '团队不存在') };

  if (!state.regions.includes(params.regionName)) {
    return { ok: false, response: envelopeError(404, 'the region is not found', '集群不存在', 3000) };
  }
  if (!team.regions.includes(params.regionName)) {
    return {
      ok: false,
      response: envelopeError(409, 'the team is not initialized in the region', '团队未开通该集群', 2001),
    };
  }

  const resolved: Scope = {
    user: auth.user,
    team,
    regionName: params.regionName,
    app: undefined,
    component: undefined,
  };
  if (scope === 'team') return { ok: true, scope: resolved };

  const app = params.appId === undefined ? undefined : state.app(params.appId);
  if (!app || app.tenant_id !== team.tenant_id || app.region_name !== params.regionName) {
    return { ok: false, response: envelopeError(404, 'no found app', '应用不存在') };
  }
  resolved.app = app;
  if (scope === 'app') return { ok: true, scope: resolved };

  // By service_id, then by service_alias, within the team and region.
  const inTeam = state
    .components()
    .filter((c) => c.tenant_id === team.tenant_id && c.service_region === params.regionName);
  const component =
    inTeam.find((c) => c.service_id === params.serviceId) ??
    inTeam.find((c) => c.service_alias === params.serviceId);
  if (!component) return { ok: false, response: envelopeError(404, 'no found component', '组件不存在') };
  if (component.app_id !== app.ID) {
    return {
      ok: false,
      response: envelopeError(404, 'component not belong to this app', '组件不属于指定应用'),
    };
  }
  resolved.component = component;
  return { ok: true, scope: resolved };
}
