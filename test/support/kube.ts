// Helpers for integration tests against the shared control plane started by
// control-plane/global-setup.ts. Each test works in a namespace of its own.

import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { type ProcessResult, runProcess } from './run-process.ts';

export { applyManifestFile, applyManifests, parseManifests } from './control-plane/apply-manifests.ts';

/** Label carried by every namespace made by createTestNamespace; its value is the prefix. */
export const testNamespaceLabel = 'appcopy.test/test-namespace';

/** A fresh admin KubeConfig for the shared control plane. */
export function testKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(inject('kubeconfigPath'));
  return kc;
}

/**
 * Creates a namespace named `<prefix>-<random>` and returns its name. Nothing waits for its
 * deletion: without kube-controller-manager a deleted namespace stays Terminating forever, so
 * tests leave theirs behind and the control plane is thrown away at the end of the run.
 */
export async function createTestNamespace(kc: KubeConfig, prefix: string): Promise<string> {
  const label = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  const name = `${label || 'test'}-${randomBytes(4).toString('hex')}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({
    body: { metadata: { name, labels: { [testNamespaceLabel]: label || 'test' } } },
  });
  return name;
}

export type KubectlResult = ProcessResult;

/**
 * Runs the machine's `kubectl` with `--kubeconfig` (default: the shared control plane's) and
 * optional stdin, e.g. `kubectl(['apply', '-f', '-'], { input: yaml })`. Never throws for a
 * non-zero exit: tests assert on code and stderr. Throws if kubectl is not installed.
 */
export function kubectl(
  args: string[],
  options: { kubeconfig?: string; input?: string; timeoutMs?: number } = {},
): Promise<KubectlResult> {
  const kubeconfig = options.kubeconfig ?? inject('kubeconfigPath');
  const { input, timeoutMs } = options;
  return runProcess('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    ...(input === undefined ? {} : { input }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOENT'
      ? new Error('kubectl is not on PATH; install it (e.g. apt-get install kubectl) to run this test')
      : error;
  });
}

/**
 * `kubectl apply --server-side --dry-run=server -o name` of `manifests` as `fieldManager`: the API
 * server admits (or refuses, with warnings on stderr) every object without storing it.
 * `forceConflicts` takes over fields another manager owns, as a re-install does.
 */
export function serverSideDryRun(
  manifests: string,
  opts: { fieldManager: string; forceConflicts?: boolean },
): Promise<KubectlResult> {
  return kubectl(
    [
      'apply',
      '--server-side',
      ...(opts.forceConflicts ? ['--force-conflicts'] : []),
      '--dry-run=server',
      `--field-manager=${opts.fieldManager}`,
      '-o',
      'name',
      '-f',
      '-',
    ],
    { input: manifests },
  );
}
