// Failure facts -> the error that tells the caller what to do next. Pure, so the whole table of
// HTTP statuses, transport codes and stages has its own tests; the transport only gathers facts.
//
// The rule that matters for exactly-once: a request is NotSent only when it provably never left
// (no connection, or a TLS handshake that never completed). Anything after that which did not
// end in a definite answer is OutcomeUnknown, because a NotSent copy gets sent again.

import { readConsoleMessage } from './console-message.ts';
import {
  type RainbondError,
  RainbondNotSentError,
  RainbondOutcomeUnknownError,
  RainbondRejectedError,
  RainbondUnauthorizedError,
  RainbondUnavailableError,
} from './errors.ts';
import { describeRoute, type RouteName } from './routes.ts';
import { parseJson } from './schemas.ts';

/** How far a request got before it failed without an answer. */
export type Stage =
  /** No connection (or no completed TLS handshake): not a byte of the request reached the console. */
  | 'before-connection'
  /** Connected, the request possibly partly written. */
  | 'connected'
  /** The whole request was written. */
  | 'sent';

export type Failure =
  /** The console answered with a status other than 2xx. `bodyText` is undefined when the body could not be read. */
  | { type: 'status'; status: number; bodyText: string | undefined; location?: string | undefined }
  /** The console answered 2xx but its body could not be read or parsed. */
  | { type: 'unreadable'; status: number; problem: string }
  /** No answer: a network error, a timeout or a cancellation. `code` is Node's or got's error code. */
  | {
      type: 'transport';
      code: string;
      stage: Stage;
      /** host[:port] of the console. */
      host: string;
      /** The underlying error's message (never contains headers). */
      detail: string;
      /** The request timeout that expired, when `code` is ETIMEDOUT. */
      timeoutMs?: number | undefined;
    }
  /** The token cannot be sent at all (empty, or characters not allowed in a header). */
  | { type: 'unusable-token'; problem: string };

const dnsCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const connectCodes = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN']);
/** Verification failures a CA file fixes: the issuer is not trusted. */
const untrustedIssuerCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
]);
/** Other certificate verification failures (OpenSSL's X509_V_ERR names as Node reports them). */
const otherCertificateCodes = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
]);

/** Routes whose request changes something in the console; their unknown outcomes say so. */
const mutatingRoutes = new Set<RouteName>(['copy', 'operateComponents', 'deleteComponent']);

/** Where the console's CA is set, for messages: `the CA file setting (RAINBOND_CA_FILE)` by default. */
export const OPERATOR_CA_SETTING = 'the CA file setting (RAINBOND_CA_FILE)';

/**
 * The error a failed call throws, decided from what is known about the failure. `caSetting`
 * names, for a message about an untrusted certificate, where this console's CA is set.
 */
export function classifyFailure(
  route: RouteName,
  failure: Failure,
  caSetting: string = OPERATOR_CA_SETTING,
): RainbondError {
  switch (failure.type) {
    case 'status':
      return classifyStatus(route, failure.status, failure.bodyText, failure.location);
    case 'unreadable':
      return new RainbondOutcomeUnknownError(
        `the console answered ${describeRoute(route)} with HTTP ${failure.status} but the answer could not be read: ${failure.problem}${effectNote(route, 'took')}`,
        { route, httpStatus: failure.status, cause: failure.problem },
      );
    case 'transport':
      return classifyTransport(route, failure, caSetting);
    case 'unusable-token':
      return new RainbondUnauthorizedError(
        `the token cannot be used for ${describeRoute(route)}: ${failure.problem}; nothing was sent`,
        { route, cause: failure.problem, consoleMessage: undefined, permission: false },
      );
  }
}

