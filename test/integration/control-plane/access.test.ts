import { AuthenticationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createTestNamespace, kubectl, testKubeConfig, testNamespaceLabel } from '../../support/kube.ts';

// How tests reach the shared control plane: as admin through the kubeconfig from the global
// setup, or as a ServiceAccount through a TokenRequest token, which RBAC then governs.
describe('access to the shared control plane', () => {
  it('the admin kubeconfig works for client-node and kubectl alike', async () => {
    const namespace = await createTestNamespace(testKubeConfig(), 'access admin');
    expect(namespace).toMatch(/^access-admin-[0-9a-f]{8}$/);

    const read = await testKubeConfig().makeApiClient(CoreV1Api).readNamespace({ name: namespace });
    expect(read.metadata?.labels?.[testNamespaceLabel]).toBe('access-admin');
    const listed = await kubectl([
      'get',
      'namespaces',
      '-l',
      `${testNamespaceLabel}=access-admin`,
      '-o',
      'name',
    ]);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toContain(`namespace/${namespace}`);
  });

  it('issues ServiceAccount tokens (TokenRequest) that authenticate and are subject to RBAC', async () => {
    const admin = testKubeConfig();
    const core = admin.makeApiClient(CoreV1Api);
    const namespace = await createTestNamespace(admin, 'access-token');
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'robot' } } });
    const request = await core.createNamespacedServiceAccountToken({
      namespace,
      name: 'robot',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });

    const cluster = admin.getCurrentCluster()!;
    const asRobot = new KubeConfig();
    asRobot.loadFromOptions({
      clusters: [{ name: 'shared', server: cluster.server, caData: cluster.caData }],
      users: [{ name: 'robot', token: request.status?.token }],
      contexts: [{ name: 'shared', cluster: 'shared', user: 'robot' }],
      currentContext: 'shared',
    });
    const review = await asRobot.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${namespace}:robot`);
    await expect(asRobot.makeApiClient(CoreV1Api).listNamespacedPod({ namespace })).rejects.toMatchObject({
      code: 403,
    });
  });
});
