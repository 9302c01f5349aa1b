import type { Logger } from 'pino';
import { type BackoffOptions, backoffDelay } from './backoff.ts';
import { type Clock, MAX_TIMER_MS, sleep, type TimerHandle } from './clock.ts';
import { DelayedKeys } from './delayed-keys.ts';
import { fullBucket, reserveToken, type TokenBucketOptions, type TokenBucketState } from './token-bucket.ts';

// A queue of keys (such as `namespace/name`) feeding a bounded pool of workers, with the
// guarantees controllers rely on (client-go's workqueue semantics):
// - a key waiting to be processed is queued once, however often it is added;
// - a key is never processed by two workers at once: adding it while it is being processed
//   marks it dirty, and it runs again once the current run is finished;
// - failed keys come back later, with per-key exponential backoff under an overall rate limit;
// - nothing new starts while the gate is closed (for example while not leading).

/**
 * What a handler asks for after a successful run:
 * - `undefined` or `{}`: done; the key's failure count is reset.
 * - `{ requeueAfterMs: n }` with n > 0: run again after n ms; the failure count is reset.
 * - `{ requeueAfterMs: 0 }` (or negative): run again soon, rate-limited like a failure, so a
 *   handler that always asks for more cannot spin.
 */
export type ReconcileOutcome = { requeueAfterMs?: number } | undefined;

/**
 * Processes one key. `signal` aborts only when the queue shuts down and the drain timeout has
 * passed. A thrown error is logged and the key is retried with backoff.
 */
export type WorkQueueHandler = (key: string, signal: AbortSignal) => Promise<ReconcileOutcome>;

/** How one run of the handler ended, as counted in `controller_runtime_reconcile_total`. */
export type ReconcileResult = 'success' | 'error' | 'requeue' | 'requeue_after';

export interface InFlightStats {
  /** Sum of the ages of all runs in progress. */
  unfinishedWorkSeconds: number;
  /** Age of the oldest run in progress (0 when idle). */
  longestRunningSeconds: number;
}

/** Observations the queue reports; `createRuntimeMetrics` provides a Prometheus implementation. */
export interface WorkQueueMetrics {
  added(): void;
  depth(waiting: number): void;
  retried(): void;
  queueDuration(seconds: number): void;
  workDuration(seconds: number): void;
  reconciled(result: ReconcileResult, seconds: number): void;
  activeWorkers(running: number): void;
  /** Called once; the probe is read whenever the metrics are collected. */
  observeInFlight(probe: () => InFlightStats): void;
}

export interface WorkQueueOptions {
  /** Names the queue in logs and metrics. */
  name: string;
  handler: WorkQueueHandler;
  /** Maximum number of handler runs at once (>= 1). */
  concurrency: number;
  clock: Clock;
  logger: Logger;
  /** Per-key retry delays; defaults to DEFAULT_RETRY_BACKOFF. */
  backoff?: BackoffOptions;
  /** Overall retry rate; defaults to DEFAULT_RETRY_BUCKET. */
  bucket?: TokenBucketOptions;
  /** Source of jitter; defaults to Math.random. */
  random?: () => number;
  /** While it returns false no new run starts (waiting keys stay queued). Defaults to always open. */
  gate?: () => boolean;
  /** How often a closed gate is checked again while keys wait; defaults to 1000 ms. */
  gatePollMs?: number;
  metrics?: WorkQueueMetrics;
}

/** Like client-go's default controller rate limiter (5 ms doubling up to 1000 s), plus jitter. */
export const DEFAULT_RETRY_BACKOFF: BackoffOptions = { baseMs: 5, maxMs: 1_000_000, jitter: 0.1 };
/** Like client-go's default controller rate limiter: 10 retries per second, bursts of 100. */
export const DEFAULT_RETRY_BUCKET: TokenBucketOptions = { qps: 10, burst: 100 };

interface Run {
  startedAt: number;
  controller: AbortController;
}

export class WorkQueue {
  readonly #name: string;
  readonly #handler: WorkQueueHandler;
  readonly #concurrency: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #backoff: BackoffOptions;
  readonly #bucketOptions: TokenBucketOptions;
  readonly #random: () => number;
  readonly #gate: () => boolean;
  readonly #gatePollMs: number;
  readonly #metrics: WorkQueueMetrics | undefined;

  /** Keys ready to run, in FIFO order (a Set keeps insertion order and holds each key once). */
  readonly #waiting = new Set<string>();
  /** Keys added while being processed: they join `#waiting` when their run ends. */
  readonly #dirtyWhileRunning = new Set<string>();
  readonly #running = new Map<string, Run>();
  /** When each pending key was first added, for the queue-duration metric. */
  readonly #addedAt = new Map<string, number>();
  readonly #failures = new Map<string, number>();
  readonly #delayed = new DelayedKeys();
  #bucket: TokenBucketState;

