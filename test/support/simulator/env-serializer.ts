// ComponentEnvsBaseSerializers, the serializer of PUT .../services/{id}/envs, which the console
// runs twice: on the request, and on its own answer (every variable of the component) after
// writing (console:openapi/views/apps/apps.py@v6.9.2-release, ComponentEnvsUView.put). Fields in
// declaration order, as DRF checks them (console:openapi/serializer/app_serializer.py@v6.9.2-release
// and @v6.9.3-release): note (max 100, not required; blank allowed and defaulting to "" only
// from v6.9.3), name (max 100, name_validator), value (max 1024), is_change (default true),
// scope (max 32, default "inner"). DRF trims strings, refuses blank ones unless allowed, and
// collects every validator's message (name_validator's before max_length's). Messages in the
// console's zh-hans. Pure.

/** A variable as the serializer's validated data holds it; `note` is absent when not given and not defaulted. */
export interface EnvEntry {
  note?: string;
  name: string;
  value: string;
  is_change: boolean;
  scope: string;
}

export type EnvFieldErrors = Record<string, string[]>;

/** name_validator: not only digits, only letters, digits and `_`, a letter first. */
const NAME_LETTER = /^(?!\d+$)[\da-zA-Z_]+$/;
const FIRST_LETTER = /^[a-zA-Z]/;
const BAD_NAME = "变量名不合法， 请输入以字母开头且为数字、大小写字母、'_'、'-'的组合";

const REQUIRED = '该字段是必填项。';
const BLANK = '该字段不能为空。';
const tooLong = (max: number) => `请确保这个字段不能超过 ${max} 个字符。`;

interface CharField {
  maxLength: number;
  required: boolean;
  allowBlank: boolean;
  /** Used when the field is absent (or null); undefined: left out of the data. */
  fallback: string | undefined;
  validators?: readonly ((value: string) => string | null)[];
}

/** Validates one entry; `errors` is `{}` when it passes, as DRF reports a valid item of a list. */
export function validateEnvEntry(
  raw: unknown,
  opts: { blankNoteAllowed: boolean },
): { entry: EnvEntry; errors: EnvFieldErrors } {
  const input = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const errors: EnvFieldErrors = {};
  const field = (key: string, f: CharField): string | undefined => {
    const given = input[key];
    if (given === undefined || given === null) {
      if (f.required) errors[key] = [REQUIRED];
      return f.fallback;
    }
    const text = String(given).trim();
    if (text === '' && !f.allowBlank) {
      errors[key] = [BLANK];
      return text;
    }
    const messages = (f.validators ?? []).map((v) => v(text)).filter((m): m is string => m !== null);
    if (text.length > f.maxLength) messages.push(tooLong(f.maxLength));
    if (messages.length > 0) errors[key] = messages;
    return text;
  };
  const note = field('note', {
    maxLength: 100,
    required: false,
    allowBlank: opts.blankNoteAllowed,
    fallback: opts.blankNoteAllowed ? '' : undefined,
  });
  const name = field('name', {
    maxLength: 100,
    required: true,
    allowBlank: false,
    fallback: '',
    validators: [(v) => (NAME_LETTER.test(v) && FIRST_LETTER.test(v) ? null : BAD_NAME)],
  });
  const value = field('value', { maxLength: 1024, required: true, allowBlank: false, fallback: '' });
  const scope = field('scope', { maxLength: 32, required: false, allowBlank: false, fallback: 'inner' });
  const entry: EnvEntry = {
    ...(note === undefined ? {} : { note }),
    name: name ?? '',
    value: value ?? '',
    is_change: input.is_change !== false,
    scope: scope ?? 'inner',
  };
  return { entry, errors };
}

/** Every entry's errors (`{}` for a good one), or null when all pass. */
export function validateEnvList(
  raws: readonly unknown[],
  opts: { blankNoteAllowed: boolean },
): { entries: EnvEntry[]; errors: EnvFieldErrors[] | null } {
  const results = raws.map((raw) => validateEnvEntry(raw, opts));
  const failed = results.some((r) => Object.keys(r.errors).length > 0);
  return { entries: results.map((r) => r.entry), errors: failed ? results.map((r) => r.errors) : null };
}
