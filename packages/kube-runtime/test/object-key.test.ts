import { describe, expect, it } from 'vitest';
import { objectKey, objectKeyOf, splitObjectKey } from '../src/object-key.ts';

describe('object keys', () => {
  it.each<[string, { metadata: { namespace?: string; name: string } }, string]>([
    [
      'a namespaced object is keyed namespace/name',
      { metadata: { namespace: 'team-a', name: 'x' } },
      'team-a/x',
    ],
    ['a cluster-scoped object is keyed by its name', { metadata: { name: 'x' } }, 'x'],
  ])('%s', (_name, obj, key) => {
    expect(objectKeyOf(obj)).toBe(key);
    expect(splitObjectKey(key)).toEqual({ namespace: obj.metadata.namespace, name: 'x' });
  });

  it('refuses an object without a name', () => {
    expect(() => objectKeyOf({ metadata: { namespace: 'a' } })).toThrow(TypeError);
  });

  it('round-trips through objectKey and splitObjectKey', () => {
    expect(splitObjectKey(objectKey('ns', 'name'))).toEqual({ namespace: 'ns', name: 'name' });
  });
});
