// The simulator's pure building blocks, as tables: the status of a timed run on the clock,
// the region's status vocabulary and which of it blocks a delete, image tag handling for
// `build_source.version`, the fault PRNG, and the wrong-types body.
import { describe, expect, it } from 'vitest';
import {
  blocksDelete,
  COMPONENT_STATUSES,
  runStatus,
  type StatusRun,
  settledStatusFor,
} from '../../support/simulator/component-status.ts';
import { wrongTypesText } from '../../support/simulator/garbled-bodies.ts';
import { createPrng } from '../../support/simulator/prng.ts';
import {
  aliasForServiceId,
  consoleImageWithVersion,
  imageTag,
  withImageTag,
} from '../../support/simulator/service-base-info.ts';

describe('runStatus', () => {
  const build: StatusRun = {
    startedAt: 1000,
    phases: [
      { status: 'undeploy', ms: 100 },
      { status: 'waiting', ms: 200 },
    ],
    settled: 'running',
  };
  const cases: [number, string][] = [
    [1000, 'undeploy'],
    [1099, 'undeploy'],
    [1100, 'waiting'],
    [1299, 'waiting'],
    [1300, 'running'],
    [99_999, 'running'],
  ];
  for (const [now, status] of cases) {
    it(`At ${now} a build started at 1000 (100 undeploy, 200 waiting) is "${status}".`, () => {
      expect(runStatus(build, now)).toBe(status);
    });
  }
  it('A phase of 0 ms is skipped: a build with no build time starts in "waiting".', () => {
    expect(
      runStatus({ ...build, phases: [{ status: 'undeploy', ms: 0 }, ...build.phases.slice(1)] }, 1000),
    ).toBe('waiting');
  });
  it('A failed build is its only phase, settled at the same status: "undeploy" for ever.', () => {
    const failed: StatusRun = { startedAt: 0, phases: [{ status: 'undeploy', ms: 10 }], settled: 'undeploy' };
    expect(runStatus(failed, 5)).toBe('undeploy');
    expect(runStatus(failed, 1e9)).toBe('undeploy');
  });
});

describe('the region status vocabulary', () => {
  it("is the region's, spelled as the region spells it, without the statuses the status API never returns.", () => {
    expect([...COMPONENT_STATUSES].sort()).toEqual(
      [
        'running',
        'closed',
        'starting',
        'waiting',
        'stopping',
        'abnormal',
        'some_abnormal',
        'unknow',
        'upgrade',
        'undeploy',
        'succeeded',
        'paused',
      ].sort(),
    );
    for (const gone of [
      'building',
      'build_failure',
      'creating',
      'checking',
      'unusual',
      'stoping',
      'unKnow',
    ]) {
      expect(COMPONENT_STATUSES as readonly string[]).not.toContain(gone);
    }
  });
  const settled: [string, string][] = [
    ['job', 'succeeded'],
    ['cronjob', 'running'],
    ['stateless_multiple', 'running'],
    ['state_multiple', 'running'],
  ];
  for (const [kind, status] of settled) {
    it(`A component of extend_method ${kind} settles at "${status}".`, () => {
      expect(settledStatusFor(kind)).toBe(status);
    });
  }
});

describe('which statuses block a delete (app_manage.py __is_service_running)', () => {
  const cases: [string | null, boolean][] = [
    ['running', true],
    ['starting', true],
    ['stopping', true],
    ['abnormal', true],
    ['some_abnormal', true],
    ['waiting', false],
    ['upgrade', false],
    ['unknow', false],
    ['closed', false],
    ['undeploy', false],
    ['succeeded', false],
    ['paused', false],
    [null, false],
  ];
  for (const [status, blocks] of cases) {
    it(`A component that is ${JSON.stringify(status)} ${blocks ? 'cannot' : 'can'} be deleted without force.`, () => {
      expect(blocksDelete(status as never)).toBe(blocks);
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
  const mangled: [string, string][] = [
    ['nginx:1.25', 'nginx:v2'],
    ['nginx', 'nginx:v2'],
    ['registry.local:5000/shop/worker:2.3.1', 'registry.local:v2'],
    ['nginx@sha256:0123abcd', 'nginx@sha256:v2'],
  ];
  for (const [image, expected] of mangled) {
    it(`The console turns ${image} with version v2 into ${expected}.`, () =>
      expect(consoleImageWithVersion(image, 'v2')).toBe(expected));
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
