/**
 * The API server answered with a failure status (an HTTP error, or an ERROR event inside a
 * watch). `statusCode` is the HTTP code (410 = the requested resourceVersion is too old) and
 * `reason` the Status reason (`Expired`, `Gone`, `Conflict`, ...) when the server gave one.
 */
export class KubeApiError extends Error {
  readonly code = 'KUBE_API_ERROR';
  readonly statusCode: number;
  readonly reason: string | undefined;

  constructor(statusCode: number, message: string, reason?: string) {
    super(message);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
  }
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
