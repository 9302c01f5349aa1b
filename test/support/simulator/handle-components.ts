// Components of an app: list and get (with the live status), delete (409 while running, 412
// when depended on), and a component's events (rainbond-openapi.md, endpoint table).
import { isRunningLike } from './component-status.ts';
import { envelopeError, ok, okEmpty, serverError } from './console-responses.ts';
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

/** `force` must parse as an int; a running component is refused whatever its value. */
export function handleDeleteComponent(ctx: RouteContext): RouteResult {
  const { state } = ctx;
  const c = ctx.scope.component!;
  const force = ctx.query.get('force') ?? '0';
  if (!/^\s*[+-]?\d+\s*$/.test(force)) return noEffect(envelopeError(400, 'force value error', '参数错误'));
  if (isRunningLike(state.liveStatus(c.service_id))) {
    return noEffect(envelopeError(409, 'delete error', '组件可能处于运行状态，请先关闭组件'));
  }
  const dependents = state.dependents(c.service_id);
  if (dependents.length > 0) {
    const names = dependents.map((d) => d.service_cname).join(',');
    return noEffect(envelopeError(412, 'delete error', `组件被${names}依赖，不可删除`));
  }
  state.removeComponent(c.service_id);
  return { response: okEmpty(), tookEffect: true };
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

/** An event reads as in progress (empty status) until its operation finishes on the clock. */
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
