// The bad-input catalogue, admission part: every constraint of the CRD's schema and every CEL
// rule, each broken by one malformed manifest that `kubectl apply` must refuse with a message
// naming the field and the rule. test/integration/operator/admission.test.ts covers eight of
// them (a missing target, appId 0, a malformed serviceId, an unknown deletionPolicy, a
// buildSource without version, a credentials namespace, a duplicate service, an env key with a
// space) and the target change while Copying; this file covers the rest, so that together no
// constraint of crds/ is left untried (the last test checks that against the CRD itself).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { createTestNamespace, kubectl, testKubeConfig } from '../../support/kube.ts';

const ID = '9f6e98bbb0c7893af5d3a82f1cb94645';
const OK_SOURCE = '{teamId: o19p6wen, regionName: rainbond, appId: 12}';
const OK_TARGET = '{teamName: t7k2m9qa, regionName: rainbond, appId: 34}';
const long = (n: number, c = 'a') => c.repeat(n);

/** A spec in flow YAML, with one part replaced. */
function spec(parts: { source?: string; target?: string; rest?: string } = {}): string {
  const lines = ['spec:'];
  if (parts.source !== '') lines.push(`  source: ${parts.source ?? OK_SOURCE}`);
  if (parts.target !== '') lines.push(`  target: ${parts.target ?? OK_TARGET}`);
  if (parts.rest) lines.push(parts.rest);
  return lines.join('\n');
}
const services = (items: string) => `  services: ${items}`;
const change = (c: string) => services(`[{serviceId: ${ID}, change: ${c}}]`);
const envs = (e: string) => change(`{envs: ${e}}`);

interface Case {
  /** What is wrong, as a sentence. */
  name: string;
  /** The constraint of the CRD it breaks: `<schema path>: <keyword>`. */
  breaks: string;
  body: string;
  /** What the message must say: the field and the rule. */
  says: string[];
}

