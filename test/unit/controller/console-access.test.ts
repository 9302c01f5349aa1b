// Which console an AppCopy talks to, under which rules, with which token: one row per situation,
// over in-memory console resources and real connections whose clients are scripted consoles
// (none of them may be called: settling the console never asks it anything).
import { describe, expect, it } from 'vitest';
import type { AppCopy, RecordedConsole } from '../../../src/api/appcopy.ts';
import { appCopySpecSchema } from '../../../src/api/appcopy.ts';
import {
  type ConsoleId,
  type ConsoleObject,
  consoleKey,
  OPERATOR_CONSOLE_KEY,
} from '../../../src/api/console.ts';
import type { ConsoleCatalogue } from '../../../src/consoles/catalogue.ts';
import { type ConnectionSettings, createConnections } from '../../../src/consoles/connections.ts';
import {
  type ConsoleAccess,
  createConsoleAccessor,
  type DefaultConsole,
} from '../../../src/controller/console-access.ts';
import type { CredentialsResolver } from '../../../src/controller/credentials.ts';
import { credentialsWith, noCredentials } from '../../fakes/credentials.ts';
import { createScriptedConsole } from '../../fakes/rainbond-client.ts';
import { anAppCopy, aSpec } from '../../support/builders.ts';

const URL_ONE = 'https://one.example.com';
const CONSOLE_TOKEN = '1111111111111111111111111111111111111111';
const APPCOPY_TOKEN = '2222222222222222222222222222222222222222';
const OPERATOR_TOKEN = '3333333333333333333333333333333333333333';

const shared: ConsoleObject = consoleObject(
  { kind: 'ClusterRainbondConsole', name: 'shared' },
  { names: ['team-a'] },
);
const ownOfA: ConsoleObject = consoleObject({ kind: 'RainbondConsole', namespace: 'team-a', name: 'mine' });

function consoleObject(id: ConsoleId, namespaces?: { names: string[] }): ConsoleObject {
  return {
    apiVersion: 'openapi.rainbond.io/v1alpha1',
    kind: id.kind,
    metadata: {
      name: id.name,
      ...(id.namespace ? { namespace: id.namespace } : {}),
      uid: 'u',
      generation: 1,
      resourceVersion: '1',
    },
    spec: {
      url: URL_ONE,
      credentialsSecretRef: { ...(namespaces ? { namespace: 'ops' } : {}), name: 'token' },
      allow: [
        { ...(namespaces ? { namespaces } : {}), sourceTeams: ['o19p6wen'], targetTeams: ['t7k2m9qa'] },
      ],
    },
  };
}

interface Row {
  name: string;
  step: 'new' | 'existing';
  appCopy?: AppCopy;
  consoleRef?: { kind: 'RainbondConsole' | 'ClusterRainbondConsole'; name: string };
  ownSecret?: boolean;
  recorded?: RecordedConsole;
  defaultConsole?: DefaultConsole;
  operatorConsole?: boolean;
  /** Consoles that exist; default: shared and ownOfA. */
  resources?: ConsoleObject[];
  /** Readiness of each console key's connection; absent: no connection yet (not checked). */
  checked?: Record<string, boolean>;
  connectionUrl?: string;
  consoleToken?: boolean;
  credentials?: CredentialsResolver;
  clusterConsoles?: boolean;
  synced?: boolean;
  /** Kinds whose CRD is not installed. */
  notServed?: string[];
  expected:
    | Partial<Extract<ConsoleAccess, { ok: false }>>
    | { token: string; console: RecordedConsole; allowed?: boolean };
}

const sharedRef = { kind: 'ClusterRainbondConsole' as const, name: 'shared' };
const sharedKey = consoleKey({ kind: 'ClusterRainbondConsole', name: 'shared' });
const ownKey = consoleKey({ kind: 'RainbondConsole', namespace: 'team-a', name: 'mine' });

