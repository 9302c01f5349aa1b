import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../src/api/appcopy.ts';
import { findCondition, removeCondition, setCondition } from '../../../src/api/conditions.ts';

const t0 = new Date('2025-01-01T00:00:00Z');
const t1 = new Date('2025-01-01T00:05:00Z');

const readyFalse: Condition = {
  type: 'Ready',
  status: 'False',
  reason: 'Copying',
  message: 'copying 2 component(s)',
  lastTransitionTime: t0.toISOString(),
  observedGeneration: 1,
};
const reconciling: Condition = {
  type: 'Reconciling',
  status: 'True',
  reason: 'Copying',
  message: 'copying 2 component(s)',
  lastTransitionTime: t0.toISOString(),
  observedGeneration: 1,
};

describe('setCondition', () => {
  it.each([
    {
      name: 'a new condition is added at the end, stamped with now and the generation',
      conditions: [reconciling],
      input: { type: 'Ready', status: 'False', reason: 'Copying', message: 'copying' },
      expected: [
        reconciling,
        {
          type: 'Ready',
          status: 'False',
          reason: 'Copying',
          message: 'copying',
          lastTransitionTime: t1.toISOString(),
          observedGeneration: 2,
        },
      ],
    },
    {
      name: 'a condition is added to no conditions at all',
      conditions: undefined,
      input: { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'starting' },
      expected: [
        {
          type: 'Ready',
          status: 'Unknown',
          reason: 'Progressing',
          message: 'starting',
          lastTransitionTime: t1.toISOString(),
          observedGeneration: 2,
        },
      ],
    },
    {
      name: 'a status that flips moves lastTransitionTime to now',
      conditions: [readyFalse, reconciling],
      input: { type: 'Ready', status: 'True', reason: 'Copied', message: 'copied 2 component(s)' },
      expected: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Copied',
          message: 'copied 2 component(s)',
          lastTransitionTime: t1.toISOString(),
          observedGeneration: 2,
        },
        reconciling,
      ],
    },
    {
      name: 'a status that stays keeps lastTransitionTime while reason, message and generation follow the input',
      conditions: [readyFalse, reconciling],
      input: { type: 'Ready', status: 'False', reason: 'CopyRejected', message: 'not enough quota' },
      expected: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'CopyRejected',
          message: 'not enough quota',
          lastTransitionTime: t0.toISOString(),
          observedGeneration: 2,
        },
        reconciling,
      ],
    },
  ] satisfies {
    name: string;
    conditions: Condition[] | undefined;
    input: Omit<Condition, 'lastTransitionTime'>;
    expected: Condition[];
  }[])('$name', ({ conditions, input, expected }) => {
    expect(setCondition(conditions, input, 2, t1)).toEqual(expected);
  });

  it('the conditions given are not changed', () => {
    const conditions = [readyFalse];
    setCondition(conditions, { type: 'Ready', status: 'True', reason: 'Copied', message: 'done' }, 2, t1);
    expect(conditions).toEqual([readyFalse]);
  });
});

describe('removeCondition', () => {
  it.each([
    {
      name: 'the named condition goes and the others stay in order',
      conditions: [readyFalse, reconciling],
      type: 'Ready',
      expected: [reconciling],
    },
    {
      name: 'removing a condition that is not there changes nothing',
      conditions: [readyFalse],
      type: 'Stalled',
      expected: [readyFalse],
    },
    {
      name: 'removing from no conditions gives an empty list',
      conditions: undefined,
      type: 'Ready',
      expected: [],
    },
  ])('$name', ({ conditions, type, expected }) => {
    expect(removeCondition(conditions, type)).toEqual(expected);
  });
});

describe('findCondition', () => {
  it('finds a condition by type, or nothing', () => {
    expect(findCondition([readyFalse, reconciling], 'Reconciling')).toEqual(reconciling);
    expect(findCondition([readyFalse], 'Stalled')).toBeUndefined();
    expect(findCondition(undefined, 'Ready')).toBeUndefined();
  });
});
