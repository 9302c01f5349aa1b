// Where the preview answers: once the copies run, each one's addresses in status, the first URL
// in status.url, in `kubectl get -o wide` and in Argo CD's link annotation, an Event saying so;
// read from each copy's view once, never per poll. Against the real API server and the simulator
// (whose gateway rules follow the console's: test/support/simulator/gateway.ts).
import { describe, expect, it } from 'vitest';
import type { AppCopy } from '../../../src/api/appcopy.ts';
import { EXTERNAL_LINK_ANNOTATION } from '../../../src/controller/external-link.ts';
import { condition, isPhase } from '../../support/appcopies.ts';
import { createWorld, type World } from '../../support/harness.ts';
import { kubectl } from '../../support/kube.ts';
import { APPS, COMPONENTS, REGION_GATEWAYS, TEAMS } from '../../support/simulator/fixtures/default.ts';
import { createFakeClock } from '../../support/simulator/index.ts';

const FOLLOW = { FOLLOW_TIMEOUT: '10m', FOLLOW_INTERVAL: '200ms' };
const GATEWAY = REGION_GATEWAYS.rainbond;

/** Copies site (outer HTTP port), cache (outer TCP port) and queue (no outer port) of preview-site. */
const previewSpec = (w: World) =>
  w.spec({
    source: { teamId: TEAMS.shop.tenantName, regionName: 'rainbond', appId: APPS.previewSite },
    services: [
      { serviceId: COMPONENTS.site.serviceId },
      { serviceId: COMPONENTS.cache.serviceId },
      { serviceId: COMPONENTS.queue.serviceId },
    ],
  });

/** A world whose copies build for 5 s and start for 5 s on a clock the test moves. */
async function previewWorld() {
  const clock = createFakeClock();
  const w = await createWorld({ clock, statusTimings: { buildMs: 5000, startMs: 5000 } });
  return { w, clock };
}

const copiesRun = (o: AppCopy) => condition(o, 'ComponentsReady')?.status === 'True';
const getComponentCalls = (w: World) =>
  w.sim.ledger.callsTo('getComponent').filter((c) => c.path.includes(`/apps/${w.targetAppId}/`));
const listCalls = (w: World) =>
  w.sim.ledger.callsTo('listComponents').filter((c) => c.path.includes(`/apps/${w.targetAppId}/`));