const rows: Row[] = [
  {
    name: 'an AppCopy naming no console, with no default console, is told to name one',
    step: 'new',
    defaultConsole: { kind: 'none' },
    expected: { reason: 'ConsoleNotFound', message: expect.stringContaining('DEFAULT_CONSOLE=none') },
  },
  {
    name: "with DEFAULT_CONSOLE=env it uses the operator's own console and the default token",
    step: 'new',
    defaultConsole: { kind: 'env' },
    expected: { token: OPERATOR_TOKEN, console: { kind: 'Default', url: 'http://operator.example.com' } },
  },
  {
    name: "DEFAULT_CONSOLE=env without RAINBOND_URL says there is no console of the operator's own",
    step: 'new',
    defaultConsole: { kind: 'env' },
    operatorConsole: false,
    expected: { reason: 'ConsoleNotFound', message: expect.stringContaining('RAINBOND_URL is not set') },
  },
  {
    name: 'a default ClusterRainbondConsole is used under its rules',
    step: 'new',
    defaultConsole: { kind: 'cluster', name: 'shared' },
    checked: { [sharedKey]: true },
    expected: {
      token: CONSOLE_TOKEN,
      console: { kind: 'ClusterRainbondConsole', name: 'shared', url: URL_ONE },
    },
  },
  {
    name: 'a named ClusterRainbondConsole that does not exist is not found',
    step: 'new',
    consoleRef: { kind: 'ClusterRainbondConsole', name: 'other' },
    expected: { reason: 'ConsoleNotFound', message: 'ClusterRainbondConsole other does not exist' },
  },
  {
    name: 'a console whose CRD is not installed says to install it',
    step: 'new',
    consoleRef: { kind: 'ClusterRainbondConsole', name: 'other' },
    notServed: ['ClusterRainbondConsole'],
    expected: {
      reason: 'ConsoleNotFound',
      message: expect.stringContaining('the ClusterRainbondConsole CRD is not installed in this cluster'),
    },
  },
  {
    name: 'a ClusterRainbondConsole cannot be used when cluster consoles are not watched',
    step: 'new',
    consoleRef: sharedRef,
    clusterConsoles: false,
    expected: { reason: 'ConsoleNotFound', message: expect.stringContaining('CLUSTER_CONSOLES=false') },
  },
  {
    name: "a RainbondConsole is looked up in the AppCopy's own namespace only",
    step: 'new',
    appCopy: anAppCopy((d) => {
      d.metadata.namespace = 'team-b';
    }),
    consoleRef: { kind: 'RainbondConsole', name: 'mine' },
    expected: {
      reason: 'ConsoleNotFound',
      message: expect.stringContaining('RainbondConsole team-b/mine does not exist in namespace team-b'),
    },
  },
  {
    name: 'its own RainbondConsole, checked and ready, gives the console token',
    step: 'new',
    consoleRef: { kind: 'RainbondConsole', name: 'mine' },
    checked: { [ownKey]: true },
    expected: { token: CONSOLE_TOKEN, console: { kind: 'RainbondConsole', name: 'mine', url: URL_ONE } },
  },
  {
    name: "the rules refuse another namespace's AppCopy before anything else, even an unchecked console",
    step: 'new',
    appCopy: anAppCopy((d) => {
      d.metadata.namespace = 'team-b';
    }),
    consoleRef: sharedRef,
    expected: {
      reason: 'CopyNotAllowed',
      refused: true,
      message: expect.stringContaining('does not admit namespace team-b'),
    },
  },
  {
    name: 'a console not checked yet makes the AppCopy wait quietly',
    step: 'new',
    consoleRef: sharedRef,
    expected: { reason: 'ConsoleNotReady', quiet: true },
  },
  {
    name: 'nothing is decided before the console caches are filled',
    step: 'new',
    consoleRef: sharedRef,
    checked: { [sharedKey]: true },
    synced: false,
    expected: { reason: 'ConsoleNotReady', quiet: true },
  },
  {
    name: "a console whose check failed makes the AppCopy wait with the check's words",
    step: 'new',
    consoleRef: sharedRef,
    checked: { [sharedKey]: false },
    expected: {
      reason: 'ConsoleNotReady',
      message: 'ClusterRainbondConsole shared is not ready: the token was refused',
    },
  },
  {
    name: "the AppCopy's own Secret wins over the console's token, and the rules still apply",
    step: 'new',
    consoleRef: sharedRef,
    ownSecret: true,
    checked: { [sharedKey]: true },
    credentials: credentialsWith(APPCOPY_TOKEN),
    expected: {
      token: APPCOPY_TOKEN,
      console: { kind: 'ClusterRainbondConsole', name: 'shared', url: URL_ONE },
    },
  },
  {
    name: "an AppCopy's own Secret that cannot be read is said so",
    step: 'new',
    consoleRef: sharedRef,
    ownSecret: true,
    checked: { [sharedKey]: true },
    credentials: noCredentials(),
    expected: { reason: 'CredentialsNotFound' },
  },
  {
    name: 'a console whose token could not be read gives no token',
    step: 'new',
    consoleRef: sharedRef,
    checked: { [sharedKey]: true },
    consoleToken: false,
    expected: { reason: 'CredentialsNotFound', message: expect.stringContaining('has no usable token') },
  },
  {
    name: 'an existing copy goes to the console recorded with its intent, whatever the spec names now',
    step: 'existing',
    consoleRef: { kind: 'RainbondConsole', name: 'mine' },
    recorded: { kind: 'ClusterRainbondConsole', name: 'shared', url: URL_ONE },
    checked: { [sharedKey]: true, [ownKey]: true },
    expected: {
      token: CONSOLE_TOKEN,
      console: { kind: 'ClusterRainbondConsole', name: 'shared', url: URL_ONE },
    },
  },
  {
    name: 'an existing copy is still reached after the rules stop admitting it; a resend would not be allowed',
    step: 'existing',
    appCopy: anAppCopy((d) => {
      d.metadata.namespace = 'team-b';
    }),
    recorded: { kind: 'ClusterRainbondConsole', name: 'shared', url: URL_ONE },
    checked: { [sharedKey]: true },
    expected: {
      token: CONSOLE_TOKEN,
      console: { kind: 'ClusterRainbondConsole', name: 'shared', url: URL_ONE },
      allowed: false,
    },
  },
  {
    name: 'an existing copy whose console now points elsewhere waits, naming both URLs',
    step: 'existing',
    recorded: { kind: 'ClusterRainbondConsole', name: 'shared', url: 'https://old.example.com' },
    checked: { [sharedKey]: true },
    expected: {
      reason: 'ConsoleChanged',
      message: expect.stringContaining(
        'made in the console at https://old.example.com, but ClusterRainbondConsole shared now points at https://one.example.com',
      ),
    },
  },
  {
    name: "a copy made before consoles were resources goes to the operator's own console",
    step: 'existing',
    consoleRef: sharedRef,
    checked: { [sharedKey]: true },
    expected: { token: OPERATOR_TOKEN, console: { kind: 'Default', url: 'http://operator.example.com' } },
  },
  {
    name: "a copy recorded in the operator's own console waits when RAINBOND_URL changed",
    step: 'existing',
    recorded: { kind: 'Default', url: 'http://old-operator.example.com' },
    expected: { reason: 'ConsoleChanged', message: expect.stringContaining('(RAINBOND_URL)') },
  },
];

