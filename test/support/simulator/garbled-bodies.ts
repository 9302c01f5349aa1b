// The bodies the garbling faults send instead of the console's answer. Each keeps enough of a
// real answer's shape to be plausible, so a client's parser (not just its status check) is
// what has to notice.
import { STATUS_CODES } from 'node:http';
import type { ResponseBody } from './console-responses.ts';
import { bodyText } from './wire-body.ts';

/** An nginx error page for error statuses; for 200, the console's web UI shell (a proxy misroute). */
export function htmlPage(status: number): string {
  if (status < 300) {
    return (
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Rainbond</title></head>' +
      '<body><div id="root"></div><script src="/static/dists/umi.js"></script></body></html>'
    );
  }
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/** The first half of the serialized answer: a valid start of JSON that never closes. */
export function truncatedText(body: ResponseBody): string {
  const text = bodyText(body);
  if (text.length < 2) return '{"';
  return text.slice(0, Math.floor(text.length / 2));
}

/** Valid JSON of at least `bytes`: objects get an unknown padding field, anything else trailing spaces. */
export function hugeText(body: ResponseBody, bytes: number): string {
  if (
    body.kind === 'json' &&
    typeof body.value === 'object' &&
    body.value !== null &&
    !Array.isArray(body.value)
  ) {
    return JSON.stringify({ ...body.value, x_simulator_padding: 'x'.repeat(bytes) });
  }
  const text = body.kind === 'json' ? bodyText(body) : '{}';
  return text + ' '.repeat(Math.max(0, bytes - text.length));
}

/**
 * The same JSON with every value's type swapped: strings become numbers, numbers and booleans
 * strings, arrays objects keyed by index. A body-less answer becomes an object of that kind.
 */
export function wrongTypesText(body: ResponseBody): string {
  const value = body.kind === 'json' ? body.value : { msg: 200, services: 'none' };
  return JSON.stringify(swapTypes(value));
}

function swapTypes(value: unknown): unknown {
  if (value === null) return 0;
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), swapTypes(v)]));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swapTypes(v)]));
  }
  return value;
}
