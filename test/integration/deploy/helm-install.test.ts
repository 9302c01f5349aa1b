// The chart, rendered by the real helm in each namespace mode with every switch on, goes
// through a real kube-apiserver's admission as a server-side dry run: strict field validation,
// RBAC objects, the monitoring objects against stand-ins of their CRDs, and Pod Security
// admission judging the pod template against a namespace held to "restricted".
//
// A dry run creates nothing, so the namespaces the manifests live in are created for real
// first (the release namespace with the Pod Security labels deploy/base gives its own).
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyManifestFile,
  serverSideDryRun,
  testKubeConfig,
  testNamespaceLabel,
} from '../../support/kube.ts';
import {
  helmWithValues,
  NAMESPACE_MODES,
  parseRendered,
  renderChartText,
  type Values,
} from '../../support/tools/helm-chart.ts';
import { ensureTool, TOOL_BUILD_TIMEOUT_MS } from '../../support/tools/tool-cache.ts';

const FIELD_MANAGER = 'appcopy-helm-test';
const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};
const MONITORING_ON = {
  serviceMonitor: { enabled: true },
  prometheusRule: { enabled: true },
  grafanaDashboard: { enabled: true },
  defaultToken: { existingSecret: 'appcopy-operator-token' },
};

beforeAll(async () => {
  await ensureTool('helm');
  const kc = testKubeConfig();
  for (const crd of ['./fixtures/servicemonitor-crd.yaml', './helm-fixtures/prometheusrule-crd.yaml'])
    await applyManifestFile(kc, fileURLToPath(new URL(crd, import.meta.url)));
}, TOOL_BUILD_TIMEOUT_MS);

/** Creates every namespace the rendered objects live in (the release's restricted). */
async function createNamespaces(objects: { metadata: { namespace?: string } }[], release: string) {
  const core = testKubeConfig().makeApiClient(CoreV1Api);
  const names = new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => n !== undefined));
  for (const name of names) {
    // `default` (the chart's Role for events about cluster-scoped consoles) is always there.
    if (name === 'default') continue;
    await core.createNamespace({
      body: {
        metadata: {
          name,
          labels: { [testNamespaceLabel]: 'helm', ...(name === release ? RESTRICTED : {}) },
        },
      },
    });
  }
}

function dryRun(manifests: string) {
  return serverSideDryRun(manifests, { fieldManager: FIELD_MANAGER });
}

describe('installing the chart, as a server-side dry run against a real API server', () => {
  it.each(Object.entries(NAMESPACE_MODES))(
    'watching %s, with every switch on, is accepted without a warning',
    async (_mode, valuesFor) => {
      const namespace = `helm-${randomBytes(4).toString('hex')}`;
      const text = await renderChartText(
        { ...valuesFor(namespace), ...MONITORING_ON },
        { release: `r${randomBytes(3).toString('hex')}`, namespace },
      );
      const objects = parseRendered(text);
      await createNamespaces(objects, namespace);
      const { code, stdout, stderr } = await dryRun(text);
      // Any warning fails: a Pod Security violation, a deprecated API, an unknown field.
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout.trim().split('\n')).toHaveLength(objects.length);
      expect(objects.map((o) => o.kind)).toEqual(
        expect.arrayContaining([
          'Deployment',
          'ServiceMonitor',
          'PrometheusRule',
          'PodDisruptionBudget',
          'NetworkPolicy',
        ]),
      );
    },
  );

  it('creates the ClusterRainbondConsoles of clusterConsoles.items as the CRD accepts them, and the CRD refuses what the values schema refuses', async () => {
    const namespace = `helm-crc-${randomBytes(4).toString('hex')}`;
    const release = `r${randomBytes(3).toString('hex')}`;
    const item = (change: Values = {}) => ({
      name: `${release}-prod`,
      url: 'https://rainbond.example.com',
      caBundle: { configMapKeyRef: { name: 'rainbond-ca', key: 'ca.crt' } },
      credentialsSecretRef: { name: 'rainbond-production' },
      limits: { copyConcurrency: 8, requestTimeout: '30s', copyTimeout: '10m' },
      allow: [
        {
          name: 'team-a',
          namespaces: {
            names: ['team-a'],
            selector: { matchLabels: { team: 'a' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
          },
          sourceTeams: ['team-a'],
          targetTeams: ['team-a-preview-*'],
        },
      ],
      ...change,
    });
    const valid = await renderChartText(
      {
        defaultConsole: `ClusterRainbondConsole/${release}-prod`,
        clusterConsoles: { items: [item()] },
        userRoles: {
          clusterConsoleReaders: [
            { kind: 'Group', name: 'system:authenticated', apiGroup: 'rbac.authorization.k8s.io' },
          ],
        },
      },
      { release, namespace },
    );
    const objects = parseRendered(valid);
    expect(objects.filter((o) => o.kind === 'ClusterRainbondConsole')).toHaveLength(1);
    await createNamespaces(objects, namespace);
    const accepted = await dryRun(valid);
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain(`clusterrainbondconsole.openapi.rainbond.io/${release}-prod`);

    // Each of these the values schema refuses (helm-chart.test.ts); rendered without the schema,
    // the API server refuses the same object, by the CRD's schema or its CEL rules.
    const wrong: Values[] = [
      item({ allow: [] }),
      item({ url: 'https://me:secret@rainbond.example.com' }),
      item({ caBundle: { secretKeyRef: { name: 'a', key: 'b' }, configMapKeyRef: { name: 'a', key: 'b' } } }),
      item({ allow: [{ namespaces: {}, sourceTeams: ['a'], targetTeams: ['b'] }] }),
      item({
        allow: [
          {
            namespaces: { selector: { matchExpressions: [{ key: 'tier', operator: 'In' }] } },
            sourceTeams: ['a'],
            targetTeams: ['b'],
          },
        ],
      }),
      item({ allow: [{ namespaces: { names: ['a'] }, sourceTeams: ['team a'], targetTeams: ['b'] }] }),
      item({ limits: { copyConcurrency: 0 } }),
    ];
    for (const values of wrong) {
      const asValues = await helmWithValues(['template', release, '--namespace', namespace], {
        clusterConsoles: { items: [values] },
      });
      expect(asValues.code, JSON.stringify(values)).not.toBe(0);
      const rendered = await helmWithValues(
        ['template', release, '--namespace', namespace, '--skip-schema-validation'],
        { clusterConsoles: { items: [values] } },
      );
      expect(rendered.code, rendered.stderr).toBe(0);
      const crc = parseRendered(rendered.stdout).filter((o) => o.kind === 'ClusterRainbondConsole');
      const refused = await dryRun(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: crc }));
      expect(refused.code, JSON.stringify(values)).not.toBe(0);
      expect(refused.stderr, JSON.stringify(values)).toContain('ClusterRainbondConsole');
    }
  });

  it('warns when the values break the restricted Pod Security Standard, so the silence above means something', async () => {
    const namespace = `helm-pss-${randomBytes(4).toString('hex')}`;
    const text = await renderChartText(
      { securityContext: { allowPrivilegeEscalation: true, readOnlyRootFilesystem: true } },
      { release: `r${randomBytes(3).toString('hex')}`, namespace },
    );
    await createNamespaces(parseRendered(text), namespace);
    const { stderr } = await dryRun(text);
    expect(stderr).toMatch(/would violate PodSecurity "restricted:latest"/);
  });
});
