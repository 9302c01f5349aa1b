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

/** Reads an error answer's body in any of the styles the console (or a proxy in front of it) uses. */
export function readConsoleMessage(bodyText: string | undefined): ConsoleMessage {
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
  const first = body.msgShow ?? body.msg ?? body.detail;
  if (first === undefined) {
    // No message field (e.g. a validation error keyed by field): the compact JSON is the best account.
    const compact = shorten(JSON.stringify(json.value));
    return { message: compact, summary: compact, businessCode: body.businessCode };
  }
  const message = shorten(first);
  const summary =
    body.msgShow !== undefined && body.msg !== undefined && body.msgShow !== body.msg
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

/** An HTML page's title, or a short plain text; undefined for markup without a title. */
function plainTextOf(text: string): string | undefined {
  if (/^<|<html[\s>]/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
    const line = title === undefined ? '' : shorten(title);
    return line === '' ? undefined : line;
  }
  return shorten(text);
}