describe('the addresses of the copies', () => {
  it('a copy with an outer HTTP port shows its URL in status, the printer column and the link; TCP its endpoint; no outer port none; each read once', async () => {
    const { w, clock } = await previewWorld();
    const operator = await w.operator(FOLLOW);
    await w.appcopies.create(w.namespace, 'preview', previewSpec(w));
    const copied = await w.appcopies.waitFor(w.namespace, 'preview', isPhase('Succeeded'));
    const [site, cache, queue] = copied.status?.services ?? [];
    const siteUrl = `http://${site?.serviceAlias}-80-${TEAMS.staging.tenantName}.${GATEWAY.httpDomain}`;

    // While the copies build, following polls the list only: no address yet, no component read.
    await w.appcopies.waitFor(w.namespace, 'preview', (o) =>
      (o.status?.services ?? []).every((s) => s.status === 'undeploy'),
    );
    const pollsBefore = listCalls(w).length;
    await waitForPolls(w, pollsBefore + 3);
    const building = await w.appcopies.get(w.namespace, 'preview');
    expect(building?.status?.url).toBeUndefined();
    expect(building?.metadata.annotations?.[EXTERNAL_LINK_ANNOTATION]).toBeUndefined();
    expect(getComponentCalls(w)).toEqual([]);

    // site and cache run; queue's copy is held starting, so following goes on polling.
    w.sim.state.setStatus(queue?.serviceId ?? '', 'waiting');
    await clock.advance(11_000);
    await w.appcopies.waitFor(w.namespace, 'preview', (o) => o.status?.url !== undefined);
    await waitForPolls(w, listCalls(w).length + 3);
    // The running copies were read once each; later polls of them read nothing.
    expect(getComponentCalls(w).map((c) => c.path.split('/').pop())).toEqual(
      expect.arrayContaining([site?.serviceId, cache?.serviceId]),
    );
    expect(getComponentCalls(w)).toHaveLength(2);

    w.sim.state.setStatus(queue?.serviceId ?? '', 'running');
    const running = await w.appcopies.waitFor(w.namespace, 'preview', copiesRun);
    expect(running.status?.services?.map((s) => [s.serviceCname, s.addresses])).toEqual([
      [site?.serviceCname, { urls: [siteUrl] }],
      // The source cache holds gateway port 30000; its copy gets the next free one.
      [cache?.serviceCname, { tcpEndpoints: [`${GATEWAY.tcpDomain}:30001`] }],
      [queue?.serviceCname, {}],
    ]);
    expect(running.status?.url).toBe(siteUrl);
    expect(running.metadata.annotations?.[EXTERNAL_LINK_ANNOTATION]).toBe(siteUrl);

    // kubectl get -o wide shows it in the URL column.
    const wide = await kubectl(['get', 'appcopies', '-n', w.namespace, '-o', 'wide']);
    expect(wide.code, wide.stderr).toBe(0);
    const [header, row] = wide.stdout.trimEnd().split('\n');
    expect(header).toMatch(/\bURL\b/);
    expect(row?.split(/\s+/)).toContain(siteUrl);
    const column = await kubectl([
      'get',
      'appcopy/preview',
      '-n',
      w.namespace,
      '-o',
      'custom-columns=URL:.status.url',
      '--no-headers',
    ]);
    expect(column.stdout.trim()).toBe(siteUrl);

    // Announced once, as a Normal Event naming the addresses.
    const events = await w.appcopies.events(w.namespace, 'preview', (list) =>
      list.some((e) => e.reason === 'AddressesKnown'),
    );
    const known = events.filter((e) => e.reason === 'AddressesKnown');
    expect(known.map((e) => [e.type, e.message])).toEqual([
      ['Normal', `the copies answer at ${siteUrl}, ${GATEWAY.tcpDomain}:30001`],
    ]);

    // One read of each copy's view, however many polls there were.
    expect(getComponentCalls(w)).toHaveLength(3);
    expect(new Set(getComponentCalls(w).map((c) => c.path)).size).toBe(3);
    expect(listCalls(w).length).toBeGreaterThan(3);
    expect(operator.logs.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('a console that does not answer the component view leaves the copy Succeeded and running, its addresses empty, and says why in the debug log', async () => {
    const { w, clock } = await previewWorld();
    w.sim.faults.add({ route: 'getComponent', kind: 'error-before-effect', status: 500 });
    const operator = await w.operator(FOLLOW);
    await w.appcopies.create(w.namespace, 'preview', previewSpec(w));
    await w.appcopies.waitFor(w.namespace, 'preview', isPhase('Succeeded'));
    await clock.advance(11_000);
    const running = await w.appcopies.waitFor(w.namespace, 'preview', copiesRun);

    expect(running.status?.phase).toBe('Succeeded');
    expect(condition(running, 'Ready')?.status).toBe('True');
    expect(condition(running, 'Stalled')).toBeUndefined();
    expect(running.status?.lastError).toBe('');
    expect(running.status?.services?.map((s) => s.addresses)).toEqual([undefined, undefined, undefined]);
    expect(running.status?.url).toBeUndefined();
    expect(running.metadata.annotations?.[EXTERNAL_LINK_ANNOTATION]).toBeUndefined();
    expect(getComponentCalls(w)).toHaveLength(3);
    const why = operator.logs.filter((l) => l.msg === "cannot read a copy's addresses; they stay empty");
    expect(why.map((l) => [l.level, l.serviceId]).sort()).toEqual(
      (running.status?.services ?? []).map((s) => [20, s.serviceId]).sort(),
    );
    const events = await w.appcopies.events(w.namespace, 'preview');
    expect(events.map((e) => e.reason)).not.toContain('AddressesKnown');
    expect(events.filter((e) => e.type === 'Warning')).toEqual([]);
  });

  it('a certificate bound to the default domain before the copy runs gives an https URL', async () => {
    const { w, clock } = await previewWorld();
    await w.operator(FOLLOW);
    await w.appcopies.create(w.namespace, 'preview', previewSpec(w));
    const copied = await w.appcopies.waitFor(w.namespace, 'preview', isPhase('Succeeded'));
    const siteCopy = copied.status?.services?.[0]?.serviceId ?? '';
    const rules = w.sim.state.component(siteCopy)?.http_rules ?? [];
    w.sim.state.updateComponent(siteCopy, { http_rules: rules.map((r) => ({ ...r, certificate_id: 1 })) });
    await clock.advance(11_000);
    const running = await w.appcopies.waitFor(w.namespace, 'preview', (o) => o.status?.url !== undefined);
    expect(running.status?.url).toMatch(
      /^https:\/\/gr[0-9a-f]{6}-80-t7k2m9qa\.apps\.rainbond\.example\.com$/,
    );
  });

  it('a link the user set on the AppCopy is kept; status.url still shows the preview', async () => {
    const { w, clock } = await previewWorld();
    await w.operator(FOLLOW);
    const theirs = 'https://preview.example.com/pr-42';
    await w.appcopies.create(w.namespace, 'preview', previewSpec(w), { [EXTERNAL_LINK_ANNOTATION]: theirs });
    await w.appcopies.waitFor(w.namespace, 'preview', isPhase('Succeeded'));
    await clock.advance(11_000);
    const running = await w.appcopies.waitFor(w.namespace, 'preview', copiesRun);
    expect(running.status?.url).toMatch(/^http:\/\/gr[0-9a-f]{6}-80-t7k2m9qa\./);
    expect(running.metadata.annotations?.[EXTERNAL_LINK_ANNOTATION]).toBe(theirs);
  });
});

/** Waits until following has polled the target app at least `count` times. */
async function waitForPolls(w: World, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (listCalls(w).length < count) {
    if (Date.now() > deadline) throw new Error(`following polled ${listCalls(w).length} times, not ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