const CASES: Case[] = [
  // The object and its required parts.
  { name: 'no spec at all', breaks: '.: required', body: '', says: ['spec: Required value'] },
  {
    name: 'no source',
    breaks: 'spec: required',
    body: spec({ source: '' }),
    says: ['spec.source: Required value'],
  },
  {
    name: 'a source without teamId',
    breaks: 'spec.source: required',
    body: spec({ source: '{regionName: rainbond, appId: 12}' }),
    says: ['spec.source.teamId: Required value'],
  },
  {
    name: 'a source without regionName',
    breaks: 'spec.source: required',
    body: spec({ source: '{teamId: o19p6wen, appId: 12}' }),
    says: ['spec.source.regionName: Required value'],
  },
  {
    name: 'a source without appId',
    breaks: 'spec.source: required',
    body: spec({ source: '{teamId: o19p6wen, regionName: rainbond}' }),
    says: ['spec.source.appId: Required value'],
  },
  {
    name: 'a target without teamName',
    breaks: 'spec.target: required',
    body: spec({ target: '{regionName: rainbond, appId: 34}' }),
    says: ['spec.target.teamName: Required value'],
  },
  {
    name: 'a target without regionName',
    breaks: 'spec.target: required',
    body: spec({ target: '{teamName: t7k2m9qa, appId: 34}' }),
    says: ['spec.target.regionName: Required value'],
  },
  {
    name: 'a target without appId',
    breaks: 'spec.target: required',
    body: spec({ target: '{teamName: t7k2m9qa, regionName: rainbond}' }),
    says: ['spec.target.appId: Required value'],
  },
  // Names: pattern, minLength, maxLength, on each of the four.
  ...(
    [
      [
        'source',
        'teamId',
        (v: string) => spec({ source: `{teamId: "${v}", regionName: rainbond, appId: 12}` }),
      ],
      [
        'source',
        'regionName',
        (v: string) => spec({ source: `{teamId: o19p6wen, regionName: "${v}", appId: 12}` }),
      ],
      [
        'target',
        'teamName',
        (v: string) => spec({ target: `{teamName: "${v}", regionName: rainbond, appId: 34}` }),
      ],
      [
        'target',
        'regionName',
        (v: string) => spec({ target: `{teamName: t7k2m9qa, regionName: "${v}", appId: 34}` }),
      ],
    ] as const
  ).flatMap(([part, field, make]): Case[] => [
    {
      name: `a ${part}.${field} with a space and a slash`,
      breaks: `spec.${part}.${field}: pattern`,
      body: make('my team/x'),
      says: [`spec.${part}.${field}`, "should match '^[A-Za-z0-9][A-Za-z0-9_-]*$'"],
    },
    {
      name: `an empty ${part}.${field}`,
      breaks: `spec.${part}.${field}: minLength`,
      body: make(''),
      says: [`spec.${part}.${field}`, 'should be at least 1 chars long'],
    },
    {
      name: `a ${part}.${field} of 65 characters`,
      breaks: `spec.${part}.${field}: maxLength`,
      body: make(long(65)),
      says: [`spec.${part}.${field}`, 'may not be more than 64 bytes'],
    },
  ]),
  // App ids.
  {
    name: 'a target appId of 0',
    breaks: 'spec.target.appId: minimum',
    body: spec({ target: '{teamName: t7k2m9qa, regionName: rainbond, appId: 0}' }),
    says: ['spec.target.appId', 'should be greater than or equal to 1'],
  },
  {
    name: 'a source appId given as a name',
    breaks: 'spec.source.appId: type',
    body: spec({ source: '{teamId: o19p6wen, regionName: rainbond, appId: shop-online}' }),
    says: ['spec.source.appId', 'must be of type integer'],
  },
  {
    name: 'a target appId with a fraction',
    breaks: 'spec.target.appId: type',
    body: spec({ target: '{teamName: t7k2m9qa, regionName: rainbond, appId: 34.5}' }),
    says: ['spec.target.appId', 'must be of type integer'],
  },
  // Services.
  {
    name: '201 services',
    breaks: 'spec.services: maxItems',
    body: spec({
      rest: services(
        `[${Array.from({ length: 201 }, (_, i) => `{serviceId: ${i.toString(16).padStart(32, '0')}}`).join(', ')}]`,
      ),
    }),
    says: ['spec.services', 'must have at most 200 items'],
  },
  {
    name: 'a service without serviceId',
    breaks: 'spec.services[]: required',
    body: spec({ rest: services('[{change: {buildSource: {version: v2}}}]') }),
    says: ['spec.services[0].serviceId: Required value'],
  },
  {
    name: 'a serviceId in upper case',
    breaks: 'spec.services[].serviceId: pattern',
    body: spec({ rest: services(`[{serviceId: ${ID.toUpperCase()}}]`) }),
    says: ['spec.services[0].serviceId', "should match '^[0-9a-f]{32}$'"],
  },
  {
    name: 'a serviceId one character short',
    breaks: 'spec.services[].serviceId: pattern',
    body: spec({ rest: services(`[{serviceId: ${ID.slice(1)}}]`) }),
    says: ['spec.services[0].serviceId', "should match '^[0-9a-f]{32}$'"],
  },
  {
    name: 'services given as one string',
    breaks: 'spec.services: type',
    body: spec({ rest: services(ID) }),
    says: ['spec.services', 'must be of type array'],
  },
  // Changes.
  {
    name: 'an empty build version',
    breaks: 'spec.services[].change.buildSource.version: minLength',
    body: spec({ rest: change('{buildSource: {version: ""}}') }),
    says: ['spec.services[0].change.buildSource.version', 'should be at least 1 chars long'],
  },
  {
    name: 'a build version of 33 characters (the console takes 32)',
    breaks: 'spec.services[].change.buildSource.version: maxLength',
    body: spec({ rest: change(`{buildSource: {version: ${long(33, 'v')}}}`) }),
    says: ['spec.services[0].change.buildSource.version', 'may not be more than 32 bytes'],
  },
  {
    name: '101 env renames',
    breaks: 'spec.services[].change.envs: maxProperties',
    body: spec({
      rest: envs(`{${Array.from({ length: 101 }, (_, i) => `E${i}: N${i}`).join(', ')}}`),
    }),
    says: ['spec.services[0].change.envs', 'must have at most 100 items'],
  },
  {
    name: 'an env renamed to an empty name',
    breaks: 'spec.services[].change.envs.*: minLength',
    body: spec({ rest: envs('{OLD: ""}') }),
    says: ['spec.services[0].change.envs.OLD', 'should be at least 1 chars long'],
  },
  {
    name: 'an env renamed to a name of 256 characters',
    breaks: 'spec.services[].change.envs.*: maxLength',
    body: spec({ rest: envs(`{OLD: ${long(256, 'N')}}`) }),
    says: ['spec.services[0].change.envs.OLD', 'may not be more than 255 bytes'],
  },
  {
    name: 'an env renamed to a name starting with a digit',
    breaks: 'spec.services[].change.envs.*: pattern',
    body: spec({ rest: envs('{OLD: 1NEW}') }),
    says: ['spec.services[0].change.envs.OLD', "should match '^[A-Za-z_][A-Za-z0-9_.-]*$'"],
  },
  {
    name: 'an env key starting with a digit',
    breaks: 'spec.services[].change.envs: x-kubernetes-validations',
    body: spec({ rest: envs('{1OLD: NEW}') }),
    says: ['spec.services[0].change.envs', 'env names must start with a letter or underscore'],
  },
  {
    name: 'a change of something the copy cannot change',
    breaks: 'spec.services[].change: properties',
    body: spec({ rest: change('{image: nginx:1.27}') }),
    says: ['unknown field "spec.services[0].change.image"'],
  },
  // Credentials.
  {
    name: 'a credentials reference without a name',
    breaks: 'spec.credentialsSecretRef: required',
    body: spec({ rest: '  credentialsSecretRef: {}' }),
    says: ['spec.credentialsSecretRef.name: Required value'],
  },
  {
    name: 'a credentials Secret named with a path into another namespace',
    breaks: 'spec.credentialsSecretRef.name: pattern',
    body: spec({ rest: '  credentialsSecretRef: {name: other-team/rainbond-token}' }),
    says: ['spec.credentialsSecretRef.name', 'should match'],
  },
  {
    name: 'a credentials Secret name in capitals',
    breaks: 'spec.credentialsSecretRef.name: pattern',
    body: spec({ rest: '  credentialsSecretRef: {name: Rainbond_Token}' }),
    says: ['spec.credentialsSecretRef.name', 'should match'],
  },
  {
    name: 'an empty credentials Secret name',
    breaks: 'spec.credentialsSecretRef.name: minLength',
    body: spec({ rest: '  credentialsSecretRef: {name: ""}' }),
    says: ['spec.credentialsSecretRef.name', 'should be at least 1 chars long'],
  },
  {
    name: 'a credentials Secret name of 254 characters',
    breaks: 'spec.credentialsSecretRef.name: maxLength',
    body: spec({ rest: `  credentialsSecretRef: {name: ${long(254)}}` }),
    says: ['spec.credentialsSecretRef.name', 'may not be more than 253 bytes'],
  },
  // Misspelt fields are not silently dropped.
  {
    name: 'a misspelt field (deletePolicy)',
    breaks: 'spec: properties',
    body: spec({ rest: '  deletePolicy: Delete' }),
    says: ['unknown field "spec.deletePolicy"'],
  },
  // The console an AppCopy copies through.
  {
    name: 'a consoleRef without name',
    breaks: 'spec.consoleRef: required',
    body: spec({ rest: '  consoleRef: {kind: ClusterRainbondConsole}' }),
    says: ['spec.consoleRef.name: Required value'],
  },
  {
    name: 'a consoleRef of another kind',
    breaks: 'spec.consoleRef.kind: enum',
    body: spec({ rest: '  consoleRef: {kind: Console, name: shared}' }),
    says: ['spec.consoleRef.kind', 'supported values: "RainbondConsole", "ClusterRainbondConsole"'],
  },
  {
    name: 'a consoleRef whose name is not a Kubernetes name',
    breaks: 'spec.consoleRef.name: pattern',
    body: spec({ rest: '  consoleRef: {kind: RainbondConsole, name: Shared_Console}' }),
    says: ['spec.consoleRef.name', 'should match'],
  },
  {
    name: 'a consoleRef with an empty name',
    breaks: 'spec.consoleRef.name: minLength',
    body: spec({ rest: "  consoleRef: {kind: RainbondConsole, name: ''}" }),
    says: ['spec.consoleRef.name', 'should be at least 1 chars long'],
  },
  {
    name: 'a consoleRef whose name is longer than a Kubernetes name',
    breaks: 'spec.consoleRef.name: maxLength',
    body: spec({ rest: `  consoleRef: {kind: RainbondConsole, name: ${long(254)}}` }),
    says: ['spec.consoleRef.name', 'may not be more than 253 bytes'],
  },
];

