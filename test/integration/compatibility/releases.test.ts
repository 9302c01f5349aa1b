// The operator against every console release it supports (docs/compatibility.md): the simulator
// plays each group of releases (test/support/simulator/releases.ts), and on each one the paths
// that differ between releases run end to end against the real API server: the copy and the
// protocol killed at each step, verification after an unknown outcome, adoption after a loss of
// status (and the markers that older consoles cannot read back), following to running and to a
// failed build, and deletion. Every test checks that each AppCopy was copied at most once.
import { describe, expect, it } from 'vitest';
import { condition, isPhase } from '../../support/appcopies.ts';
import { createWorld } from '../../support/harness.ts';
import { APPS, COMPONENTS, REGION, TEAMS, USERS } from '../../support/simulator/fixtures/default.ts';
import { createFakeClock } from '../../support/simulator/index.ts';
import { CONSOLE_RELEASE_IDS, RELEASE_PROFILES } from '../../support/simulator/releases.ts';

const posts = (calls: { method: string }[]) => calls.filter((c) => c.method === 'POST');
const FOLLOW = { FOLLOW_TIMEOUT: '30m', FOLLOW_INTERVAL: '200ms' };
const fromShop = (appId: number) => ({ teamId: TEAMS.shop.tenantName, regionName: REGION, appId });

describe.each(CONSOLE_RELEASE_IDS)('against console release %s', (release) => {
  const profile = RELEASE_PROFILES[release];
  const blankNotesBreakEnvs = !profile.envNote.blankAllowed;

  it('copies once, follows the copies to running in its vocabulary, deletes them, and reports the release', async () => {
    const w = await createWorld({ release, statusTimings: { buildMs: 300, startMs: 1500 } });
    const operator = await w.operator(FOLLOW);
    await w.appcopies.create(w.namespace, 'copy', w.spec({ deletionPolicy: 'Delete' }));
    const seen = new Set<string>();
    const running = await w.appcopies.waitFor(w.namespace, 'copy', (o) => {
      for (const s of o.status?.services ?? []) if (s.status) seen.add(s.status);
      return condition(o, 'ComponentsReady')?.reason === 'ComponentsRunning';
    });
    expect(condition(running, 'Ready')?.reason).toBe('Copied');
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
    // Between the build and running, the region says `waiting` from 6.5 and `starting` before.
    expect([...seen]).toContain(profile.startingStatus.status);
    expect([...seen]).not.toContain(profile.startingStatus.status === 'waiting' ? 'starting' : 'waiting');

    const metrics = await (await fetch(`http://127.0.0.1:${await operator.started}/metrics`)).text();
    expect(metrics).toContain(
      `appcopy_console_release_info{console="Default",release="${profile.configInfo.releaseDesc}"} 1`,
    );

    const ids = running.status!.services!.map((s) => s.serviceId);
    await w.appcopies.delete(w.namespace, 'copy');
    await w.appcopies.waitForGone(w.namespace, 'copy');
    expect(ids.filter((id) => w.sim.state.component(id) !== undefined)).toEqual([]);
  });

  it('killed after writing the intent, the restarted operator verifies and sends once', async () => {
    const w = await createWorld({ release });
    const first = await w.operator({ APPCOPY_FAILPOINTS: 'after-intent' });
    await w.appcopies.create(w.namespace, 'pre-send', w.spec());
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(0);
    await w.operator();
    const done = await w.appcopies.waitFor(w.namespace, 'pre-send', isPhase('Succeeded'));
    expect(done.status?.attempt?.number).toBe(2);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });

  it('killed after the copy answered, the restarted operator adopts the copies', async () => {
    const w = await createWorld({ release });
    const first = await w.operator({ APPCOPY_FAILPOINTS: 'after-copy' });
    await w.appcopies.create(w.namespace, 'post-send', w.spec());
    await first.exited;
    await w.operator();
    const done = await w.appcopies.waitFor(w.namespace, 'post-send', isPhase('Succeeded'));
    expect(condition(done, 'Ready')?.reason).toBe('Adopted');
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(1);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });

  it('verifies a copy whose answer was lost after it took effect, and adopts it', async () => {
    const w = await createWorld({ release });
    w.sim.faults.add({ route: 'copy', kind: 'reset-after-effect', times: 1 });
    await w.operator();
    await w.appcopies.create(w.namespace, 'lost-answer', w.spec());
    const done = await w.appcopies.waitFor(w.namespace, 'lost-answer', isPhase('Succeeded'));
    expect(condition(done, 'Ready')?.reason).toBe('Adopted');
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(1);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });

  it('after a loss of status (deleted with Orphan, applied again), adopts from the markers', async () => {
    const w = await createWorld({ release });
    await w.operator();
    await w.appcopies.create(w.namespace, 'again', w.spec());
    const first = await w.appcopies.waitFor(w.namespace, 'again', isPhase('Succeeded'));
    const ids = first.status!.services!.map((s) => s.serviceId).sort();
    await w.appcopies.delete(w.namespace, 'again');
    await w.appcopies.waitForGone(w.namespace, 'again');
    await w.appcopies.create(w.namespace, 'again', w.spec());
    const adopted = await w.appcopies.waitFor(
      w.namespace,
      'again',
      (o) => condition(o, 'Ready')?.reason === 'AdoptedExisting',
    );
    expect(adopted.status?.services?.map((s) => s.serviceId).sort()).toEqual(ids);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });

  it(`a component with a variable without a note: ${blankNotesBreakEnvs ? 'its markers cannot be read back, which is said, and a loss of status waits (MarkersUnreadable) rather than copy again' : 'its markers are read back like any other'}`, async () => {
    const w = await createWorld({ release });
    await w.operator();
    const spec = w.spec({
      source: fromShop(APPS.adminPortal),
      services: [{ serviceId: COMPONENTS.admin.serviceId }],
    });
    await w.appcopies.create(w.namespace, 'admin', spec);
    await w.appcopies.waitFor(w.namespace, 'admin', isPhase('Succeeded'));
    // The Warning goes out before the copy record is mirrored; without it, Copied is enough to look.
    const copied = await w.appcopies.events(w.namespace, 'admin', (list) =>
      list.some((e) => e.reason === (blankNotesBreakEnvs ? 'MarkersUnreadable' : 'Copied')),
    );
    expect(copied.some((e) => e.reason === 'MarkersUnreadable' && e.type === 'Warning')).toBe(
      blankNotesBreakEnvs,
    );

    await w.appcopies.delete(w.namespace, 'admin');
    await w.appcopies.waitForGone(w.namespace, 'admin');
    await w.appcopies.create(w.namespace, 'admin', spec);
    if (blankNotesBreakEnvs) {
      const waiting = await w.appcopies.waitFor(
        w.namespace,
        'admin',
        (o) => condition(o, 'Ready')?.reason === 'MarkersUnreadable',
      );
      expect(waiting.status?.phase).toBe('Pending');
      const message = condition(waiting, 'Ready')?.message ?? '';
      expect(message).toContain('admin-copy');
      expect(message).toContain('envs[');
      expect(message).toContain('v6.9.3');
      expect(message).not.toContain(USERS.alice.token);
    } else {
      await w.appcopies.waitFor(
        w.namespace,
        'admin',
        (o) => condition(o, 'Ready')?.reason === 'AdoptedExisting',
      );
    }
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
    expect(posts(w.sim.ledger.callsTo('copy'))).toHaveLength(1);
  });

  it('ends ComponentsFailed on a failed build, read from the events in their spelling', async () => {
    const clock = createFakeClock();
    const w = await createWorld({ release, clock, statusTimings: { buildMs: 1000, startMs: 1000 } });
    await w.operator(FOLLOW);
    await w.appcopies.create(
      w.namespace,
      'cron',
      w.spec({ source: fromShop(APPS.legacyTools), services: [{ serviceId: COMPONENTS.cron.serviceId }] }),
    );
    await w.appcopies.waitFor(w.namespace, 'cron', (o) => o.status?.services?.[0]?.status === 'undeploy');
    await clock.advance(5000);
    const failed = await w.appcopies.waitFor(
      w.namespace,
      'cron',
      (o) => condition(o, 'ComponentsReady')?.reason === 'ComponentsFailed',
    );
    expect(condition(failed, 'ComponentsReady')?.message).toContain('cron-copy: its build failed');
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });
});

