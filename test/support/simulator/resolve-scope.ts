// The checks the console's view classes run before any method handler
// (goodrain/rainbond-console:openapi/views/base.py@ae3f1618 TeamAPIView / TeamAppAPIView /
// TeamAppServiceAPIView, token from openapi/auth/authentication.py@ae3f1618), in the console's
// order (rainbond-openapi.md, copy checks 1-3, and the endpoint table): token (401), team by
// tenant_id then tenant_name (404), region (404 code 3000) and the team opened in it (409 code
// 2001), then for app views the app (404 "no found app"), for component views the component
// (404 "no found component" / "component not belong to this app"). Per release (releases.ts):
// v5 checks the route's team permission right after the team is found
// (console:openapi/views/base.py@v5.17.3-release, TeamNoRegionAPIView.initial), and the 409
// code 2001 only exists from v6.9.2; before, an uninitialized team finds no app there.
import {
  authenticationFailed,
  type ConsoleResponse,
  envelopeError,
  noPermissions,
} from './console-responses.ts';
import type { ErrorBodies, ReleaseProfile } from './releases.ts';
import { missingRoutePermission } from './route-permissions.ts';
import type { RouteName, RouteParams, ViewScope } from './routes.ts';
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
  style: ErrorBodies,
): { ok: true; user: UserRecord } | { ok: false; response: ConsoleResponse } {
  if (!authorization) return { ok: false, response: authenticationFailed('No token', style) };
  const user = state.userByToken(authorization);
  if (!user || (user.expires_at !== null && user.expires_at <= state.now())) {
    return { ok: false, response: authenticationFailed('No such user', style) };
  }
  return { ok: true, user };
}

export function resolveScope(
  state: SimulatorState,
  release: ReleaseProfile,
  view: { scope: ViewScope; route: RouteName | null },
  params: RouteParams,
  authorization: string | undefined,
): ScopeResult {
  const { scope } = view;
  const auth = authenticate(state, authorization, release.errorBodies.detail);
  if (!auth.ok) return auth;

  const team = state.team(params.teamId);
  if (!team) return { ok: false, response: envelopeError(404, 'no found team', '团队不存在') };
  if (missingRoutePermission(release, view.route, team, auth.user) !== null) {
    return { ok: false, response: noPermissions() };
  }

  if (!state.regions.includes(params.regionName)) {
    return { ok: false, response: envelopeError(404, 'the region is not found', '集群不存在', 3000) };
  }
  if (release.teamNotInitialized.answer === 'conflict-2001' && !team.regions.includes(params.regionName)) {
    // console:openapi/views/exceptions.py@v6.9.8-release, ErrTeamNotInitializedInRegion.
    return {
      ok: false,
      response: envelopeError(
        409,
        'the team is not initialized in the region',
        '团队未在该集群中初始化',
        2001,
      ),
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
