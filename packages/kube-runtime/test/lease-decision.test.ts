import { describe, expect, it } from 'vitest';
import type { LeaseSnapshot } from '../src/lease-client.ts';
import {
  decideLease,
  type LeaseDecision,
  type LeaseDecisionInput,
  leadershipLapsed,
  observeLease,
  releasedRecord,
} from '../src/lease-decision.ts';

const NOW = 1_000_000;
const lease = (
  holderIdentity: string,
  rv = '5',
  extra: Partial<LeaseSnapshot['record']> = {},
): LeaseSnapshot => ({
  resourceVersion: rv,
  record: {
    holderIdentity,
    leaseDurationSeconds: 15,
    acquireTime: 100,
    renewTime: 200,
    leaseTransitions: 3,
    ...extra,
  },
});
const base = { identity: 'me', now: NOW, leaseDurationMs: 15_000 };

describe('decideLease', () => {
  it.each<[string, Omit<LeaseDecisionInput, keyof typeof base>, LeaseDecision]>([
    [
      'creates the lease, held by us, when none exists',
      { lease: undefined, observation: undefined },
      {
        action: 'create',
        record: {
          holderIdentity: 'me',
          leaseDurationSeconds: 15,
          acquireTime: NOW,
          renewTime: NOW,
          leaseTransitions: 0,
        },
      },
    ],
    [
      'renews our own lease, keeping acquireTime and the transition count',
      { lease: lease('me'), observation: { resourceVersion: '5', observedAt: NOW - 2000 } },
      {
        action: 'update',
        acquiring: false,
        record: {
          holderIdentity: 'me',
          leaseDurationSeconds: 15,
          acquireTime: 100,
          renewTime: NOW,
          leaseTransitions: 3,
        },
      },
    ],
    [
      'waits while another holder has renewed within its lease duration (by our clock)',
      { lease: lease('other'), observation: { resourceVersion: '5', observedAt: NOW - 14_999 } },
      { action: 'wait', holder: 'other', expiresAt: NOW + 1 },
    ],
    [
      'takes over a lease whose holder has not renewed for its lease duration, counting a transition',
      { lease: lease('other'), observation: { resourceVersion: '5', observedAt: NOW - 15_000 } },
      {
        action: 'update',
        acquiring: true,
        record: {
          holderIdentity: 'me',
          leaseDurationSeconds: 15,
          acquireTime: NOW,
          renewTime: NOW,
          leaseTransitions: 4,
        },
      },
    ],
    [
      'judges expiry by the holder’s lease duration, so a released 1 s lease is free quickly',
      {
        lease: lease('other', '6', { leaseDurationSeconds: 1 }),
        observation: { resourceVersion: '6', observedAt: NOW - 1000 },
      },
      {
        action: 'update',
        acquiring: true,
        record: {
          holderIdentity: 'me',
          leaseDurationSeconds: 15,
          acquireTime: NOW,
          renewTime: NOW,
          leaseTransitions: 4,
        },
      },
    ],
    [
      'takes a lease with no holder at once',
      { lease: lease(''), observation: { resourceVersion: '5', observedAt: NOW } },
      {
        action: 'update',
        acquiring: true,
        record: {
          holderIdentity: 'me',
          leaseDurationSeconds: 15,
          acquireTime: NOW,
          renewTime: NOW,
          leaseTransitions: 4,
        },
      },
    ],
    [
      'ignores a renewTime from the past written by another machine: a lease seen for the first time waits a full duration',
      {
        lease: lease('other', '5', { renewTime: 0 }),
        observation: { resourceVersion: '5', observedAt: NOW },
      },
      { action: 'wait', holder: 'other', expiresAt: NOW + 15_000 },
    ],
  ])('%s', (_name, input, expected) => {
    expect(decideLease({ ...base, ...input })).toEqual(expected);
  });

  it('rounds a lease duration up to whole seconds', () => {
    const decision = decideLease({
      ...base,
      leaseDurationMs: 2500,
      lease: undefined,
      observation: undefined,
    });
    expect(decision.action === 'create' && decision.record.leaseDurationSeconds).toBe(3);
  });
});

describe('observeLease', () => {
  it.each([
    ['has nothing to observe when there is no lease', undefined, undefined, undefined],
    [
      'starts the clock when the lease is first seen',
      undefined,
      lease('x', '7'),
      { resourceVersion: '7', observedAt: NOW },
    ],
    [
      'keeps the time while the record is unchanged',
      { resourceVersion: '7', observedAt: 5 },
      lease('x', '7'),
      { resourceVersion: '7', observedAt: 5 },
    ],
    [
      'restarts the clock when the record changed',
      { resourceVersion: '7', observedAt: 5 },
      lease('x', '8'),
      { resourceVersion: '8', observedAt: NOW },
    ],
  ])('%s', (_name, previous, current, expected) => {
    expect(observeLease(previous, current, NOW)).toEqual(expected);
  });
});

describe('leadershipLapsed', () => {
  it.each([
    ['a leader that renewed just now still leads', NOW, false],
    ['a leader whose last renewal started just under the deadline ago still leads', NOW - 9999, false],
    ['a leader whose last renewal started the deadline ago must stop', NOW - 10_000, true],
    ['a leader that has not renewed for longer must stop', NOW - 60_000, true],
  ])('%s', (_name, lastRenewStartedAt, expected) => {
    expect(leadershipLapsed({ lastRenewStartedAt, now: NOW, renewDeadlineMs: 10_000 })).toBe(expected);
  });
});

describe('releasedRecord', () => {
  it('frees the lease for anyone at once and keeps the transition count', () => {
    expect(releasedRecord(lease('me').record, NOW)).toEqual({
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: NOW,
      renewTime: NOW,
      leaseTransitions: 3,
    });
  });
});
