// The console's JSON, parsed at the border. Objects are loose (newer consoles add keys such as
// `build_strategy` or `arch`, which are ignored), descriptive fields are nullable and tolerant,
// and only the identity of a component (`service_id`) is strict: a body without it cannot tell
// the caller what the console made. Every schema outputs the camelCase domain types.

import { z } from 'zod';
import type { Component, ComponentDetail, ComponentEnv, ComponentEvent, CopyableComponent } from './types.ts';

/** A descriptive text field: missing, null, empty or of another type all read as null. */
const optionalText = z
  .string()
  .nullish()
  .catch(null)
  .transform((value) => (value ? value : null));

/** A name the console always sends; read as '' rather than failing the whole answer when absent. */
const nameText = z
  .string()
  .nullish()
  .catch(null)
  .transform((value) => value ?? '');

const serviceId = z.string().min(1);

/** Memory in MB: a string in the copy pre-flight, an int elsewhere. */
const megabytes = z
  .union([z.number(), z.string()])
  .nullish()
  .catch(null)
  .transform((value) => {
    if (value === null || value === undefined || value === '') return null;
    const number = typeof value === 'number' ? value : Number(value);
    return Number.isFinite(number) ? number : null;
  });

/** ServiceBaseInfo's fields the client reads, as the copy answer, the list and the detail carry them. */
const componentFields = {
  service_id: serviceId,
  service_alias: nameText,
  service_cname: nameText,
  k8s_component_name: optionalText,
  status: optionalText,
  create_status: optionalText,
  service_source: optionalText,
};

function toComponent(raw: z.output<z.ZodObject<typeof componentFields>>): Component {
  return {
    serviceId: raw.service_id,
    serviceAlias: raw.service_alias,
    serviceCname: raw.service_cname,
    k8sComponentName: raw.k8s_component_name,
    status: raw.status,
    createStatus: raw.create_status,
    serviceSource: raw.service_source,
  };
}

/** ServiceBaseInfo, as the copy answer, the component list and the component detail carry it. */
export const componentSchema = z.looseObject(componentFields).transform(toComponent);

/** access_infos: a list of texts; anything else (missing, null, another type) reads as none. */
const accessInfos = z
  .array(z.unknown())
  .nullish()
  .catch(null)
  .transform((values) =>
    (values ?? []).filter((value): value is string => typeof value === 'string' && value.trim() !== ''),
  );

/** GET .../services/{service_id}: ServiceBaseInfo with its access_infos filled in. */
export const componentDetailSchema = z
  .looseObject({ ...componentFields, access_infos: accessInfos })
  .transform((raw): ComponentDetail => ({ ...toComponent(raw), accessInfos: raw.access_infos }));

/** GET .../services: a bare array. */
export const componentListSchema = z.array(componentSchema);

/** POST .../copy success: `{"services": [...]}`, one entry per created component. */
export const copyAnswerSchema = z
  .looseObject({ services: z.array(componentSchema) })
  .transform((raw) => raw.services);

/**
 * The pre-flight's `build_source` (goodrain/rainbond-console:openapi/serializer/groupapp_serializer.py
 * and console/services/service_services.py @ae3f1618). Only what the plan needs is kept: it also
 * carries the image registry's user_name and password in clear, which are dropped here, at the
 * border, so that nothing inside can log, store or echo them.
 */
const buildSourceSchema = z
  .looseObject({ version: optionalText, service_source: optionalText, image: optionalText })
  .nullish()
  .catch(null)
  .transform((value) => ({
    version: value?.version ?? null,
    serviceSource: value?.service_source ?? null,
    image: value?.image ?? null,
  }));

const copyableComponentSchema = z
  .looseObject({
    service_id: serviceId,
    service_alias: nameText,
    service_cname: nameText,
    create_status: optionalText,
    build_source: buildSourceSchema,
    min_memory: megabytes,
  })
  .transform(
    (raw): CopyableComponent => ({
      serviceId: raw.service_id,
      serviceCname: raw.service_cname,
      serviceAlias: raw.service_alias,
      createStatus: raw.create_status,
      // service_source exists only inside build_source in the pre-flight's answer.
      serviceSource: raw.build_source.serviceSource,
      buildVersion: raw.build_source.version,
      image: raw.build_source.image,
      minMemory: raw.min_memory,
    }),
  );

/** GET .../copy (the pre-flight): a bare array of the source app's copyable components. */
export const copyableComponentListSchema = z.array(copyableComponentSchema);

