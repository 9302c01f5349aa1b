// Who may copy what: console resources and their rules, against the real API server and two
// simulated consoles at once, with the operator as its own process. "Zero console calls" is read
// from the simulators' ledgers: the only calls a refused AppCopy may cause are the consoles' own
// periodic checks (GET /openapi/v1/teams), which no AppCopy makes.
import { describe, expect, it, onTestFinished } from 'vitest';
import type { AppCopy } from '../../../src/api/appcopy.ts';
import { condition, isPhase } from '../../support/appcopies.ts';
import { eventually } from '../../support/eventually.ts';
import { TEAMS, USERS } from '../../support/simulator/fixtures/default.ts';
import { createTenancyWorld, pem } from '../../support/tenancy.ts';
import { type Certificates, makeCertificates, startHttpsFront } from '../security/https-front.ts';

const SHOP = TEAMS.shop.tenantName;
const STAGING = TEAMS.staging.tenantName;
const TOKEN_SECRET = 'console-token';

const reasonIs = (reason: string) => (o: AppCopy) => condition(o, 'Ready')?.reason === reason;

describe('a ClusterRainbondConsole', () => {
  it('limited to namespace a refuses an AppCopy in b, with zero console calls, and copies for a', async () => {
    const w = await createTenancyWorld();
    await w.putSecret(w.a, TOKEN_SECRET, USERS.alice.token);
    const shared = await w.consoles.createCluster(
      w.unique('shared'),
      w.consoleSpec(
        w.one.url,
        [{ name: 'team-a', namespaces: { names: [w.a] }, sourceTeams: [SHOP], targetTeams: [STAGING] }],
        { namespace: w.a, name: TOKEN_SECRET },
      ),
    );
    await w.operator();
    await shared.waitReady('True', 'ConsoleReady');
    const consoleRef = { kind: 'ClusterRainbondConsole' as const, name: shared.name };

    const refusedTarget = w.targetApp(w.one);
    await w.appcopies.create(w.b, 'refused', w.spec(refusedTarget, { consoleRef }));
    const refused = await w.appcopies.waitFor(w.b, 'refused', reasonIs('CopyNotAllowed'));
    expect(refused.status?.phase).toBe('Pending');
    expect(condition(refused, 'Stalled')).toMatchObject({ status: 'True', reason: 'CopyNotAllowed' });
    expect(condition(refused, 'Ready')?.message).toContain(
      `ClusterRainbondConsole ${shared.name} does not allow this copy`,
    );
    expect(condition(refused, 'Ready')?.message).toContain(`rule "team-a" does not admit namespace ${w.b}`);
    const events = await w.appcopies.events(w.b, 'refused', (e) =>
      e.some((x) => x.reason === 'CopyNotAllowed'),
    );
    expect(events.map((e) => e.reason)).toContain('CopyNotAllowed');
    expect(w.copyCalls(w.one)).toEqual([]);

    const allowedTarget = w.targetApp(w.one);
    await w.appcopies.create(w.a, 'allowed', w.spec(allowedTarget, { consoleRef }));
    const done = await w.appcopies.waitFor(w.a, 'allowed', isPhase('Succeeded'));
    expect(done.status?.console).toEqual({
      kind: 'ClusterRainbondConsole',
      name: shared.name,
      url: w.one.url.replace(/\/+$/, ''),
    });
    expect(w.one.ledger.copiesInto(allowedTarget)).toHaveLength(1);
    expect(w.one.ledger.copiesInto(refusedTarget)).toHaveLength(0);
    // Still refused, still nothing sent for it.
    expect((await w.appcopies.get(w.b, 'refused'))?.status?.phase).toBe('Pending');
  });

  it('refuses a source team outside its list, and a target team outside its list, each with zero calls', async () => {
    const w = await createTenancyWorld();
    await w.putSecret(w.a, TOKEN_SECRET, USERS.alice.token);
    const shared = await w.consoles.createCluster(
      w.unique('teams'),
      w.consoleSpec(
        w.one.url,
        [{ namespaces: { selector: {} }, sourceTeams: ['shop-*', 'other'], targetTeams: ['preview-*'] }],
        { namespace: w.a, name: TOKEN_SECRET },
      ),
    );
    await w.operator();
    const consoleRef = { kind: 'ClusterRainbondConsole' as const, name: shared.name };
    await w.appcopies.create(w.a, 'from-shop', w.spec(w.targetApp(w.one), { consoleRef }));
    const fromShop = await w.appcopies.waitFor(w.a, 'from-shop', reasonIs('CopyNotAllowed'));
    expect(condition(fromShop, 'Ready')?.message).toContain(
      `rule 1 does not allow source team ${SHOP} (it allows shop-*, other)`,
    );

    await shared.update((spec) => ({ ...spec, allow: [{ ...spec.allow[0]!, sourceTeams: [SHOP] }] }));
    await w.appcopies.create(w.a, 'into-staging', w.spec(w.targetApp(w.one), { consoleRef }));
    const intoStaging = await w.appcopies.waitFor(w.a, 'into-staging', reasonIs('CopyNotAllowed'));
    expect(condition(intoStaging, 'Ready')?.message).toContain(
      `rule 1 does not allow target team ${STAGING} (it allows preview-*)`,
    );
    expect(w.copyCalls(w.one)).toEqual([]);
  });

  it('copies a waiting AppCopy once when its rules are widened', async () => {
    const w = await createTenancyWorld();
    await w.putSecret(w.a, TOKEN_SECRET, USERS.alice.token);
    const shared = await w.consoles.createCluster(
      w.unique('widened'),
      w.consoleSpec(
        w.one.url,
        [{ namespaces: { names: [w.b] }, sourceTeams: [SHOP], targetTeams: [STAGING] }],
        {
          namespace: w.a,
          name: TOKEN_SECRET,
        },
      ),
    );
    await w.operator();
    const target = w.targetApp(w.one);
    await w.appcopies.create(
      w.a,
      'waiting',
      w.spec(target, { consoleRef: { kind: 'ClusterRainbondConsole', name: shared.name } }),
    );
    await w.appcopies.waitFor(w.a, 'waiting', reasonIs('CopyNotAllowed'));
    expect(w.copyCalls(w.one)).toEqual([]);

    // The namespace gets in by a label the rule selects: the rules change, the AppCopy is looked at again.
    await shared.update((spec) => ({
      ...spec,
      allow: [
        {
          ...spec.allow[0]!,
          namespaces: { names: [w.b], selector: { matchLabels: { 'kubernetes.io/metadata.name': w.a } } },
        },
      ],
    }));
    const done = await w.appcopies.waitFor(w.a, 'waiting', isPhase('Succeeded'));
    expect(condition(done, 'Stalled')).toBeUndefined();
    expect(w.one.ledger.copiesInto(target)).toHaveLength(1);
  });

  it('whose token is revoked turns Ready=False, and its AppCopies wait without failing until the Secret holds a good token again, without a restart', async () => {
    const w = await createTenancyWorld();
    await w.putSecret(w.a, TOKEN_SECRET, USERS.alice.token);
    const shared = await w.consoles.createCluster(
      w.unique('revoked'),
      w.consoleSpec(
        w.one.url,
        [{ namespaces: { names: [w.a] }, sourceTeams: [SHOP], targetTeams: [STAGING] }],
        {
          namespace: w.a,
          name: TOKEN_SECRET,
        },
      ),
    );
    const operator = await w.operator();
    await shared.waitReady('True');
    const consoleRef = { kind: 'ClusterRainbondConsole' as const, name: shared.name };

    w.one.state.setUserToken('alice', null);
    const notReady = await shared.waitReady('False', 'TokenRejected');
    expect(notReady.status?.conditions?.[0]?.message).toContain(`Secret ${w.a}/${TOKEN_SECRET} key "token"`);
    expect(JSON.stringify(notReady)).not.toContain(USERS.alice.token);

    const target = w.targetApp(w.one);
    await w.appcopies.create(w.a, 'waits', w.spec(target, { consoleRef }));
    const waiting = await w.appcopies.waitFor(w.a, 'waits', reasonIs('ConsoleNotReady'));
    expect(waiting.status?.phase).toBe('Pending');
    expect(condition(waiting, 'Stalled')).toBeUndefined();
    expect(condition(waiting, 'Ready')?.message).toContain(
      `ClusterRainbondConsole ${shared.name} is not ready`,
    );
    expect(w.copyCalls(w.one)).toEqual([]);

    // Rotated: the console has a new token for alice, and the Secret gets it. Same process.
    const rotated = 'f0e1d2c3b4a5968778695a4b3c2d1e0f12345678';
    w.one.state.setUserToken('alice', rotated);
    await w.putSecret(w.a, TOKEN_SECRET, rotated);
    await shared.waitReady('True');
    await w.appcopies.waitFor(w.a, 'waits', isPhase('Succeeded'));
    expect(w.one.ledger.copiesInto(target)).toHaveLength(1);
    const copyCall = w.one.ledger.callsTo('copy').at(-1);
    expect(copyCall?.tokenFingerprint).toBe(
      w.one.ledger.calls.filter((c) => c.status === 200 && c.route === 'listTeams').at(-1)?.tokenFingerprint,
    );
    expect(operator.child.exitCode).toBeNull();
    expect(operator.output()).not.toContain(rotated);
  });

  it('served over TLS by a private CA: untrusted without its caBundle, copies once the CA is given', async () => {
    const certs: Certificates = makeCertificates();
    onTestFinished(() => certs.remove());
    const w = await createTenancyWorld();
    const front = await startHttpsFront(certs.leaf, w.one.url);
    onTestFinished(() => front.close());
    await w.putSecret(w.a, TOKEN_SECRET, USERS.alice.token);
    const secure = await w.consoles.createCluster(
      w.unique('tls'),
      w.consoleSpec(
        front.url,
        [{ namespaces: { names: [w.a] }, sourceTeams: [SHOP], targetTeams: [STAGING] }],
        {
          namespace: w.a,
          name: TOKEN_SECRET,
        },
      ),
    );
    await w.operator();
    const untrusted = await secure.waitReady('False', 'TLSUntrusted');
    const message = untrusted.status?.conditions?.[0]?.message ?? '';
    expect(message).toContain('certificate verification failed');
    expect(message).toContain(`spec.caBundle of ClusterRainbondConsole ${secure.name}`);
    expect(front.relayed).toBe(0);

    await w.putConfigMap(w.a, 'console-ca', { 'ca.crt': pem(certs.caFile) });
    await secure.update((spec) => ({
      ...spec,
      caBundle: { configMapKeyRef: { namespace: w.a, name: 'console-ca', key: 'ca.crt' } },
    }));
    await secure.waitReady('True');
    const target = w.targetApp(w.one);
    await w.appcopies.create(
      w.a,
      'tls',
      w.spec(target, { consoleRef: { kind: 'ClusterRainbondConsole', name: secure.name } }),
    );
    const done = await w.appcopies.waitFor(w.a, 'tls', isPhase('Succeeded'));
    expect(done.status?.console?.url).toBe(front.url);
    expect(w.one.ledger.copiesInto(target)).toHaveLength(1);
  });
});

