// The console's failures as the client types them (src/rainbond/errors.ts), one builder per
// kind a test needs, with the fields the client would fill in.
import {
  RainbondNotSentError,
  RainbondOutcomeUnknownError,
  RainbondRejectedError,
  RainbondUnauthorizedError,
  RainbondUnavailableError,
} from '../../src/rainbond/errors.ts';
import type { RouteName } from '../../src/rainbond/routes.ts';

/** The fields of an error answer the console wrote: its words are the cause. */
function answered(route: RouteName, httpStatus: number, consoleMessage: string) {
  return { route, httpStatus, cause: consoleMessage, consoleMessage };
}

/** A definite 4xx: nothing was done (404 app not found, 400 not enough quota, ...). */
export function rejected(
  httpStatus: number,
  consoleMessage: string,
  options: { route?: RouteName; businessCode?: number } = {},
): RainbondRejectedError {
  return new RainbondRejectedError(`the console answered ${httpStatus}: ${consoleMessage}`, {
    ...answered(options.route ?? 'copy', httpStatus, consoleMessage),
    businessCode: options.businessCode ?? httpStatus,
  });
}

/** Sent, and it may have taken effect: a 5xx (`httpStatus`), or a timeout or reset (none). */
export function outcomeUnknown(
  cause: string,
  options: { route?: RouteName; httpStatus?: number } = {},
): RainbondOutcomeUnknownError {
  const message =
    options.httpStatus === undefined ? cause : `the console failed (HTTP ${options.httpStatus}): ${cause}`;
  return new RainbondOutcomeUnknownError(message, {
    route: options.route ?? 'copy',
    ...(options.httpStatus === undefined ? {} : { httpStatus: options.httpStatus }),
    cause,
  });
}

/** Never reached the console (connection refused). */
export function notSent(route: RouteName = 'copy'): RainbondNotSentError {
  return new RainbondNotSentError('cannot reach the console: connection refused', {
    route,
    cause: 'ECONNREFUSED',
  });
}

/** The token was refused (401). */
export function unauthorized(route: RouteName = 'copy'): RainbondUnauthorizedError {
  return new RainbondUnauthorizedError('the console refused the token (HTTP 401)', {
    ...answered(route, 401, 'No such user'),
    permission: false,
  });
}

/** "Not now": back-pressure (409 "wait a moment please"); nothing was done. */
export function unavailable(route: RouteName = 'copy'): RainbondUnavailableError {
  return new RainbondUnavailableError('the console is busy (HTTP 409): wait a moment please', {
    ...answered(route, 409, 'wait a moment please'),
    businessCode: 409,
  });
}
