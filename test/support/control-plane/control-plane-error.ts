/**
 * Why the local control plane could not be built or started. Every message names the cause and
 * what to do about it; `code` is stable so callers and tests branch on it, never on the text.
 */
export type ControlPlaneErrorCode =
  /** `go` is not on PATH and the binaries are not in the cache yet. */
  | 'GO_MISSING'
  /** build.sh exited non-zero; the message carries its last error line and the log path. */
  | 'BUILD_FAILED'
  /** A version string is not of the form vMAJOR.MINOR.PATCH. */
  | 'INVALID_VERSION'
  /** A loopback port needed by etcd or kube-apiserver is taken by another process. */
  | 'PORT_IN_USE'
  /** etcd exited on its own (during start-up or later). */
  | 'ETCD_EXITED'
  /** kube-apiserver exited on its own (during start-up or later). */
  | 'API_SERVER_EXITED'
  /** A process kept running but did not become ready in time. */
  | 'NOT_READY';

export class ControlPlaneError extends Error {
  readonly code: ControlPlaneErrorCode;

  constructor(code: ControlPlaneErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ControlPlaneError';
    this.code = code;
  }
}