describe('a RainbondConsole', () => {
  it("is used by its own namespace's AppCopies, and a reference to it from another namespace finds nothing", async () => {
    const w = await createTenancyWorld();
    await w.putSecret(w.b, TOKEN_SECRET, USERS.alice.token);
    const own = await w.consoles.createNamespaced(
      w.b,
      'rainbond',
      w.consoleSpec(w.two.url, [{ sourceTeams: [SHOP], targetTeams: [STAGING] }], { name: TOKEN_SECRET }),
    );
    await w.operator();
    await own.waitReady('True');
    const consoleRef = { kind: 'RainbondConsole' as const, name: 'rainbond' };

    const target = w.targetApp(w.two);
    await w.appcopies.create(w.b, 'own', w.spec(target, { consoleRef }));
    const done = await w.appcopies.waitFor(w.b, 'own', isPhase('Succeeded'));
    expect(done.status?.console).toMatchObject({ kind: 'RainbondConsole', name: 'rainbond' });
    expect(w.two.ledger.copiesInto(target)).toHaveLength(1);

    const elsewhere = w.targetApp(w.two);
    await w.appcopies.create(w.a, 'foreign', w.spec(elsewhere, { consoleRef }));
    const foreign = await w.appcopies.waitFor(w.a, 'foreign', reasonIs('ConsoleNotFound'));
    expect(foreign.status?.phase).toBe('Pending');
    expect(condition(foreign, 'Ready')?.message).toContain(
      `RainbondConsole ${w.a}/rainbond does not exist in namespace ${w.a}`,
    );
    expect(w.two.ledger.copiesInto(elsewhere)).toHaveLength(0);
    expect(w.copyCalls(w.one)).toEqual([]);
  });
});

