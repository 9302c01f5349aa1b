// Malformed console resources are refused by the API server with a message naming the field and
// the rule, so a console never waits on a spec the operator cannot use. One manifest per rule of
// the RainbondConsole and ClusterRainbondConsole CRDs that a person could plausibly break.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestNamespace, kubectl, testKubeConfig } from '../../support/kube.ts';

const URL_OK = 'https://rainbond.example.com';
const RULE_OK = '{sourceTeams: [shop], targetTeams: [staging]}';
const CLUSTER_RULE_OK = '{namespaces: {names: [team-a]}, sourceTeams: [shop], targetTeams: [staging]}';

interface Case {
  name: string;
  kind: 'RainbondConsole' | 'ClusterRainbondConsole';
  spec: string;
  says: string[];
}

function specOf(
  parts: { url?: string; credentials?: string; allow?: string; rest?: string },
  cluster: boolean,
) {
  return [
    'spec:',
    `  url: ${parts.url ?? URL_OK}`,
    `  credentialsSecretRef: ${parts.credentials ?? (cluster ? '{namespace: ops, name: token}' : '{name: token}')}`,
    `  allow: ${parts.allow ?? `[${cluster ? CLUSTER_RULE_OK : RULE_OK}]`}`,
    ...(parts.rest ? [parts.rest] : []),
  ].join('\n');
}

const CASES: Case[] = [
  {
    name: 'a URL that is not http(s)',
    kind: 'RainbondConsole',
    spec: specOf({ url: 'ftp://rainbond.example.com' }, false),
    says: ['spec.url', 'must be an http(s) URL without credentials, query or fragment'],
  },
  {
    name: 'a URL carrying credentials',
    kind: 'RainbondConsole',
    spec: specOf({ url: 'https://admin:secret@rainbond.example.com' }, false),
    says: ['spec.url', 'must be an http(s) URL'],
  },
  {
    name: 'no rules at all',
    kind: 'RainbondConsole',
    spec: specOf({ allow: '[]' }, false),
    says: ['spec.allow', 'should have at least 1 items'],
  },
  {
    name: 'a rule without target teams',
    kind: 'RainbondConsole',
    spec: specOf({ allow: '[{sourceTeams: [shop]}]' }, false),
    says: ['spec.allow[0].targetTeams: Required value'],
  },
  {
    name: 'a team pattern with characters a team name never has',
    kind: 'RainbondConsole',
    spec: specOf({ allow: '[{sourceTeams: ["shop team"], targetTeams: [staging]}]' }, false),
    says: ['spec.allow[0].sourceTeams[0]', 'should match'],
  },
  {
    name: 'a RainbondConsole rule naming namespaces (it serves only its own)',
    kind: 'RainbondConsole',
    spec: specOf(
      { allow: '[{namespaces: {names: [x]}, sourceTeams: [shop], targetTeams: [staging]}]' },
      false,
    ),
    says: ['spec.allow[0].namespaces', 'unknown field'],
  },
  {
    name: 'a RainbondConsole token Secret in another namespace',
    kind: 'RainbondConsole',
    spec: specOf({ credentials: '{namespace: ops, name: token}' }, false),
    says: ['spec.credentialsSecretRef.namespace', 'unknown field'],
  },
  {
    name: 'a CA bundle from both a Secret and a ConfigMap',
    kind: 'RainbondConsole',
    spec: specOf(
      {
        rest: '  caBundle: {secretKeyRef: {name: ca, key: ca.crt}, configMapKeyRef: {name: ca, key: ca.crt}}',
      },
      false,
    ),
    says: ['spec.caBundle', 'set exactly one of secretKeyRef and configMapKeyRef'],
  },
  {
    name: 'a copy timeout that is not a duration',
    kind: 'RainbondConsole',
    spec: specOf({ rest: '  limits: {copyTimeout: ten minutes}' }, false),
    says: ['spec.limits.copyTimeout', 'should match'],
  },
  {
    name: 'a copy concurrency of 0',
    kind: 'RainbondConsole',
    spec: specOf({ rest: '  limits: {copyConcurrency: 0}' }, false),
    says: ['spec.limits.copyConcurrency', 'should be greater than or equal to 1'],
  },
  {
    name: 'a ClusterRainbondConsole rule that admits no namespace',
    kind: 'ClusterRainbondConsole',
    spec: specOf({ allow: `[${RULE_OK}]` }, true),
    says: ['spec.allow[0].namespaces: Required value'],
  },
  {
    name: 'a ClusterRainbondConsole rule with empty namespaces',
    kind: 'ClusterRainbondConsole',
    spec: specOf({ allow: '[{namespaces: {}, sourceTeams: [shop], targetTeams: [staging]}]' }, true),
    says: ['spec.allow[0].namespaces', 'set names, a selector, or both'],
  },
  {
    name: 'a ClusterRainbondConsole token Secret without its namespace',
    kind: 'ClusterRainbondConsole',
    spec: specOf({ credentials: '{name: token}' }, true),
    says: ['spec.credentialsSecretRef.namespace: Required value'],
  },
  {
    name: 'a selector expression In without values',
    kind: 'ClusterRainbondConsole',
    spec: specOf(
      {
        allow:
          '[{namespaces: {selector: {matchExpressions: [{key: tenant, operator: In}]}}, sourceTeams: [shop], targetTeams: [staging]}]',
      },
      true,
    ),
    says: ['In and NotIn need values'],
  },
];

describe('the API server refuses every malformed console with a readable message', () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await createTestNamespace(testKubeConfig(), 'bad-console');
  });

  it.each(CASES)('$kind: $name', async ({ kind, spec, says }) => {
    const meta =
      kind === 'ClusterRainbondConsole' ? `{name: bad-${namespace}}` : `{name: bad, namespace: ${namespace}}`;
    const manifest = `apiVersion: openapi.rainbond.io/v1alpha1\nkind: ${kind}\nmetadata: ${meta}\n${spec}\n`;
    const result = await kubectl(['apply', '-f', '-'], {
      kubeconfig: inject('kubeconfigPath'),
      input: manifest,
    });
    expect(result.code, result.stdout).not.toBe(0);
    for (const text of says) expect(result.stderr).toContain(text);
  });

  it.each([
    [
      'RainbondConsole',
      specOf({ rest: '  limits: {copyConcurrency: 4, copyTimeout: 15m, requestTimeout: 45s}' }, false),
    ],
    [
      'ClusterRainbondConsole',
      specOf(
        {
          allow:
            '[{name: all, namespaces: {selector: {}}, sourceTeams: ["*"], targetTeams: ["preview-*"]}, {namespaces: {names: [a], selector: {matchExpressions: [{key: tier, operator: Exists}]}}, sourceTeams: [shop], targetTeams: [shop]}]',
          rest: '  caBundle: {configMapKeyRef: {namespace: ops, name: ca, key: ca.crt}}',
        },
        true,
      ),
    ],
  ])('admits a well-formed %s (checked with a server-side dry run)', async (kind, spec) => {
    const meta =
      kind === 'ClusterRainbondConsole'
        ? `{name: good-${namespace}}`
        : `{name: good, namespace: ${namespace}}`;
    const manifest = `apiVersion: openapi.rainbond.io/v1alpha1\nkind: ${kind}\nmetadata: ${meta}\n${spec}\n`;
    const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], {
      kubeconfig: inject('kubeconfigPath'),
      input: manifest,
    });
    expect(result.code, result.stderr).toBe(0);
  });
});
