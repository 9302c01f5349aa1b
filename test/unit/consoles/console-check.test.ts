// The check of one console resource, step by step: what it reads (token, CA), what it asks the
// console (one team listing), what status and Event it records and whom it wakes. The console
// is scripted; the Secrets, ConfigMaps and the status store are in memory.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type ConsoleObject, type ConsoleStatus, consoleKey } from '../../../src/api/console.ts';
import type { ConsoleCatalogue } from '../../../src/consoles/catalogue.ts';
import { type ConnectionSettings, createConnections } from '../../../src/consoles/connections.ts';
import { createConsoleCheck, parseConsoleKey } from '../../../src/consoles/console-check.ts';
import type { SecretReader, SecretValue } from '../../../src/k8s/secret-reader.ts';
import { RainbondNotSentError } from '../../../src/rainbond/errors.ts';
import { notSent, rejected, unauthorized } from '../../fakes/console-errors.ts';
import { createRecordingEventRecorder } from '../../fakes/event-recorder.ts';
import { answer, type ConsoleScript, createScriptedConsole, fail } from '../../fakes/rainbond-client.ts';

const silent = pino({ level: 'silent' });
const TOKEN = 'aaaabbbbccccddddeeeeffff0000111122223333';
const KEY = 'ClusterRainbondConsole/shared';
const INTERVAL = 60_000;
const RELEASE = 'v6.9.8-release-1a2b3c4-2026031512';