describe('the default console', () => {
  it('changing after a copy, the copies are still deleted in the console they were made in', async () => {
    const w = await createTenancyWorld();
    await w.putSecret(w.a, TOKEN_SECRET, USERS.alice.token);
    const allow = [{ namespaces: { names: [w.a] }, sourceTeams: [SHOP], targetTeams: [STAGING] }];
    const first = await w.consoles.createCluster(
      w.unique('first'),
      w.consoleSpec(w.one.url, allow, { namespace: w.a, name: TOKEN_SECRET }),
    );
    const second = await w.consoles.createCluster(
      w.unique('second'),
      w.consoleSpec(w.two.url, allow, { namespace: w.a, name: TOKEN_SECRET }),
    );
    const before = await w.operator({ DEFAULT_CONSOLE: `ClusterRainbondConsole/${first.name}` });
    const target = w.targetApp(w.one);
    // The same app id exists in the second console too: deleting there would find nothing of ours.
    w.two.state.addApp({ ID: target, team: STAGING, region: 'rainbond', group_name: 'same-id' });
    await w.appcopies.create(w.a, 'moved', w.spec(target, { deletionPolicy: 'Delete' }));
    const done = await w.appcopies.waitFor(w.a, 'moved', isPhase('Succeeded'));
    expect(done.status?.console).toMatchObject({ kind: 'ClusterRainbondConsole', name: first.name });
    const copies = w.one.ledger.componentsCreatedIn(target).map((c) => c.serviceId);
    expect(copies).toHaveLength(2);

    await before.kill();
    await w.operator({ DEFAULT_CONSOLE: `ClusterRainbondConsole/${second.name}` });
    await second.waitReady('True');
    await w.appcopies.delete(w.a, 'moved');
    await w.appcopies.waitForGone(w.a, 'moved');
    const deleted = w.one.ledger.callsTo('deleteComponent').map((c) => c.path);
    expect(deleted).toHaveLength(2);
    for (const id of copies) expect(deleted.some((path) => path.includes(id))).toBe(true);
    expect(w.one.state.componentsOf(target)).toEqual([]);
    expect(w.copyCalls(w.two)).toEqual([]);
  });
});

