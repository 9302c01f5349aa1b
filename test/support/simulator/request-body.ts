// request.data as Django REST framework builds it: JSON bodies are parsed (an empty body is {}),
// form bodies become a flat dict, any other content type yields {}. Malformed JSON is a 400.
import { type ConsoleResponse, parseError } from './console-responses.ts';
import type { ErrorBodies } from './releases.ts';

export type BodyResult = { ok: true; data: unknown } | { ok: false; response: ConsoleResponse };

export function readRequestData(
  contentType: string | undefined,
  raw: string,
  style: ErrorBodies,
): BodyResult {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') {
    return { ok: true, data: Object.fromEntries(new URLSearchParams(raw)) };
  }
  if (!type.endsWith('json')) return { ok: true, data: {} };
  if (raw.trim() === '') return { ok: true, data: {} };
  try {
    return { ok: true, data: JSON.parse(raw) };
  } catch (err) {
    return { ok: false, response: parseError(`JSON parse error - ${(err as Error).message}`, style) };
  }
}