function classifyStatus(
  route: RouteName,
  status: number,
  bodyText: string | undefined,
  location: string | undefined,
): RainbondError {
  const said = readConsoleMessage(bodyText, { preferMsg: status >= 500 });
  const what = describeRoute(route);
  const suffix = said.summary === undefined ? '' : `: ${said.summary}`;
  const cause = said.message ?? (bodyText === undefined ? 'the answer body could not be read' : 'no message');
  const unavailable = consoleUnavailability(status, said.businessCode, bodyText);
  if (unavailable !== undefined) {
    return new RainbondUnavailableError(
      `${unavailable} (HTTP ${status}${said.businessCode === undefined ? '' : `, code ${said.businessCode}`})${suffix}; the console did nothing of ${what}`,
      { route, httpStatus: status, cause, consoleMessage: said.message, businessCode: said.businessCode },
    );
  }
  if (status === 403 && said.businessCode === NO_PERMISSIONS_CODE) {
    const needed = V5_ROUTE_PERMISSIONS[route];
    const which =
      needed === undefined
        ? ''
        : ` (consoles before v6.0 check it per call: ${what} needs ${needed} in the team of the URL)`;
    return new RainbondUnauthorizedError(
      `the console refused ${what} to the token's user (HTTP 403, code ${NO_PERMISSIONS_CODE})${suffix}; the token is valid, but its user lacks the team permission for it${which}`,
      { route, httpStatus: status, cause, consoleMessage: said.message, permission: true },
    );
  }
  if (status === 401 || status === 403) {
    return new RainbondUnauthorizedError(
      `the console did not accept the token for ${what} (HTTP ${status})${suffix}`,
      { route, httpStatus: status, cause, consoleMessage: said.message, permission: false },
    );
  }
  if (status >= 300 && status < 400) {
    const target = originOf(location);
    return new RainbondRejectedError(
      `the console URL redirected ${what} (HTTP ${status})${target ? ` to ${target}` : ''}; set the console URL to the address that answers directly`,
      {
        route,
        httpStatus: status,
        cause: `redirect${target ? ` to ${target}` : ''}`,
        consoleMessage: said.message,
        businessCode: said.businessCode,
      },
    );
  }
  if (status >= 400 && status < 500) {
    const hint =
      status === 409 && said.businessCode === TEAM_NOT_IN_REGION_CODE ? TEAM_NOT_IN_REGION_HINT : '';
    return new RainbondRejectedError(`the console rejected ${what} (HTTP ${status})${suffix}${hint}`, {
      route,
      httpStatus: status,
      cause,
      consoleMessage: said.message,
      businessCode: said.businessCode,
    });
  }
  if (status >= 500 && status < 600) {
    return new RainbondOutcomeUnknownError(
      `the console failed on ${what} (HTTP ${status})${suffix}${effectNote(route, 'may have')}`,
      { route, httpStatus: status, cause },
    );
  }
  return new RainbondOutcomeUnknownError(
    `the console answered ${what} with an unexpected HTTP ${status}${effectNote(route, 'may have')}`,
    { route, httpStatus: status, cause },
  );
}

/**
 * The console's answers that mean "not now, and nothing was done", all from its exception handler
 * (goodrain/rainbond-console:console/views/base.py@ae3f1618, custom_exception_handler): the region
 * refused for back-pressure (CallApiFrequentError -> 409 "wait a moment please"; the only 409 of
 * that handler, told from other 409s such as code 2001 by its fixed msg), not enough cluster
 * resources (ResourceNotEnoughException -> 412, code 10406), an invalid or expired licence
 * (InvalidLicenseError -> 401, code 10400; not the token). Undefined for any other answer.
 */
function consoleUnavailability(
  status: number,
  businessCode: number | undefined,
  bodyText: string | undefined,
): string | undefined {
  if (status === 401 && businessCode === 10400) {
    return "the console's licence is invalid or expired, which its administrator must renew";
  }
  if (status === 412 && businessCode === 10406) return 'the cluster has not enough resources for it now';
  if (status === 409 && rawMsg(bodyText) === BACK_PRESSURE_MSG) {
    return 'the console is busy (the cluster asked it to wait a moment)';
  }
  return undefined;
}

const BACK_PRESSURE_MSG = 'wait a moment please';

/**
 * Code 2001 (console v6.9.2 on, f26ae2451): every team route answers it before any work when the
 * team has no initialized record in the URL's region, and also (read in the code, not seen run)
 * when that region is not online, since the team's usable regions leave offline ones out
 * (console:openapi/views/base.py@v6.9.2-release TeamAPIView.initial,
 * console:console/services/region_services.py@v6.9.2-release get_team_usable_regions).
 */
const TEAM_NOT_IN_REGION_CODE = 2001;
const TEAM_NOT_IN_REGION_HINT =
  '; the console gives this answer when the team was never opened in that region, and also when the region is offline';

/**
 * The console's "no permissions" (NoPermissionsError, raised by has_perms in the views, e.g.
 * APPOperationsView's stop needs team permission 300006: goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618).
 * A 403 without it (DRF's "Authentication credentials were not provided.") is about the token.
 */
const NO_PERMISSIONS_CODE = 10402;

/**
 * The team permission each call needs on consoles v5.16-v5.17, where every OpenAPI route names
 * the permissions it requires and the view checks them against the caller's roles in the URL's
 * team before anything else (console:openapi/sub_urls/app_url.py@v5.17.3-release routes,
 * console:console/utils/perms_route_config.py@v5.17.3-release the codes, console:console/utils/perms.py@v5.17.3-release
 * their names). The refusal does not say which permission was missing, so the operator does. No
 * route checks a permission from v6.0.0 (console b07352fd9); the envs route never did.
 */
