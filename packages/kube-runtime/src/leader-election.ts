import type { Logger } from 'pino';
import { ABORTED, abortable } from './abortable.ts';
import { type Clock, sleep, type TimerHandle, timeoutSignal } from './clock.ts';
import { ConflictError } from './kube-api-error.ts';
import type { LeaseClient, LeaseSnapshot } from './lease-client.ts';
import {
  decideLease,
  type LeaseObservation,
  leadershipLapsed,
  observeLease,
  releasedRecord,
} from './lease-decision.ts';

// Leader election on a coordination.k8s.io/v1 Lease, like client-go's: every write is
// conditional on the resourceVersion read, so of two candidates only one wins (the other gets
// 409). The leader renews every retry period; if it has not renewed for renewDeadline it stops
// leading on its own, which happens before anyone else may take the lease (after leaseDuration).

export interface LeaderElectionMetrics {
  /** Reports whether this replica leads (leader_election_master_status). */
  leading(isLeader: boolean): void;
}

export interface LeaderElectorOptions {
  leases: LeaseClient;
  namespace: string;
  /** Lease name, shared by all replicas of one controller. */
  name: string;
  /** Unique per replica (for example the pod name plus a random suffix). */
  identity: string;
  /** How long others wait, after they last saw the lease change, before taking it. Default 15000. */
  leaseDurationMs?: number;
  /** How long a leader keeps leading without a successful renewal. Must be < leaseDurationMs. Default 10000. */
  renewDeadlineMs?: number;
  /** Interval between attempts to acquire or renew. Must be < renewDeadlineMs. Default 2000. */
  retryPeriodMs?: number;
  clock: Clock;
  logger: Logger;
  /** Source of jitter for candidates' retries; defaults to Math.random. */
  random?: () => number;
  /** Called when this replica becomes leader. Must not throw (a throw is logged). */
  onStartedLeading?: () => void;
  /** Called when this replica stops leading for any reason (lapsed, lost, stopped, released). */
  onStoppedLeading?: () => void;
  metrics?: LeaderElectionMetrics;
}

export interface LeaderElector {
  /**
   * Campaigns, leads and renews until `signal` aborts or `release()` is called; after losing
   * leadership it campaigns again. Resolves when it has stopped; rejects only when called while
   * already running. Stopping without `release()` leaves the lease to expire.
   */
  run(signal: AbortSignal): Promise<void>;
  isLeader(): boolean;
  /** The holder named by the lease when last read or written, if any. */
  leader(): string | undefined;
  /**
   * Stops `run` for good and, if this replica holds the lease, gives it up so that a standby
   * takes over at once instead of after the lease expires. Resolves true if it released the lease.
   */
  release(): Promise<boolean>;
}

export class LeaderElectionConfigError extends Error {
  readonly code = 'LEADER_ELECTION_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'LeaderElectionConfigError';
  }
}

type Attempt =
  | { kind: 'held'; writeStartedAt: number }
  | { kind: 'held-by-other'; holder: string }
  | { kind: 'failed' };

const CANDIDATE_JITTER = 0.2;

