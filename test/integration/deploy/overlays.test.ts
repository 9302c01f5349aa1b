// Each overlay, rendered as a user installs it, goes through a real kube-apiserver's admission
// with a server-side dry run: schemas with strict field validation, RBAC objects, the CRD, and
// Pod Security admission judging the Deployment's pod template against the namespace's labels.
//
// Two passes, because a dry run creates nothing: a namespaced object in a namespace that does
// not exist yet is refused even when the same apply creates the Namespace first. So the
// rendered Namespace is applied for real (pass 1, with its Pod Security labels, which pass 2's
// warnings depend on), then everything is applied with --dry-run=server (pass 2). Namespaces
// are never deleted: without kube-controller-manager they would stay Terminating.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyManifestFile, kubectl, serverSideDryRun, testKubeConfig } from '../../support/kube.ts';
import {
  COMPONENTS,
  type Component,
  OVERLAYS,
  type Overlay,
  parseManifests,
  renderText,
} from '../../unit/deploy/kustomize.ts';

const FIELD_MANAGER = 'appcopy-deploy-test';

/** Pass 1 (real) for the Namespaces, pass 2 (dry run) for everything; returns pass 2's result. */
async function dryRunInstall(manifests: string) {
  const objects = parseManifests(manifests);
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  expect(namespaces).toHaveLength(1);
  const created = await kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: namespaces }),
  });
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  // --force-conflicts: the CRD is already on the shared control plane, applied by the test
  // setup under another field manager; taking over its fields is what a re-install does too.
  const result = await serverSideDryRun(manifests, { fieldManager: FIELD_MANAGER, forceConflicts: true });
  return { objects, ...result };
}

/** `kind/name` as `kubectl -o name` prints it. */
function nameOf(object: { apiVersion: string; kind: string; metadata: { name: string } }): string {
  const group = object.apiVersion.includes('/') ? `.${object.apiVersion.split('/')[0]}` : '';
  return `${object.kind.toLowerCase()}${group}/${object.metadata.name}`;
}

beforeAll(async () => {
  // The service-monitor component needs the Prometheus Operator's CRD; a stand-in is enough.
  await applyManifestFile(
    testKubeConfig(),
    fileURLToPath(new URL('./fixtures/servicemonitor-crd.yaml', import.meta.url)),
  );
});

const cases: { overlay: Overlay; components: Component[]; moved: boolean }[] = OVERLAYS.flatMap((overlay) => [
  { overlay, components: [], moved: false },
  { overlay, components: [...COMPONENTS], moved: true },
]);

describe('installing an overlay, as a server-side dry run against a real API server', () => {
  it.each(cases)(
    '$overlay (components: $components, moved into a namespace of its own: $moved) is accepted without a warning',
    async ({ overlay, components, moved }) => {
      const namespace = moved ? `deploy-${overlay}-${randomBytes(4).toString('hex')}` : undefined;
      const manifests = renderText(overlay, { components, ...(namespace ? { namespace } : {}) });
      const { objects, code, stdout, stderr } = await dryRunInstall(manifests);
      // Any warning fails: a Pod Security violation, a deprecated API, an unknown field.
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const applied = stdout.trim().split('\n');
      expect(applied.sort()).toEqual(objects.map(nameOf).sort());
      if (namespace) {
        expect(
          objects
            .filter((o) => o.metadata?.namespace !== undefined)
            .every((o) => o.metadata?.namespace === namespace),
        ).toBe(true);
      }
    },
  );

  it('refuses a misspelt field, so the acceptance above means something', async () => {
    const manifests = renderText('cluster-wide').replace(
      'readOnlyRootFilesystem:',
      'readOnlyRootFileSystem:',
    );
    const { code, stderr } = await dryRunInstall(manifests);
    expect(code).not.toBe(0);
    expect(stderr).toContain('readOnlyRootFileSystem');
  });

  it('warns when the pod template breaks the restricted Pod Security Standard', async () => {
    const namespace = `deploy-pss-${randomBytes(4).toString('hex')}`;
    const manifests = renderText('cluster-wide', { namespace }).replace(
      'allowPrivilegeEscalation: false',
      'allowPrivilegeEscalation: true',
    );
    const { code, stderr } = await dryRunInstall(manifests);
    expect(code).toBe(0);
    expect(stderr).toMatch(/would violate PodSecurity "restricted:latest".*allowPrivilegeEscalation/);
  });
});
