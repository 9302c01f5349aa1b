import { randomBytes } from 'node:crypto';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyManifests, createTestNamespace, kubectl, testKubeConfig } from '../../support/kube.ts';

// What the operator relies on from the API server, checked on the real one: a CEL transition
// rule makes a field immutable with our message, and the status subresource splits spec and
// status writes, with metadata.generation counting spec changes only.
const group = `t${randomBytes(4).toString('hex')}.testbed.appcopy.test`;
const version = 'v1';
const plural = 'widgets';
const kc = testKubeConfig();
const objects = kc.makeApiClient(CustomObjectsApi);

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural, singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: version,
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['source'],
                properties: {
                  source: {
                    type: 'string',
                    'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'source is immutable' }],
                  },
                  replicas: { type: 'integer', minimum: 0 },
                },
              },
              status: {
                type: 'object',
                properties: { phase: { type: 'string' }, observedGeneration: { type: 'integer' } },
              },
            },
          },
        },
      },
    ],
  },
};

interface Widget {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    generation?: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
  spec: { source: string; replicas?: number };
  status?: { phase?: string; observedGeneration?: number };
}

let namespace: string;
beforeAll(async () => {
  await applyManifests(kc, [crd]);
});
beforeEach(async () => {
  namespace = await createTestNamespace(kc, 'crd-cel-status');
});

const widget = (name: string, spec: Widget['spec']): Widget => ({
  apiVersion: `${group}/${version}`,
  kind: 'Widget',
  metadata: { name },
  spec,
});
const create = async (body: Widget): Promise<Widget> =>
  objects.createNamespacedCustomObject({ group, version, namespace, plural, body });
const read = async (name: string): Promise<Widget> =>
  objects.getNamespacedCustomObject({ group, version, namespace, plural, name });
const replace = async (body: Widget): Promise<Widget> =>
  objects.replaceNamespacedCustomObject({
    group,
    version,
    namespace,
    plural,
    name: body.metadata.name,
    body,
  });
const replaceStatus = async (body: Widget): Promise<Widget> =>
  objects.replaceNamespacedCustomObjectStatus({
    group,
    version,
    namespace,
    plural,
    name: body.metadata.name,
    body,
  });

describe('a CRD with a CEL transition rule and a status subresource', () => {
  it('rejects a change of the immutable field with the rule’s message and accepts other changes', async () => {
    const created = await create(widget('w', { source: 'a', replicas: 1 }));

    const rejected = await replace({ ...created, spec: { source: 'b', replicas: 1 } }).catch(
      (error) => error,
    );
    expect(rejected.code).toBe(422);
    expect(JSON.parse(rejected.body).message).toContain(
      'spec.source: Invalid value: "b": source is immutable',
    );
    const updated = await replace({ ...created, spec: { source: 'a', replicas: 2 } });
    expect(updated.spec).toEqual({ source: 'a', replicas: 2 });
  });

  it('ignores spec changes sent to /status, and status changes sent to the main resource', async () => {
    const created = await create(widget('w', { source: 'a', replicas: 1 }));

    const afterStatus = await replaceStatus({
      ...created,
      spec: { source: 'a', replicas: 5 },
      status: { phase: 'Copying', observedGeneration: 1 },
    });
    expect(afterStatus.spec).toEqual({ source: 'a', replicas: 1 });
    expect(afterStatus.status).toEqual({ phase: 'Copying', observedGeneration: 1 });

    const afterMain = await replace({
      ...afterStatus,
      spec: { source: 'a', replicas: 3 },
      status: { phase: 'Failed' },
    });
    expect(afterMain.spec).toEqual({ source: 'a', replicas: 3 });
    expect(afterMain.status).toEqual({ phase: 'Copying', observedGeneration: 1 });
    expect(await read('w')).toEqual(afterMain);
  });

  it('bumps metadata.generation on spec changes only', async () => {
    const created = await create(widget('w', { source: 'a', replicas: 1 }));
    expect(created.metadata.generation).toBe(1);

    const statusWritten = await replaceStatus({ ...created, status: { phase: 'Succeeded' } });
    expect(statusWritten.metadata.generation).toBe(1);
    const labelled = await replace({
      ...statusWritten,
      metadata: { ...statusWritten.metadata, labels: { x: 'y' } },
    });
    expect(labelled.metadata.generation).toBe(1);
    const respecced = await replace({ ...labelled, spec: { source: 'a', replicas: 2 } });
    expect(respecced.metadata.generation).toBe(2);
  });

  it('makes kubectl apply reject a manifest that breaks the schema, naming the fields', async () => {
    const result = await kubectl(['apply', '-n', namespace, '-f', '-'], {
      input: JSON.stringify(widget('bad', { replicas: -1 } as Widget['spec'])),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.source: Required value');
    expect(result.stderr).toContain('spec.replicas: Invalid value: -1');
    expect((await kubectl(['get', 'widgets', '-n', namespace, '-o', 'name'])).stdout).toBe('');
  });
});
