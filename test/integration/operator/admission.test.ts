// What the API server itself refuses, before the operator sees anything: malformed manifests
// (structural schema) and changes to a copy that has started (CEL transition rule). The
// messages are what a user reads from `kubectl apply`, so the tests assert them.
import { describe, expect, inject, it } from 'vitest';
import { appCopies } from '../../support/appcopies.ts';
import { createTestNamespace, kubectl, testKubeConfig } from '../../support/kube.ts';

const valid = (namespace: string, name: string, extra = '') => `
apiVersion: openapi.rainbond.io/v1alpha1
kind: AppCopy
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  source: {teamId: o19p6wen, regionName: rainbond, appId: 12}
  target: {teamName: t7k2m9qa, regionName: rainbond, appId: 34}
  services:
    - serviceId: 9f6e98bbb0c7893af5d3a82f1cb94645
${extra}`;

describe('the API server checks AppCopy manifests', () => {
  const kubeconfig = () => inject('kubeconfigPath');

  /** Applies the valid AppCopy `name` in `namespace`, then writes `phase` as its status (as the operator would). */
  async function appliedIn(namespace: string, name: string, phase: string): Promise<void> {
    const applied = await kubectl(['apply', '-f', '-'], {
      kubeconfig: kubeconfig(),
      input: valid(namespace, name),
    });
    expect(applied.code, applied.stderr).toBe(0);
    const status = JSON.stringify({ status: { phase } });
    const patched = await kubectl(
      ['patch', 'appcopy', name, '-n', namespace, '--subresource=status', '--type=merge', '-p', status],
      { kubeconfig: kubeconfig() },
    );
    expect(patched.code, patched.stderr).toBe(0);
  }

  it.each([
    [
      'a missing target',
      'spec:\n  source: {teamId: a, regionName: r, appId: 1}',
      'spec.target: Required value',
    ],
    [
      'an app id below 1',
      'spec:\n  source: {teamId: a, regionName: r, appId: 0}\n  target: {teamName: a, regionName: r, appId: 1}',
      'should be greater than or equal to 1',
    ],
    [
      'a malformed service id',
      'spec:\n  source: {teamId: a, regionName: r, appId: 1}\n  target: {teamName: a, regionName: r, appId: 1}\n  services: [{serviceId: xyz}]',
      "should match '^[0-9a-f]{32}$'",
    ],
    [
      'an unknown deletion policy',
      'spec:\n  source: {teamId: a, regionName: r, appId: 1}\n  target: {teamName: a, regionName: r, appId: 1}\n  deletionPolicy: Keep',
      'supported values: "Orphan", "Delete"',
    ],
    [
      'a build source without version',
      'spec:\n  source: {teamId: a, regionName: r, appId: 1}\n  target: {teamName: a, regionName: r, appId: 1}\n  services: [{serviceId: 9f6e98bbb0c7893af5d3a82f1cb94645, change: {buildSource: {}}}]',
      'version: Required value',
    ],
    [
      'a Secret in another namespace',
      'spec:\n  source: {teamId: a, regionName: r, appId: 1}\n  target: {teamName: a, regionName: r, appId: 1}\n  credentialsSecretRef: {name: t, namespace: other}',
      'unknown field "spec.credentialsSecretRef.namespace"',
    ],
    [
      'the same service twice',
      'spec:\n  source: {teamId: a, regionName: r, appId: 1}\n  target: {teamName: a, regionName: r, appId: 1}\n  services: [{serviceId: 9f6e98bbb0c7893af5d3a82f1cb94645}, {serviceId: 9f6e98bbb0c7893af5d3a82f1cb94645}]',
      'Duplicate value',
    ],
    [
      'an env name with a space',
      'spec:\n  source: {teamId: a, regionName: r, appId: 1}\n  target: {teamName: a, regionName: r, appId: 1}\n  services: [{serviceId: 9f6e98bbb0c7893af5d3a82f1cb94645, change: {envs: {"A B": C}}}]',
      'env names must start with a letter',
    ],
  ])('kubectl apply rejects %s with a readable message', async (_case, body, message) => {
    const namespace = await createTestNamespace(testKubeConfig(), 'adm');
    const manifest = `apiVersion: openapi.rainbond.io/v1alpha1\nkind: AppCopy\nmetadata: {name: bad, namespace: ${namespace}}\n${body}\n`;
    const result = await kubectl(['apply', '-f', '-'], { kubeconfig: kubeconfig(), input: manifest });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it('refuses to change what is copied once the copy has started, and says why', async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'adm');
    await appliedIn(namespace, 'frozen', 'Copying');

    const changed = await kubectl(['apply', '-f', '-'], {
      kubeconfig: kubeconfig(),
      input: valid(namespace, 'frozen').replace('appId: 34', 'appId: 35'),
    });
    expect(changed.code).not.toBe(0);
    // The rule names the field, as every client (kubectl, Argo CD, Flux) shows it.
    expect(changed.stderr).toContain('spec.target: Forbidden: cannot change once the copy has started');
    expect(changed.stderr).not.toContain('<nil>');

    // deletionPolicy stays mutable (switching policy after the copy is legitimate).
    const policy = await kubectl(
      [
        'patch',
        'appcopy',
        'frozen',
        '-n',
        namespace,
        '--type=merge',
        '-p',
        '{"spec":{"deletionPolicy":"Delete"}}',
      ],
      { kubeconfig: kubeconfig() },
    );
    expect(policy.code, policy.stderr).toBe(0);
  });

  it("is refused by a server-side dry-run (Flux's check before applying), not by a client-side one (Argo CD's)", async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'adm');
    await appliedIn(namespace, 'dry', 'Succeeded');
    const changed = valid(namespace, 'dry').replace('appId: 12', 'appId: 13');

    const server = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], {
      kubeconfig: kubeconfig(),
      input: changed,
    });
    expect(server.code).not.toBe(0);
    expect(server.stderr).toContain('spec.source: Forbidden: cannot change once the copy has started');

    const client = await kubectl(['apply', '--dry-run=client', '-f', '-'], {
      kubeconfig: kubeconfig(),
      input: changed,
    });
    expect(client.code, client.stderr).toBe(0);
  });

  it('lets a Failed copy be retried by changing the spec', async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'adm');
    await appliedIn(namespace, 'retry', 'Failed');
    const changed = await kubectl(['apply', '-f', '-'], {
      kubeconfig: kubeconfig(),
      input: valid(namespace, 'retry').replace('appId: 34', 'appId: 35'),
    });
    expect(changed.code, changed.stderr).toBe(0);
    const object = await appCopies(kc).get(namespace, 'retry');
    expect(object?.metadata.generation).toBe(2);
  });

  it('shows phase, source, target, copied count and readiness as columns', async () => {
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'adm');
    await kubectl(['apply', '-f', '-'], { kubeconfig: kubeconfig(), input: valid(namespace, 'cols') });
    const table = await kubectl(['get', 'ac', '-n', namespace], { kubeconfig: kubeconfig() });
    expect(table.stdout.split('\n')[0]).toMatch(
      /NAME\s+PHASE\s+SOURCE APP\s+TARGET APP\s+COPIED\s+READY\s+AGE/,
    );
    const byCategory = await kubectl(['get', 'rainbond', '-n', namespace], { kubeconfig: kubeconfig() });
    expect(byCategory.stdout).toContain('cols');
  });
});
