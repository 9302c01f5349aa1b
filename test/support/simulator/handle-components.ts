// Components of an app: list and get (with the region's live status passed through,
// goodrain/rainbond-console:openapi/services/app_service.py@ae3f1618), delete, and a
// component's events (goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618).
import { blocksDelete } from './component-status.ts';
import { type ConsoleResponse, envelopeError, ok, okEmpty, serverError } from './console-responses.ts';
import { consoleDateText } from './console-time.ts';
import { noEffect, type RouteContext, type RouteResult } from './route-context.ts';
import { toServiceBaseInfo } from './service-base-info.ts';
import type { EventRecord } from './state.ts';

export function handleListComponents(ctx: RouteContext): RouteResult {
  const { state, scope } = ctx;
  return noEffect(
    ok(
      state
        .componentsOf(scope.app!.ID)
        .map((c) => toServiceBaseInfo(c, state.liveStatus(c.service_id), c.access_infos)),
    ),
  );
}

export function handleGetComponent(ctx: RouteContext): RouteResult {
  const c = ctx.scope.component!;
  return noEffect(ok(toServiceBaseInfo(c, ctx.state.liveStatus(c.service_id), c.access_infos)));
}

/**
 * The delete of goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618 (AppServicesView.delete):
 * `force` goes through int() (else 400 "force value error"); the view always calls
 * app_manage_service.delete with is_force=True
 * (goodrain/rainbond-console:console/services/app_actions/app_manage.py@ae3f1618), which
 * answers 409 for a running component (not for third-party ones, nor for components whose
 * create_status is not complete), then 412 for one others depend on, else deletes it for good.
 * On 409 or 412 with a non-zero force, delete_again deletes it all the same, dropping the
 * dependents' dependencies on it, and the view still raises the 409 or 412.
 */
export function handleDeleteComponent(ctx: RouteContext): RouteResult {
  const { state } = ctx;
  const c = ctx.scope.component!;
  const force = parsePythonInt(ctx.query.get('force') ?? '0');
  if (force === null) return noEffect(envelopeError(400, 'force value error', '参数错误'));
  let refusal: ConsoleResponse | null = null;
  const running =
    c.create_status === 'complete' &&
    c.service_source !== 'third_party' &&
    blocksDelete(state.liveStatus(c.service_id));
  if (running) {
    refusal = envelopeError(409, 'delete error', '组件可能处于运行状态,请先关闭组件');
  } else {
    const dependents = state.dependents(c.service_id);
    if (dependents.length > 0) {
      const names = dependents.map((d) => d.service_cname).join(',');
      refusal = envelopeError(412, 'delete error', `组件被${names}依赖，不可删除`);
    }
  }
  if (refusal && force === 0) return noEffect(refusal);
  state.removeComponent(c.service_id);
  return { response: refusal ?? okEmpty(), tookEffect: true };
}

/** `page` and `page_size` go through int(): anything else is the console's 500. */
export function handleEvents(ctx: RouteContext): RouteResult {
  const { state } = ctx;
  const page = parsePythonInt(ctx.query.get('page') ?? '1');
  const pageSize = parsePythonInt(ctx.query.get('page_size') ?? '10');
  if (page === null || pageSize === null) {
    const bad = page === null ? ctx.query.get('page') : ctx.query.get('page_size');
    return noEffect(serverError('ValueError', `invalid literal for int() with base 10: '${bad}'`));
  }
  const all = state.eventsOf(ctx.scope.component!.service_id);
  const start = Math.max(0, (page - 1) * pageSize);
  const now = state.now();
  return noEffect(
    ok({
      events: all.slice(start, start + Math.max(0, pageSize)).map((e) => renderEvent(e, now)),
      total: all.length,
      page,
      page_size: pageSize,
    }),
  );
}

function parsePythonInt(text: string): number | null {
  return /^\s*[+-]?\d+\s*$/.test(text) ? Number.parseInt(text, 10) : null;
}

/**
 * An event reads as in progress (status and final_status "") until its operation finishes on
 * the clock, then `success` or `failure` with final_status `complete`; fields as
 * AppServiceEventsSerializer gives them (goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618).
 */
function renderEvent(e: EventRecord, now: number): Record<string, unknown> {
  const done = now >= e.finishes_at;
  return {
    event_id: e.event_id,
    user_name: e.user_name,
    end_time: done ? consoleDateText(e.finishes_at) : '',
    target: e.target,
    opt_type: e.opt_type,
    target_id: e.service_id,
    service_id: e.service_id,
    status: done ? e.outcome : '',
    request_body: '',
    create_time: consoleDateText(e.create_time),
    final_status: done ? 'complete' : '',
    start_time: consoleDateText(e.create_time),
    syn_type: '1',
    message: done ? e.message : '',
    tenant_id: e.tenant_id,
  };
}
