import { describe, expect, it } from 'vitest';
import {
  COPY_MARKER_ENV,
  type CopyOwner,
  formatMarker,
  formatRecord,
  type Marking,
  markerEnv,
  parseMarker,
  parseRecord,
  readMarking,
  recogniseOwnCopies,
  requestDigest,
} from '../../../../src/controller/copy/record.ts';
import type { Component } from '../../../../src/rainbond/types.ts';
import { aComponent, aSpec, copying, intoTarget } from '../../../support/builders.ts';

const spec = aSpec(copying('9f6e98bbb0c7893af5d3a82f1cb94645'));
const owner: CopyOwner = { namespace: 'team-a', name: 'shop-to-staging', request: requestDigest(spec) };
const stranger: CopyOwner = { ...owner, name: 'another' };

describe('requestDigest', () => {
  it('is the same for the same copy request, whatever the key order', () => {
    const reordered = {
      services: spec.services,
      target: {
        appId: spec.target.appId,
        regionName: spec.target.regionName,
        teamName: spec.target.teamName,
      },
      source: spec.source,
    };
    expect(requestDigest(reordered)).toBe(requestDigest(spec));
  });

  it('leaves out what does not change what is copied (credentials, deletionPolicy)', () => {
    expect(
      requestDigest({
        ...spec,
        credentialsSecretRef: { name: 'other' },
        deletionPolicy: 'Delete',
      } as typeof spec),
    ).toBe(requestDigest(spec));
  });

  it.each([
    ['another target app', aSpec(copying('9f6e98bbb0c7893af5d3a82f1cb94645'), intoTarget({ appId: 99 }))],
    [
      'another version change',
      aSpec(
        copying({
          serviceId: '9f6e98bbb0c7893af5d3a82f1cb94645',
          change: { buildSource: { version: 'v2' } },
        }),
      ),
    ],
    ['every component instead of one', aSpec()],
  ])('differs for %s', (_name, other) => {
    expect(requestDigest(other)).not.toBe(requestDigest(spec));
  });
});

describe('the marker', () => {
  it('reads back who it was written for and the attempt', () => {
    expect(parseMarker(formatMarker(owner, 'a-1'))).toEqual({ owner, attemptId: 'a-1' });
    expect(markerEnv(owner, 'a-1')).toMatchObject({
      name: COPY_MARKER_ENV,
      value: formatMarker(owner, 'a-1'),
    });
    expect(markerEnv(owner, 'a-1').note.length).toBeLessThanOrEqual(100);
  });

  it.each(['', 'v2 a/b c d', 'v1 ab c d', 'v1 a/b c', 'v1 /b c d', 'v1 a/b c d e'])(
    'refuses %j, which this operator never writes',
    (value) => {
      expect(parseMarker(value)).toBeUndefined();
    },
  );

  it("tells ours, another AppCopy's and none apart", () => {
    const env = (o: CopyOwner) => [{ name: 'OTHER', value: 'x', note: '' }, markerEnv(o, 'a-1')];
    expect(readMarking(env(owner), owner)).toEqual({ kind: 'ours', attemptId: 'a-1' });
    expect(readMarking(env(stranger), owner)).toEqual({ kind: 'foreign' });
    expect(readMarking(env({ ...owner, request: 'other' }), owner)).toEqual({ kind: 'foreign' });
    expect(readMarking([{ name: 'OTHER', value: 'x', note: '' }], owner)).toEqual({ kind: 'none' });
  });
});

describe('the annotation', () => {
  const record = {
    ...owner,
    attemptId: 'a-1',
    serviceIds: ['x', 'y'],
    finishedAt: '2026-12-03T08:00:00.000Z',
  };
  it('reads back what was written', () => {
    expect(parseRecord(formatRecord(record))).toEqual(record);
  });
  it.each([
    undefined,
    '',
    'not json',
    '{}',
    '{"namespace":"a"}',
    JSON.stringify({ ...record, serviceIds: [1] }),
  ])('is ignored when it is %j', (text) => {
    expect(parseRecord(text)).toBeUndefined();
  });
});