/** A valid condition with some fields replaced. */
const condition = (c: Record<string, unknown>) => ({
  type: 'Ready',
  status: 'False',
  reason: 'Copying',
  message: 'copying',
  lastTransitionTime: '2025-01-01T00:00:00Z',
  ...c,
});

// The status schema guards the operator's own writes: a bug there is refused, not stored.
const STATUS_CASES: Case[] = [
  {
    name: 'a phase the operator never writes',
    breaks: 'status.phase: enum',
    body: JSON.stringify({ phase: 'Done' }),
    says: ['status.phase', 'supported values: "Pending", "Copying", "Succeeded", "Failed"'],
  },
  {
    name: 'a copied service without its id',
    breaks: 'status.services[]: required',
    body: JSON.stringify({ services: [{ serviceAlias: 'gr123456' }] }),
    says: ['status.services[0].serviceId: Required value'],
  },
  {
    name: 'a recorded console without its URL',
    breaks: 'status.console: required',
    body: JSON.stringify({ console: { kind: 'Default' } }),
    says: ['status.console.url: Required value'],
  },
  {
    name: 'a recorded console of no known kind',
    breaks: 'status.console.kind: enum',
    body: JSON.stringify({ console: { kind: 'Elsewhere', url: 'https://x' } }),
    says: ['status.console.kind', 'supported values: "RainbondConsole", "ClusterRainbondConsole", "Default"'],
  },
  {
    name: 'a condition without status',
    breaks: 'status.conditions[]: required',
    body: JSON.stringify({
      conditions: [
        { type: 'Ready', reason: 'Copying', message: 'x', lastTransitionTime: '2025-01-01T00:00:00Z' },
      ],
    }),
    says: ['status.conditions[0].status: Required value'],
  },
  {
    name: 'the same condition type twice',
    breaks: 'status.conditions: list-map-keys',
    body: JSON.stringify({ conditions: [condition({}), condition({ status: 'True' })] }),
    says: ['status.conditions[1]', 'Duplicate value'],
  },
  {
    name: 'a condition type of 317 characters',
    breaks: 'status.conditions[].type: maxLength',
    body: JSON.stringify({ conditions: [condition({ type: long(317, 'T') })] }),
    says: ['status.conditions[0].type', 'may not be more than 316 bytes'],
  },
  {
    name: 'a condition status other than True, False, Unknown',
    breaks: 'status.conditions[].status: enum',
    body: JSON.stringify({ conditions: [condition({ status: 'Maybe' })] }),
    says: ['status.conditions[0].status', 'supported values: "True", "False", "Unknown"'],
  },
  {
    name: 'a condition reason of 1025 characters',
    breaks: 'status.conditions[].reason: maxLength',
    body: JSON.stringify({ conditions: [condition({ reason: long(1025, 'R') })] }),
    says: ['status.conditions[0].reason', 'may not be more than 1024 bytes'],
  },
  {
    name: 'a condition message of 32769 characters',
    breaks: 'status.conditions[].message: maxLength',
    body: JSON.stringify({ conditions: [condition({ message: long(32_769, 'm') })] }),
    says: ['status.conditions[0].message', 'may not be more than 32768 bytes'],
  },
];