/**
 * GET .../services/{service_id}/events: `{"events": [...], "total", "page", "page_size"}`, newest
 * first (goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618, AppServiceEventsView).
 * Consoles before v6.0.0 spell the event's fields as the region's Go struct does, CamelCase
 * (`OptType`, `Status`, `FinalStatus`, `Message`, `EventID`; `create_time` as is):
 * console:openapi/serializer/app_serializer.py@v5.17.3-release (AppServiceEventsSerializer),
 * region:db/model/event.go@v5.17.3-release; both moved to snake_case in v6.0.0 (console
 * 5a32a6ca2, region 7bbc47328). Each field is read in either spelling, snake_case first.
 */
export const componentEventsSchema = z
  .looseObject({
    events: z.array(
      z
        .looseObject({
          event_id: optionalText,
          opt_type: optionalText,
          status: optionalText,
          final_status: optionalText,
          message: optionalText,
          create_time: optionalText,
          EventID: optionalText,
          OptType: optionalText,
          Status: optionalText,
          FinalStatus: optionalText,
          Message: optionalText,
        })
        .transform(
          (raw): ComponentEvent => ({
            eventId: raw.event_id ?? raw.EventID,
            optType: raw.opt_type ?? raw.OptType,
            status: raw.status ?? raw.Status,
            finalStatus: raw.final_status ?? raw.FinalStatus,
            message: raw.message ?? raw.Message,
            createTime: raw.create_time,
          }),
        ),
    ),
  })
  .transform((raw) => raw.events);

/** PUT .../services/{service_id}/envs: `{"envs": [...]}`, every variable of the component. */
export const componentEnvsSchema = z
  .looseObject({
    envs: z.array(
      z
        .looseObject({ name: z.string(), value: nameText, note: nameText })
        .transform((raw): ComponentEnv => ({ name: raw.name, value: raw.value, note: raw.note })),
    ),
  })
  .transform((raw) => raw.envs);

/** POST .../operations success: `{"msg": "操作成功"}`; any JSON object is accepted. */
export const operationAnswerSchema = z.looseObject({});

/**
 * GET /openapi/v1/teams?page=1&page_size=1: `{"tenants": [...], "total", "page", "page_size"}`,
 * the teams of the token's user, for any valid token on every release from 5.16 on
 * (goodrain/rainbond-console:openapi/views/team_view.py@ae3f1618, ListTeamInfo; docs/compatibility.md).
 * Only the count is kept.
 */
export const teamListSchema = z
  .looseObject({ tenants: z.array(z.unknown()), total: z.number().int().nonnegative().nullish().catch(null) })
  .transform((raw) => ({ total: raw.total ?? raw.tenants.length }));

/**
 * GET /console/config/info (the console's own API, not the OpenAPI; no authentication on any
 * release): `{"code":200,"data":{"bean":{..., "version":{"enable":true,"value":"<RELEASE_DESC>"}}}}`.
 * RELEASE_DESC is set when the console's image is built, `v6.9.8-release-<commit>-<build hour>`
 * for the official images and empty for one built without it
 * (console:console/services/config_service.py@v6.9.8-release, PlatformConfigService `VERSION`;
 * console:console/views/logos.py@v5.16.0-release, ConfigRUDView). Only that value is kept:
 * undefined when the console does not say.
 */
export const consoleInfoSchema = z
  .looseObject({
    data: z.looseObject({
      bean: z.looseObject({
        version: z.looseObject({ value: optionalText }).nullish().catch(null),
      }),
    }),
  })
  .transform((raw) => ({ release: raw.data.bean.version?.value ?? undefined }));

/** The human-readable parts of an error answer, in either style (envelope or framework). */
export interface ConsoleErrorBody {
  businessCode: number | undefined;
  msgShow: string | undefined;
  msg: string | undefined;
  detail: string | undefined;
}

const errorText = z
  .string()
  .nullish()
  .catch(undefined)
  .transform((value) => (value?.trim() ? value.trim() : undefined));

/** Error answers: the envelope `{code, msg, msg_show, data}` or the framework's `{detail, code, ...}`. */
export const consoleErrorBodySchema = z
  .looseObject({
    code: z
      .union([z.number(), z.string()])
      .nullish()
      .catch(undefined)
      .transform((value) => {
        const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
      }),
    msg: errorText,
    msg_show: errorText,
    detail: errorText,
  })
  .transform(
    (raw): ConsoleErrorBody => ({
      businessCode: raw.code,
      msgShow: raw.msg_show,
      msg: raw.msg,
      detail: raw.detail,
    }),
  );

/** Parses a body as JSON; undefined when it is not JSON. */
export function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** One line naming the first thing wrong with a body, for error messages. */
export function describeSchemaMismatch(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const path = issue.path.length > 0 ? issue.path.join('.') : 'the body';
  return `${path}: ${issue.message}`;
}