describe('against console release 5.16, which checks a team permission per call', () => {
  it('a viewer of the source team is refused the copy, with the permission named, and nothing is copied', async () => {
    const w = await createWorld({ release: '5.16' });
    await w.operator({ RAINBOND_TOKEN: USERS.dave.token });
    await w.appcopies.create(w.namespace, 'viewer', w.spec());
    const refused = await w.appcopies.waitFor(
      w.namespace,
      'viewer',
      (o) => condition(o, 'Ready')?.reason === 'Unauthorized',
    );
    expect(refused.status?.phase).toBe('Pending');
    expect(condition(refused, 'Ready')?.message).toContain(
      'the copy needs permission 300014 (app: copy, 复制)',
    );
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(0);
  });

  it('a developer may copy but not delete: the deletion is blocked, saying which permission is missing', async () => {
    const w = await createWorld({ release: '5.16', statusTimings: { buildMs: 0, startMs: 0 } });
    await w.operator({ RAINBOND_TOKEN: USERS.bob.token });
    const target = APPS.shopPreview;
    await w.appcopies.create(
      w.namespace,
      'developer',
      w.spec({
        target: { teamName: TEAMS.shop.tenantName, regionName: REGION, appId: target },
        deletionPolicy: 'Delete',
      }),
    );
    await w.appcopies.waitFor(w.namespace, 'developer', isPhase('Succeeded'));
    expect(w.sim.ledger.copiesInto(target)).toHaveLength(1);
    await w.appcopies.delete(w.namespace, 'developer');
    const blocked = await w.appcopies.waitFor(
      w.namespace,
      'developer',
      (o) => condition(o, 'Deleting')?.reason === 'DeletionBlocked',
    );
    expect(condition(blocked, 'Deleting')?.message).toContain('permission 400004 (component: delete, 删除)');
  });
});
