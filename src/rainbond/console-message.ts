// What the console said in an error answer, reduced to one short line for a condition message.

import { consoleErrorBodySchema, parseJson } from './schemas.ts';

/** Console texts longer than this are cut, so an HTML page or a traceback cannot flood a condition. */
export const MAX_CONSOLE_MESSAGE_CHARS = 200;

export interface ConsoleMessage {
  /** msg_show, else msg, else detail; for other bodies the page title or the short text. */
  message: string | undefined;
  /** The line for an error message: "msg_show (msg)" when both are present and differ. */
  summary: string | undefined;
  /** The envelope's `code`, when it is a number. */
  businessCode: number | undefined;
}

const nothing: ConsoleMessage = { message: undefined, summary: undefined, businessCode: undefined };

/**
 * Reads an error answer's body in any of the styles the console (or a proxy in front of it) uses.
 * The console's words are msg_show (Chinese, for people), else msg, else detail, with one
 * exception, `preferMsg`: since console 6.1.1 its catch-all handler puts the Python traceback in
 * msg_show and str(exception) in msg (goodrain/rainbond-console:console/views/base.py@ae3f1618,
 * custom_exception_handler), so for a 5xx or business code 10401 msg is the message. Before
 * 6.1.1 that msg is empty and msg_show a fixed "服务端异常" (console:console/views/base.py@v6.1.0-release),
 * which is then the message: better than none, and never a traceback.
 * A validation answer (`{"detail":"参数错误","err":{"version":["..."]},"code":20400}`) keeps the
 * fields it names: "参数错误: version: 请确保这个字段不能超过 32 个字符。".
 */
export function readConsoleMessage(
  bodyText: string | undefined,
  options: { preferMsg?: boolean } = {},
): ConsoleMessage {
  const text = bodyText?.trim();
  if (!text) return nothing;
  const json = parseJson(text);
  if (json === undefined) {
    const plain = plainTextOf(text);
    return plain === undefined ? nothing : { message: plain, summary: plain, businessCode: undefined };
  }
  if (typeof json.value === 'string') {
    const line = shorten(json.value);
    return line === '' ? nothing : { message: line, summary: line, businessCode: undefined };
  }
  if (typeof json.value !== 'object' || json.value === null || Array.isArray(json.value)) return nothing;
  const body = consoleErrorBodySchema.parse(json.value);
  const preferMsg = options.preferMsg === true || body.businessCode === TRACEBACK_CODE;
  const fieldErrors = describeFieldErrors((json.value as Record<string, unknown>).err);
  const said = preferMsg
    ? (body.msg ?? body.detail ?? withoutTraceback(body.msgShow))
    : (body.msgShow ?? body.msg ?? body.detail);
  const first =
    said !== undefined && fieldErrors !== undefined ? `${said}: ${fieldErrors}` : (said ?? fieldErrors);
  if (first === undefined) {
    // No message field (e.g. a validation error keyed by field): the compact JSON is the best account.
    const compact = shorten(JSON.stringify(json.value));
    return { message: compact, summary: compact, businessCode: body.businessCode };
  }
  const message = shorten(first);
  const summary =
    !preferMsg &&
    fieldErrors === undefined &&
    body.msgShow !== undefined &&
    body.msg !== undefined &&
    body.msgShow !== body.msg
      ? shorten(`${body.msgShow} (${body.msg})`)
      : message;
  return { message, summary, businessCode: body.businessCode };
}

/** One line, whitespace collapsed, at most `max` characters (code points), ending in "…" when cut. */
export function shorten(text: string, max = MAX_CONSOLE_MESSAGE_CHARS): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const characters = Array.from(line);
  if (characters.length <= max) return line;
  return `${characters.slice(0, max - 1).join('')}…`;
}

/** The console's business code for an unhandled exception, whose msg_show is a traceback. */
const TRACEBACK_CODE = 10401;

/** `text`, unless it is a Python traceback (several lines, or one that names itself). */
function withoutTraceback(text: string | undefined): string | undefined {
  if (text === undefined || /\n|Traceback \(most recent call last\)/.test(text)) return undefined;
  return text;
}

/**
 * A serializer's field errors as "version: ...; image: ...", undefined when absent. A list
 * serializer answers one object per entry, `{}` for the entries that passed
 * (`{"envs":[{},{"note":["该字段不能为空。"]}]}`): only the failing ones are named, as `envs[1].note`.
 */
function describeFieldErrors(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || Array.isArray(err)) return undefined;
  const parts = fieldProblems(err as Record<string, unknown>, '');
  return parts.length === 0 ? undefined : parts.join('; ');
}

function fieldProblems(errors: Record<string, unknown>, prefix: string): string[] {
  return Object.entries(errors).flatMap(([field, problems]) => {
    const path = `${prefix}${field}`;
    const list = Array.isArray(problems) ? problems : [problems];
    if (list.length > 0 && list.every((p) => typeof p === 'object' && p !== null && !Array.isArray(p))) {
      return list.flatMap((entry, index) =>
        fieldProblems(entry as Record<string, unknown>, `${path}[${index}].`),
      );
    }
    const texts = list.map((p) => (typeof p === 'string' ? p : JSON.stringify(p)));
    return [`${path}: ${texts.join(' ')}`];
  });
}

/** An HTML page's title, or a short plain text; undefined for markup without a title. */
function plainTextOf(text: string): string | undefined {
  if (/^<|<html[\s>]/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
    const line = title === undefined ? '' : shorten(title);
    return line === '' ? undefined : line;
  }
  return shorten(text);
}
