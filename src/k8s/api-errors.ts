// Kubernetes API failures, typed by what the caller does next. client-node throws its
// ApiException (with `code`) for HTTP answers and plain errors for network failures.

/** The object changed since it was read (HTTP 409): re-read and decide again; never act on the stale copy. */
export class ConflictError extends Error {
  readonly code = 'K8S_CONFLICT';
  constructor(what: string) {
    super(`${what}: the object changed since it was read`);
    this.name = 'ConflictError';
  }
}

/** The object does not exist (HTTP 404). */
export class NotFoundError extends Error {
  readonly code = 'K8S_NOT_FOUND';
  constructor(what: string) {
    super(`${what}: not found`);
    this.name = 'NotFoundError';
  }
}

export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** Maps 404 and 409 to our error types; anything else is rethrown as it is (retried with backoff). */
export function translateApiError(error: unknown, what: string): never {
  const status = httpStatusOf(error);
  if (status === 409) throw new ConflictError(what);
  if (status === 404) throw new NotFoundError(what);
  throw error;
}
