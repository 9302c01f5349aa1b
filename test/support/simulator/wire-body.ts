// Turning a ConsoleResponse into bytes: compact JSON in UTF-8 (DRF's renderer with
// UNICODE_JSON), HTML as is, and zero bytes for an empty body.
import type { ResponseBody } from './console-responses.ts';

export function bodyText(body: ResponseBody): string {
  switch (body.kind) {
    case 'json':
      return JSON.stringify(body.value);
    case 'html':
      return body.text;
    case 'empty':
      return '';
  }
}
