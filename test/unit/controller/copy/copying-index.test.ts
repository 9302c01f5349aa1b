import { describe, expect, it } from 'vitest';
import type { CachedAppCopy } from '../../../../src/controller/cached-appcopy.ts';
import { createCopyingIndex } from '../../../../src/controller/copy/copying-index.ts';

function cached(
  name: string,
  resourceVersion: string,
  phase: CachedAppCopy['phase'],
  target = 'rainbond/34',
): CachedAppCopy {
  return {
    namespace: 'ns',
    name,
    generation: 1,
    resourceVersion,
    deleting: false,
    finalizers: undefined,
    deletionPolicy: 'Orphan',
    target,
    console: undefined,
    phase,
    observedGeneration: 1,
    componentsReadyReason: undefined,
  };
}

describe('the index of copies in flight per target app', () => {
  it('reserves a target while an AppCopy copying into it is Copying, for everyone but itself', () => {
    const index = createCopyingIndex(() => {});
    index.observe(cached('a', '10', 'Copying'));
    expect(index.copyingInto('rainbond/34', 'ns/b')).toEqual(['ns/a']);
    expect(index.copyingInto('rainbond/34', 'ns/a')).toEqual([]);
    expect(index.copyingInto('rainbond/35', 'ns/b')).toEqual([]);
  });

  it('frees the target, and says so, once the copy is resolved', () => {
    const freed: string[] = [];
    const index = createCopyingIndex((t) => freed.push(t));
    index.observe(cached('a', '10', 'Copying'));
    index.observe(cached('a', '11', 'Succeeded'));
    expect(index.copyingInto('rainbond/34', 'ns/b')).toEqual([]);
    expect(freed).toEqual(['rainbond/34']);
  });

  it('ignores a late watch event older than the state the operator wrote itself', () => {
    const index = createCopyingIndex(() => {});
    index.observe(cached('a', '12', 'Succeeded'));
    index.observe(cached('a', '10', 'Copying'));
    expect(index.copyingInto('rainbond/34', 'ns/b')).toEqual([]);
  });

  it('compares resourceVersions as numbers, not strings', () => {
    const index = createCopyingIndex(() => {});
    index.observe(cached('a', '9', 'Copying'));
    index.observe(cached('a', '10', 'Succeeded'));
    expect(index.copyingInto('rainbond/34', 'ns/b')).toEqual([]);
  });

  it('frees the target when an AppCopy that was Copying is deleted', () => {
    const freed: string[] = [];
    const index = createCopyingIndex((t) => freed.push(t));
    index.observe(cached('a', '10', 'Copying'));
    index.forget({ namespace: 'ns', name: 'a' });
    expect(index.copyingInto('rainbond/34', 'ns/b')).toEqual([]);
    expect(freed).toEqual(['rainbond/34']);
  });
});
