import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../packages/kube-runtime/src/clock.ts';
import {
  createLeaderElector,
  type LeaderElector,
} from '../../../packages/kube-runtime/src/leader-election.ts';
import { createKubeLeaseClient } from '../../../packages/kube-runtime/src/lease-client.ts';
import { captureLogs } from '../../../packages/kube-runtime/test/log-capture.ts';
import { eventually } from '../../support/eventually.ts';
import { createTestNamespace, testKubeConfig } from '../../support/kube.ts';
import { startFreezableProxy } from './freezable-proxy.ts';

interface Candidate {
  elector: LeaderElector;
  stop: AbortController;
  done: Promise<void>;
  startedAt: number[];
  stoppedAt: number[];
}

const TIMING = { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 };

describe('leader election against the API server', () => {
  const candidates: Candidate[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of candidates.splice(0)) {
      c.stop.abort();
      await c.done;
    }
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  function candidate(
    kc: KubeConfig,
    namespace: string,
    identity: string,
    timing: typeof TIMING = TIMING,
  ): Candidate {
    const startedAt: number[] = [];
    const stoppedAt: number[] = [];
    const elector = createLeaderElector({
      leases: createKubeLeaseClient(kc.makeApiClient(CoordinationV1Api)),
      namespace,
      name: 'controller-leader',
      identity,
      ...timing,
      clock: systemClock,
      logger: captureLogs().logger,
      onStartedLeading: () => startedAt.push(Date.now()),
      onStoppedLeading: () => stoppedAt.push(Date.now()),
    });
    const stop = new AbortController();
    const c = { elector, stop, done: elector.run(stop.signal), startedAt, stoppedAt };
    candidates.push(c);
    return c;
  }

  async function holder(kc: KubeConfig, namespace: string): Promise<string | undefined> {
    const lease = await kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace, name: 'controller-leader' });
    return lease.spec?.holderIdentity;
  }

  it('one candidate leads; when it stops renewing, the other takes over only after the lease expires', async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'rt-le');
    const a = candidate(kc, namespace, 'a');
    await eventually(() => a.elector.isLeader(), { what: 'a to lead', timeoutMs: 20_000, intervalMs: 50 });
    const b = candidate(kc, namespace, 'b');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(b.elector.isLeader()).toBe(false);
    expect(await holder(kc, namespace)).toBe('a');

    // a dies without releasing: its lease must run out before b may lead.
    a.stop.abort();
    await a.done;
    const aStopped = a.stoppedAt[0]!;
    await eventually(() => b.elector.isLeader(), { what: 'b to lead', timeoutMs: 15_000, intervalMs: 50 });
    expect(b.startedAt[0]! - aStopped).toBeGreaterThanOrEqual(
      TIMING.leaseDurationMs - TIMING.retryPeriodMs * 2,
    );
    expect(await holder(kc, namespace)).toBe('b');
  });

  it('a leader cut off from the API server stops leading before anyone else starts', async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'rt-le');
    const server = new URL(kc.getCurrentCluster()!.server);
    const proxy = await startFreezableProxy({ host: server.hostname, port: Number(server.port) });
    cleanups.push(() => proxy.close());
    // a reaches the API server only through the proxy; freezing it hangs every request of a.
    const throughProxy = testKubeConfig();
    throughProxy.clusters = throughProxy.clusters.map((c) => ({
      ...c,
      server: `https://${server.hostname}:${proxy.port}`,
    }));

    const a = candidate(throughProxy, namespace, 'a');
    await eventually(() => a.elector.isLeader(), { what: 'a to lead', timeoutMs: 20_000, intervalMs: 50 });
    const b = candidate(kc, namespace, 'b');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    proxy.partition();

    await eventually(() => b.elector.isLeader(), { what: 'b to lead', timeoutMs: 15_000, intervalMs: 50 });
    expect(a.elector.isLeader()).toBe(false);
    expect(a.stoppedAt).toHaveLength(1);
    expect(a.stoppedAt[0]!).toBeLessThan(b.startedAt[0]!);
    expect(await holder(kc, namespace)).toBe('b');
  });

  it('release() hands the lease over at once instead of after it expires', async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'rt-le');
    const slow = { leaseDurationMs: 30_000, renewDeadlineMs: 20_000, retryPeriodMs: 500 };
    const a = candidate(kc, namespace, 'a', slow);
    await eventually(() => a.elector.isLeader(), { what: 'a to lead', timeoutMs: 20_000, intervalMs: 50 });
    const b = candidate(kc, namespace, 'b', slow);
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const releasedAt = Date.now();
    expect(await a.elector.release()).toBe(true);
    expect(a.elector.isLeader()).toBe(false);
    await eventually(() => b.elector.isLeader(), { what: 'b to lead', timeoutMs: 5000, intervalMs: 50 });
    expect(b.startedAt[0]! - releasedAt).toBeLessThan(3000);
    expect(await holder(kc, namespace)).toBe('b');
  });

  it('of three candidates started together exactly one leads', async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'rt-le');
    const all = ['x', 'y', 'z'].map((id) => candidate(kc, namespace, id));
    await eventually(() => all.some((c) => c.elector.isLeader()), {
      what: 'someone to lead',
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    for (let i = 0; i < 20; i++) {
      expect(all.filter((c) => c.elector.isLeader())).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
