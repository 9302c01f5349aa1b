// Components of an app: list and get (with the region's live status passed through,
// goodrain/rainbond-console:openapi/services/app_service.py@ae3f1618), delete, and a
// component's events (goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618).
import { blocksDelete } from './component-status.ts';
import {
  type ConsoleResponse,
  envelopeError,
  ok,
  okEmpty,
  pythonKeyErrorText,
  serverError,
  validationError,
} from './console-responses.ts';
import { consoleDateText } from './console-time.ts';
import { validateEnvList } from './env-serializer.ts';
import { readRequestData } from './request-body.ts';
import { noEffect, type RouteContext, type RouteResult } from './route-context.ts';
import { toServiceBaseInfo } from './service-base-info.ts';
import type { EventRecord } from './state.ts';

/**
 * The list never fills access_infos: the serializer's default `[]` (goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618,
 * ListAppServicesView.get; goodrain/rainbond-console:openapi/serializer/app_serializer.py@ae3f1618).
 */
export function handleListComponents(ctx: RouteContext): RouteResult {
  const { state, scope } = ctx;
  return noEffect(
    ok(
      state.componentsOf(scope.app!.ID).map((c) => toServiceBaseInfo(c, state.liveStatus(c.service_id), [])),
    ),
  );
}

/** The component view fills access_infos from its gateway rules (AppServicesView.get; gateway.ts). */
export function handleGetComponent(ctx: RouteContext): RouteResult {
  const { state } = ctx;
  const c = ctx.scope.component!;
  return noEffect(ok(toServiceBaseInfo(c, state.liveStatus(c.service_id), state.accessInfos(c.service_id))));
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
    return noEffect(
      serverError(
        'ValueError',
        `invalid literal for int() with base 10: '${bad}'`,
        ctx.release.errorBodies.detail,
      ),
    );
  }
  const all = state.eventsOf(ctx.scope.component!.service_id);
  const camel = ctx.release.eventFields.spelling === 'CamelCase';
  const start = Math.max(0, (page - 1) * pageSize);
  const now = state.now();
  return noEffect(
    ok({
      events: all
        .slice(start, start + Math.max(0, pageSize))
        .map((e) => (camel ? camelCaseEvent(renderEvent(e, now), e) : renderEvent(e, now))),
      total: all.length,
      page,
      page_size: pageSize,
    }),
  );
}

/**
 * The same event as v5 spells it: the region's struct fields in CamelCase, in the order of
 * AppServiceEventsSerializer (console:openapi/serializer/app_serializer.py@v5.17.3-release;
 * region:db/model/event.go@v5.17.3-release), with `ID` the record's id.
 */
function camelCaseEvent(snake: Record<string, unknown>, e: EventRecord): Record<string, unknown> {
  return {
    EventID: snake.event_id,
    UserName: snake.user_name,
    EndTime: snake.end_time,
    Target: snake.target,
    OptType: snake.opt_type,
    TargetID: snake.target_id,
    ServiceID: snake.service_id,
    Status: snake.status,
    RequestBody: snake.request_body,
    create_time: snake.create_time,
    FinalStatus: snake.final_status,
    StartTime: snake.start_time,
    SynType: snake.syn_type,
    Message: snake.message,
    TenantID: snake.tenant_id,
    ID: String(e.id),
  };
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

/**
 * Names the console reserves for itself: adding one is refused with a 400 envelope
 * (console:console/services/app_config/env_service.py@v5.16.0-release and @v6.9.8-release,
 * check_env_attr_name's SENSITIVE_ENV_NAMES). Its pattern check is implied by the serializer's.
 */
const SENSITIVE_ENV_NAMES: ReadonlySet<string> = new Set([
  'TENANT_ID',
  'SERVICE_ID',
  'TENANT_NAME',
  'SERVICE_NAME',
  'SERVICE_VERSION',
  'MEMORY_SIZE',
  'SERVICE_EXTEND_METHOD',
  'SLUG_URL',
  'DEPEND_SERVICE',
  'REVERSE_DEPEND_SERVICE',
  'POD_ORDER',
  'PATH',
  'POD_NET_IP',
  'LOG_MATCH',
]);

/**
 * PUT .../services/{service_id}/envs (ComponentEnvsUView, goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618,
 * and env_var_service.update_or_create_envs): the request is validated (env-serializer.ts), then
 * each listed variable is updated by name (value and note) or added (scope `inner` by default),
 * in order and without a transaction, so an entry that fails leaves the earlier ones written.
 * Before v6.9.3 an entry without `note` is a KeyError 500 there. The answer is every variable
 * of the component, so an empty list changes nothing and reads them all; the console validates
 * that answer with the request's serializer, so one variable it refuses (an empty value, a
 * blank note before v6.9.3, a name with a dot, ...) makes the answer a 400 code 20400, after
 * the write took effect.
 */
export function handleComponentEnvs(ctx: RouteContext): RouteResult {
  const c = ctx.scope.component!;
  const style = ctx.release.errorBodies.detail;
  const serializer = { blankNoteAllowed: ctx.release.envNote.blankAllowed };
  const data = readRequestData(ctx.contentType, ctx.rawBody, style);
  if (!data.ok) return noEffect(data.response);
  const body = (typeof data.data === 'object' && data.data !== null ? data.data : {}) as Record<
    string,
    unknown
  >;
  if (!Array.isArray(body.envs)) {
    return noEffect(
      validationError({ envs: [body.envs === undefined ? '该字段是必填项。' : '请输入一个列表。'] }, style),
    );
  }
  const request = validateEnvList(body.envs, serializer);
  if (request.errors) return noEffect(validationError({ envs: request.errors }, style));

  let written = 0;
  const stopped = (response: ConsoleResponse): RouteResult =>
    written > 0 ? { response, tookEffect: true } : noEffect(response);
  for (const item of request.entries) {
    if (item.note === undefined) return stopped(serverError('KeyError', pythonKeyErrorText('note'), style));
    const existing = c.envs.find((e) => e.name === item.name);
    if (existing) {
      existing.value = item.value;
      existing.note = item.note;
    } else {
      if (SENSITIVE_ENV_NAMES.has(item.name)) {
        return stopped(envelopeError(400, 'update or create envs error', `不允许的变量名${item.name}`));
      }
      c.envs.push({ ...item, note: item.note });
    }
    written += 1;
  }
  const envs = c.envs.map((e) => ({
    note: e.note ?? '',
    name: e.name,
    value: e.value,
    is_change: e.is_change ?? true,
    scope: e.scope ?? 'inner',
  }));
  const answer = validateEnvList(envs, serializer);
  const response = answer.errors ? validationError({ envs: answer.errors }, style) : ok({ envs });
  return written === 0 ? noEffect(response) : { response, tookEffect: true };
}
