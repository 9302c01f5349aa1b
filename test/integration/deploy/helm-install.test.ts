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
import { NAMESPACE_MODES, parseRendered, renderChartText } from '../../support/tools/helm-chart.ts';
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
