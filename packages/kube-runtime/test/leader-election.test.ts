import { describe, expect, it } from 'vitest';
import { ConflictError } from '../src/kube-api-error.ts';
import { createLeaderElector, LeaderElectionConfigError } from '../src/leader-election.ts';
import type { LeaseClient, LeaseRecord, LeaseSnapshot } from '../src/lease-client.ts';
import { createFakeClock, type FakeClock } from '../src/testing.ts';
import { captureLogs } from './log-capture.ts';

/** One lease with API-server semantics: writes succeed only against the current resourceVersion. */
class LeaseStore {
  current: LeaseSnapshot | undefined;
  #rv = 0;

  write(record: LeaseRecord): LeaseSnapshot {
    this.current = { resourceVersion: String(++this.#rv), record: { ...record } };
    return structuredClone(this.current);
  }

  /** A replica's connection to the store; `partitioned` makes its requests fail, `hanging` never answer. */
  connect(): LeaseClient & { partitioned: boolean; hanging: boolean } {
    const store = this;
    const guard = (signal: AbortSignal): Promise<void> => {
      if (client.hanging) {
        return new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
        );
      }
      return client.partitioned ? Promise.reject(new Error('connection refused')) : Promise.resolve();
    };
    const client = {
      partitioned: false,
      hanging: false,
      async get(_ns: string, _name: string, signal: AbortSignal) {
        await guard(signal);
        return store.current && structuredClone(store.current);
      },
      async create(ns: string, name: string, record: LeaseRecord, signal: AbortSignal) {
        await guard(signal);
        if (store.current) throw new ConflictError(`lease ${ns}/${name}`);
        return store.write(record);
      },
      async replace(ns: string, name: string, rv: string, record: LeaseRecord, signal: AbortSignal) {
        await guard(signal);
        if (store.current?.resourceVersion !== rv) throw new ConflictError(`lease ${ns}/${name}`);
        return store.write(record);
      },
    };
    return client;
  }
}

function replica(clock: FakeClock, store: LeaseStore, identity: string, log: string[]) {
  const client = store.connect();
  const { logger } = captureLogs();
  const metric: boolean[] = [];
  const elector = createLeaderElector({
    leases: client,
    namespace: 'ns',
    name: 'controller',
    identity,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2000,
    clock,
    logger,
    random: () => 0,
    onStartedLeading: () => log.push(`${clock.now() - START} ${identity} started`),
    onStoppedLeading: () => log.push(`${clock.now() - START} ${identity} stopped`),
    metrics: { leading: (v) => metric.push(v) },
  });
  const stop = new AbortController();
  const done = elector.run(stop.signal);
  return { elector, client, stop, done, metric };
}

const START = Date.UTC(2025, 0, 1);

describe('leader elector', () => {
  it('creates the lease, leads, and renews every retry period', async () => {
    const clock = createFakeClock(START);
    const store = new LeaseStore();
    const log: string[] = [];
    const a = replica(clock, store, 'a', log);
    await clock.flush();
    expect(a.elector.isLeader()).toBe(true);
    expect(a.elector.leader()).toBe('a');
    expect(log).toEqual(['0 a started']);
    expect(store.current?.record.holderIdentity).toBe('a');
    await clock.advance(2000);
    expect(store.current?.record.renewTime).toBe(START + 2000);
    await clock.advance(60_000);
    expect(a.elector.isLeader()).toBe(true);
    expect(store.current?.record.leaseTransitions).toBe(0);
    expect(a.metric).toEqual([false, true]);
    a.stop.abort();
    await a.done;
    expect(log).toEqual(['0 a started', '62000 a stopped']);
    expect(a.metric).toEqual([false, true, false]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a leader cut off from the API stops before the lease expires; a follower takes over only after expiry', async () => {
    const clock = createFakeClock(START);
    const store = new LeaseStore();
    const log: string[] = [];
    const a = replica(clock, store, 'a', log);
    await clock.flush();
    const b = replica(clock, store, 'b', log);
    await clock.advance(5000);
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    expect(b.elector.leader()).toBe('a');

    // a's last successful renewal started at t=4000.
    a.client.partitioned = true;
    await clock.advance(30_000);
    expect(a.elector.isLeader()).toBe(false);
    expect(b.elector.isLeader()).toBe(true);
    expect(log).toEqual(['0 a started', '14000 a stopped', '20000 b started']);
    // b last saw a's record change at t=4000, so it may take over from t=19000 (its next try: 20000).
    expect(store.current?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });

    // a's connection comes back: it must follow, not lead.
    a.client.partitioned = false;
    await clock.advance(30_000);
    expect(a.elector.isLeader()).toBe(false);
    expect(b.elector.isLeader()).toBe(true);

    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('steps down at the renew deadline even while a renewal hangs', async () => {
    const clock = createFakeClock(START);
    const store = new LeaseStore();
    const log: string[] = [];
    const a = replica(clock, store, 'a', log);
    await clock.advance(1000);
    a.client.hanging = true;
    await clock.advance(20_000);
    // Last renewal started at t=0; the deadline passes at t=10000 regardless of the hung request.
    expect(log).toEqual(['0 a started', '10000 a stopped']);
    a.client.hanging = false;
    await clock.advance(5000);
    // Nobody else took the lease, and it still names us: we may lead again.
    expect(a.elector.isLeader()).toBe(true);
    a.stop.abort();
    await a.done;
  });

  it('stops at once when it finds someone else holding the lease', async () => {
    const clock = createFakeClock(START);
    const store = new LeaseStore();
    const log: string[] = [];
    const a = replica(clock, store, 'a', log);
    await clock.flush();
    store.write({ ...store.current!.record, holderIdentity: 'intruder' });
    await clock.advance(2000);
    expect(a.elector.isLeader()).toBe(false);
    expect(log).toEqual(['0 a started', '2000 a stopped']);
    a.stop.abort();
    await a.done;
  });

  it('release hands the lease to a standby at its next try instead of after expiry', async () => {
    const clock = createFakeClock(START);
    const store = new LeaseStore();
    const log: string[] = [];
    const a = replica(clock, store, 'a', log);
    await clock.flush();
    const b = replica(clock, store, 'b', log);
    await clock.advance(10_000);
    expect(await a.elector.release()).toBe(true);
    expect(a.elector.isLeader()).toBe(false);
    expect(store.current?.record).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    await clock.advance(2500);
    expect(b.elector.isLeader()).toBe(true);
    expect(log).toEqual(['0 a started', '10000 a stopped', '12000 b started']);
    await a.done;
    b.stop.abort();
    await b.done;
    // A released elector does not campaign again.
    expect(await a.elector.release()).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('release by a follower leaves the lease alone', async () => {
    const clock = createFakeClock(START);
    const store = new LeaseStore();
    const log: string[] = [];
    const a = replica(clock, store, 'a', log);
    await clock.flush();
    const b = replica(clock, store, 'b', log);
    await clock.advance(3000);
    expect(await b.elector.release()).toBe(false);
    expect(store.current?.record.holderIdentity).toBe('a');
    a.stop.abort();
    await a.done;
  });

  it('of two candidates racing for a free lease exactly one wins', async () => {
    const clock = createFakeClock(START);
    const store = new LeaseStore();
    const log: string[] = [];
    const a = replica(clock, store, 'a', log);
    const b = replica(clock, store, 'b', log);
    await clock.advance(30_000);
    expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).toHaveLength(1);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it.each([
    [
      'a renew deadline not shorter than the lease duration',
      { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 },
    ],
    ['a retry period not shorter than the renew deadline', { renewDeadlineMs: 2000, retryPeriodMs: 2000 }],
    ['an empty identity', { identity: '' }],
  ])('rejects %s', (_name, overrides) => {
    const { logger } = captureLogs();
    expect(() =>
      createLeaderElector({
        leases: new LeaseStore().connect(),
        namespace: 'ns',
        name: 'l',
        identity: 'me',
        clock: createFakeClock(),
        logger,
        ...overrides,
      }),
    ).toThrow(LeaderElectionConfigError);
  });
});
