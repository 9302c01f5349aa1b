import { describe, expect, it } from 'vitest';
import { resourcePath } from '../src/kube-list-watch.ts';

describe('resourcePath', () => {
  it.each([
    [
      'core resources live under /api',
      { group: '', version: 'v1', plural: 'configmaps' },
      '/api/v1/configmaps',
    ],
    [
      'namespaced core resources',
      { group: '', version: 'v1', plural: 'configmaps', namespace: 'team-a' },
      '/api/v1/namespaces/team-a/configmaps',
    ],
    [
      'group resources live under /apis/<group>',
      { group: 'openapi.rainbond.io', version: 'v1alpha1', plural: 'appcopies', namespace: 'x' },
      '/apis/openapi.rainbond.io/v1alpha1/namespaces/x/appcopies',
    ],
    [
      'all namespaces when none is given',
      { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' },
      '/apis/coordination.k8s.io/v1/leases',
    ],
  ])('%s', (_name, resource, path) => {
    expect(resourcePath(resource)).toBe(path);
  });
});
