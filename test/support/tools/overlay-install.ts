// The single-namespace kustomize overlay installed for real on the test bed, moved into a test's
// namespace the way a user's overlay moves it (`namespace: team-a`), and what a pod of its
// Deployment would get (chart-install.ts does the same for the chart). Only its namespaced
// objects are applied: the CRDs are installed already, the Namespace is the test's own, and the
// user roles (ClusterRoles of fixed names, aggregated into admin/edit/view) bind no one and would
// be shared by every test.
import { expect } from 'vitest';
import { parseManifests, renderText } from '../../unit/deploy/kustomize.ts';
import { kubectl } from '../kube.ts';
import { podEnvironment } from './chart-install.ts';
import type { Manifest } from './helm-chart.ts';

export interface InstalledOverlay {
  objects: Manifest[];
  serviceAccount: string;
  env: Record<string, string>;
}

export async function installSingleNamespaceOverlay(namespace: string): Promise<InstalledOverlay> {
  const objects = parseManifests(renderText('single-namespace', { namespace })) as Manifest[];
  const namespaced = objects.filter((o) => o.metadata.namespace !== undefined);
  expect(namespaced.every((o) => o.metadata.namespace === namespace)).toBe(true);
  const skipped = objects.filter((o) => o.metadata.namespace === undefined).map((o) => o.kind);
  expect([...new Set(skipped)].sort()).toEqual(['ClusterRole', 'CustomResourceDefinition', 'Namespace']);
  const applied = await kubectl(
    ['apply', '--server-side', '--field-manager=appcopy-overlay-test', '-f', '-'],
    {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: namespaced }),
    },
  );
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
  const deployment = namespaced.find((o) => o.kind === 'Deployment')!;
  return {
    objects: namespaced,
    serviceAccount: deployment.spec.template.spec.serviceAccountName,
    env: podEnvironment(namespaced, namespace),
  };
}
