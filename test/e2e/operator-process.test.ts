// The operator as people run it: a process with settings, signals, probes, metrics and leader
// election among replicas. Figures (failover time, idle RSS) are logged for the record, never
// asserted: the machines are shared and noisy.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { appCopies, condition, isPhase } from '../support/appcopies.ts';
import { eventually } from '../support/eventually.ts';
import { createWorld } from '../support/harness.ts';
import { createTestNamespace } from '../support/kube.ts';
import type { OperatorProcess } from '../support/operator-process.ts';

const LEADER_ENV = (namespace: string) => ({
  LEADER_ELECT: 'true',
  LEADER_ELECTION_NAMESPACE: namespace,
  LEADER_ELECTION_ID: 'appcopy-e2e',
  LEASE_DURATION: '4s',
  RENEW_DEADLINE: '3s',
  RETRY_PERIOD: '500ms',
});

async function scrape(p: OperatorProcess, path = '/metrics'): Promise<{ status: number; text: string }> {
  const port = await p.started;
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, text: await response.text() };
}

async function isLeader(p: OperatorProcess): Promise<boolean> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return false;
  const { text } = await scrape(p).catch(() => ({ text: '' }));
  return /^leader_election_master_status\{[^}]*\} 1$/m.test(text);
}

describe('the operator process', () => {
  it('refuses a bad setting at start with one message naming it, and --help lists every setting', () => {
    const bad = spawnSync(process.execPath, ['src/main.ts'], {
      env: { PATH: process.env.PATH, RAINBOND_URL: 'http://127.0.0.1:1', CONCURRENCY: 'lots' },
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'appcopy-operator: invalid setting: CONCURRENCY (--concurrency) is "lots": expected a whole number from 1 to 256',
    );
    const help = spawnSync(process.execPath, ['src/main.ts', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const name of [
      'RAINBOND_URL',
      'RAINBOND_TOKEN_FILE',
      'WATCH_NAMESPACES',
      'LEADER_ELECT',
      'LOG_LEVEL',
    ]) {
      expect(help.stdout).toContain(name);
    }
  });

  it('serves /healthz, /readyz (after the first list) and /metrics with the controller-runtime names', async () => {
    const w = await createWorld();
    const operator = await w.operator();
    await w.appcopies.create(w.namespace, 'metrics', w.spec());
    await w.appcopies.waitFor(w.namespace, 'metrics', isPhase('Succeeded'));
    expect((await scrape(operator, '/healthz')).status).toBe(200);
    await eventually(async () => (await scrape(operator, '/readyz')).status === 200, {
      what: '/readyz to answer 200',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    const { text } = await scrape(operator);
    for (const name of [
      'controller_runtime_reconcile_total',
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_reconcile_time_seconds',
      'workqueue_depth',
      'workqueue_adds_total',
      'workqueue_retries_total',
      'workqueue_queue_duration_seconds',
      'rainbond_requests_total',
      'rainbond_request_duration_seconds',
      'appcopy_copies_total',
      'appcopy_copy_slots_in_use',
      'appcopy_copy_slots_waiting',
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name}(\\{|_bucket|_count| )`, 'm'));
    }
    expect(text).toMatch(/^rainbond_requests_total\{console="Default",route="copy",outcome="success"\} 1$/m);
    expect(text).toMatch(/^appcopy_copies_total\{outcome="succeeded"\} 1$/m);
    // The copy is done: its slot is free and nothing waits for one.
    expect(text).toMatch(/^appcopy_copy_slots_in_use{console="Default"} 0$/m);
    expect(text).toMatch(/^appcopy_copy_slots_waiting{console="Default"} 0$/m);
    const rssKb = Number(
      /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${operator.child.pid}/status`, 'utf8'))?.[1],
    );
    console.info(`[figure] idle operator RSS after one copy: ${(rssKb / 1024).toFixed(1)} MiB`);
  });

  it('on SIGTERM lets the copy in flight finish and record its outcome, then exits 0', async () => {
    const w = await createWorld();
    w.sim.faults.add({ route: 'copy', kind: 'latency', ms: 2500, times: 1 });
    const operator = await w.operator();
    await w.appcopies.create(w.namespace, 'polite', w.spec());
    await w.appcopies.waitFor(w.namespace, 'polite', isPhase('Copying'));
    const exit = await operator.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    const after = await w.appcopies.get(w.namespace, 'polite');
    expect(after?.status?.phase).toBe('Succeeded');
    expect(condition(after, 'Ready')?.reason).toBe('Copied');
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
    // Events are recorded without waiting for them, and flushed before the process exits.
    const reasons = (await w.appcopies.events(w.namespace, 'polite')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['CopyStarted', 'Copied']));
  });

  it('on SIGTERM, an AppCopy waiting for a copy slot stops before its intent; the next start copies it once', async () => {
    const w = await createWorld();
    w.sim.faults.add({ route: 'copy', kind: 'latency', ms: 2500, times: 1 });
    // One copy slot, two reconciles: the second reads, checks and then waits for the slot.
    const operator = await w.operator({ CONCURRENCY: '1' });
    const targets = new Map(['first', 'second'].map((name) => [name, w.newTargetApp()]));
    for (const [name, appId] of targets) {
      await w.appcopies.create(w.namespace, name, w.spec({ target: { ...w.spec().target, appId } }));
    }
    await eventually(
      async () => {
        const copies = w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST').length;
        return copies === 1 && w.sim.ledger.callsTo('copyPreflight').length === 2;
      },
      { what: 'one copy in flight, the other AppCopy checked', timeoutMs: 30_000, intervalMs: 100 },
    );
    await new Promise((r) => setTimeout(r, 300));
    const inFlight = (await w.appcopies.list(w.namespace)).filter((o) => o.status?.phase === 'Copying');
    expect(inFlight, 'exactly one intent written').toHaveLength(1);
    const waiting = [...targets.keys()].find((name) => name !== inFlight[0]?.metadata.name)!;
    expect(await operator.stop()).toEqual({ code: 0, signal: null });

    expect(w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST')).toHaveLength(1);
    const stopped = await w.appcopies.get(w.namespace, waiting);
    expect(stopped?.status?.phase, 'no intent was written for the waiting copy').not.toBe('Copying');
    expect(stopped?.status?.attempt).toBeUndefined();

    await w.operator({ CONCURRENCY: '1' });
    for (const name of targets.keys()) await w.appcopies.waitFor(w.namespace, name, isPhase('Succeeded'));
    for (const [name, appId] of targets) expect(w.sim.ledger.copiesInto(appId), name).toHaveLength(1);
  });

  it('with leader election, one replica acts; SIGTERM releases the lease so the standby takes over at once', async () => {
    const w = await createWorld();
    const leases = w.kc.makeApiClient(CoordinationV1Api);
    const holder = async () =>
      (await leases.readNamespacedLease({ namespace: w.namespace, name: 'appcopy-e2e' })).spec
        ?.holderIdentity;

    // Alone, a replica leads and, stopped politely, leaves the lease free for anyone.
    const solo = await w.operator(LEADER_ENV(w.namespace));
    await eventually(() => isLeader(solo), {
      what: 'the first replica to lead',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect(await holder()).toBeTruthy();
    expect(await solo.stop()).toEqual({ code: 0, signal: null });
    expect(await holder()).toBe('');

    const a = await w.operator(LEADER_ENV(w.namespace));
    await eventually(() => isLeader(a), { what: 'a to lead', timeoutMs: 30_000, intervalMs: 100 });
    const b = await w.operator(LEADER_ENV(w.namespace));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await isLeader(b)).toBe(false);

    await a.stop();
    const tookFrom = Date.now();
    await eventually(() => isLeader(b), { what: 'b to lead', timeoutMs: 30_000, intervalMs: 100 });
    const took = Date.now() - tookFrom;
    console.info(`[figure] takeover after the leader's SIGTERM (lease released): ${took} ms`);

    await w.appcopies.create(w.namespace, 'after-release', w.spec());
    await w.appcopies.waitFor(w.namespace, 'after-release', isPhase('Succeeded'));
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });

  it('when the leader is killed, the standby takes over after the lease expires and nothing is copied twice', async () => {
    const w = await createWorld();
    w.sim.faults.add({ route: 'copy', kind: 'latency', ms: 400 });
    const a = await w.operator(LEADER_ENV(w.namespace));
    await eventually(() => isLeader(a), { what: 'a to lead', timeoutMs: 30_000, intervalMs: 100 });
    const b = await w.operator(LEADER_ENV(w.namespace));
    const names = Array.from({ length: 6 }, (_, i) => `failover-${i}`);
    const targets = new Map(names.map((n) => [n, w.newTargetApp()]));
    for (const n of names) {
      await w.appcopies.create(
        w.namespace,
        n,
        w.spec({ target: { teamName: 't7k2m9qa', regionName: 'rainbond', appId: targets.get(n)! } }),
      );
    }
    await eventually(
      async () => (await w.appcopies.list(w.namespace)).some((o) => o.status?.phase === 'Copying'),
      { what: 'a copy in flight', timeoutMs: 30_000, intervalMs: 100 },
    );
    await a.kill();
    const tookFrom = Date.now();
    await eventually(() => isLeader(b), { what: 'b to lead', timeoutMs: 30_000, intervalMs: 100 });
    const took = Date.now() - tookFrom;
    console.info(`[figure] failover after SIGKILL of the leader (lease 4 s): ${took} ms`);
    for (const n of names) await w.appcopies.waitFor(w.namespace, n, isPhase('Succeeded'));
    for (const n of names) expect(w.sim.ledger.copiesInto(targets.get(n)!), n).toHaveLength(1);
  });

  it('watches only the listed namespaces and, with a label selector, only its shard', async () => {
    const w = await createWorld();
    const other = await createTestNamespace(w.kc, 'ac-other');
    const unwatched = await createTestNamespace(w.kc, 'ac-unwatched');
    await w.operator({ WATCH_NAMESPACES: `${w.namespace},${other}`, LABEL_SELECTOR: 'shard=a' });
    const client = appCopies(w.kc);
    const target = () => ({ teamName: 't7k2m9qa', regionName: 'rainbond', appId: w.newTargetApp() });
    const create = async (namespace: string, name: string, shard: string) => {
      const created = await client.create(namespace, name, w.spec({ target: target() }));
      const { kubectl } = await import('../support/kube.ts');
      await kubectl(['label', 'appcopy', name, '-n', namespace, `shard=${shard}`], {
        kubeconfig: w.kubeconfigPath,
      });
      return created;
    };
    await create(w.namespace, 'mine', 'a');
    await create(other, 'mine-too', 'a');
    await create(w.namespace, 'other-shard', 'b');
    await create(unwatched, 'not-watched', 'a');
    await client.waitFor(w.namespace, 'mine', isPhase('Succeeded'));
    await client.waitFor(other, 'mine-too', isPhase('Succeeded'));
    await new Promise((r) => setTimeout(r, 2000));
    expect((await client.get(w.namespace, 'other-shard'))?.status).toBeUndefined();
    expect((await client.get(unwatched, 'not-watched'))?.status).toBeUndefined();
    expect(w.sim.ledger.copies).toHaveLength(2);
  });
});