export function createLeaderElector(opts: LeaderElectorOptions): LeaderElector {
  const { leases, namespace, name, identity, clock } = opts;
  const leaseDurationMs = opts.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = opts.retryPeriodMs ?? 2000;
  const random = opts.random ?? Math.random;
  const logger = opts.logger.child({ lease: `${namespace}/${name}`, identity });
  if (identity === '') throw new LeaderElectionConfigError('identity must not be empty');
  if (!(renewDeadlineMs < leaseDurationMs)) {
    throw new LeaderElectionConfigError('renewDeadlineMs must be shorter than leaseDurationMs');
  }
  if (!(retryPeriodMs > 0 && retryPeriodMs * (1 + CANDIDATE_JITTER) < renewDeadlineMs)) {
    throw new LeaderElectionConfigError(
      'retryPeriodMs (with 20% jitter) must be positive and shorter than renewDeadlineMs',
    );
  }

  let leading = false;
  let observation: LeaseObservation | undefined;
  let lastSnapshot: LeaseSnapshot | undefined;
  let lastRenewStartedAt = 0;
  let deadlineTimer: TimerHandle | undefined;
  let inFlight: AbortController | undefined;
  let running: Promise<void> | undefined;
  const released = new AbortController();
  opts.metrics?.leading(false);

  const callback = (fn: (() => void) | undefined, which: string): void => {
    try {
      fn?.();
    } catch (err) {
      logger.error({ err, callback: which }, 'leader election callback threw');
    }
  };

  const armDeadline = (): void => {
    if (deadlineTimer) clock.clearTimeout(deadlineTimer);
    deadlineTimer = clock.setTimeout(
      () => {
        deadlineTimer = undefined;
        if (leadershipLapsed({ lastRenewStartedAt, now: clock.now(), renewDeadlineMs })) {
          stopLeading('no successful renewal within the renew deadline');
        } else {
          armDeadline();
        }
      },
      lastRenewStartedAt + renewDeadlineMs - clock.now(),
    );
  };

  const startLeading = (renewStartedAt: number): void => {
    leading = true;
    lastRenewStartedAt = renewStartedAt;
    armDeadline();
    opts.metrics?.leading(true);
    logger.info('became leader');
    callback(opts.onStartedLeading, 'onStartedLeading');
  };

  /** `expected` stops (shutdown, release) are routine; the others mean the lease slipped away. */
  const stopLeading = (reason: string, expected = false): void => {
    if (!leading) return;
    leading = false;
    if (deadlineTimer) clock.clearTimeout(deadlineTimer);
    deadlineTimer = undefined;
    // A renewal still in flight can no longer make us leader again without a fresh campaign.
    inFlight?.abort();
    opts.metrics?.leading(false);
    if (expected) logger.info({ reason }, 'stopped leading');
    else logger.warn({ reason }, 'stopped leading');
    callback(opts.onStoppedLeading, 'onStoppedLeading');
  };

  /** Reads the lease and writes it if the decision says so. Mutates state only while `signal` is live. */
  const acquireOrRenew = async (signal: AbortSignal): Promise<Attempt> => {
    const lease = await leases.get(namespace, name, signal);
    if (signal.aborted) return { kind: 'failed' };
    const now = clock.now();
    observation = observeLease(observation, lease, now);
    lastSnapshot = lease;
    const decision = decideLease({ lease, observation, identity, now, leaseDurationMs });
    if (decision.action === 'wait') return { kind: 'held-by-other', holder: decision.holder };
    try {
      const written =
        decision.action === 'create'
          ? await leases.create(namespace, name, decision.record, signal)
          : await leases.replace(namespace, name, lease?.resourceVersion ?? '', decision.record, signal);
      if (signal.aborted) return { kind: 'failed' };
      lastSnapshot = written;
      observation = { resourceVersion: written.resourceVersion, observedAt: clock.now() };
      if (decision.action === 'create' || decision.acquiring) logger.info('acquired lease');
      return { kind: 'held', writeStartedAt: now };
    } catch (err) {
      if (err instanceof ConflictError) {
        logger.debug('lost a write race for the lease');
        return { kind: 'failed' };
      }
      throw err;
    }
  };

  /** One attempt, bounded by renewDeadlineMs and aborted if leadership lapses meanwhile. */
  const attempt = async (signal: AbortSignal): Promise<Attempt> => {
    const controller = new AbortController();
    inFlight = controller;
    const timeout = timeoutSignal(clock, renewDeadlineMs, AbortSignal.any([signal, controller.signal]));
    try {
      const result = await abortable(acquireOrRenew(timeout.signal), timeout.signal);
      return result === ABORTED ? { kind: 'failed' } : result;
    } catch (err) {
      if (!timeout.signal.aborted) logger.warn({ err, leading }, 'lease request failed');
      return { kind: 'failed' };
    } finally {
      timeout.clear();
      if (inFlight === controller) inFlight = undefined;
    }
  };

  const loop = async (signal: AbortSignal): Promise<void> => {
    try {
      while (!signal.aborted) {
        if (!leading) {
          const result = await attempt(signal);
          if (result.kind === 'held' && !signal.aborted) {
            startLeading(result.writeStartedAt);
          } else {
            await sleep(clock, retryPeriodMs * (1 + CANDIDATE_JITTER * random()), signal);
          }
          continue;
        }
        if (!(await sleep(clock, retryPeriodMs, signal))) break;
        if (!leading) continue;
        const result = await attempt(signal);
        if (!leading || signal.aborted) continue;
        if (result.kind === 'held') {
          lastRenewStartedAt = result.writeStartedAt;
          armDeadline();
        } else if (result.kind === 'held-by-other') {
          stopLeading(`lease is held by ${result.holder}`);
        }
        // A failed renewal is retried after the retry period until the deadline timer gives up.
      }
    } finally {
      stopLeading('election stopped', true);
    }
  };

  return {
    run(signal) {
      if (running) return Promise.reject(new LeaderElectionConfigError('run() is already running'));
      const combined = AbortSignal.any([signal, released.signal]);
      running = loop(combined)
        .catch((err: unknown) => {
          logger.error({ err }, 'leader election loop crashed');
        })
        .finally(() => {
          running = undefined;
        });
      return running;
    },
    isLeader: () => leading,
    leader: () => lastSnapshot?.record.holderIdentity || undefined,
    async release() {
      released.abort();
      await running;
      for (let tries = 0; tries < 3; tries++) {
        const current = lastSnapshot;
        if (!current || current.record.holderIdentity !== identity) return false;
        const timeout = timeoutSignal(clock, renewDeadlineMs);
        try {
          lastSnapshot = await leases.replace(
            namespace,
            name,
            current.resourceVersion,
            releasedRecord(current.record, clock.now()),
            timeout.signal,
          );
          logger.info('released lease');
          return true;
        } catch (err) {
          if (!(err instanceof ConflictError)) {
            logger.warn({ err }, 'could not release the lease; it will expire instead');
            return false;
          }
          // Our last write may have landed after we stopped waiting for it: read and retry.
          try {
            lastSnapshot = await leases.get(namespace, name, timeout.signal);
          } catch (readErr) {
            logger.warn({ err: readErr }, 'could not read the lease to release it; it will expire instead');
            return false;
          }
        } finally {
          timeout.clear();
        }
      }
      return false;
    },
  };
}
