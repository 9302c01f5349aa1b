// POST .../apps/{app_id}/operations (goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618,
// APPOperationsView): stop, start, deploy or upgrade the listed components (all of the app's
// when the list is missing or empty). The ids are not checked against the app: any component
// of the console with a listed id is operated (app_manage.py@ae3f1618, batch_operations looks
// them up by id alone). Each action needs its team permission (300005 start, 300006 stop,
// 300007 upgrade, 300008 deploy): without it, 403 code 10402 (NoPermissionsError,
// goodrain/rainbond-console:console/exception/main.py@ae3f1618). Operations are asynchronous
// on the simulator clock: stop goes `stopping` then `closed`, deploy rebuilds.
import { settledStatusFor } from './component-status.ts';
import { envelopeError, ok, validationError } from './console-responses.ts';
import { pythonTypeName } from './copy-request.ts';
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
  const style = ctx.release.errorBodies.detail;
  const data = readRequestData(ctx.contentType, ctx.rawBody, style);
  if (!data.ok) return noEffect(data.response);
  const body = (typeof data.data === 'object' && data.data !== null ? data.data : {}) as Record<
    string,
    unknown
  >;

  // ServiceGroupOperationsSerializer's messages, in the console's zh-hans.
  const action = body.action;
  if (action === undefined) return noEffect(validationError({ action: ['该字段是必填项。'] }, style));
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    return noEffect(validationError({ action: [`“${String(action)}” 不是合法选项。`] }, style));
  }
  const rawIds = body.service_ids;
  if (rawIds !== undefined && rawIds !== null && !Array.isArray(rawIds)) {
    return noEffect(
      validationError(
        {
          service_ids: [`期望为一个包含物件的列表，得到的类型是“${pythonTypeName(rawIds)}”。`],
        },
        style,
      ),
    );
  }
  const wanted = Array.isArray(rawIds) && rawIds.length > 0 ? new Set(rawIds.map(String)) : null;
  const targets = wanted
    ? state.components().filter((c) => wanted.has(c.service_id))
    : state.componentsOf(scope.app!.ID);
  if (!state.mayOperate(scope.team, scope.user)) {
    return noEffect(envelopeError(403, 'no permissions ', '没有操作权限', 10402));
  }

  for (const c of targets) {
    state.settle(c.service_id);
    const live = state.liveStatus(c.service_id);
    switch (action as Action) {
      case 'stop':
        state.startStop(c.service_id, { userName: scope.user.nick_name });
        break;
      case 'start':
        if (live === 'closed' && c.deployed) state.setStatus(c.service_id, settledStatusFor(c.extend_method));
        state.recordEvent(c, OPT_TYPES.start, scope.user.nick_name);
        break;
      case 'upgrade':
        state.recordEvent(c, OPT_TYPES.upgrade, scope.user.nick_name);
        break;
      case 'deploy':
        state.startBuild(c.service_id, { userName: scope.user.nick_name });
        break;
    }
  }
  return { response: ok({ msg: '操作成功' }), tookEffect: true };
}