describe('the API server refuses every malformed AppCopy with a readable message', () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await createTestNamespace(testKubeConfig(), 'bad-input');
  });

  it.each(CASES)('$name ($breaks)', async ({ body, says }) => {
    const manifest = `apiVersion: openapi.rainbond.io/v1alpha1\nkind: AppCopy\nmetadata: {name: bad, namespace: ${namespace}}\n${body}\n`;
    const result = await kubectl(['apply', '-f', '-'], {
      kubeconfig: inject('kubeconfigPath'),
      input: manifest,
    });
    expect(result.code, result.stdout).not.toBe(0);
    for (const text of says) expect(result.stderr).toContain(text);
    // Says which object: a schema violation names it, an unknown field names the kind.
    expect(result.stderr).toMatch(
      /The AppCopy "bad" is invalid|AppCopy in version "v1alpha1" cannot be handled/,
    );
  });

  it.each(STATUS_CASES)('refuses a status write with $name ($breaks)', async ({ body, says }) => {
    const kubeconfig = inject('kubeconfigPath');
    const name = `status-${Math.random().toString(36).slice(2, 8)}`;
    const ok = `apiVersion: openapi.rainbond.io/v1alpha1\nkind: AppCopy\nmetadata: {name: ${name}, namespace: ${namespace}}\n${spec()}\n`;
    expect((await kubectl(['apply', '-f', '-'], { kubeconfig, input: ok })).code).toBe(0);
    const patched = await kubectl(
      [
        'patch',
        'appcopy',
        name,
        '-n',
        namespace,
        '--subresource=status',
        '--type=merge',
        '-p',
        `{"status":${body}}`,
      ],
      { kubeconfig },
    );
    expect(patched.code).not.toBe(0);
    for (const text of says) expect(patched.stderr).toContain(text);
  });

  /** Applies a valid AppCopy named `<prefix>-<random>`, then writes `phase` (if any) as its status; returns its manifest. */
  async function appliedIn(phase: string | undefined, prefix: string): Promise<string> {
    const kubeconfig = inject('kubeconfigPath');
    const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
    const manifest = `apiVersion: openapi.rainbond.io/v1alpha1
kind: AppCopy
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  source: ${OK_SOURCE}
  target: ${OK_TARGET}
  services:
    - serviceId: ${ID}
`;
    expect((await kubectl(['apply', '-f', '-'], { kubeconfig, input: manifest })).code).toBe(0);
    if (phase !== undefined) {
      const status = JSON.stringify({ status: { phase } });
      const patched = await kubectl(
        ['patch', 'appcopy', name, '-n', namespace, '--subresource=status', '--type=merge', '-p', status],
        { kubeconfig },
      );
      expect(patched.code, patched.stderr).toBe(0);
    }
    return manifest;
  }

  // The transition rule beyond the case in admission.test.ts (target while Copying).
  it.each([
    ['the source', 'Copying', ['spec.source'], (s: string) => s.replace('appId: 12', 'appId: 13')],
    [
      'the services (one added)',
      'Succeeded',
      ['spec.services'],
      (s: string) =>
        s.replace(`- serviceId: ${ID}`, `- serviceId: ${ID}\n    - serviceId: ${'a'.repeat(32)}`),
    ],
    [
      'the services (a change added)',
      'Succeeded',
      ['spec.services'],
      (s: string) =>
        s.replace(`- serviceId: ${ID}`, `- serviceId: ${ID}\n      change: {buildSource: {version: v2}}`),
    ],
    [
      'the services (all removed)',
      'Succeeded',
      ['spec.services'],
      (s: string) => s.replace(/ {2}services:\n.*\n/, ''),
    ],
    [
      'the console (one named where the default was used)',
      'Copying',
      ['spec.consoleRef'],
      (s: string) => `${s}  consoleRef: {kind: ClusterRainbondConsole, name: elsewhere}\n`,
    ],
    [
      'the source and the target together',
      'Succeeded',
      ['spec.source', 'spec.target'],
      (s: string) => s.replace('appId: 12', 'appId: 13').replace('appId: 34', 'appId: 35'),
    ],
  ])('refuses a change of %s once the copy is %s, naming each field', async (_what, phase, fields, edit) => {
    const kubeconfig = inject('kubeconfigPath');
    const manifest = await appliedIn(phase, 'frozen');
    const edited = edit(manifest);
    expect(edited).not.toBe(manifest);
    const result = await kubectl(['apply', '-f', '-'], { kubeconfig, input: edited });
    expect(result.code).not.toBe(0);
    const named = ['spec.source', 'spec.target', 'spec.services', 'spec.consoleRef'].filter((f) =>
      result.stderr.includes(`${f}: Forbidden: cannot change once the copy has started`),
    );
    expect(named).toEqual(fields);
    expect(result.stderr).not.toContain('<nil>');
  });

  it.each([
    ['before the operator wrote a status', undefined],
    ['in phase Pending', 'Pending'],
  ])('lets every copied field change %s', async (_when, phase) => {
    const kubeconfig = inject('kubeconfigPath');
    const manifest = await appliedIn(phase, 'open');
    const edited = manifest
      .replace('appId: 12', 'appId: 13')
      .replace('appId: 34', 'appId: 35')
      .replace(`- serviceId: ${ID}`, `- serviceId: ${'b'.repeat(32)}`)
      .concat('  consoleRef: {kind: RainbondConsole, name: mine}\n');
    const result = await kubectl(['apply', '-f', '-'], { kubeconfig, input: edited });
    expect(result.code, result.stderr).toBe(0);
  });

  it('covers, with admission.test.ts, every constraint and rule the CRD declares', () => {
    const crd = parse(
      readFileSync(new URL('../../../crds/appcopies.openapi.rainbond.io.yaml', import.meta.url), 'utf8'),
    );
    const root = crd.spec.versions[0].schema.openAPIV3Schema;
    const declared: string[] = [];
    const keywords = [
      'required',
      'pattern',
      'minLength',
      'maxLength',
      'minimum',
      'maxItems',
      'maxProperties',
      'enum',
    ];
    const walk = (node: Record<string, unknown>, path: string) => {
      for (const k of keywords) if (k in node) declared.push(`${path}: ${k}`);
      // A rule that names its field (the transition rules at the root) counts on its own.
      for (const rule of (node['x-kubernetes-validations'] ?? []) as { fieldPath?: string }[]) {
        declared.push(`${path}: x-kubernetes-validations${rule.fieldPath ? ` ${rule.fieldPath}` : ''}`);
      }
      if (node['x-kubernetes-list-type'] === 'map') declared.push(`${path}: list-map-keys`);
      for (const [key, child] of Object.entries(
        (node.properties ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        walk(child, path === '.' ? key : `${path}.${key}`);
      }
      if (node.items) walk(node.items as Record<string, unknown>, `${path}[]`);
      if (node.additionalProperties && typeof node.additionalProperties === 'object') {
        walk(node.additionalProperties as Record<string, unknown>, `${path}.*`);
      }
    };
    walk(root, '.');
    const tried = new Set([
      ...CASES.map((c) => c.breaks),
      ...STATUS_CASES.map((c) => c.breaks),
      // In admission.test.ts:
      'spec.deletionPolicy: enum',
      'spec.services: list-map-keys',
      'spec.services[].change.buildSource: required',
      'spec.source.appId: minimum',
      // The transition rules on the object, one per field, here and in admission.test.ts:
      '.: x-kubernetes-validations .spec.source',
      '.: x-kubernetes-validations .spec.target',
      '.: x-kubernetes-validations .spec.services',
      '.: x-kubernetes-validations .spec.consoleRef',
    ]);
    expect(declared.filter((d) => !tried.has(d))).toEqual([]);
  });
});
