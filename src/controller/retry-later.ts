// Thrown by a reconcile after it recorded why it cannot progress yet (credentials missing,
// console unreachable, outcome still unknown): the work queue retries the key with backoff.
// It is an expected state, not a bug, so it is logged without a stack.
export class RetryLaterError extends Error {
  readonly code = 'RETRY_LATER';
  constructor(message: string) {
    super(message);
    this.name = 'RetryLaterError';
  }
}