function aConsole(spec: Record<string, unknown> = {}, status?: ConsoleStatus): ConsoleObject {
  return {
    apiVersion: 'openapi.rainbond.io/v1alpha1',
    kind: 'ClusterRainbondConsole',
    metadata: { name: 'shared', uid: 'u', generation: 3, resourceVersion: '10' },
    spec: {
      url: 'https://rainbond.example.com/',
      credentialsSecretRef: { namespace: 'ops', name: 'rainbond-token' },
      allow: [{ namespaces: { selector: {} }, sourceTeams: ['*'], targetTeams: ['*'] }],
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

/** A key reader over `data`: `namespace/name` -> key -> value. */
function reader(data: Record<string, Record<string, string>>): SecretReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async readKey(namespace, name, key): Promise<SecretValue> {
      reads.push(`${namespace}/${name}/${key}`);
      const object = data[`${namespace}/${name}`];
      if (!object) return { found: false, why: 'secret-missing' };
      const value = object[key];
      return value === undefined ? { found: false, why: 'key-missing' } : { found: true, value };
    },
  };
}

function aCheck(options: {
  object: ConsoleObject | undefined;
  console?: ConsoleScript;
  secrets?: Record<string, Record<string, string>>;
  configMaps?: Record<string, Record<string, string>>;
  onRelease?: (key: string, release: string | undefined) => void;
}) {
  let stored = options.object;
  const client = createScriptedConsole({
    listTeams: [answer({ total: 2 })],
    readRelease: [answer(RELEASE)],
    ...options.console,
  });
  const made: ConnectionSettings[] = [];
  const connections = createConnections({
    makeClient: (_key, settings) => {
      made.push(settings);
      return client;
    },
    later: () => {},
  });
  const catalogue: ConsoleCatalogue = {
    get: () => stored,
    list: () => (stored ? [stored] : []),
    namespaceLabels: () => undefined,
    synced: () => true,
    clusterConsoles: true,
    served: () => true,
  };
  const writes: ConsoleStatus[] = [];
  const events = createRecordingEventRecorder();
  const changed: string[] = [];
  const readiness: (boolean | undefined)[] = [];
  const secrets = reader(options.secrets ?? { 'ops/rainbond-token': { token: TOKEN } });
  const check = createConsoleCheck({
    catalogue,
    connections,
    secrets,
    configMaps: reader(options.configMaps ?? {}),
    store: {
      async writeStatus(object, status) {
        writes.push(status);
        stored = {
          ...object,
          status,
          metadata: { ...object.metadata, resourceVersion: `${writes.length + 10}` },
        };
        return stored;
      },
    },
    events,
    defaults: {
      copyTimeoutMs: 600_000,
      requestTimeoutMs: 30_000,
      copyConcurrency: 16,
      verifySettleMs: 660_000,
    },
    checkIntervalMs: INTERVAL,
    now: () => new Date('2026-12-05T10:00:00Z'),
    logger: silent,
    onChange: (key) => changed.push(key),
    onReadiness: (_key, ready) => readiness.push(ready),
    ...(options.onRelease ? { onRelease: options.onRelease } : {}),
  });
  return {
    run: () => check(KEY, silent),
    check: (key: string) => check(key, silent),
    client,
    connections,
    made,
    writes,
    events,
    changed,
    readiness,
    secrets,
    setObject(object: ConsoleObject | undefined) {
      stored = object;
    },
    ready: () => writes.at(-1)?.conditions?.find((c) => c.type === 'Ready'),
  };
}

describe('checking a console', () => {
  it('that answers with the token: Ready=True, an Event, the AppCopies woken, and the next check in one interval', async () => {
    const c = aCheck({ object: aConsole() });
    expect(await c.run()).toEqual({ requeueAfterMs: INTERVAL });
    expect(c.client.calls).toEqual([
      { method: 'listTeams', args: [], token: TOKEN },
      { method: 'readRelease', args: [], token: '' },
    ]);
    expect(c.ready()).toMatchObject({
      status: 'True',
      reason: 'ConsoleReady',
      message:
        'the console at https://rainbond.example.com answers, its certificate is trusted and it accepts the token from Secret ops/rainbond-token key "token"',
      observedGeneration: 3,
    });
    expect(c.events.summary()).toEqual(['Normal/ConsoleReady']);
    expect(c.events.events[0]?.object).toBe('shared');
    expect(c.changed).toContain(KEY);
    expect(c.readiness).toEqual([true]);
    expect(c.connections.get(KEY)?.readiness.ready).toBe(true);
  });

  it('again with the same answer writes nothing and announces nothing', async () => {
    const c = aCheck({ object: aConsole() });
    await c.run();
    const changedAfterFirst = c.changed.length;
    await c.run();
    expect(c.writes).toHaveLength(1);
    expect(c.events.summary()).toEqual(['Normal/ConsoleReady']);
    expect(c.changed).toHaveLength(changedAfterFirst);
    expect(c.made).toHaveLength(1);
  });

  it.each([
    {
      name: 'a refused token is TokenRejected, in words that name the Secret and not the token',
      console: { listTeams: [fail(unauthorized('listTeams'))] },
      reason: 'TokenRejected',
      saying: 'refused the token from Secret ops/rainbond-token key "token"',
    },
    {
      name: 'an unreachable console is Unreachable',
      console: { listTeams: [fail(notSent('listTeams'))] },
      reason: 'Unreachable',
      saying: 'connection refused',
    },
    {
      name: 'a certificate it cannot verify is TLSUntrusted',
      console: {
        listTeams: [
          fail(
            new RainbondNotSentError('certificate verification failed for rainbond.example.com', {
              route: 'listTeams',
              cause: 'SELF_SIGNED_CERT_IN_CHAIN',
              certificate: true,
            }),
          ),
        ],
      },
      reason: 'TLSUntrusted',
      saying: 'certificate verification failed',
    },
    {
      name: 'a URL that is not a console (a 404) is UnexpectedAnswer',
      console: { listTeams: [fail(rejected(404, 'Not Found', { route: 'listTeams' }))] },
      reason: 'UnexpectedAnswer',
      saying: "is spec.url the console's base URL?",
    },
  ])('$name', async ({ console, reason, saying }) => {
    const c = aCheck({ object: aConsole(), console });
    expect(await c.run()).toEqual({ requeueAfterMs: 0 });
    expect(c.ready()).toMatchObject({ status: 'False', reason });
    expect(c.ready()?.message).toContain(saying);
    expect(JSON.stringify(c.writes)).not.toContain(TOKEN);
    expect(c.events.summary()).toEqual([`Warning/${reason}`]);
    expect(c.readiness).toEqual([false]);
  });

  it('without its token Secret asks the console nothing and says which Secret is missing', async () => {
    const c = aCheck({ object: aConsole(), secrets: {} });
    await c.run();
    expect(c.client.calls).toEqual([]);
    expect(c.ready()).toMatchObject({
      status: 'False',
      reason: 'CredentialsNotFound',
      message:
        'cannot read the token from Secret ops/rainbond-token key "token" named by spec.credentialsSecretRef: it does not exist',
    });
  });

  it('reads a rotated token at the next check, uses it, and wakes the AppCopies', async () => {
    const secrets = { 'ops/rainbond-token': { token: TOKEN } };
    const c = aCheck({ object: aConsole(), secrets });
    await c.run();
    const woken = c.changed.length;
    secrets['ops/rainbond-token'].token = 'ffffeeeeddddccccbbbbaaaa9999888877776666';
    await c.run();
    expect(c.client.callsTo('listTeams').map((call) => call.token)).toEqual([
      TOKEN,
      'ffffeeeeddddccccbbbbaaaa9999888877776666',
    ]);
    expect(c.connections.get(KEY)?.token).toEqual({
      ok: true,
      value: 'ffffeeeeddddccccbbbbaaaa9999888877776666',
    });
    expect(c.changed.length).toBeGreaterThan(woken);
    expect(c.made).toHaveLength(1);
  });

  it('reads the release once when the console first passes, records it, and again only after a failed check', async () => {
    const releases: (string | undefined)[] = [];
    const c = aCheck({ object: aConsole(), onRelease: (_key, release) => releases.push(release) });
    await c.run();
    expect(c.writes.at(-1)?.release).toBe(RELEASE);
    await c.run();
    expect(c.client.callsTo('readRelease')).toHaveLength(1);
    // The console goes away, comes back upgraded.
    c.client.script('listTeams', fail(notSent('listTeams')));
    await c.run();
    expect(c.writes.at(-1)?.release).toBe(RELEASE);
    c.client.script('listTeams', answer({ total: 2 }));
    c.client.script('readRelease', answer('v6.10.0-release-9f8e7d6-2026120100'));
    await c.run();
    expect(c.client.callsTo('readRelease')).toHaveLength(2);
    expect(c.writes.at(-1)?.release).toBe('v6.10.0-release-9f8e7d6-2026120100');
    expect(releases).toEqual([RELEASE, 'v6.10.0-release-9f8e7d6-2026120100']);
  });

  it('a console that cannot say its release is still Ready, with no release recorded, and is asked again at the next check', async () => {
    const c = aCheck({
      object: aConsole(),
      console: { readRelease: [fail(rejected(404, 'Not Found', { route: 'consoleRelease' }))] },
    });
    await c.run();
    expect(c.ready()).toMatchObject({ status: 'True', reason: 'ConsoleReady' });
    expect(c.writes.at(-1)?.release).toBeUndefined();
    await c.run();
    expect(c.client.callsTo('readRelease')).toHaveLength(2);
  });

  it('a console older than the oldest checked release says so in its Ready message, and stays Ready', async () => {
    const c = aCheck({
      object: aConsole(),
      console: { readRelease: [answer('v5.12.1-release-0a0b0c0-2022010100')] },
    });
    await c.run();
    expect(c.ready()?.status).toBe('True');
    expect(c.ready()?.message).toContain(
      'its release v5.12.1-release-0a0b0c0-2022010100 is older than v5.16.0, the oldest the operator was checked against',
    );
    expect(c.writes.at(-1)?.release).toBe('v5.12.1-release-0a0b0c0-2022010100');
  });

  it('reads its CA from a ConfigMap, and builds a new client when the CA changes', async () => {
    const configMaps = { 'ops/console-ca': { 'ca.crt': 'PEM-1' } };
    const object = aConsole({
      caBundle: { configMapKeyRef: { namespace: 'ops', name: 'console-ca', key: 'ca.crt' } },
    });
    const c = aCheck({ object, configMaps });
    await c.run();
    configMaps['ops/console-ca']['ca.crt'] = 'PEM-2';
    await c.run();
    expect(c.made.map((s) => s.ca)).toEqual(['PEM-1', 'PEM-2']);
  });

  it('without its CA bundle is CABundleNotFound, naming where it looked', async () => {
    const object = aConsole({
      caBundle: { secretKeyRef: { namespace: 'ops', name: 'console-ca', key: 'ca.crt' } },
    });
    const c = aCheck({ object });
    await c.run();
    expect(c.ready()).toMatchObject({
      reason: 'CABundleNotFound',
      message:
        'cannot read the CA bundle from Secret ops/console-ca key "ca.crt" named by spec.caBundle: it does not exist',
    });
    expect(c.client.calls).toEqual([]);
  });

  it("applies its limits, the operator's where it sets none, and keeps the settle margin over a longer copy timeout", async () => {
    const c = aCheck({ object: aConsole({ limits: { copyConcurrency: 3, copyTimeout: '20m' } }) });
    await c.run();
    expect(c.made[0]).toEqual({
      generation: 3,
      url: 'https://rainbond.example.com',
      ca: undefined,
      copyTimeoutMs: 1_200_000,
      requestTimeoutMs: 30_000,
      copyConcurrency: 3,
      settleMs: 1_260_000,
    });
  });

  it('of a console that is gone forgets its connection and its metric, and wakes its AppCopies', async () => {
    const c = aCheck({ object: aConsole() });
    await c.run();
    c.setObject(undefined);
    expect(await c.run()).toEqual({});
    expect(c.connections.get(KEY)).toBeUndefined();
    expect(c.readiness.at(-1)).toBeUndefined();
    expect(c.changed.at(-1)).toBe(KEY);
  });

  it('of a spec the operator cannot use (an old CRD) says why and asks the console nothing', async () => {
    const c = aCheck({ object: aConsole({ allow: [{ sourceTeams: ['*'], targetTeams: ['*'] }] }) });
    await c.run();
    expect(c.ready()).toMatchObject({
      reason: 'InvalidSpec',
      message:
        'spec.allow[0].namespaces needs names or a selector on a ClusterRainbondConsole (selector {} admits every namespace)',
    });
    expect(c.client.calls).toEqual([]);
  });
});

describe('a key that is not a console resource', () => {
  it("(the operator's own console) is left alone: its connection stays", async () => {
    const c = aCheck({ object: aConsole() });
    c.connections.configure(
      'Default',
      c.made[0] ?? {
        generation: undefined,
        url: 'http://operator.example.com',
        ca: undefined,
        copyTimeoutMs: 1,
        requestTimeoutMs: 1,
        copyConcurrency: 1,
        settleMs: 1,
      },
    );
    expect(await c.check('Default')).toEqual({});
    expect(c.connections.get('Default')).toBeDefined();
    expect(c.client.calls).toEqual([]);
  });
});

describe('console keys', () => {
  it.each([
    ['ClusterRainbondConsole/shared', { kind: 'ClusterRainbondConsole', name: 'shared' }],
    ['RainbondConsole/team-a/mine', { kind: 'RainbondConsole', namespace: 'team-a', name: 'mine' }],
    ['RainbondConsole/mine', undefined],
    ['Default', undefined],
  ])('%s', (key, id) => {
    expect(parseConsoleKey(key)).toEqual(id);
    if (id) expect(consoleKey(id as never)).toBe(key);
  });
});
