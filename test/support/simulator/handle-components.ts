// Components of an app: list and get (with the region's live status passed through,
// goodrain/rainbond-console:openapi/services/app_service.py@ae3f1618), delete, and a
// component's events (goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618).
import { blocksDelete } from './component-status.ts';
import {
  type ConsoleResponse,
  envelopeError,
  ok,
  okEmpty,
  serverError,
  validationError,
} from './console-responses.ts';
import { consoleDateText } from './console-time.ts';
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

/** ComponentEnvsBaseSerializers' limits (goodrain/rainbond-console:openapi/serializer/app_serializer.py@ae3f1618). */
const ENV_FIELD_LIMITS = { note: 100, name: 100, value: 1024, scope: 32 } as const;
/** name_validator of the same file: a letter first, then letters, digits, `_` and `-`. */
const SERIALIZER_ENV_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** check_env_attr_name (goodrain/rainbond-console:console/services/app_config/env_service.py@ae3f1618). */
const CONSOLE_ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * PUT .../services/{service_id}/envs (ComponentEnvsUView, goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618,
 * and env_var_service.update_or_create_envs): each listed variable is updated by name (value and
 * note) or added (scope `inner` by default); the answer is every variable of the component, so
 * an empty list changes nothing and reads them all.
 */
export function handleComponentEnvs(ctx: RouteContext): RouteResult {
  const c = ctx.scope.component!;
  const data = readRequestData(ctx.contentType, ctx.rawBody);
  if (!data.ok) return noEffect(data.response);
  const body = (typeof data.data === 'object' && data.data !== null ? data.data : {}) as Record<
    string,
    unknown
  >;
  if (!Array.isArray(body.envs)) {
    return noEffect(
      validationError({ envs: [body.envs === undefined ? '该字段是必填项。' : '请输入一个列表。'] }),
    );
  }
  const items: { note: string; name: string; value: string; is_change: boolean; scope: string }[] = [];
  const errors = body.envs.map((raw) => {
    const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const problems: Record<string, string[]> = {};
    const text = (field: keyof typeof ENV_FIELD_LIMITS, required: boolean, fallback: string): string => {
      const value = entry[field];
      if (value === undefined || value === null) {
        if (required) problems[field] = ['该字段是必填项。'];
        return fallback;
      }
      const s = String(value);
      if (required && s === '') problems[field] = ['该字段不能为空。'];
      if (s.length > ENV_FIELD_LIMITS[field]) {
        problems[field] = [`请确保这个字段不能超过 ${ENV_FIELD_LIMITS[field]} 个字符。`];
      }
      return s;
    };
    const note = text('note', false, '');
    const name = text('name', true, '');
    const value = text('value', true, '');
    const scope = text('scope', false, 'inner');
    if (!problems.name && !SERIALIZER_ENV_NAME.test(name)) {
      problems.name = ["变量名不合法， 请输入以字母开头且为数字、大小写字母、'_'、'-'的组合"];
    }
    items.push({ note, name, value, is_change: entry.is_change !== false, scope });
    return problems;
  });
  if (errors.some((e) => Object.keys(e).length > 0)) return noEffect(validationError({ envs: errors }));
  for (const item of items) {
    if (!CONSOLE_ENV_NAME.test(item.name)) {
      return noEffect(envelopeError(400, 'update or create envs error', `变量名称${item.name}不符合规范`));
    }
  }
  for (const item of items) {
    const existing = c.envs.find((e) => e.name === item.name);
    if (existing) {
      existing.value = item.value.trim();
      existing.note = item.note;
    } else {
      c.envs.push({
        name: item.name.trim(),
        value: item.value.trim(),
        note: item.note,
        is_change: item.is_change,
        scope: item.scope,
      });
    }
  }
  const response = ok({
    envs: c.envs.map((e) => ({
      note: e.note ?? '',
      name: e.name,
      value: e.value,
      is_change: e.is_change ?? true,
      scope: e.scope ?? 'inner',
    })),
  });
  return items.length === 0 ? noEffect(response) : { response, tookEffect: true };
}
