// The simulator's pure building blocks, as tables: the build phase on the clock, image tag
// handling for `build_source.version`, the fault PRNG, and the wrong-types body.
import { describe, expect, it } from 'vitest';
import { type BuildRun, buildPhase, isRunningLike } from '../../support/simulator/component-status.ts';
import { wrongTypesText } from '../../support/simulator/garbled-bodies.ts';
import { createPrng } from '../../support/simulator/prng.ts';
import { aliasForServiceId, imageTag, withImageTag } from '../../support/simulator/service-base-info.ts';

describe('buildPhase', () => {
  const run: BuildRun = { startedAt: 1000, buildMs: 100, startMs: 200, outcome: 'build_failure' };
  const cases: [number, string][] = [
    [1000, 'creating'],
    [1099, 'creating'],
    [1100, 'building'],
    [1299, 'building'],
    [1300, 'build_failure'],
    [99_999, 'build_failure'],
  ];
  for (const [now, phase] of cases) {
    it(`At ${now} a build started at 1000 (100 creating, 200 building) is "${phase}".`, () => {
      expect(buildPhase(run, now)).toBe(phase);
    });
  }
  it('A build without a creating phase starts in "building".', () => {
    expect(buildPhase({ ...run, buildMs: 0 }, 1000)).toBe('building');
  });
});

describe('which statuses block a delete', () => {
  const cases: [string | null, boolean][] = [
    ['running', true],
    ['starting', true],
    ['abnormal', true],
    ['unKnow', true],
    ['closed', false],
    ['undeploy', false],
    ['building', false],
    ['build_failure', false],
    ['creating', false],
    [null, false],
  ];
  for (const [status, blocks] of cases) {
    it(`A component that is ${JSON.stringify(status)} ${blocks ? 'cannot' : 'can'} be deleted.`, () => {
      expect(isRunningLike(status as never)).toBe(blocks);
    });
  }
});

describe('image references', () => {
  const tags: [string, string][] = [
    ['nginx:1.25', '1.25'],
    ['nginx', 'latest'],
    ['registry.local:5000/shop/worker', 'latest'],
    ['registry.local:5000/shop/worker:2.3.1', '2.3.1'],
  ];
  for (const [image, tag] of tags) {
    it(`The tag of ${image} is ${tag}.`, () => expect(imageTag(image)).toBe(tag));
  }
  const replaced: [string, string][] = [
    ['nginx:1.25', 'nginx:v2'],
    ['nginx', 'nginx:v2'],
    ['registry.local:5000/shop/worker', 'registry.local:5000/shop/worker:v2'],
    ['registry.local:5000/shop/worker:2.3.1', 'registry.local:5000/shop/worker:v2'],
  ];
  for (const [image, expected] of replaced) {
    it(`Replacing the tag of ${image} with v2 gives ${expected}.`, () =>
      expect(withImageTag(image, 'v2')).toBe(expected));
  }
  it('An alias is "gr" + the last 6 characters of the id.', () => {
    expect(aliasForServiceId('0123456789abcdef0123456789abcdef')).toBe('grabcdef');
  });
});

describe('the fault PRNG', () => {
  it('The same seed gives the same sequence, another seed a different one, all in [0, 1).', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const c = createPrng(43);
    const sa = Array.from({ length: 50 }, () => a());
    expect(Array.from({ length: 50 }, () => b())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c())).not.toEqual(sa);
    for (const x of sa) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('wrong-types bodies', () => {
  it('Strings become their length, numbers and booleans strings, arrays objects, null 0.', () => {
    const text = wrongTypesText({ kind: 'json', value: { a: 'abc', n: 5, b: true, z: null, l: ['x'] } });
    expect(JSON.parse(text)).toEqual({ a: 3, n: '5', b: 'true', z: 0, l: { '0': 1 } });
  });
  it('A body-less answer becomes a JSON object of wrong types.', () => {
    expect(JSON.parse(wrongTypesText({ kind: 'empty' }))).toEqual({ msg: '200', services: 4 });
  });
});