describe('settling the console of an AppCopy', () => {
  it.each(rows)('$name', async (row) => {
    const untouched = createScriptedConsole({});
    const connections = createConnections({ makeClient: () => untouched, later: () => {} });
    const settings = (url: string): ConnectionSettings => ({
      generation: 1,
      url,
      ca: undefined,
      copyTimeoutMs: 10_000,
      requestTimeoutMs: 1_000,
      copyConcurrency: 2,
      settleMs: 20_000,
    });
    const operator =
      row.operatorConsole === false
        ? undefined
        : {
            connection: connections.configure(OPERATOR_CONSOLE_KEY, settings('http://operator.example.com')),
          };
    if (operator) operator.connection.readiness = { ready: true, reason: 'NotChecked', message: '' };
    for (const [key, ready] of Object.entries(row.checked ?? {})) {
      const connection = connections.configure(key, settings(row.connectionUrl ?? URL_ONE));
      connection.readiness = {
        ready,
        reason: ready ? 'ConsoleReady' : 'TokenRejected',
        message: ready ? 'fine' : 'the token was refused',
      };
      connection.token =
        row.consoleToken === false
          ? { ok: false, message: 'Secret ops/token does not exist' }
          : { ok: true, value: CONSOLE_TOKEN };
    }
    const resources = row.resources ?? [shared, ownOfA];
    const catalogue: ConsoleCatalogue = {
      get: (id) =>
        resources.find(
          (r) =>
            consoleKey({
              kind: r.kind,
              name: r.metadata.name,
              ...(r.metadata.namespace ? { namespace: r.metadata.namespace } : {}),
            }) === consoleKey(id),
        ),
      list: () => resources,
      namespaceLabels: (ns) => ({ 'kubernetes.io/metadata.name': ns }),
      synced: () => row.synced ?? true,
      clusterConsoles: row.clusterConsoles ?? true,
      served: (kind) => !(row.notServed ?? []).includes(kind),
    };
    const rechecked: string[] = [];
    const accessor = createConsoleAccessor({
      catalogue,
      connections,
      credentials: row.credentials ?? credentialsWith(OPERATOR_TOKEN),
      defaultConsole: row.defaultConsole ?? { kind: 'none' },
      operatorConsole: operator,
      recheck: (key) => rechecked.push(key),
    });
    const object = row.appCopy ?? anAppCopy();
    object.spec = aSpec((d) => {
      d.spec.target.teamName = 't7k2m9qa';
      if (row.consoleRef) d.spec.consoleRef = row.consoleRef;
      if (row.ownSecret) d.spec.credentialsSecretRef = { name: 'own-token' };
    });
    if (row.recorded || row.step === 'existing') {
      object.status = { phase: 'Succeeded', ...(row.recorded ? { console: row.recorded } : {}) };
    }
    const spec = appCopySpecSchema.parse(object.spec);

    const access =
      row.step === 'new'
        ? await accessor.forNewCopy(object, spec)
        : await accessor.forExistingCopy(object, spec);

    if ('token' in row.expected) {
      expect(access.ok, JSON.stringify(access)).toBe(true);
      if (!access.ok) return;
      expect(access.session.token).toBe(row.expected.token);
      expect(access.session.console).toEqual(row.expected.console);
      expect(access.session.admission.allowed).toBe(row.expected.allowed ?? true);
      access.session.tokenRefused();
      // A refused token has a console resource checked again; the operator's own has no Secret to read.
      expect(rechecked).toEqual(access.session.key === OPERATOR_CONSOLE_KEY ? [] : [access.session.key]);
    } else {
      expect(access).toMatchObject({ ok: false, ...row.expected });
    }
    expect(untouched.calls).toEqual([]);
  });
});
