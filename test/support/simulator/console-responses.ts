// The console's response styles (rainbond-openapi.md, "Two response styles"): success bodies
// are bare serializer output; most errors are the envelope {code, msg, msg_show, data};
// framework errors (auth, validation, parse) carry `detail`; unhandled exceptions are a 500
// from the console's generic exception handler; unknown URLs get Django's HTML 404 page.
// All of it as goodrain/rainbond-console:console/views/base.py@ae3f1618 (custom_exception_handler)
// and console/utils/response.py@ae3f1618 (MessageResponse, the envelope) shape them.

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

function frameworkBody(status: number, detail: string, errorType: string): Record<string, unknown> {
  return {
    detail,
    code: status,
    msg: detail,
    msg_show: detail,
    error_type: errorType,
    error_trace: `Traceback (most recent call last):\n  ...\nrest_framework.exceptions.${errorType}: ${detail}\n`,
  };
}

/** 401 from the token authentication, with the challenge header DRF's TokenAuthentication sets. */
export function authenticationFailed(detail: string): ConsoleResponse {
  return {
    status: 401,
    headers: { ...JSON_TYPE, 'www-authenticate': 'Token' },
    body: { kind: 'json', value: frameworkBody(401, detail, 'AuthenticationFailed') },
  };
}

/** 400 from a serializer validation error: the console's handler answers `参数错误` plus the field errors. */
export function validationError(err: unknown): ConsoleResponse {
  return {
    status: 400,
    headers: { ...JSON_TYPE },
    body: {
      kind: 'json',
      value: {
        detail: '参数错误',
        err,
        code: 20400,
        error_type: 'ValidationError',
      },
    },
  };
}

/** 400 for a request body that is not JSON. */
export function parseError(detail: string): ConsoleResponse {
  return {
    status: 400,
    headers: { ...JSON_TYPE },
    body: { kind: 'json', value: frameworkBody(400, detail, 'ParseError') },
  };
}

export function methodNotAllowed(method: string, allowed: readonly string[]): ConsoleResponse {
  const detail = `Method "${method}" not allowed.`;
  return {
    status: 405,
    headers: { ...JSON_TYPE, allow: [...allowed, 'OPTIONS'].join(', ') },
    body: { kind: 'json', value: frameworkBody(405, detail, 'MethodNotAllowed') },
  };
}

/**
 * 500 from the console's catch-all exception handler, as since console 6.1.1
 * (goodrain/rainbond-console:console/views/base.py@ae3f1618, custom_exception_handler's last
 * branch): business code 10401, `msg` is str(exc) (for a KeyError the quoted key, e.g.
 * `'5f1c...'`), `msg_show` and `error_trace` the Python traceback, `error_details` the
 * exception's args, message and module.
 */
export function serverError(errorType: string, message: string, module = 'builtins'): ConsoleResponse {
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
