// The console's response styles (rainbond-openapi.md, "Two response styles"): success bodies
// are bare serializer output; most errors are the envelope {code, msg, msg_show, data};
// framework errors (auth, validation, parse) carry `detail`; unhandled exceptions are a 500
// from the console's generic exception handler; unknown URLs get Django's HTML 404 page.
// All of it as goodrain/rainbond-console:console/views/base.py@ae3f1618 (custom_exception_handler)
// and console/utils/response.py@ae3f1618 (MessageResponse, the envelope) shape them. Error
// bodies other than the envelope depend on the console's release (ErrorBodies, releases.ts):
// every builder of one takes the profile's style.
import type { ErrorBodies } from './releases.ts';

export type ResponseBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'html'; text: string }
  | { kind: 'empty' };

export interface ConsoleResponse {
  status: number;
  headers: Record<string, string>;
  body: ResponseBody;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** 200 with a bare body, no envelope. */
export function ok(value: unknown): ConsoleResponse {
  return { status: 200, headers: { ...JSON_TYPE }, body: { kind: 'json', value } };
}

/** 200 with an empty body (DRF renders `Response(None)` as zero bytes). */
export function okEmpty(): ConsoleResponse {
  return { status: 200, headers: { ...JSON_TYPE }, body: { kind: 'empty' } };
}

/** The business-error envelope; `code` defaults to the HTTP status, as ServiceHandleException does. */
export function envelopeError(
  status: number,
  msg: string,
  msgShow: string,
  code: number = status,
): ConsoleResponse {
  return {
    status,
    headers: { ...JSON_TYPE },
    body: { kind: 'json', value: { code, msg, msg_show: msgShow, data: { bean: {}, list: [] } } },
  };
}

function frameworkBody(
  status: number,
  detail: string,
  errorType: string,
  style: ErrorBodies,
): Record<string, unknown> {
  const body: Record<string, unknown> = { detail, code: status, msg: detail, msg_show: detail };
  // Since v6.1.1 the handler adds the exception's class and traceback
  // (console:console/views/base.py@v6.1.1-release; before: @v6.1.0-release).
  if (style === 'plain') return body;
  return {
    ...body,
    error_type: errorType,
    error_trace: `Traceback (most recent call last):\n  ...\nrest_framework.exceptions.${errorType}: ${detail}\n`,
  };
}

/** 401 from the token authentication, with the challenge header DRF's TokenAuthentication sets. */
export function authenticationFailed(detail: string, style: ErrorBodies): ConsoleResponse {
  return {
    status: 401,
    headers: { ...JSON_TYPE, 'www-authenticate': 'Token' },
    body: { kind: 'json', value: frameworkBody(401, detail, 'AuthenticationFailed', style) },
  };
}

/**
 * 400 from a serializer validation error: the console's handler answers `参数错误` plus the
 * field errors; `error_type` and `error_trace` from v6.1.1, `error_trace` dropped again in
 * v6.9.3 (console:console/views/base.py@v6.1.1-release, @v6.9.3-release).
 */
export function validationError(err: unknown, style: ErrorBodies): ConsoleResponse {
  const body: Record<string, unknown> = { detail: '参数错误', err, code: 20400 };
  if (style !== 'plain') body.error_type = 'ValidationError';
  if (style === 'traced') {
    body.error_trace = pythonTraceback('ValidationError', JSON.stringify(err), 'rest_framework.exceptions');
  }
  return { status: 400, headers: { ...JSON_TYPE }, body: { kind: 'json', value: body } };
}

/** 400 for a request body that is not JSON. */
export function parseError(detail: string, style: ErrorBodies): ConsoleResponse {
  return {
    status: 400,
    headers: { ...JSON_TYPE },
    body: { kind: 'json', value: frameworkBody(400, detail, 'ParseError', style) },
  };
}

export function methodNotAllowed(
  method: string,
  allowed: readonly string[],
  style: ErrorBodies,
): ConsoleResponse {
  const detail = `Method "${method}" not allowed.`;
  return {
    status: 405,
    headers: { ...JSON_TYPE, allow: [...allowed, 'OPTIONS'].join(', ') },
    body: { kind: 'json', value: frameworkBody(405, detail, 'MethodNotAllowed', style) },
  };
}

/**
 * 500 from the console's catch-all exception handler, as since console 6.1.1
 * (goodrain/rainbond-console:console/views/base.py@ae3f1618, custom_exception_handler's last
 * branch): business code 10401, `msg` is str(exc) (for a KeyError the quoted key, e.g.
 * `'5f1c...'`), `msg_show` and `error_trace` the Python traceback, `error_details` the
 * exception's args, message and module. Before v6.1.1 (style `plain`) `msg` is the exception's
 * `.message`, which Python 3 exceptions lack, so "", and `msg_show` a fixed text
 * (console:console/views/base.py@v6.1.0-release).
 */
export function serverError(
  errorType: string,
  message: string,
  style: ErrorBodies,
  module = 'builtins',
): ConsoleResponse {
  if (style === 'plain') {
    return {
      status: 500,
      headers: { ...JSON_TYPE },
      body: { kind: 'json', value: { code: 10401, msg: '', msg_show: '服务端异常' } },
    };
  }
  const traceback = pythonTraceback(errorType, message, module);
  return {
    status: 500,
    headers: { ...JSON_TYPE },
    body: {
      kind: 'json',
      value: {
        code: 10401,
        msg: message,
        msg_show: traceback,
        error_type: errorType,
        error_trace: traceback,
        error_details: { args: [message], message, module },
      },
    },
  };
}

/** What traceback.format_exc() gives for an exception raised in a console view. */
export function pythonTraceback(errorType: string, message: string, module = 'builtins'): string {
  const qualified = module === 'builtins' ? errorType : `${module}.${errorType}`;
  return (
    'Traceback (most recent call last):\n' +
    '  File "/usr/local/lib/python3.10/site-packages/rest_framework/views.py", line 512, in dispatch\n' +
    '    response = handler(request, *args, **kwargs)\n' +
    `${qualified}: ${message}\n`
  );
}

/** 403 from a missing team permission (console:console/exception/main.py NoPermissionsError): the envelope, code 10402. */
export function noPermissions(): ConsoleResponse {
  return envelopeError(403, 'no permissions ', '没有操作权限', 10402);
}

/** Python's str() of a KeyError: the key in single quotes. */
export function pythonKeyErrorText(key: string): string {
  return `'${key}'`;
}

/** Django's production 404 page: what any URL outside the routes gets, before authentication. */
export function djangoNotFound(): ConsoleResponse {
  return {
    status: 404,
    headers: { 'content-type': 'text/html' },
    body: {
      kind: 'html',
      text:
        '<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n' +
        '  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n',
    },
  };
}