describe('per-console metrics', () => {
  it('label console calls, copy slots and readiness by console', async () => {
    const w = await createTenancyWorld();
    await w.putSecret(w.a, TOKEN_SECRET, USERS.alice.token);
    await w.putSecret(w.b, TOKEN_SECRET, USERS.alice.token);
    const shared = await w.consoles.createCluster(
      w.unique('metered'),
      w.consoleSpec(
        w.one.url,
        [{ namespaces: { names: [w.a] }, sourceTeams: [SHOP], targetTeams: [STAGING] }],
        {
          namespace: w.a,
          name: TOKEN_SECRET,
        },
      ),
    );
    const own = await w.consoles.createNamespaced(
      w.b,
      'rainbond',
      w.consoleSpec(w.two.url, [{ sourceTeams: [SHOP], targetTeams: [STAGING] }], { name: TOKEN_SECRET }),
    );
    w.two.state.setUserToken('alice', null);
    const operator = await w.operator();
    await shared.waitReady('True');
    await own.waitReady('False', 'TokenRejected');
    await w.appcopies.create(
      w.a,
      'metered',
      w.spec(w.targetApp(w.one), { consoleRef: { kind: 'ClusterRainbondConsole', name: shared.name } }),
    );
    await w.appcopies.waitFor(w.a, 'metered', isPhase('Succeeded'));

    const sharedLabel = `console="ClusterRainbondConsole/${shared.name}"`;
    const ownLabel = `console="RainbondConsole/${w.b}/rainbond"`;
    const text = await eventually(
      async () => {
        const port = await operator.started;
        const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return body.includes(`appcopy_console_ready{${ownLabel}} 0`) ? body : undefined;
      },
      { what: 'the metrics of both consoles', timeoutMs: 15_000 },
    );
    expect(text).toContain(`appcopy_console_ready{${sharedLabel}} 1`);
    expect(text).toContain(`rainbond_requests_total{${sharedLabel},route="copy",outcome="success"} 1`);
    expect(text).toMatch(
      new RegExp(
        `rainbond_requests_total\\{${ownLabel.replace(/[/.]/g, '\\$&')},route="listTeams",outcome="unauthorized"\\} [1-9]`,
      ),
    );
    expect(text).toContain(`appcopy_copy_slots_in_use{${sharedLabel}} 0`);
    // The refused token's console made no copy call.
    expect(text).not.toContain(`rainbond_requests_total{${ownLabel},route="copy"`);
  });
});