  #delayTimer: { handle: TimerHandle; at: number } | undefined;
  #gateTimer: TimerHandle | undefined;
  #shutdown: Promise<void> | undefined;
  #onIdle: (() => void) | undefined;

  constructor(opts: WorkQueueOptions) {
    if (!(opts.concurrency >= 1)) throw new RangeError(`work queue ${opts.name}: concurrency must be >= 1`);
    this.#name = opts.name;
    this.#handler = opts.handler;
    this.#concurrency = Math.floor(opts.concurrency);
    this.#clock = opts.clock;
    this.#logger = opts.logger.child({ queue: opts.name });
    this.#backoff = opts.backoff ?? DEFAULT_RETRY_BACKOFF;
    this.#bucketOptions = opts.bucket ?? DEFAULT_RETRY_BUCKET;
    this.#random = opts.random ?? Math.random;
    this.#gate = opts.gate ?? (() => true);
    this.#gatePollMs = opts.gatePollMs ?? 1000;
    this.#metrics = opts.metrics;
    this.#bucket = fullBucket(this.#bucketOptions, this.#clock.now());
    this.#metrics?.observeInFlight(() => this.#inFlightStats());
  }

  get name(): string {
    return this.#name;
  }

  /** Queues `key` to run as soon as a worker is free; a no-op if it already waits. */
  add(key: string): void {
    if (this.#shutdown) return;
    this.#metrics?.added();
    if (this.#waiting.has(key) || this.#dirtyWhileRunning.has(key)) return;
    if (!this.#addedAt.has(key)) this.#addedAt.set(key, this.#clock.now());
    if (this.#running.has(key)) {
      this.#dirtyWhileRunning.add(key);
      return;
    }
    this.#waiting.add(key);
    this.#metrics?.depth(this.#waiting.size);
    this.#pump();
  }

  /** Queues `key` after `ms`; a key waiting for an earlier time keeps its earlier time. */
  addAfter(key: string, ms: number): void {
    if (this.#shutdown) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    this.#delayed.schedule(key, this.#clock.now() + Math.min(ms, MAX_TIMER_MS));
    this.#armDelayTimer();
  }

  /**
   * Queues `key` after its next backoff delay (growing with each call until `forget`), and no
   * sooner than the overall retry rate allows.
   */
  addRateLimited(key: string): void {
    if (this.#shutdown) return;
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    this.#metrics?.retried();
    const perKey = backoffDelay(failures, this.#backoff, this.#random);
    const reservation = reserveToken(this.#bucket, this.#clock.now(), this.#bucketOptions);
    this.#bucket = reservation.state;
    this.addAfter(key, Math.max(perKey, reservation.delayMs));
  }

  /** Resets the backoff of `key` (it stops counting as failing). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** How many rate-limited retries `key` has had since it was last forgotten. */
  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Keys ready and waiting for a worker (not counting delayed or running keys). */
  len(): number {
    return this.#waiting.size;
  }

  /** Handler runs in progress. */
  running(): number {
    return this.#running.size;
  }

  /**
   * Stops taking work: later adds are ignored, waiting and delayed keys are dropped, and the
   * promise resolves once the runs in progress have finished, or after `drainTimeoutMs`, when
   * their signals are aborted (their outcome is then no longer awaited). Idempotent.
   */
  shutDown(opts: { drainTimeoutMs: number }): Promise<void> {
    this.#shutdown ??= this.#drain(opts.drainTimeoutMs);
    return this.#shutdown;
  }

  async #drain(drainTimeoutMs: number): Promise<void> {
    if (this.#delayTimer) this.#clock.clearTimeout(this.#delayTimer.handle);
    if (this.#gateTimer) this.#clock.clearTimeout(this.#gateTimer);
    this.#delayTimer = undefined;
    this.#gateTimer = undefined;
    this.#delayed.clear();
    this.#waiting.clear();
    this.#dirtyWhileRunning.clear();
    this.#addedAt.clear();
    this.#metrics?.depth(0);
    if (this.#running.size === 0) return;

    const idle = new AbortController();
    this.#onIdle = () => idle.abort();
    const timedOut = await sleep(this.#clock, drainTimeoutMs, idle.signal);
    this.#onIdle = undefined;
    if (!timedOut) return;
    const keys = [...this.#running.keys()];
    this.#logger.warn({ keys, drainTimeoutMs }, 'drain timeout passed; aborting runs in progress');
    for (const run of this.#running.values()) run.controller.abort(new WorkQueueShutDownError(this.#name));
  }

  #gateOpen(): boolean {
    try {
      return this.#gate();
    } catch (err) {
      this.#logger.error({ err }, 'gate check threw; treating the gate as closed');
      return false;
    }
  }

  /** Starts runs while there is waiting work, a free worker and an open gate. */
  #pump(): void {
    while (!this.#shutdown && this.#waiting.size > 0 && this.#running.size < this.#concurrency) {
      if (!this.#gateOpen()) {
        this.#armGateTimer();
        return;
      }
      const key = this.#waiting.values().next().value as string;
      this.#waiting.delete(key);
      this.#start(key);
    }
  }

  #start(key: string): void {
    const now = this.#clock.now();
    const addedAt = this.#addedAt.get(key) ?? now;
    this.#addedAt.delete(key);
    const run: Run = { startedAt: now, controller: new AbortController() };
    this.#running.set(key, run);
    this.#metrics?.depth(this.#waiting.size);
    this.#metrics?.queueDuration(Math.max(0, now - addedAt) / 1000);
    this.#metrics?.activeWorkers(this.#running.size);
    // #run handles the handler's failures itself; this only catches a throwing metrics hook.
    this.#run(key, run).catch((err: unknown) =>
      this.#logger.error({ err, key }, 'work queue bookkeeping failed'),
    );
  }

  /** Runs the handler once for `key` and applies its outcome. */
  async #run(key: string, run: Run): Promise<void> {
    let result: ReconcileResult;
    try {
      const outcome = await this.#handler(key, run.controller.signal);
      const after = outcome?.requeueAfterMs;
      if (after === undefined) {
        result = 'success';
        this.forget(key);
      } else if (after > 0) {
        result = 'requeue_after';
        this.forget(key);
        this.addAfter(key, after);
      } else {
        result = 'requeue';
        this.addRateLimited(key);
      }
    } catch (err) {
      result = 'error';
      if (!run.controller.signal.aborted) {
        this.#logger.error(
          { err, key, requeues: this.numRequeues(key) },
          'reconcile failed; retrying with backoff',
        );
      }
      this.addRateLimited(key);
    }
    this.#finish(key, run, result);
  }

  #finish(key: string, run: Run, result: ReconcileResult): void {
    const seconds = Math.max(0, this.#clock.now() - run.startedAt) / 1000;
    this.#running.delete(key);
    this.#metrics?.workDuration(seconds);
    this.#metrics?.reconciled(result, seconds);
    this.#metrics?.activeWorkers(this.#running.size);
    if (this.#dirtyWhileRunning.delete(key)) {
      this.#waiting.add(key);
      this.#metrics?.depth(this.#waiting.size);
    }
    if (this.#running.size === 0) this.#onIdle?.();
    this.#pump();
  }

  #armDelayTimer(): void {
    const next = this.#delayed.nextReadyAt();
    if (this.#delayTimer && this.#delayTimer.at === next) return;
    if (this.#delayTimer) this.#clock.clearTimeout(this.#delayTimer.handle);
    this.#delayTimer = undefined;
    if (next === undefined || this.#shutdown) return;
    const handle = this.#clock.setTimeout(
      () => {
        this.#delayTimer = undefined;
        for (const key of this.#delayed.takeReady(this.#clock.now())) this.add(key);
        this.#armDelayTimer();
      },
      Math.max(0, next - this.#clock.now()),
    );
    this.#delayTimer = { handle, at: next };
  }

  #armGateTimer(): void {
    if (this.#gateTimer || this.#shutdown) return;
    this.#gateTimer = this.#clock.setTimeout(() => {
      this.#gateTimer = undefined;
      this.#pump();
    }, this.#gatePollMs);
  }

  #inFlightStats(): InFlightStats {
    const now = this.#clock.now();
    let unfinished = 0;
    let longest = 0;
    for (const run of this.#running.values()) {
      const age = Math.max(0, now - run.startedAt) / 1000;
      unfinished += age;
      longest = Math.max(longest, age);
    }
    return { unfinishedWorkSeconds: unfinished, longestRunningSeconds: longest };
  }
}

/** The abort reason given to handlers still running when the drain timeout passes. */
export class WorkQueueShutDownError extends Error {
  readonly code = 'WORK_QUEUE_SHUT_DOWN';
  constructor(queue: string) {
    super(`work queue ${queue} shut down before this run finished`);
    this.name = 'WorkQueueShutDownError';
  }
}