describe('recogniseOwnCopies', () => {
  const web = aComponent({ serviceCname: 'web-copy' });
  const api = aComponent({ serviceCname: 'api-copy' });
  const otherWeb = aComponent({ serviceCname: 'web-copy' });
  const unrelated = aComponent({ serviceCname: 'db' });
  const expectedCopies = ['web-copy', 'api-copy'];
  const ours = (attemptId: string): Marking => ({ kind: 'ours', attemptId });
  const unreadable = { kind: 'unreadable', why: '参数错误: envs[1].note: 该字段不能为空。' } as const;

  function recognise(
    target: Component[],
    markings: [Component, Marking][],
    record?: Parameters<typeof recogniseOwnCopies>[0]['record'],
  ) {
    return recogniseOwnCopies({
      owner,
      expectedCopies,
      target,
      record,
      markings: new Map(markings.map(([c, m]) => [c.serviceId, m])),
    });
  }

  it.each<{ name: string; run: () => ReturnType<typeof recogniseOwnCopies>; expected: unknown }>([
    {
      name: 'nothing marked for this AppCopy: copy',
      run: () =>
        recognise(
          [web, api, unrelated],
          [
            [web, { kind: 'none' }],
            [api, { kind: 'none' }],
          ],
        ),
      expected: { kind: 'none' },
    },
    {
      name: 'copies marked for another AppCopy (a deliberate second copy) are not ours: copy',
      run: () =>
        recognise(
          [web, api],
          [
            [web, { kind: 'foreign' }],
            [api, { kind: 'foreign' }],
          ],
        ),
      expected: { kind: 'none' },
    },
    {
      name: 'every expected copy marked for this AppCopy: adopt them, nothing to mark',
      run: () =>
        recognise(
          [unrelated, web, api],
          [
            [web, ours('a-1')],
            [api, ours('a-1')],
          ],
        ),
      expected: { kind: 'complete', components: [web, api], attemptId: 'a-1', unmarked: [] },
    },
    {
      name: 'a crash between the markers left one unmarked: the unmarked copy of that name completes the set',
      run: () =>
        recognise(
          [web, api],
          [
            [web, ours('a-1')],
            [api, { kind: 'none' }],
          ],
        ),
      expected: { kind: 'complete', components: [web, api], attemptId: 'a-1', unmarked: [api] },
    },
    {
      name: 'a component marked for another AppCopy never completes the set',
      run: () =>
        recognise(
          [web, api],
          [
            [web, ours('a-1')],
            [api, { kind: 'foreign' }],
          ],
        ),
      expected: { kind: 'partial', components: [web], missing: ['api-copy'] },
    },
    {
      name: 'marked copies of one name alone are partial (someone deleted the rest)',
      run: () => recognise([web], [[web, ours('a-1')]]),
      expected: { kind: 'partial', components: [web], missing: ['api-copy'] },
    },
    {
      name: 'two attempts marked: the one with more copies wins',
      run: () =>
        recognise(
          [otherWeb, web, api],
          [
            [otherWeb, ours('a-0')],
            [web, ours('a-2')],
            [api, ours('a-2')],
          ],
        ),
      expected: { kind: 'complete', components: [web, api], attemptId: 'a-2', unmarked: [] },
    },
    {
      name: 'a candidate whose marker cannot be read, and nothing else: cannot tell',
      run: () =>
        recognise(
          [web, api, unrelated],
          [
            [web, unreadable],
            [api, { kind: 'none' }],
          ],
        ),
      expected: { kind: 'unreadable', components: [web], why: unreadable.why },
    },
    {
      name: 'an unreadable candidate never completes a marked set, and makes the rest unknown',
      run: () =>
        recognise(
          [web, api],
          [
            [web, ours('a-1')],
            [api, unreadable],
          ],
        ),
      expected: { kind: 'unreadable', components: [api], why: unreadable.why },
    },
    {
      name: 'marked copies that complete the set are adopted whatever another candidate hides',
      run: () =>
        recognise(
          [otherWeb, web, api],
          [
            [otherWeb, unreadable],
            [web, ours('a-1')],
            [api, ours('a-1')],
          ],
        ),
      expected: { kind: 'complete', components: [web, api], attemptId: 'a-1', unmarked: [] },
    },
    {
      name: 'the annotation adopts even when no marker can be read',
      run: () =>
        recognise(
          [web, api],
          [
            [web, unreadable],
            [api, unreadable],
          ],
          { ...owner, attemptId: 'a-9', serviceIds: [web.serviceId, api.serviceId], finishedAt: '' },
        ),
      expected: { kind: 'complete', components: [web, api], attemptId: 'a-9', unmarked: [web, api] },
    },
    {
      name: 'the annotation decides when its copies are all listed, and names the unmarked for marking',
      run: () =>
        recognise([web, api], [], {
          ...owner,
          attemptId: 'a-9',
          serviceIds: [web.serviceId, api.serviceId],
          finishedAt: '',
        }),
      expected: { kind: 'complete', components: [web, api], attemptId: 'a-9', unmarked: [web, api] },
    },
    {
      name: "another AppCopy's annotation (an export renamed) is not this one's",
      run: () =>
        recognise([web, api], [], {
          ...stranger,
          attemptId: 'a-9',
          serviceIds: [web.serviceId, api.serviceId],
          finishedAt: '',
        }),
      expected: { kind: 'none' },
    },
    {
      name: 'an annotation whose copies are gone falls back to the markers',
      run: () =>
        recognise(
          [web, api],
          [
            [web, ours('a-1')],
            [api, ours('a-1')],
          ],
          {
            ...owner,
            attemptId: 'a-9',
            serviceIds: ['gone', api.serviceId],
            finishedAt: '',
          },
        ),
      expected: { kind: 'complete', components: [web, api], attemptId: 'a-1', unmarked: [] },
    },
  ])('$name', ({ run, expected }) => {
    expect(run()).toEqual(expected);
  });
});
