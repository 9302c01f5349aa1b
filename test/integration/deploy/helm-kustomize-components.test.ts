// The kustomize components that mirror the chart's switches (deploy/components/monitoring and
// deploy/components/secrets-opt-in), added to the cluster-wide overlay and moved into a
// namespace of their own, pass a server-side dry run on the test bed without a warning.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyManifestFile, kubectl, testKubeConfig } from '../../support/kube.ts';
import { parseManifests, renderText } from '../../unit/deploy/kustomize.ts';

beforeAll(async () => {
  const kc = testKubeConfig();
  for (const crd of ['./fixtures/servicemonitor-crd.yaml', './helm-fixtures/prometheusrule-crd.yaml'])
    await applyManifestFile(kc, fileURLToPath(new URL(crd, import.meta.url)));
});

describe('the monitoring and secrets-opt-in components', () => {
  it('with the cluster-wide overlay, are accepted by a server-side dry run without a warning', async () => {
    const namespace = `kustomize-${randomBytes(4).toString('hex')}`;
    const manifests = renderText('cluster-wide', {
      namespace,
      components: ['service-monitor', 'monitoring', 'secrets-opt-in'],
    });
    const objects = parseManifests(manifests);
    expect(objects.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual(
      expect.arrayContaining([
        'PrometheusRule appcopy-operator',
        'ConfigMap appcopy-operator-dashboard',
        'ClusterRole appcopy-operator-secret-reader',
        // The operator's own namespace opted in, for the tokens of ClusterRainbondConsoles.
        'RoleBinding appcopy-operator-secret-reader',
      ]),
    );
    const operatorRole = objects.find(
      (o) => o.kind === 'ClusterRole' && o.metadata.name === 'appcopy-operator',
    );
    expect(JSON.stringify(operatorRole?.rules)).not.toContain('secrets');

    const namespaces = objects.filter((o) => o.kind === 'Namespace');
    const created = await kubectl(
      ['apply', '--server-side', '--field-manager=appcopy-helm-test', '-f', '-'],
      {
        input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: namespaces }),
      },
    );
    expect(created.code, created.stderr).toBe(0);
    const result = await kubectl(
      [
        'apply',
        '--server-side',
        '--force-conflicts',
        '--dry-run=server',
        '--field-manager=appcopy-helm-test',
        '-o',
        'name',
        '-f',
        '-',
      ],
      { input: manifests },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(objects.length);
  });
});