const V5_ROUTE_PERMISSIONS: Partial<Record<RouteName, string>> = {
  copyPreflight: 'permission 200001 (team: describe, 查看团队信息)',
  copy: 'permission 300014 (app: copy, 复制)',
  listComponents: 'permission 300001 (app: describe, 查看)',
  getComponent: 'permission 400001 (component: describe, 查看)',
  componentEvents: 'permission 400001 (component: describe, 查看)',
  deleteComponent: 'permission 400004 (component: delete, 删除)',
};

/** The envelope's `msg`, exactly as sent (readConsoleMessage shortens and prefers msg_show). */
function rawMsg(bodyText: string | undefined): string | undefined {
  const json = bodyText === undefined ? undefined : parseJson(bodyText);
  const value = json?.value;
  if (typeof value !== 'object' || value === null) return undefined;
  const msg = (value as Record<string, unknown>).msg;
  return typeof msg === 'string' ? msg.trim() : undefined;
}

function classifyTransport(
  route: RouteName,
  failure: Extract<Failure, { type: 'transport' }>,
  caSetting: string,
): RainbondError {
  const what = describeRoute(route);
  const { code, host, detail } = failure;
  const cause = `${code}: ${detail}`;
  if (failure.stage === 'before-connection') {
    const notSent = (message: string, certificate = false) =>
      new RainbondNotSentError(message, { route, cause, certificate });
    if (dnsCodes.has(code)) {
      return notSent(
        `could not resolve the console host ${hostnameOf(host)} for ${what} (${code}); nothing was sent`,
      );
    }
    if (connectCodes.has(code)) {
      return notSent(
        `could not connect to the console at ${host} for ${what}: ${connectProblem(code)} (${code}); nothing was sent`,
      );
    }
    // OpenSSL's reason only: Node appends advice about its own flags that does not apply here.
    const reason = detail.split(';')[0]?.trim() || detail;
    if (untrustedIssuerCodes.has(code)) {
      return notSent(
        `certificate verification failed for ${host}: ${reason} (${code}); set ${caSetting} to the PEM of the CA that signed the console's certificate; nothing was sent`,
        true,
      );
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
      return notSent(
        `certificate verification failed for ${host}: the certificate does not name this host (${code}); use a console URL whose host the certificate names; nothing was sent`,
        true,
      );
    }
    if (otherCertificateCodes.has(code)) {
      return notSent(
        `certificate verification failed for ${host}: ${reason} (${code}); nothing was sent`,
        true,
      );
    }
    if (code === 'ETIMEDOUT') {
      return notSent(
        `timed out${within(failure.timeoutMs)} connecting to the console at ${host} for ${what}; nothing was sent`,
      );
    }
    if (code === 'ERR_ABORTED')
      return notSent(`${what} was cancelled before it reached the console; nothing was sent`);
    return notSent(
      `could not connect to the console at ${host} for ${what}: ${detail} (${code}); nothing was sent`,
    );
  }
  const unknown = (message: string) => new RainbondOutcomeUnknownError(message, { route, cause });
  const while_ = failure.stage === 'sent' ? 'after sending it' : 'while sending it';
  if (code === 'ETIMEDOUT') {
    return unknown(
      `no answer from the console at ${host} to ${what}${within(failure.timeoutMs)} ${while_}${effectNote(route, 'may have')}`,
    );
  }
  if (code === 'ERR_ABORTED') {
    return unknown(`${what} was cancelled ${while_} to the console${effectNote(route, 'may have')}`);
  }
  return unknown(
    `the connection to the console at ${host} failed ${while_} for ${what}, before an answer: ${detail} (${code})${effectNote(route, 'may have')}`,
  );
}

function effectNote(route: RouteName, verb: 'may have' | 'took'): string {
  if (!mutatingRoutes.has(route)) return '';
  return verb === 'took' ? '; it took effect' : '; it may have taken effect';
}

function within(timeoutMs: number | undefined): string {
  return timeoutMs === undefined ? '' : ` within ${timeoutMs} ms`;
}

function connectProblem(code: string): string {
  return code === 'ECONNREFUSED' ? 'connection refused' : 'host or network unreachable';
}

function hostnameOf(host: string): string {
  return host.replace(/:\d+$/, '');
}

/** Only the origin of a redirect target: its path and query may carry ids or tickets. */
function originOf(location: string | undefined): string | undefined {
  if (location === undefined) return undefined;
  try {
    const url = new URL(location);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
