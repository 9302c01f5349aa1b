// Correctness under failure: the operator is killed at each step of the exactly-once protocol
// (failpoints make the process SIGKILL itself exactly there), or races a second operator
// process, and the ledger must still show one copy per AppCopy.
import { describe, expect, it } from 'vitest';
import { condition, isPhase } from '../../support/appcopies.ts';
import { createWorld } from '../../support/harness.ts';

const posts = (calls: { method: string }[]) => calls.filter((c) => c.method === 'POST');

describe('killed at each step of the protocol, the operator still copies exactly once', () => {
  it('killed after writing the intent and before sending: the restarted operator verifies, then sends once', async () => {
    const w = await createWorld();
    const first = await w.operator({ APPCOPY_FAILPOINTS: 'after-intent' });
    await w.appcopies.create(w.namespace, 'pre-send', w.spec());
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');
    const stranded = await w.appcopies.get(w.namespace, 'pre-send');
    expect(stranded?.status?.phase).toBe('Copying');
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(0);

    await w.operator();
    const done = await w.appcopies.waitFor(w.namespace, 'pre-send', isPhase('Succeeded'));
    expect(done.status?.attempt?.number).toBe(2);
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(1);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });

  it('killed after the copy answered and before the outcome was written: the restarted operator adopts it', async () => {
    const w = await createWorld();
    const first = await w.operator({ APPCOPY_FAILPOINTS: 'after-copy' });
    await w.appcopies.create(w.namespace, 'post-send', w.spec());
    await first.exited;
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
    expect((await w.appcopies.get(w.namespace, 'post-send'))?.status?.phase).toBe('Copying');

    await w.operator();
    const done = await w.appcopies.waitFor(w.namespace, 'post-send', isPhase('Succeeded'));
    expect(condition(done, 'Ready')?.reason).toBe('Adopted');
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(1);
    expect(done.status?.services?.map((s) => s.serviceId).sort()).toEqual(
      [...w.sim.ledger.copiesInto(w.targetAppId)[0]!.createdServiceIds].sort(),
    );
  });

  it('killed while the console is still working on the copy: the restart waits out the settle period and adopts', async () => {
    const w = await createWorld();
    // The console takes 4 s before the copy takes effect; the operator dies 1 s in.
    w.sim.faults.add({ route: 'copy', kind: 'latency', ms: 4000, times: 1 });
    const first = await w.operator();
    await w.appcopies.create(w.namespace, 'in-flight', w.spec());
    await w.appcopies.waitFor(w.namespace, 'in-flight', isPhase('Copying'));
    await new Promise((r) => setTimeout(r, 1000));
    await first.kill();

    await w.operator({ RAINBOND_COPY_TIMEOUT: '8s', VERIFY_SETTLE_PERIOD: '8s' });
    const done = await w.appcopies.waitFor(w.namespace, 'in-flight', isPhase('Succeeded'));
    expect(condition(done, 'Ready')?.reason).toBe('Adopted');
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(1);
  });

  it('two operator processes on the same AppCopies at once copy each exactly once', async () => {
    const w = await createWorld();
    const names = Array.from({ length: 8 }, (_, i) => `race-${i}`);
    const targets = new Map(names.map((n) => [n, w.newTargetApp()]));
    // Slow copies widen the window in which both processes see the same AppCopy as Pending.
    w.sim.faults.add({ route: 'copy', kind: 'latency', ms: 300 });
    await Promise.all([w.operator(), w.operator()]);
    await Promise.all(
      names.map((n) =>
        w.appcopies.create(
          w.namespace,
          n,
          w.spec({ target: { teamName: 't7k2m9qa', regionName: 'rainbond', appId: targets.get(n)! } }),
        ),
      ),
    );
    for (const n of names) await w.appcopies.waitFor(w.namespace, n, isPhase('Succeeded'));
    for (const n of names) expect(w.sim.ledger.copiesInto(targets.get(n)!), n).toHaveLength(1);
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(names.length);
  });
});
