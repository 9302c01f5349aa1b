// The console's request handling, without the network: match the URL, run the view's checks,
// then the method handler. Split in two (prepare, then run) so the server can decide about
// faults knowing the route name, before anything takes effect.
import { djangoNotFound, methodNotAllowed } from './console-responses.ts';
import { handleGetApp, handleListApps } from './handle-apps.ts';
import {
  handleComponentEnvs,
  handleDeleteComponent,
  handleEvents,
  handleGetComponent,
  handleListComponents,
} from './handle-components.ts';
import { handleConfigInfo } from './handle-config-info.ts';
import { handleCopy, handleCopyPreflight } from './handle-copy.ts';
import { handleOperations } from './handle-operations.ts';
import { handleListTeams } from './handle-teams.ts';
import type { ReleaseProfile } from './releases.ts';
import { resolveScope } from './resolve-scope.ts';
import { noEffect, type RouteContext, type RouteResult } from './route-context.ts';
import { matchView, type RouteName } from './routes.ts';
import type { SimulatorState } from './state.ts';

export interface ConsoleCall {
  method: string;
  pathname: string;
  query: URLSearchParams;
  authorization: string | undefined;
  contentType: string | undefined;
  rawBody: string;
}

export interface RunOptions {
  callId: number;
  createLimit?: number;
}

export interface PreparedCall {
  /** null for URLs outside the routes and for methods a route does not answer. */
  route: RouteName | null;
  run(opts: RunOptions): RouteResult;
}

export interface ConsoleDeps {
  state: SimulatorState;
  newServiceId: () => string;
  release: ReleaseProfile;
  /** What GET /console/config/info answers in `version`: the image's RELEASE_DESC ("" for a build without it). */
  releaseDesc: string;
}

/** The user-scoped view (openapi/urls.py@ae3f1618, `^v1/teams$`): only the token is checked. */
const TEAMS_PATH = '/openapi/v1/teams';
/**
 * The console's own configuration view, outside /openapi (console:console/urls.py@v5.16.0-release,
 * `^config/info$` under `console/`): no authentication on any release.
 */
const CONFIG_INFO_PATH = '/console/config/info';

const HANDLERS: Record<
  Exclude<RouteName, 'listTeams' | 'consoleConfig'>,
  (ctx: RouteContext) => RouteResult
> = {
  copy: handleCopy,
  copyPreflight: handleCopyPreflight,
  listApps: handleListApps,
  getApp: handleGetApp,
  listComponents: handleListComponents,
  getComponent: handleGetComponent,
  deleteComponent: handleDeleteComponent,
  operations: handleOperations,
  events: handleEvents,
  componentEnvs: handleComponentEnvs,
};

export function prepareConsoleCall(deps: ConsoleDeps, call: ConsoleCall): PreparedCall {
  const style = deps.release.errorBodies.detail;
  if (call.pathname === TEAMS_PATH) {
    return call.method === 'GET'
      ? {
          route: 'listTeams',
          run: () => handleListTeams(deps.state, call.authorization, call.query, style),
        }
      : { route: null, run: () => noEffect(methodNotAllowed(call.method, ['GET'], style)) };
  }
  if (call.pathname === CONFIG_INFO_PATH && call.method === 'GET') {
    return {
      route: 'consoleConfig',
      run: () => handleConfigInfo(deps.state, deps.release, deps.releaseDesc),
    };
  }
  const view = matchView(call.pathname);
  if (!view) return { route: null, run: () => noEffect(djangoNotFound()) };
  const route = view.methods[call.method] ?? null;
  return {
    route,
    run(opts: RunOptions): RouteResult {
      // The view's checks run before the method is looked at, as in DRF's dispatch.
      const scoped = resolveScope(
        deps.state,
        deps.release,
        { scope: view.scope, route },
        view.params,
        call.authorization,
      );
      if (!scoped.ok) return noEffect(scoped.response);
      if (!route) return noEffect(methodNotAllowed(call.method, Object.keys(view.methods), style));
      if (route === 'listTeams' || route === 'consoleConfig') return noEffect(djangoNotFound());
      return HANDLERS[route]({
        state: deps.state,
        release: deps.release,
        scope: scoped.scope,
        params: view.params,
        query: call.query,
        contentType: call.contentType,
        rawBody: call.rawBody,
        callId: opts.callId,
        newServiceId: deps.newServiceId,
        ...(opts.createLimit === undefined ? {} : { createLimit: opts.createLimit }),
      });
    },
  };
}
