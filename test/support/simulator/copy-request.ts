// Reading the copy's body the way the console does: AppCopyCSerializer and its nested
// serializers (goodrain/rainbond-console:openapi/serializer/groupapp_serializer.py@ae3f1618),
// with DRF's messages in the console's zh-hans (DRF leaves "Not a valid string." untranslated).
// The console's serializer does effectively no validation: a missing field surfaces as a
// KeyError and a non-numeric target_app_id as a ValueError, both HTTP 500 from the generic
// handler. Only the nested `change.build_source` is really validated (400). Fields are read in
// the serializer's declaration order, so the first problem in that order is the one reported.
import { type ConsoleResponse, serverError, validationError } from './console-responses.ts';
import { DEFAULT_CONSOLE_RELEASE, type ErrorBodies, RELEASE_PROFILES } from './releases.ts';

export interface ServiceChange {
  /** null or absent: keep the source's version. */
  version: string | null;
  /** Old env var name -> new name. */
  envs: Record<string, string>;
}

export interface CopyRequest {
  services: { service_id: string; change: ServiceChange }[];
  targetTeamName: unknown;
  targetRegionName: unknown;
  targetAppId: number;
}

export type CopyRequestResult = { ok: true; request: CopyRequest } | { ok: false; response: ConsoleResponse };

function missingField(field: string, serializer: string, style: ErrorBodies): ConsoleResponse {
  return serverError(
    'KeyError',
    `Got KeyError when attempting to get a value for field \`${field}\` on serializer \`${serializer}\`.\n` +
      'The serializer field might be named incorrectly and not match any attribute or key on the `dict` instance.\n' +
      `Original exception text was: '${field}'.`,
    style,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function pythonTypeName(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
}

/** Python's truthiness, which the console uses to decide whether a `change` was given. */
function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

function readChange(
  change: unknown,
  style: ErrorBodies,
): { ok: true; change: ServiceChange } | { ok: false; response: ConsoleResponse } {
  const none: ServiceChange = { version: null, envs: {} };
  if (!truthy(change)) return { ok: true, change: none };
  if (!isObject(change)) {
    return invalid(
      {
        non_field_errors: [`无效数据。期待为字典类型，得到的是 ${pythonTypeName(change)} 。`],
      },
      style,
    );
  }
  let version: string | null = null;
  const buildSource = change.build_source;
  // An empty build_source object counts as "given without version" (the doc's rule), though
  // Python would find {} falsy; null or absent means "no build source change".
  if (isObject(buildSource) || truthy(buildSource)) {
    if (!isObject(buildSource)) {
      return invalid(
        {
          non_field_errors: [`无效数据。期待为字典类型，得到的是 ${pythonTypeName(buildSource)} 。`],
        },
        style,
      );
    }
    if (!('version' in buildSource)) return invalid({ version: ['该字段是必填项。'] }, style);
    const v = buildSource.version;
    if (v !== null) {
      if (typeof v === 'number') version = String(v);
      else if (typeof v !== 'string') return invalid({ version: ['Not a valid string.'] }, style);
      else if (v.trim() === '') return invalid({ version: ['该字段不能为空。'] }, style);
      else if (v.length > 32) return invalid({ version: ['请确保这个字段不能超过 32 个字符。'] }, style);
      else version = v;
    }
  }
  const envs: Record<string, string> = {};
  if (change.envs !== undefined && change.envs !== null) {
    if (!isObject(change.envs)) {
      return invalid(
        {
          envs: [`期望是包含类目的字典，得到类型为 “${pythonTypeName(change.envs)}”。`],
        },
        style,
      );
    }
    for (const [from, to] of Object.entries(change.envs)) {
      if (typeof to !== 'string' || to === '')
        return invalid({ envs: { [from]: ['Not a valid string.'] } }, style);
      envs[from] = to;
    }
  }
  return { ok: true, change: { version, envs } };
}

function invalid(err: unknown, style: ErrorBodies): { ok: false; response: ConsoleResponse } {
  return { ok: false, response: validationError(err, style) };
}

/** Integers and digit strings pass (Django coerces "34"); anything else is the console's ValueError. */
function readAppId(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  return null;
}

/** `style` shapes the error bodies (releases.ts); by default the newest release's, for callers outside a console call. */
export function readCopyRequest(
  data: unknown,
  style: ErrorBodies = RELEASE_PROFILES[DEFAULT_CONSOLE_RELEASE].errorBodies.detail,
): CopyRequestResult {
  if (!isObject(data))
    return {
      ok: false,
      response: serverError('TypeError', 'list indices must be integers or slices, not str', style),
    };

  if (!('services' in data))
    return { ok: false, response: missingField('services', 'AppCopyCSerializer', style) };
  const rawServices = data.services;
  if (!Array.isArray(rawServices)) {
    return {
      ok: false,
      response: serverError('TypeError', `'${pythonTypeName(rawServices)}' object is not iterable`, style),
    };
  }
  const services: CopyRequest['services'] = [];
  for (const entry of rawServices) {
    if (!isObject(entry)) {
      return {
        ok: false,
        response: serverError(
          'AttributeError',
          `'${pythonTypeName(entry)}' object has no attribute 'get'`,
          style,
        ),
      };
    }
    if (!('service_id' in entry))
      return { ok: false, response: missingField('service_id', 'AppCopyModifySerializer', style) };
    const read = readChange(entry.change, style);
    if (!read.ok) return read;
    const id = entry.service_id;
    services.push({ service_id: typeof id === 'string' ? id : JSON.stringify(id), change: read.change });
  }

  if (!('target_team_name' in data))
    return { ok: false, response: missingField('target_team_name', 'AppCopyCSerializer', style) };
  if (!('target_region_name' in data)) {
    return { ok: false, response: missingField('target_region_name', 'AppCopyCSerializer', style) };
  }
  if (!('target_app_id' in data))
    return { ok: false, response: missingField('target_app_id', 'AppCopyCSerializer', style) };
  const targetAppId = readAppId(data.target_app_id);
  if (targetAppId === null) {
    return {
      ok: false,
      response: serverError(
        'ValueError',
        `invalid literal for int() with base 10: ${JSON.stringify(data.target_app_id)}`,
        style,
      ),
    };
  }
  return {
    ok: true,
    request: {
      services,
      targetTeamName: data.target_team_name,
      targetRegionName: data.target_region_name,
      targetAppId,
    },
  };
}
