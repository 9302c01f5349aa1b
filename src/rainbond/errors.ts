// Every failure a RainbondClient call throws is one of these five classes. They are typed by what
// the caller must do next, which is the whole point for a non-idempotent copy: see the design's
// exactly-once protocol. Messages are short sentences fit for a Kubernetes condition; they never
// carry the token, and `cause` is a description in words (never a foreign error object, whose
// options would hold the Authorization header).

import type { RouteName } from './routes.ts';

export type RainbondErrorCode =
  | 'RAINBOND_REJECTED'
  | 'RAINBOND_UNAUTHORIZED'
  | 'RAINBOND_OUTCOME_UNKNOWN'
  | 'RAINBOND_NOT_SENT'
  | 'RAINBOND_UNAVAILABLE';

interface RainbondErrorFields {
  route: RouteName;
  httpStatus?: number | undefined;
  /** What happened underneath, in words (e.g. "ECONNRESET: socket hang up"). */
  cause: string;
}

/** A failed call to the console; the subclass says whether it may have taken effect. */
export abstract class RainbondError extends Error {
  abstract readonly code: RainbondErrorCode;
  readonly route: RouteName;
  readonly httpStatus?: number;
  override readonly cause: string;

  constructor(message: string, fields: RainbondErrorFields) {
    super(message);
    this.route = fields.route;
    if (fields.httpStatus !== undefined) this.httpStatus = fields.httpStatus;
    this.cause = fields.cause;
  }
}

/** An error answer whose body the console wrote: its own words and business code. */
abstract class RainbondAnswerError extends RainbondError {
  /** The console's own words: msg_show, else msg, else detail (truncated). */
  readonly consoleMessage: string | undefined;
  /** The envelope's `code` (often a business code such as 3000 or 20002, not the HTTP status). */
  readonly businessCode: number | undefined;

  constructor(
    message: string,
    fields: RainbondErrorFields & { consoleMessage: string | undefined; businessCode: number | undefined },
  ) {
    super(message, fields);
    this.consoleMessage = fields.consoleMessage;
    this.businessCode = fields.businessCode;
  }
}

/** The console answered with a definite 4xx (not 401/403), or a redirect: the request had no effect. */
export class RainbondRejectedError extends RainbondAnswerError {
  override readonly name = 'RainbondRejectedError';
  readonly code = 'RAINBOND_REJECTED';
}

/**
 * The console refused the caller (no work was done; retry once fixed): the token itself (401, most
 * 403s, a token that cannot be sent), or, with `permission`, a valid token whose user lacks a team
 * permission (403, the console's code 10402 "no permissions"), which a team role fixes.
 */
export class RainbondUnauthorizedError extends RainbondError {
  override readonly name = 'RainbondUnauthorizedError';
  readonly code = 'RAINBOND_UNAUTHORIZED';
  readonly consoleMessage: string | undefined;
  /** True for a valid token whose user lacks a team permission (403, code 10402); false for the token itself. */
  readonly permission: boolean;

  constructor(
    message: string,
    fields: RainbondErrorFields & { consoleMessage: string | undefined; permission: boolean },
  ) {
    super(message, fields);
    this.consoleMessage = fields.consoleMessage;
    this.permission = fields.permission;
  }
}

/** The request reached the console and may have taken effect (timeout or reset after sending, 5xx, unreadable 2xx): verify, never repeat blindly. */
export class RainbondOutcomeUnknownError extends RainbondError {
  override readonly name = 'RainbondOutcomeUnknownError';
  readonly code = 'RAINBOND_OUTCOME_UNKNOWN';
}

/** The request never reached the console (refused, DNS, TLS failure, timeout while connecting): no effect, safe to send again. */
export class RainbondNotSentError extends RainbondError {
  override readonly name = 'RainbondNotSentError';
  readonly code = 'RAINBOND_NOT_SENT';
  /** True when the console's certificate failed verification (a CA, or the URL's host, fixes it). */
  readonly certificate: boolean;

  constructor(message: string, fields: RainbondErrorFields & { certificate?: boolean }) {
    super(message, fields);
    this.certificate = fields.certificate ?? false;
  }
}

/**
 * The console answered that it cannot do the call now and did nothing: cluster back-pressure (409
 * "wait a moment please"), not enough cluster resources (412, code 10406), or an invalid licence
 * (401, code 10400). The console's view runs in one database transaction, so nothing of the call
 * remains: retry with backoff; no spec or token change is needed.
 */
export class RainbondUnavailableError extends RainbondAnswerError {
  override readonly name = 'RainbondUnavailableError';
  readonly code = 'RAINBOND_UNAVAILABLE';
}
