// POST .../apps/{app_id}/operations (rainbond-openapi.md): stop, start, deploy or upgrade the
// listed components (all of the app's when the list is missing or empty). Ids that are not in
// the app are ignored. Stop and start settle at once; deploy rebuilds on the clock.
import { ok, validationError } from './console-responses.ts';
import { readRequestData } from './request-body.ts';
import { noEffect, type RouteContext, type RouteResult } from './route-context.ts';

const ACTIONS = ['stop', 'start', 'upgrade', 'deploy'] as const;
type Action = (typeof ACTIONS)[number];

const OPT_TYPES: Record<Action, string> = {
  stop: 'stop-service',
  start: 'start-service',
  upgrade: 'upgrade-service',
  deploy: 'build-service',
};

export function handleOperations(ctx: RouteContext): RouteResult {
  const { state, scope } = ctx;
  const data = readRequestData(ctx.contentType, ctx.rawBody);
  if (!data.ok) return noEffect(data.response);
  const body = (typeof data.data === 'object' && data.data !== null ? data.data : {}) as Record<
    string,
    unknown
  >;

  const action = body.action;
  if (action === undefined) return noEffect(validationError({ action: ['This field is required.'] }));
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    return noEffect(validationError({ action: [`"${String(action)}" is not a valid choice.`] }));
  }
  const rawIds = body.service_ids;
  if (rawIds !== undefined && rawIds !== null && !Array.isArray(rawIds)) {
    return noEffect(
      validationError({ service_ids: [`Expected a list of items but got type "${typeof rawIds}".`] }),
    );
  }
  const inApp = state.componentsOf(scope.app!.ID);
  const wanted = Array.isArray(rawIds) && rawIds.length > 0 ? new Set(rawIds.map(String)) : null;
  const targets = wanted ? inApp.filter((c) => wanted.has(c.service_id)) : inApp;

  for (const c of targets) {
    state.settle(c.service_id);
    const live = state.liveStatus(c.service_id);
    switch (action as Action) {
      case 'stop':
        if (live !== 'closed' && live !== 'undeploy') state.setStatus(c.service_id, 'closed');
        state.recordEvent(c, OPT_TYPES.stop, scope.user.nick_name);
        break;
      case 'start':
        if (live === 'closed' || live === 'undeploy') state.setStatus(c.service_id, 'running');
        state.recordEvent(c, OPT_TYPES.start, scope.user.nick_name);
        break;
      case 'upgrade':
        state.recordEvent(c, OPT_TYPES.upgrade, scope.user.nick_name);
        break;
      case 'deploy':
        state.startBuild(c.service_id, { withCreating: false, userName: scope.user.nick_name });
        break;
    }
  }
  return { response: ok({ msg: '操作成功' }), tookEffect: true };
}
