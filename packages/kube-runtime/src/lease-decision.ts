import type { LeaseRecord, LeaseSnapshot } from './lease-client.ts';

// The pure core of leader election (client-go's tryAcquireOrRenew and renew deadline).
// Expiry is judged by the local clock from when this replica saw the record change, never from
// the renewTime written by another machine: clocks of different machines disagree, the speed
// of time passing does not (much).

/** When this replica first saw the current version of the lease record. */
export interface LeaseObservation {
  resourceVersion: string;
  observedAt: number;
}

/** Updates the observation: the clock restarts only when the record changed. */
export function observeLease(
  previous: LeaseObservation | undefined,
  lease: LeaseSnapshot | undefined,
  now: number,
): LeaseObservation | undefined {
  if (!lease) return undefined;
  if (previous?.resourceVersion === lease.resourceVersion) return previous;
  return { resourceVersion: lease.resourceVersion, observedAt: now };
}

export type LeaseDecision =
  /** No lease exists: create it, holding it. */
  | { action: 'create'; record: LeaseRecord }
  /** Write the record (conditionally on the read resourceVersion): renews our lease or takes a free/expired one. */
  | { action: 'update'; record: LeaseRecord; acquiring: boolean }
  /** Someone else holds an unexpired lease: wait. */
  | { action: 'wait'; holder: string; expiresAt: number };

export interface LeaseDecisionInput {
  lease: LeaseSnapshot | undefined;
  /** From `observeLease` for this `lease`. */
  observation: LeaseObservation | undefined;
  identity: string;
  now: number;
  /** Our lease duration, written into the records we write. */
  leaseDurationMs: number;
}

export function decideLease(input: LeaseDecisionInput): LeaseDecision {
  const { lease, identity, now } = input;
  const leaseDurationSeconds = Math.max(1, Math.ceil(input.leaseDurationMs / 1000));
  if (!lease) {
    return {
      action: 'create',
      record: {
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      },
    };
  }
  const current = lease.record;
  const holder = current.holderIdentity ?? '';
  if (holder !== '' && holder !== identity) {
    // The holder's own duration counts (a released lease says 1 s); ours if it wrote none.
    const durationMs = (current.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    const expiresAt = (input.observation?.observedAt ?? now) + durationMs;
    if (now < expiresAt) return { action: 'wait', holder, expiresAt };
  }
  const renewing = holder === identity;
  const transitions = current.leaseTransitions ?? 0;
  return {
    action: 'update',
    acquiring: !renewing,
    record: {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: renewing ? (current.acquireTime ?? now) : now,
      renewTime: now,
      leaseTransitions: renewing ? transitions : transitions + 1,
    },
  };
}

/**
 * A leader must stop acting once its last successful renewal started `renewDeadlineMs` ago:
 * others may take the lease `leaseDurationMs` after they saw that renewal, and
 * renewDeadline < leaseDuration keeps the old leader's stop ahead of anyone's start.
 */
export function leadershipLapsed(input: {
  lastRenewStartedAt: number;
  now: number;
  renewDeadlineMs: number;
}): boolean {
  return input.now - input.lastRenewStartedAt >= input.renewDeadlineMs;
}

/** The record that gives the lease up: free at once for the next candidate. */
export function releasedRecord(current: LeaseRecord, now: number): LeaseRecord {
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: current.leaseTransitions ?? 0,
  };
}
