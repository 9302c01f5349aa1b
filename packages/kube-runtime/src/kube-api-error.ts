// The runtime's one vocabulary for the API server's failures, typed by what the caller does
// next. client-node throws its ApiException (with a numeric `code`) for HTTP answers and plain
// errors for network failures; the list/watch reads Status objects itself.

/**
 * The API server answered with a failure status (an HTTP error, or an ERROR event inside a
 * watch). `statusCode` is the HTTP code (410 = the requested resourceVersion is too old) and
 * `reason` the Status reason (`Expired`, `Gone`, `Conflict`, ...) when the server gave one.
 */
export class KubeApiError extends Error {
  readonly code: string = 'KUBE_API_ERROR';
  readonly statusCode: number;
  readonly reason: string | undefined;

  constructor(statusCode: number, message: string, reason?: string) {
    super(message);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

/** The object changed since it was read (HTTP 409): re-read and decide again; never act on the stale copy. */
export class ConflictError extends KubeApiError {
  override readonly code = 'K8S_CONFLICT';
  constructor(what: string) {
    super(409, `${what}: the object changed since it was read`, 'Conflict');
    this.name = 'ConflictError';
  }
}

/** The object does not exist (HTTP 404). */
export class NotFoundError extends KubeApiError {
  override readonly code = 'K8S_NOT_FOUND';
  constructor(what: string) {
    super(404, `${what}: not found`, 'NotFound');
    this.name = 'NotFoundError';
  }
}

/** The HTTP status of a client-node ApiException (or anything with a numeric `code`). */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** Maps 404 and 409 to ConflictError and NotFoundError; anything else is rethrown as it is (retried with backoff). */
export function translateApiError(error: unknown, what: string): never {
  const status = httpStatusOf(error);
  if (status === 409) throw new ConflictError(what);
  if (status === 404) throw new NotFoundError(what);
  throw error;
}

/** True when a list or watch must start over from a fresh list (HTTP 410 Gone / Expired). */
export function isResourceExpired(err: unknown): boolean {
  return (
    err instanceof KubeApiError &&
    (err.statusCode === 410 || err.reason === 'Expired' || err.reason === 'Gone')
  );
}

/** Builds a KubeApiError from a Kubernetes `Status` object (as found in error bodies and watch events). */
export function kubeApiErrorFromStatus(status: unknown, fallbackCode: number): KubeApiError {
  const s = (typeof status === 'object' && status !== null ? status : {}) as {
    code?: unknown;
    reason?: unknown;
    message?: unknown;
  };
  const statusCode = typeof s.code === 'number' ? s.code : fallbackCode;
  const reason = typeof s.reason === 'string' && s.reason !== '' ? s.reason : undefined;
  const message = typeof s.message === 'string' && s.message !== '' ? s.message : `HTTP ${statusCode}`;
  return new KubeApiError(statusCode, message, reason);
}
